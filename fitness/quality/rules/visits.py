"""Visit and equipment rules V1-V7.

Local dates and times are wall-clock values in settings.TIME_ZONE (opening
hours are local); a membership period covers startdate <= d < enddate.
"""
import datetime as dt

from django.db import connection

from equipment.choices import OUT_OF_SERVICE_STATUSES

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


def _hour_condition(hour_sql, ranges):
    return "(" + " OR ".join(f"{hour_sql} BETWEEN {low} AND {high}" for low, high in ranges) + ")"


def _count_days(start, end):
    """(weekdays, weekend days) among the dates start <= d < end."""
    weekdays = weekend = 0
    day = start
    while day < end:
        if day.isoweekday() <= 5:
            weekdays += 1
        else:
            weekend += 1
        day += dt.timedelta(days=1)
    return weekdays, weekend


@rule("V4", "memberaccess", """Visit volume in the window follows the seed's patterns: on weekdays at least
50% of check-ins have a local hour in 06-09 or 17-20 (inclusive hours), at weekends at least 50% in
09-18; visits per weekday date > visits per weekend date (dates of the window); and at least 50% of
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
    weekday_dates, weekend_dates = _count_days(ctx.window_start, ctx.window_end)
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
        per_weekday, per_weekend = weekday_visits / weekday_dates, weekend_visits / weekend_dates
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
        return f"""(SELECT 1 FROM memberaccess v
                  WHERE v.memberid = u.memberid AND v.facilityid = u.facilityid
                    AND v.checkintime <= u.starttime AND v.checkintime > {d.timestamp_day_before('u.starttime')}
                    AND (v.checkouttime IS NULL OR COALESCE(u.endtime, u.starttime) <= v.checkouttime){extra})"""

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
