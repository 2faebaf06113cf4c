"""Visit and equipment rules V1-V9.

Local dates and times are wall-clock values in settings.TIME_ZONE (opening
hours are local); a membership period covers startdate <= d < enddate.
A class attendance runs from the enrollment's checkintime to its checkouttime,
each falling back to the instance's actualstarttime/actualendtime when null.
"""
import datetime as dt

from django.db import connection

from equipment.choices import OUT_OF_SERVICE_STATUSES
from fitness.core.business import us_holidays
from fitness.core.catalog import GENERAL_AREA_TYPES

from ..registry import Outcome, offenders, rule
from .members import eligible_periods_by_member

WEEKDAY_PEAK_HOURS = ((6, 9), (17, 20))  # check-in hour, both ends inclusive (the seed's randint)
WEEKEND_PEAK_HOURS = ((9, 18),)
MIN_PEAK_SHARE = 0.5
MIN_HOME_SHARE = 0.5


@rule("V1", "memberaccess", """A check-in happens only while the member holds an eligible membership period
that day: one with startdate <= local check-in date < enddate and status other than 'Suspended'
(a Cancelled period counts only up to its early enddate, an Expired one was valid while it ran).""")
def check_visit_has_membership(ctx):
    d = ctx.dialect
    # One probe per visit into the member's eligible periods as a single value,
    # rather than walking the member's dozen periods for each of millions of visits.
    return offenders(ctx, f"""
        SELECT a.accessid AS offender FROM memberaccess a
        LEFT JOIN {eligible_periods_by_member(ctx)} AS eligible ON eligible.memberid = a.memberid
        WHERE NOT {d.periods_contain('eligible.periods', d.local_date('a.checkintime'))}""")


@rule("V2", "memberaccess", """Local check-in time >= the facility's opentime; when checked out: local
check-out time <= closetime on the same local date, checkouttime > checkintime, and duration is the
minutes between them (|duration - exact minutes| < 1); a visit without checkouttime has no duration.""")
def check_visit_times(ctx):
    d = ctx.dialect
    # Each stamp is converted to local time once; its date and time are parts of that.
    duration_off = d.minutes_off_by_one_or_more("a.duration", "a.checkintime", "a.checkouttime")
    return offenders(ctx, f"""
        SELECT a.accessid AS offender FROM (
            SELECT accessid, facilityid, checkintime, checkouttime, duration,
                   {d.local_datetime('checkintime')} AS local_in, {d.local_datetime('checkouttime')} AS local_out
            FROM memberaccess{d.computed_once()}) AS a
        JOIN facilities f ON f.facilityid = a.facilityid
        WHERE {d.time_of('a.local_in')} < f.opentime
           OR (a.checkouttime IS NULL AND a.duration IS NOT NULL)
           OR (a.checkouttime IS NOT NULL AND (
                  a.checkouttime <= a.checkintime
               OR {d.time_of('a.local_out')} > f.closetime
               OR {d.date_of('a.local_out')} <> {d.date_of('a.local_in')}
               OR a.duration IS NULL OR {duration_off}))""")


@rule("V3", "memberaccess", """One member is never in two visits at once: ordered by checkintime, a visit
starts at or after the latest checkouttime of the member's earlier visits. Offender: the later visit.""")
def check_visits_overlap(ctx):
    return offenders(ctx, """
        SELECT accessid AS offender FROM (
            SELECT accessid, checkintime,
                   MAX(COALESCE(checkouttime, checkintime)) OVER (
                       PARTITION BY memberid ORDER BY checkintime, accessid
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_out
            FROM memberaccess) AS ordered
        WHERE previous_out > checkintime""")


def covering_visit(d, row, place, start, end, *, open_visit_covers=True, extra=""):
    """SQL subquery: a check-in of `row`'s member at `row`'s `place` (its facilityid or areaid) covering
    [start, end]: checked in at or before the start, less than 24 hours before it, and out at or after the
    end (a visit without checkout covers it when `open_visit_covers`). `extra` adds conditions (or LIMIT)."""
    checked_out = f"{end} <= v.checkouttime"
    if open_visit_covers:
        checked_out = f"(v.checkouttime IS NULL OR {checked_out})"
    return f"""(SELECT 1 FROM memberaccess v
                  WHERE v.memberid = {row}.memberid AND v.{place} = {row}.{place}
                    AND v.checkintime <= {start} AND v.checkintime > {d.timestamp_day_before(start)}
                    AND {checked_out}{extra})"""


def _hour_condition(hour_sql, ranges):
    return "(" + " OR ".join(f"{hour_sql} BETWEEN {low} AND {high}" for low, high in ranges) + ")"


def _count_days(start, end):
    """(weekdays, weekend days, holidays) among the dates start <= d < end; the holidays (us_holidays) are
    counted as neither weekdays nor weekend days."""
    weekdays, weekend, holidays = 0, 0, []
    day = start
    while day < end:
        if day in us_holidays(day.year):
            holidays.append(day)
        elif day.isoweekday() <= 5:
            weekdays += 1
        else:
            weekend += 1
        day += dt.timedelta(days=1)
    return weekdays, weekend, holidays


def _visits_on(ctx, days):
    """(weekday visits, weekend visits) on the given local dates."""
    d = ctx.dialect
    counts = [0, 0]
    with connection.cursor() as cursor:
        for day in days:
            cursor.execute(f"""SELECT COUNT(*) FROM memberaccess WHERE {d.local_date_in(
                'checkintime', d.date_literal(day), d.date_literal(day + dt.timedelta(days=1)))}""")
            counts[day.isoweekday() > 5] += cursor.fetchone()[0]
    return counts


@rule("V4", "memberaccess", """Visit volume in the window follows the seed's patterns: on weekdays at least
50% of check-ins have a local hour in 06-09 or 17-20 (inclusive hours), at weekends at least 50% in
09-18; visits per weekday date > visits per weekend date (dates of the window, holidays left out:
Thanksgiving, Christmas and the like are neither); and at least 50% of
visits are at the member's home facility (the facility the member visits most). Sample keys name the
failing patterns with their measured values.""")
def check_visit_patterns(ctx):
    d = ctx.dialect
    hour, weekday = "h", "wd"
    # Each check-in is converted to local time once, and the window test
    # converts only the few near its bounds.
    in_window = d.local_date_in("checkintime", d.date_param("window_start"), d.date_param("window_end"))
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT COALESCE(SUM(CASE WHEN {weekday} <= 5 THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN {weekday} <= 5 AND {_hour_condition(hour, WEEKDAY_PEAK_HOURS)} THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN {weekday} >= 6 THEN 1 ELSE 0 END), 0),
                   COALESCE(SUM(CASE WHEN {weekday} >= 6 AND {_hour_condition(hour, WEEKEND_PEAK_HOURS)} THEN 1 ELSE 0 END), 0)
            FROM (SELECT {d.iso_weekday(d.date_of('t'))} AS wd, {d.hour_of('t')} AS h FROM (
                    SELECT {d.local_datetime('checkintime')} AS t FROM memberaccess
                    WHERE {in_window}{d.computed_once()}) AS local_visits{d.computed_once()}) AS visits""", ctx.params)
        weekday_visits, weekday_peak, weekend_visits, weekend_peak = (int(v) for v in cursor.fetchone())
        cursor.execute(f"""
            SELECT COALESCE(SUM(top), 0), COALESCE(SUM(total), 0) FROM (
                SELECT MAX(n) AS top, SUM(n) AS total FROM (
                    SELECT memberid, COUNT(*) AS n FROM memberaccess
                    WHERE {in_window}
                    GROUP BY memberid, facilityid) AS per_facility
                GROUP BY memberid) AS per_member""", ctx.params)
        home_visits, all_visits = (int(v) for v in cursor.fetchone())
    weekday_dates, weekend_dates, holidays = _count_days(ctx.window_start, ctx.window_end)
    measures = {}
    failures = []

    def expect(name, value, ok):
        measures[name] = round(value, 4)
        if not ok:
            failures.append(f"{name}={value:.2f}")

    if weekday_visits:
        share = weekday_peak / weekday_visits
        expect("weekday_peak_share", share, share >= MIN_PEAK_SHARE)
    if weekend_visits:
        share = weekend_peak / weekend_visits
        expect("weekend_peak_share", share, share >= MIN_PEAK_SHARE)
    if weekday_dates and weekend_dates and (weekday_visits or weekend_visits):
        holiday_weekday_visits, holiday_weekend_visits = _visits_on(ctx, holidays)
        per_weekday = (weekday_visits - holiday_weekday_visits) / weekday_dates
        per_weekend = (weekend_visits - holiday_weekend_visits) / weekend_dates
        measures["visits_per_weekend_date"] = round(per_weekend, 4)
        expect("visits_per_weekday_date", per_weekday, per_weekday > per_weekend)
    if all_visits:
        share = home_visits / all_visits
        expect("home_facility_share", share, share >= MIN_HOME_SHARE)
    return Outcome(count=len(failures), sample_keys=failures, details=measures)


@rule("V5", "equipmentusage", """An equipment session lies inside one visit of the same member at the
equipment's facility (checkintime <= starttime, checkintime less than 24 hours before it, and endtime
<= checkouttime, an open visit having no end); when ended, durationminutes is the minutes between starttime and
endtime (|difference| < 1); a session without endtime has no durationminutes.""")
def check_usage_in_visit(ctx):
    d = ctx.dialect

    def inside_visit(extra=""):
        return covering_visit(d, "u", "facilityid", "u.starttime", "COALESCE(u.endtime, u.starttime)", extra=extra)

    # A session and its visit share a service day: one hash anti join on it
    # drops nearly every session; only the few left (say, a visit from before
    # 04:00) are looked up in full. The lookup is a scalar subquery, outside the
    # closed subquery, so it runs as a per-row index probe after the hash join
    # (PostgreSQL would turn a second NOT EXISTS into another hash join over all
    # visits). Offender: a session with no such visit at all, as ever.
    return offenders(ctx, f"""
        SELECT u.usageid AS offender FROM (
            SELECT u.* FROM (
                SELECT u.usageid, u.memberid, e.facilityid, u.starttime, u.endtime,
                       {d.service_day('u.starttime')} AS day
                FROM equipmentusage u JOIN equipment e ON e.equipmentid = u.equipmentid) AS u
            WHERE NOT EXISTS {inside_visit(f" AND {d.service_day('v.checkintime')} = u.day")}{d.computed_once()}) AS u
        WHERE {inside_visit(" LIMIT 1")} IS NULL
        UNION ALL
        SELECT u.usageid FROM equipmentusage u JOIN equipment e ON e.equipmentid = u.equipmentid
        WHERE (u.endtime IS NULL AND u.durationminutes IS NOT NULL)
           OR (u.endtime IS NOT NULL AND (u.durationminutes IS NULL
               OR {d.minutes_off_by_one_or_more('u.durationminutes', 'u.starttime', 'u.endtime')}))""")


@rule("V6", "equipmentusage", """One piece of equipment is never used by two sessions at once (ordered by
starttime, a session starts at or after the latest endtime of earlier sessions); no session on a
local date with a maintenance row for that equipment (it is out of service that day); equipment whose
status is out of service (Maintenance, Out of Order, Retired) has no session on or after the last
day of the window (as-of - 1 day).""")
def check_equipment_availability(ctx):
    d = ctx.dialect
    out_of_service = ", ".join(f"'{status}'" for status in OUT_OF_SERVICE_STATUSES)
    # The maintenance and status parts look up each maintenance row's and each
    # out-of-service machine's sessions by (equipmentid, starttime) range.
    return offenders(ctx, f"""
        SELECT usageid AS offender FROM (
            SELECT usageid, starttime,
                   MAX(COALESCE(endtime, starttime)) OVER (
                       PARTITION BY equipmentid ORDER BY starttime, usageid
                       ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS previous_end
            FROM equipmentusage) AS ordered
        WHERE previous_end > starttime
        UNION ALL
        SELECT u.usageid FROM equipmentmaintenance m JOIN equipmentusage u
            ON u.equipmentid = m.equipmentid
           AND {d.local_date_in('u.starttime', 'm.maintenancedate', d.add_days('m.maintenancedate', '1'))}
        UNION ALL
        SELECT u.usageid FROM equipment e JOIN equipmentusage u ON u.equipmentid = e.equipmentid
        WHERE e.status IN ({out_of_service}) AND {d.local_date_in('u.starttime', d.date_param('last_day'))}""")


@rule("V7", "equipmentmaintenance, equipment", """Maintenance: nextmaintenancedate (when set) >
maintenancedate and cost >= 0 (offender: the maintenance row); equipment warrantyexpiry (when set) >=
purchasedate (offender: the equipment).""")
def check_maintenance_dates(ctx):
    return offenders(ctx, """
        SELECT maintenanceid AS offender FROM equipmentmaintenance
        WHERE (nextmaintenancedate IS NOT NULL AND nextmaintenancedate <= maintenancedate) OR cost < 0
        UNION ALL
        SELECT equipmentid FROM equipment WHERE warrantyexpiry IS NOT NULL AND warrantyexpiry < purchasedate""")


GENERAL_AREAS = ", ".join(f"'{area_type}'" for area_type in GENERAL_AREA_TYPES)


def attendances():
    """FROM-clause subquery: every 'Attended' enrollment with its member, the class's facility and area
    (the schedule's) and the attendance (t_in, t_out): the enrollment's checkintime and checkouttime, each
    falling back to the instance's actualstarttime/actualendtime when null. Attendances whose times are
    still unknown, or do not run forwards, are left out (C6 reports them)."""
    return """(SELECT enrollmentid, memberid, facilityid, areaid, t_in, t_out FROM (
        SELECT e.enrollmentid, e.memberid, s.facilityid, s.areaid,
               COALESCE(e.checkintime, i.actualstarttime) AS t_in,
               COALESCE(e.checkouttime, i.actualendtime) AS t_out
        FROM classenrollments e
        JOIN classinstances i ON i.instanceid = e.instanceid
        JOIN classschedules s ON s.scheduleid = i.scheduleid
        WHERE e.enrollmentstatus = 'Attended') AS timed
        WHERE t_in < t_out)"""


def not_inside_visit(d, rows, key_columns, inside_visit):
    """Statement selecting `rows` (a FROM-clause subquery with columns memberid, t_in, ...)
    that no visit contains, as V5 finds them: `inside_visit(extra)` is an EXISTS-style
    subquery over memberaccess v for the row `x`. A row and its visit share a service day, so
    one hash anti join on it drops nearly every row; only the few left are looked up in full,
    by a scalar subquery (a per-row index probe on memberaccess(memberid, checkintime))."""
    return f"""
        SELECT {key_columns} FROM (
            SELECT x.* FROM (SELECT r.*, {d.service_day('r.t_in')} AS day FROM {rows} AS r) AS x
            WHERE NOT EXISTS {inside_visit(f" AND {d.service_day('v.checkintime')} = x.day")}{d.computed_once()}) AS x
        WHERE {inside_visit(" LIMIT 1")} IS NULL"""


def without_merge_joins(ctx, check):
    """check() with PostgreSQL's merge joins off, for statements whose anti joins must hash
    millions of visits: from a few million rows on, the planner's estimates tip to a merge join
    that sorts both sides on disk (V5's statement at 3.6 M visits and 2.7 M sessions: 19 s
    merged, 7 s hashed). A failure rolls the setting back with the transaction, as
    Dialect.hash_aggregate's does."""
    with connection.cursor() as cursor:
        ctx.dialect.set_local(cursor, {"enable_mergejoin": "off"})
    outcome = check()
    with connection.cursor() as cursor:
        ctx.dialect.set_local(cursor, {"enable_mergejoin": "on"})
    return outcome


# V8's sweep sorts one integer per event: the area's number times AREA_STRIDE, plus the instant in
# milliseconds since 1900 (as an offset from 1970), doubled, plus 1 for an arrival, so that a
# departure sorts before an arrival at the same instant. 2**44 leaves 43 bits for the doubled
# milliseconds (instants until 2178) and 19 for areas; sorting bare integers is several times
# faster than sorting (areaid, time, delta) rows.
AREA_STRIDE = 2**44
MILLISECONDS_1900_TO_1970 = 2_208_988_800_000
# Every area, numbered from 1, with its capacity.
NUMBERED_AREAS = "(SELECT areaid, maxcapacity, ROW_NUMBER() OVER (ORDER BY areaid) AS number FROM facilityareas)"


def event_key(d, number, instant, arrival):
    """SQL: the sort key of an event of area `number` at `instant` (arrival 1, departure 0)."""
    milliseconds = f"({d.epoch_milliseconds(instant)} + {MILLISECONDS_1900_TO_1970})"
    return f"({number} * {AREA_STRIDE} + {milliseconds} * 2 + {arrival})"


@rule("V8", "facilityareas", """Nobody is in an area beyond its maxcapacity: at every moment t, the people
in an area are its check-ins (memberaccess with that areaid and checkintime <= t < checkouttime; a visit
without checkouttime is not counted, its stay being unknown) plus the attendees of classes held in it
('Attended' enrollments of instances whose schedule's areaid is the area, from the enrollment's checkintime
to its checkouttime, each falling back to the instance's actualstarttime/actualendtime when null) who have
no check-in of their own into that area covering the attendance (checkintime <= its start, less than 24
hours before it, and checkouttime >= its end: such attendees are counted once, by the check-in). Swept as
+1/-1 events ordered by time (to the millisecond), departures before arrivals at the same instant (someone
leaving at 10:00 frees the place for someone arriving at 10:00), with a running count per area; over all
rows, not only the window's (as V1-V3, V5-V7). Offender: the area whose running count exceeds its
maxcapacity.""")
def check_area_capacity(ctx):
    d = ctx.dialect

    def inside_area_visit(extra=""):
        return covering_visit(d, "x", "areaid", "x.t_in", "x.t_out", open_visit_covers=False, extra=extra)

    def inside_area_visit_hashed(extra=""):
        # Said again of v, so the anti join hashes only the check-ins into areas that hold classes.
        return inside_area_visit(f" AND v.areaid IN (SELECT s.areaid FROM classschedules s){extra}")

    uncovered = not_inside_visit(d, attendances(), "x.areaid, x.t_in, x.t_out", inside_area_visit_hashed)
    # One running sum over all areas' events in key order: each area's block opens with
    # -maxcapacity and closes with +maxcapacity, and its stays' +1/-1 sum to zero, so within the
    # block the running sum is the people present minus the capacity, and above 0 is too many.
    return without_merge_joins(ctx, lambda: offenders(ctx, f"""
        WITH attendees AS ({uncovered})
        SELECT a.areaid AS offender FROM (
            SELECT DISTINCT key / {AREA_STRIDE} AS number FROM (
                SELECT key, SUM(delta) OVER (ORDER BY key ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS excess
                FROM (
                    SELECT {event_key(d, 'a.number', 'v.checkintime', 1)} AS key, 1 AS delta
                    FROM memberaccess v JOIN {NUMBERED_AREAS} AS a ON a.areaid = v.areaid
                    WHERE v.checkouttime IS NOT NULL
                    UNION ALL
                    SELECT {event_key(d, 'a.number', 'v.checkouttime', 0)}, -1
                    FROM memberaccess v JOIN {NUMBERED_AREAS} AS a ON a.areaid = v.areaid
                    WHERE v.checkouttime IS NOT NULL
                    UNION ALL
                    SELECT {event_key(d, 'a.number', 'x.t_in', 1)}, 1
                    FROM attendees x JOIN {NUMBERED_AREAS} AS a ON a.areaid = x.areaid
                    UNION ALL
                    SELECT {event_key(d, 'a.number', 'x.t_out', 0)}, -1
                    FROM attendees x JOIN {NUMBERED_AREAS} AS a ON a.areaid = x.areaid
                    UNION ALL
                    SELECT a.number * {AREA_STRIDE}, -a.maxcapacity FROM {NUMBERED_AREAS} AS a
                    UNION ALL
                    SELECT (a.number + 1) * {AREA_STRIDE} - 1, a.maxcapacity FROM {NUMBERED_AREAS} AS a
                ) AS events) AS swept
            WHERE excess > 0) AS crowded
        JOIN {NUMBERED_AREAS} AS a ON a.number = crowded.number"""))


@rule("V9", "classenrollments, equipmentusage", f"""A member who attends a class or uses a piece of
equipment is inside a check-in of theirs at that facility. (a) Every 'Attended' enrollment (attendance
from the enrollment's checkintime to its checkouttime, each falling back to the instance's
actualstarttime/actualendtime when null; attendances without times, or ending before they start, are C6's)
lies inside a memberaccess of
the same member at the class's facility (classschedules.facilityid via classinstances.scheduleid):
checkintime <= the attendance's start, less than 24 hours before it, and checkouttime >= its end (an open
visit having no end, as V5). Offender: the enrollment. (b) An equipment session inside a visit of its
member at the equipment's facility (as V5; a session inside none is V5's to report) lies inside one whose
areaid is the equipment's areaid or whose area is a general area (areatype {GENERAL_AREAS}: a check-in at
the front desk or the locker room does not say where the member went, so it contains every area of the
facility; fitness.core.catalog.GENERAL_AREA_TYPES). Offender: the session. Details count each part.""")
def check_inside_visit(ctx):
    d = ctx.dialect

    def inside_facility_visit(extra=""):
        return covering_visit(d, "x", "facilityid", "x.t_in", "x.t_out", extra=extra)

    def inside_visit_in_area(extra=""):
        in_area = f"""
                    AND (v.areaid = x.areaid OR v.areaid IN (
                        SELECT g.areaid FROM facilityareas g WHERE g.areatype IN ({GENERAL_AREAS})))"""
        return covering_visit(d, "x", "facilityid", "x.t_in", "x.t_out", extra=in_area + extra)

    sessions = """(SELECT u.usageid, u.memberid, e.facilityid, e.areaid, u.starttime AS t_in,
                          COALESCE(u.endtime, u.starttime) AS t_out
                   FROM equipmentusage u JOIN equipment e ON e.equipmentid = u.equipmentid)"""
    # The sessions in no visit of the right area, then those of them inside some visit (V5 holds).
    sessions_outside_area = f"""
        SELECT x.usageid AS offender FROM (
            {not_inside_visit(d, sessions, "x.*", inside_visit_in_area)}{d.computed_once()}) AS x
        WHERE {inside_facility_visit(" LIMIT 1")} IS NOT NULL"""

    def both_parts():
        classes = offenders(ctx, not_inside_visit(d, attendances(), "x.enrollmentid AS offender", inside_facility_visit))
        equipment = offenders(ctx, sessions_outside_area)
        return Outcome().merge(classes, label="classenrollments").merge(equipment, label="equipmentusage")

    return without_merge_joins(ctx, both_parts)
