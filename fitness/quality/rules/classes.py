"""Class rules C1-C7.

Schedules are in effect on effectivedate <= d < expirydate (no expirydate =
open-ended); a class's scheduled start is classdate + starttime in local time;
certifications are valid certificationdate <= d <= expirydate; staff
assignments cover startdate <= d < enddate (no enddate = open-ended).
"""
from classes.choices import PLACE_HOLDING_STATUSES, ClassCategory
from facilities.choices import AreaType

from ..registry import offenders, rule
from .members import eligible_periods_by_member

OPEN_END = "'9999-12-31'"
PLACE_HOLDING = ", ".join(f"'{status}'" for status in PLACE_HOLDING_STATUSES)
ATTENDANCE_SLACK_MINUTES = 60


@rule("C1", "classschedules", f"""A schedule's area belongs to its facility and suits the class: category
'{ClassCategory.AQUATIC}' in a '{AreaType.POOL}', '{ClassCategory.CYCLING}' in a '{AreaType.SPIN_ROOM}',
every other category in a '{AreaType.STUDIO}' or '{AreaType.COURT}' (gym); maxcapacity <= the area's
maxcapacity and <= the class type's maxparticipants.""")
def check_schedule_area(ctx):
    return offenders(ctx, f"""
        SELECT s.scheduleid AS offender FROM classschedules s
        JOIN classtypes t ON t.classtypeid = s.classtypeid
        JOIN facilityareas a ON a.areaid = s.areaid
        WHERE a.facilityid <> s.facilityid
           OR s.maxcapacity > a.maxcapacity OR s.maxcapacity > t.maxparticipants
           OR (t.category = '{ClassCategory.AQUATIC}' AND a.areatype <> '{AreaType.POOL}')
           OR (t.category = '{ClassCategory.CYCLING}' AND a.areatype <> '{AreaType.SPIN_ROOM}')
           OR (t.category NOT IN ('{ClassCategory.AQUATIC}', '{ClassCategory.CYCLING}')
               AND a.areatype NOT IN ('{AreaType.STUDIO}', '{AreaType.COURT}'))""")


@rule("C2", "classschedules", """Two active schedules (isactive) never overlap in the same area nor for the
same instructor: same dayofweek, times overlapping (start < other end and other start < end) and
effective periods [effectivedate, expirydate) overlapping. Offenders: both schedules.""")
def check_schedule_overlap(ctx):
    return offenders(ctx, f"""
        SELECT x.scheduleid AS offender FROM classschedules x JOIN classschedules y
            ON x.scheduleid <> y.scheduleid AND x.dayofweek = y.dayofweek
           AND (x.areaid = y.areaid OR x.instructorid = y.instructorid)
           AND x.starttime < y.endtime AND y.starttime < x.endtime
           AND x.effectivedate < COALESCE(y.expirydate, {OPEN_END})
           AND y.effectivedate < COALESCE(x.expirydate, {OPEN_END})
        WHERE x.isactive AND y.isactive""")


@rule("C3", "classinstances, classschedules", """Whoever teaches holds every certification of the class
type's requiredcertifications (comma-separated ids), each valid on the class date (certificationdate
<= date <= expirydate), and is assigned to the schedule's facility that date (stafffacilities
startdate <= date < enddate or no enddate). Checked for every non-Cancelled instance (teacher =
actualinstructorid, or the schedule's instructorid when null; offender: the instance) and for every
active schedule in effect on the last day of the window (as-of - 1), for its instructorid on that
day (offender: the schedule).""")
def check_instructor_qualified(ctx):
    d = ctx.dialect
    last_day = d.date_param("last_day")
    required = d.split_csv("r", "classtypes", "classtypeid", "requiredcertifications")
    teaching = f"""WITH teaching AS (
        SELECT i.instanceid AS offender, i.classdate AS day, COALESCE(i.actualinstructorid, s.instructorid) AS staffid,
               s.classtypeid, s.facilityid
        FROM classinstances i JOIN classschedules s ON s.scheduleid = i.scheduleid
        WHERE i.status <> 'Cancelled'
        UNION ALL
        SELECT s.scheduleid, {last_day}, s.instructorid, s.classtypeid, s.facilityid
        FROM classschedules s
        WHERE s.isactive AND s.effectivedate <= {last_day} AND {last_day} < COALESCE(s.expirydate, {OPEN_END}))"""
    return offenders(ctx, f"""{teaching}
        SELECT tch.offender FROM teaching tch JOIN {required} ON r.owner_id = tch.classtypeid
        WHERE NOT EXISTS (SELECT 1 FROM staffcertifications sc WHERE sc.staffid = tch.staffid
              AND sc.certificationid = r.item AND sc.certificationdate <= tch.day AND tch.day <= sc.expirydate)
        UNION ALL
        SELECT tch.offender FROM teaching tch
        WHERE NOT EXISTS (SELECT 1 FROM stafffacilities sf WHERE sf.staffid = tch.staffid
              AND sf.facilityid = tch.facilityid AND sf.startdate <= tch.day
              AND tch.day < COALESCE(sf.enddate, {OPEN_END}))""")


@rule("C4", "classinstances", """classdate's ISO weekday = the schedule's dayofweek (1 = Monday .. 7 =
Sunday); actualstarttime/actualendtime, when set, fall on classdate (local date); no instance outside
its schedule's effective period [effectivedate, expirydate); and exactly one instance per schedule
occurrence in the window: every date of the window with the schedule's weekday inside its effective
period, for schedules that are active or have an expirydate (offender: the duplicate instances, or
scheduleid@date when the instance is missing).""")
def check_instance_occurrences(ctx):
    d = ctx.dialect
    return offenders(ctx, f"""WITH RECURSIVE {d.calendar('days')},
        occurrences AS (
            SELECT s.scheduleid, days.d AS day FROM classschedules s
            JOIN days ON {d.iso_weekday('days.d')} = s.dayofweek
            WHERE (s.isactive OR s.expirydate IS NOT NULL)
              AND s.effectivedate <= days.d AND days.d < COALESCE(s.expirydate, {OPEN_END}))
        SELECT i.instanceid AS offender FROM classinstances i JOIN classschedules s ON s.scheduleid = i.scheduleid
        WHERE {d.iso_weekday('i.classdate')} <> s.dayofweek
           OR i.classdate < s.effectivedate OR i.classdate >= COALESCE(s.expirydate, {OPEN_END})
           OR (i.actualstarttime IS NOT NULL AND {d.local_date('i.actualstarttime')} <> i.classdate)
           OR (i.actualendtime IS NOT NULL AND {d.local_date('i.actualendtime')} <> i.classdate)
        UNION ALL
        SELECT instanceid FROM (
            SELECT instanceid, COUNT(*) OVER (PARTITION BY scheduleid, classdate) AS n FROM classinstances) AS per_date
        WHERE n > 1
        UNION ALL
        SELECT o.scheduleid || '@' || CAST(o.day AS varchar(10)) FROM occurrences o
        LEFT JOIN classinstances i ON i.scheduleid = o.scheduleid AND i.classdate = o.day
        WHERE i.instanceid IS NULL""")


@rule("C5", "classenrollments", f"""Enrollments holding a place (status in {PLACE_HOLDING}) never exceed the
schedule's maxcapacity (offender: the instance); enrollmentdate (local) <= the class's scheduled
start, classdate + the schedule's starttime (offender: the enrollment).""")
def check_enrollment_capacity(ctx):
    d = ctx.dialect
    return offenders(ctx, f"""
        SELECT i.instanceid AS offender FROM classinstances i
        JOIN classschedules s ON s.scheduleid = i.scheduleid
        JOIN (SELECT instanceid, COUNT(*) AS places FROM classenrollments
              WHERE enrollmentstatus IN ({PLACE_HOLDING}) GROUP BY instanceid) AS taken
          ON taken.instanceid = i.instanceid
        WHERE taken.places > s.maxcapacity
        UNION ALL
        SELECT e.enrollmentid FROM classenrollments e
        JOIN classinstances i ON i.instanceid = e.instanceid
        JOIN classschedules s ON s.scheduleid = i.scheduleid
        WHERE {d.local_datetime('e.enrollmentdate')} > {d.combine('i.classdate', 's.starttime')}""")


@rule("C6", "classenrollments, classinstances", f"""An 'Attended' enrollment belongs to a 'Completed'
instance with actual times, has checkintime 0-{ATTENDANCE_SLACK_MINUTES} minutes before
actualstarttime and checkouttime 0-{ATTENDANCE_SLACK_MINUTES} minutes after actualendtime, and the
member held an eligible membership on classdate (as V1: startdate <= classdate < enddate, status not
Suspended) (offender: the enrollment); a 'Completed' instance's actualcapacity = its number of
Attended enrollments; a 'Cancelled' instance has a non-empty cancellationreason (offender: the
instance).""")
def check_attendance(ctx):
    d = ctx.dialect
    early = d.minutes_between("e.checkintime", "i.actualstarttime")
    late = d.minutes_between("i.actualendtime", "e.checkouttime")
    slack = ATTENDANCE_SLACK_MINUTES
    # The membership test probes each member's eligible periods as one value
    # (as V1), not an index lookup per attended enrollment.
    return offenders(ctx, f"""
        SELECT e.enrollmentid AS offender FROM classenrollments e
        JOIN classinstances i ON i.instanceid = e.instanceid
        LEFT JOIN {eligible_periods_by_member(ctx)} AS eligible ON eligible.memberid = e.memberid
        WHERE e.enrollmentstatus = 'Attended' AND (
              i.status <> 'Completed' OR e.checkintime IS NULL OR e.checkouttime IS NULL
           OR i.actualstarttime IS NULL OR i.actualendtime IS NULL
           OR NOT ({early} BETWEEN 0 AND {slack}) OR NOT ({late} BETWEEN 0 AND {slack})
           OR NOT {d.periods_contain('eligible.periods', 'i.classdate')})
        UNION ALL
        SELECT i.instanceid FROM classinstances i
        LEFT JOIN (SELECT instanceid, COUNT(*) AS attended FROM classenrollments
                   WHERE enrollmentstatus = 'Attended' GROUP BY instanceid) AS a ON a.instanceid = i.instanceid
        WHERE (i.status = 'Completed' AND i.actualcapacity <> COALESCE(a.attended, 0))
           OR (i.status = 'Cancelled' AND (i.cancellationreason IS NULL OR TRIM(i.cancellationreason) = ''))""")


@rule("C7", "instructorfeedback", """Feedback comes from a member with an 'Attended' enrollment in that
instance, names the instance's actual instructor (actualinstructorid, or the schedule's instructorid
when null), is dated on or after classdate, and every rating (teachingquality, communication,
motivation, overallrating) is 1-5.""")
def check_feedback(ctx):
    return offenders(ctx, """
        SELECT fb.feedbackid AS offender FROM instructorfeedback fb
        JOIN classinstances i ON i.instanceid = fb.classinstanceid
        JOIN classschedules s ON s.scheduleid = i.scheduleid
        WHERE fb.instructorid <> COALESCE(i.actualinstructorid, s.instructorid)
           OR fb.feedbackdate < i.classdate
           OR fb.teachingquality NOT BETWEEN 1 AND 5 OR fb.communication NOT BETWEEN 1 AND 5
           OR fb.motivation NOT BETWEEN 1 AND 5 OR fb.overallrating NOT BETWEEN 1 AND 5
           OR NOT EXISTS (SELECT 1 FROM classenrollments e WHERE e.instanceid = fb.classinstanceid
                  AND e.memberid = fb.memberid AND e.enrollmentstatus = 'Attended')""")
