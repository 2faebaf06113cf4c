"""Staff rules S1-S8.

Assignments cover startdate <= d < enddate (no enddate = open-ended). A pay
period is [payperiodstart, payperiodend], both inclusive, 14 days. A shift's
date is staffschedules.scheduledate; tracked hours belong to the week and pay
period of their shift's date.

Time tracking starts on the first shift date of the data (the first simulated
day); staff were paid before it. Payroll of periods that ended earlier is
history: it is checked for its own arithmetic and plausibility only. The pay
period and the ISO week open on that first day also hold hours from before
it, so there the data gives a lower bound instead of the exact hours (as S7
treats reviews before the class history). Without any shift, all payroll is
history.
"""
from equipment.choices import MaintenanceType
from fitness.core.business import OVERTIME_MULTIPLIER, PAY_PERIOD_DAYS, REVIEW_DAYS, WEEK_REGULAR_HOURS
from fitness.core.catalog import MAINTENANCE_TYPES_BY_EQUIPMENT_TYPE, MAINTENANCE_VENDORS, PARTS_BY_EQUIPMENT_TYPE
from staff.choices import INSTRUCTOR_TITLES, JobTitle

from ..registry import offenders, rule
from .reference import allowed_for_key, in_list, literal

OPEN_END = "'9999-12-31'"
HOURS_TOLERANCE = 0.01
CENT_TOLERANCE = 0.006  # pay = hours x rate rounded to the cent (either rounding mode)
SHIFT_SLACK_MINUTES = 60
OVERTIME_THRESHOLD = WEEK_REGULAR_HOURS
PERIOD_REGULAR_HOURS = WEEK_REGULAR_HOURS * PAY_PERIOD_DAYS // 7  # a pay period is two ISO weeks
# The first day of the time tracking: before it lies the history (see the module docstring).
TRACKING_STARTS = "(SELECT MIN(scheduledate) AS first_day FROM staffschedules)"


@rule("S1", "staff", """hiredate <= as-of; terminationdate is set exactly when status is 'Terminated' and is
after hiredate (offender: the staff member); no shift (staffschedules) dated after the
terminationdate (offender: the shift).""")
def check_employment(ctx):
    as_of = ctx.dialect.date_param("as_of")
    return offenders(ctx, f"""
        SELECT staffid AS offender FROM staff
        WHERE hiredate > {as_of}
           OR (status = 'Terminated' AND terminationdate IS NULL)
           OR (status <> 'Terminated' AND terminationdate IS NOT NULL)
           OR terminationdate <= hiredate
        UNION ALL
        SELECT sh.scheduleid FROM staffschedules sh JOIN staff st ON st.staffid = sh.staffid
        WHERE st.terminationdate IS NOT NULL AND sh.scheduledate > st.terminationdate""")


@rule("S2", "stafffacilities", """Primary assignments (isprimary) of one staff member never overlap, and
assignments of one staff member at one facility never overlap (periods [startdate, enddate); offender:
the later assignment); every staff member not 'Terminated' has exactly one primary assignment
covering as-of (offender: the staff member).""")
def check_assignments(ctx):
    as_of = ctx.dialect.date_param("as_of")

    def overlapping(partition, where):
        return f"""
            SELECT assignmentid AS offender FROM (
                SELECT assignmentid, startdate,
                       MAX(COALESCE(enddate, {OPEN_END})) OVER (
                           PARTITION BY {partition} ORDER BY startdate, assignmentid
                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_end
                FROM stafffacilities WHERE {where}) AS ordered
            WHERE previous_end > startdate"""

    return offenders(ctx, f"""
        {overlapping('staffid', 'isprimary')}
        UNION ALL
        {overlapping('staffid, facilityid', '1 = 1')}
        UNION ALL
        SELECT st.staffid FROM staff st
        LEFT JOIN stafffacilities sf ON sf.staffid = st.staffid AND sf.isprimary
             AND sf.startdate <= {as_of} AND {as_of} < COALESCE(sf.enddate, {OPEN_END})
        WHERE st.status <> 'Terminated'
        GROUP BY st.staffid HAVING COUNT(sf.assignmentid) <> 1""")


@rule("S3", "staffschedules", f"""A shift is at a facility the staff member is assigned to on scheduledate
(startdate <= scheduledate < enddate or no enddate); starttime >= the facility's opentime and endtime
<= closetime; non-Cancelled shifts of one person never overlap on a date; scheduledhours = endtime -
starttime in hours (within {HOURS_TOLERANCE}).""")
def check_shifts(ctx):
    hours = ctx.dialect.hours_between_times("sh.starttime", "sh.endtime")
    return offenders(ctx, f"""
        SELECT sh.scheduleid AS offender FROM staffschedules sh JOIN facilities f ON f.facilityid = sh.facilityid
        WHERE sh.starttime < f.opentime OR sh.endtime > f.closetime
           OR ABS(sh.scheduledhours - {hours}) > {HOURS_TOLERANCE / 2}
           OR NOT EXISTS (SELECT 1 FROM stafffacilities sf WHERE sf.staffid = sh.staffid
                  AND sf.facilityid = sh.facilityid AND sf.startdate <= sh.scheduledate
                  AND sh.scheduledate < COALESCE(sf.enddate, {OPEN_END}))
        UNION ALL
        SELECT scheduleid FROM (
            SELECT scheduleid, starttime,
                   MAX(endtime) OVER (PARTITION BY staffid, scheduledate ORDER BY starttime, scheduleid
                                      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_end
            FROM staffschedules WHERE status <> 'Cancelled') AS ordered
        WHERE previous_end > starttime""")


@rule("S4", "stafftimetracking", f"""A time entry belongs to a shift of the same staff member; its actual start
lies within {SHIFT_SLACK_MINUTES} minutes of the shift's scheduledate + starttime (local) and its
actual end, when set, within {SHIFT_SLACK_MINUTES} minutes of scheduledate + endtime; actualhours =
(actualendtime - actualstarttime) in hours - breakminutes / 60 (within {HOURS_TOLERANCE}; null while
not ended); per staff member and ISO week (Monday start) of the shift dates, the sum of overtimehours
= max(0, sum of actualhours - {OVERTIME_THRESHOLD}) (within {HOURS_TOLERANCE}; offender: staffid/week
Monday). The week that began before the first shift date of the data also counts hours worked before
it: there the overtime lies between max(0, tracked hours - {OVERTIME_THRESHOLD}) and the tracked hours.""")
def check_time_tracking(ctx):
    d = ctx.dialect
    start_gap = d.minutes_between(d.combine("sh.scheduledate", "sh.starttime"), d.local_datetime("t.actualstarttime"))
    end_gap = d.minutes_between(d.combine("sh.scheduledate", "sh.endtime"), d.local_datetime("t.actualendtime"))
    worked = d.minutes_between("t.actualstarttime", "t.actualendtime")
    week = d.week_start("sh.scheduledate")
    least_overtime = f"CASE WHEN worked > {OVERTIME_THRESHOLD} THEN worked - {OVERTIME_THRESHOLD} ELSE 0 END"
    return offenders(ctx, f"""
        SELECT t.timetrackingid AS offender FROM stafftimetracking t
        JOIN staffschedules sh ON sh.scheduleid = t.scheduleid
        WHERE t.staffid <> sh.staffid
           OR ABS({start_gap}) > {SHIFT_SLACK_MINUTES}
           OR (t.actualendtime IS NOT NULL AND ABS({end_gap}) > {SHIFT_SLACK_MINUTES})
           OR (t.actualendtime IS NULL AND t.actualhours IS NOT NULL)
           OR (t.actualendtime IS NOT NULL AND (t.actualhours IS NULL
               OR ABS(t.actualhours - ({worked} - t.breakminutes) / 60.0) > {HOURS_TOLERANCE}))
        UNION ALL
        SELECT staffid || '/' || CAST(week AS varchar(10)) FROM (
            SELECT t.staffid, {week} AS week, SUM(COALESCE(t.actualhours, 0)) AS worked,
                   SUM(t.overtimehours) AS overtime
            FROM stafftimetracking t JOIN staffschedules sh ON sh.scheduleid = t.scheduleid
            GROUP BY t.staffid, {week}) AS weekly
        CROSS JOIN {TRACKING_STARTS} AS tracking
        WHERE CASE WHEN weekly.week < tracking.first_day
                   THEN overtime < {least_overtime} - {HOURS_TOLERANCE} OR overtime > worked + {HOURS_TOLERANCE}
                   ELSE ABS(overtime - {least_overtime}) > {HOURS_TOLERANCE} END""")


@rule("S5", "staffpayroll", f"""Payroll per bi-weekly pay period: payperiodend = payperiodstart + {PAY_PERIOD_DAYS - 1}
days (inclusive period) and periods of one staff member never overlap; regularhours + overtimehours =
the sum of actualhours of the staff member's time entries whose shift date lies in the period, and
overtimehours = the sum of their overtimehours (within {HOURS_TOLERANCE}); regularpay = regularhours x
hourlyrate and overtimepay = overtimehours x hourlyrate x {OVERTIME_MULTIPLIER}, to the cent; grosspay = regularpay +
overtimepay + bonuses; netpay = grosspay - deductions; paydate > payperiodend; hours are not negative,
regularhours is at most {PERIOD_REGULAR_HOURS} (two weeks of {WEEK_REGULAR_HOURS}) and overtime comes only with at least
{WEEK_REGULAR_HOURS} regular hours. History: a period that ended before the first shift date of the data is checked
without time entries; the period open on that date has at least the tracked hours and overtime.""")
def check_payroll(ctx):
    d = ctx.dialect
    paid = "p.regularhours + p.overtimehours"
    return offenders(ctx, f"""
        SELECT p.payrollid AS offender FROM staffpayroll p
        JOIN staff st ON st.staffid = p.staffid
        CROSS JOIN {TRACKING_STARTS} AS tracking
        LEFT JOIN (
            SELECT p2.payrollid, SUM(COALESCE(t.actualhours, 0)) AS worked, SUM(t.overtimehours) AS overtime
            FROM staffpayroll p2
            JOIN stafftimetracking t ON t.staffid = p2.staffid
            JOIN staffschedules sh ON sh.scheduleid = t.scheduleid
            WHERE sh.scheduledate >= p2.payperiodstart AND sh.scheduledate <= p2.payperiodend
            GROUP BY p2.payrollid) AS tracked ON tracked.payrollid = p.payrollid
        WHERE p.payperiodend <> {d.add_days('p.payperiodstart', str(PAY_PERIOD_DAYS - 1))}
           OR (p.payperiodstart >= tracking.first_day AND (
                  ABS({paid} - COALESCE(tracked.worked, 0)) > {HOURS_TOLERANCE}
               OR ABS(p.overtimehours - COALESCE(tracked.overtime, 0)) > {HOURS_TOLERANCE}))
           OR (p.payperiodstart < tracking.first_day AND p.payperiodend >= tracking.first_day AND (
                  {paid} < COALESCE(tracked.worked, 0) - {HOURS_TOLERANCE}
               OR p.overtimehours < COALESCE(tracked.overtime, 0) - {HOURS_TOLERANCE}))
           OR p.regularhours < 0 OR p.overtimehours < 0
           OR p.regularhours > {PERIOD_REGULAR_HOURS} + {HOURS_TOLERANCE / 2}
           OR (p.overtimehours > 0 AND p.regularhours < {WEEK_REGULAR_HOURS} - {HOURS_TOLERANCE / 2})
           OR ABS(p.regularpay - p.regularhours * st.hourlyrate) > {CENT_TOLERANCE}
           OR ABS(p.overtimepay - p.overtimehours * st.hourlyrate * {OVERTIME_MULTIPLIER}) > {CENT_TOLERANCE}
           OR ABS(p.grosspay - (p.regularpay + p.overtimepay + p.bonuses)) > 0.001
           OR ABS(p.netpay - (p.grosspay - p.deductions)) > 0.001
           OR p.paydate <= p.payperiodend
        UNION ALL
        SELECT payrollid FROM (
            SELECT payrollid, payperiodstart,
                   MAX(payperiodend) OVER (PARTITION BY staffid ORDER BY payperiodstart, payrollid
                                           ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_end
            FROM staffpayroll) AS ordered
        WHERE previous_end >= payperiodstart""")


@rule("S6", "staffcertifications", """expirydate = certificationdate + the certification's validitymonths
(calendar months, clamped at month end); status is 'Expired' exactly when expirydate < as-of, else
'Active'.""")
def check_certification_expiry(ctx):
    d = ctx.dialect
    as_of = d.date_param("as_of")
    return offenders(ctx, f"""
        SELECT sc.staffcertificationid AS offender FROM staffcertifications sc
        JOIN instructorcertifications ic ON ic.certificationid = sc.certificationid
        WHERE sc.expirydate <> {d.add_months('sc.certificationdate', 'ic.validitymonths')}
           OR (sc.status = 'Expired' AND sc.expirydate >= {as_of})
           OR (sc.status <> 'Expired' AND sc.expirydate < {as_of})""")


@rule("S7", "instructorperformance", f"""Reviews: the instructor's jobtitle is an instructor title
({', '.join(INSTRUCTOR_TITLES)}); the evaluator's jobtitle is '{JobTitle.MANAGER}' and is not the
instructor. Every instructor is reviewed once each calendar quarter from the quarter after hiredate:
one instructor's reviews fall in consecutive quarters, the first in the quarter after hire, and the
latest no more than one quarter before the quarter of as-of (or of terminationdate). A review dated
inside the class history (on or after the first classdate) counts the 'Completed' instances whose
actualinstructorid is the instructor with classdate in [evaluationdate - {REVIEW_DAYS} days,
evaluationdate): classespermonth = their number; averageattendance = the mean of their
actualcapacity (0 when none), within 0.01; membersatisfactionscore = the mean overallrating of the
feedback on them rounded to 2 places, within 0.01 (null when there is no such feedback); an earlier
review (history before the data) is drawn from the instructor's record and only range-checked. Scores
in range: membersatisfactionscore, professionalismscore, communicationscore, overallrating 1-5;
memberretentionrate 0-100. Offender: the review, or the instructor whose reviews stop short.""")
def check_reviews(ctx):
    d = ctx.dialect
    titles = ", ".join(f"'{title}'" for title in INSTRUCTOR_TITLES)
    as_of = d.date_param("as_of")
    reviewed = f"""classinstances i ON i.actualinstructorid = p.instructorid AND i.status = 'Completed'
        AND i.classdate >= {d.add_days('p.evaluationdate', f'-{REVIEW_DAYS}')} AND i.classdate < p.evaluationdate"""
    quarter = d.quarter_serial
    last_day = f"COALESCE(s.terminationdate, {d.add_days(as_of, '-1')})"
    return offenders(ctx, f"""
        SELECT p.performanceid AS offender FROM instructorperformance p
        JOIN staff instructor ON instructor.staffid = p.instructorid
        JOIN staff evaluator ON evaluator.staffid = p.evaluatorid
        CROSS JOIN (SELECT MIN(classdate) AS first_day FROM classinstances) AS history
        LEFT JOIN (SELECT p.performanceid, COUNT(i.instanceid) AS classes, AVG(i.actualcapacity) AS attendance
                   FROM instructorperformance p JOIN {reviewed} GROUP BY p.performanceid) AS taught
               ON taught.performanceid = p.performanceid
        LEFT JOIN (SELECT p.performanceid, ROUND(AVG(fb.overallrating), 2) AS satisfaction
                   FROM instructorperformance p JOIN {reviewed}
                   JOIN instructorfeedback fb ON fb.classinstanceid = i.instanceid
                   GROUP BY p.performanceid) AS rated ON rated.performanceid = p.performanceid
        WHERE instructor.jobtitle NOT IN ({titles})
           OR evaluator.jobtitle <> '{JobTitle.MANAGER}' OR p.evaluatorid = p.instructorid
           OR (p.evaluationdate >= history.first_day AND (
                  p.classespermonth <> COALESCE(taught.classes, 0)
               OR ABS(p.averageattendance - COALESCE(taught.attendance, 0)) > 0.01
               OR (rated.satisfaction IS NULL AND p.membersatisfactionscore IS NOT NULL)
               OR (rated.satisfaction IS NOT NULL AND (p.membersatisfactionscore IS NULL
                   OR ABS(p.membersatisfactionscore - rated.satisfaction) > 0.01))))
           OR p.membersatisfactionscore < 1 OR p.membersatisfactionscore > 5
           OR p.professionalismscore NOT BETWEEN 1 AND 5 OR p.communicationscore NOT BETWEEN 1 AND 5
           OR p.overallrating NOT BETWEEN 1 AND 5 OR p.memberretentionrate NOT BETWEEN 0 AND 100
        UNION ALL
        SELECT r.performanceid FROM (
            SELECT p.performanceid, {quarter('p.evaluationdate')} AS reviewed_in, {quarter('s.hiredate')} AS hired_in,
                   LAG({quarter('p.evaluationdate')}) OVER (PARTITION BY p.instructorid
                                                           ORDER BY p.evaluationdate, p.performanceid) AS previous
            FROM instructorperformance p JOIN staff s ON s.staffid = p.instructorid) AS r
        WHERE (r.previous IS NULL AND r.reviewed_in <> r.hired_in + 1)
           OR (r.previous IS NOT NULL AND r.reviewed_in <> r.previous + 1)
        UNION ALL
        SELECT s.staffid FROM staff s
        LEFT JOIN (SELECT instructorid, MAX(evaluationdate) AS latest FROM instructorperformance
                   GROUP BY instructorid) AS reviews ON reviews.instructorid = s.staffid
        WHERE s.jobtitle IN ({titles}) AND s.hiredate < {as_of}
          AND {quarter(last_day)} - 1 > {quarter('s.hiredate')}
          AND (reviews.latest IS NULL OR {quarter('reviews.latest')} < {quarter(last_day)} - 1)""")


def done_by_facility_maintenance_staff(ctx):
    """SQL condition on em (equipmentmaintenance) and e (its equipment): technicianname is
    "firstname lastname" of a staff member with the Maintenance job title assigned to the
    equipment's facility on the maintenance date."""
    return f"""EXISTS (SELECT 1 FROM staff st JOIN stafffacilities sf ON sf.staffid = st.staffid
        WHERE st.jobtitle = {literal(JobTitle.MAINTENANCE)} AND st.firstname || ' ' || st.lastname = em.technicianname
          AND sf.facilityid = e.facilityid AND sf.startdate <= em.maintenancedate
          AND em.maintenancedate < COALESCE(sf.enddate, {OPEN_END}))"""


@rule("S8", "equipmentmaintenance", f"""Maintenance is done by the facility's own staff or a named vendor, and the
work fits the machine. (a) technicianname is "firstname lastname" of a staff member with jobtitle
'{JobTitle.MAINTENANCE}' assigned (stafffacilities, startdate <= maintenancedate < enddate or no enddate) to the
equipment's facility, or exactly one of the outside vendors of fitness.core.catalog.MAINTENANCE_VENDORS.
(b) For an equipmenttype the catalog knows, maintenancetype is one the type receives
(MAINTENANCE_TYPES_BY_EQUIPMENT_TYPE: mirrors, mats, bands and test kits are inspected or have parts
replaced, never repaired) and every comma-separated item of partsreplaced is a part of that type
(PARTS_BY_EQUIPMENT_TYPE: no motors, belts or consoles on mirrors, mats, bands or dumbbells).
(c) An '{MaintenanceType.INSPECTION}' replaces no parts; a '{MaintenanceType.REPLACEMENT}' names at least one.
Offender: the maintenance row.""")
def check_maintenance_work(ctx):
    d = ctx.dialect
    known_type = in_list("e.equipmenttype", PARTS_BY_EQUIPMENT_TYPE)
    no_parts = "(em.partsreplaced IS NULL OR TRIM(em.partsreplaced) = '')"
    listed_parts = d.split_csv("part", "equipmentmaintenance", "maintenanceid", "partsreplaced")
    part_fits = allowed_for_key("e.equipmenttype", "part.item", PARTS_BY_EQUIPMENT_TYPE)
    work_fits = allowed_for_key("e.equipmenttype", "em.maintenancetype", MAINTENANCE_TYPES_BY_EQUIPMENT_TYPE)
    return offenders(ctx, f"""
        SELECT em.maintenanceid AS offender FROM equipmentmaintenance em
        JOIN equipment e ON e.equipmentid = em.equipmentid
        WHERE (NOT {in_list('em.technicianname', MAINTENANCE_VENDORS)}
               AND NOT {done_by_facility_maintenance_staff(ctx)})
           OR ({known_type} AND NOT {work_fits})
           OR (em.maintenancetype = {literal(MaintenanceType.INSPECTION)} AND NOT {no_parts})
           OR (em.maintenancetype = {literal(MaintenanceType.REPLACEMENT)} AND {no_parts})
        UNION ALL
        SELECT em.maintenanceid FROM {listed_parts}
        JOIN equipmentmaintenance em ON em.maintenanceid = part.owner_id
        JOIN equipment e ON e.equipmentid = em.equipmentid
        WHERE {known_type} AND NOT {part_fits}""")
