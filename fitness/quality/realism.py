"""Realism measures R1-R32 of realism.md: does the ODS look like a chain of
health clubs to someone who runs one?

Each measure is a function registered with `@measure(id, title, range, low,
high)`, like the rules of registry.py. It takes a `Survey` (the check context
plus the aggregates several measures share, each computed once by set-based
SQL) and returns a `Reading`: a value (a number, or text for a measure made of
several figures), whether it is in range, and a note. A measure the data cannot
support (a 30-day window shows no seasonality) returns `unsupported(reason)`
and reports "n/a" instead of passing or warning.

Windows: operational measures (visits, classes, equipment, payroll, feedback)
look at the check window [window_start, as_of); measures of the history
(attrition, retention, joins, dues) look at every row before as-of. A
membership period covers startdate <= d < enddate; a member is active on a
day when a period other than a Suspended one covers it (a Cancelled period
counts up to its early end), as in rule V1.

Every query aggregates in the database and hands Python at most a few
thousand rows (per day and hour, per duration, per staff member), so the
measures run on the chain profile's millions of rows in minutes.
"""
import datetime as dt
import math
import statistics
import time
from dataclasses import dataclass
from functools import cached_property
from typing import Callable

from django.db import DatabaseError, connection, transaction

from fitness.core.business import add_months, us_holidays, years_before

PASS, WARN, NOT_APPLICABLE = "pass", "warn", "n/a"

# Hours of the weekday peaks of R5 (06:00-09:00 and 17:00-20:00, as [start, end) hours).
WEEKDAY_PEAKS = ((6, 9), (17, 20))
EVENING_PEAK = (17, 20)
DUES = "Monthly Dues"
RETRY_DAYS = 10  # M5: a failed dues payment is retried within 10 days
QUARTER_MINUTES = 15
# PostgreSQL memory for a measure's transaction (SET LOCAL): the per-member and
# per-quarter-hour aggregates over millions of visits hash in memory.
POSTGRES_SETTINGS = {"work_mem": "64MB", "hash_mem_multiplier": "8"}


@dataclass(frozen=True)
class Reading:
    value: object = None  # number or text; None when unsupported
    ok: bool | None = None  # None: decide from the measure's low/high
    note: str = ""


def unsupported(reason):
    """The data cannot support the measure; `reason` says what is missing."""
    return Reading(value=None, note=reason)


@dataclass(frozen=True)
class Measure:
    id: str
    title: str
    range: str
    compute: Callable
    low: float | None = None
    high: float | None = None
    unit: str = ""

    def status(self, reading):
        if reading.value is None:
            return NOT_APPLICABLE
        if reading.ok is not None:
            return PASS if reading.ok else WARN
        return PASS if in_range(reading.value, self.low, self.high) else WARN


MEASURES: dict[str, Measure] = {}


def measure(measure_id, title, range_text, low=None, high=None, unit=""):
    """Register the decorated function as the computation of `measure_id`."""

    def register(function):
        MEASURES[measure_id] = Measure(measure_id, title, range_text, function, low, high, unit)
        return function

    return register


def in_range(value, low=None, high=None):
    return (low is None or value >= low) and (high is None or value <= high)


def ordered_measure_ids():
    return sorted(MEASURES, key=lambda measure_id: int(measure_id[1:]))


def percent(part, whole):
    return round(100.0 * part / whole, 1) if whole else None


def as_date(value):
    """A date from the database: a date on PostgreSQL, 'YYYY-MM-DD' text on SQLite."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def days_between(start, end):
    return (end - start).days


def weekday_count(start, end, weekdays):
    return sum(1 for n in range(days_between(start, end)) if (start + dt.timedelta(n)).isoweekday() in weekdays)


HOLIDAY_NAMES = {"new_year": "New Year's Day", "thanksgiving": "Thanksgiving", "christmas": "Christmas Day"}


def holidays_between(start, end):
    """{date: name} of Thanksgiving, Christmas Day and New Year's Day in [start, end)."""
    return {day: HOLIDAY_NAMES[key] for year in range(start.year, end.year + 1)
            for day, key in us_holidays(year).items() if key in HOLIDAY_NAMES and start <= day < end}


# -- the shared aggregates -----------------------------------------------------------------------------
class Survey:
    """What the measures read: the context, and aggregates shared by several measures."""

    def __init__(self, ctx):
        self.ctx = ctx
        self.d = ctx.dialect

    # running statements
    def rows(self, sql, **params):
        with connection.cursor() as cursor:
            cursor.execute(sql, dict(self.ctx.params, **params))
            return cursor.fetchall()

    def row(self, sql, **params):
        rows = self.rows(sql, **params)
        return rows[0] if rows else None

    def scalar(self, sql, **params):
        found = self.row(sql, **params)
        return found[0] if found else None

    # the window
    @property
    def start(self):
        return self.ctx.window_start

    @property
    def end(self):
        return self.ctx.as_of

    @property
    def days(self):
        return days_between(self.start, self.end)

    @property
    def year_start(self):
        """The start of the window's last 365 days, or of the window when it is shorter."""
        return max(self.start, self.end - dt.timedelta(days=365))

    def checkins_between(self, column="a.checkintime", start="window_start", end="window_end"):
        """Index-friendly `start <= local date of column < end` for two named date parameters."""
        return self.d.local_date_in(column, self.d.date_param(start), self.d.date_param(end))

    # check-ins
    @cached_property
    def checkin_clock(self):
        """({(local date, local hour): check-ins}, members checking in on a weekday
        evening summed over the days) over the window, from one pass that
        converts each check-in to local time once (the costly part)."""
        d = self.d
        low, high = EVENING_PEAK
        rows = self.rows(f"""
            WITH v AS (
                SELECT c.memberid, {d.date_of('c.local_in')} AS day, {d.hour_of('c.local_in')} AS hour
                FROM (SELECT a.memberid, {d.local_datetime('a.checkintime')} AS local_in FROM memberaccess a
                      WHERE {self.checkins_between()}{d.computed_once()}) AS c)
            SELECT 'hour', v.day, v.hour, COUNT(*) FROM v GROUP BY v.day, v.hour
            UNION ALL
            SELECT 'evening', NULL, NULL, COUNT(*) FROM (
                SELECT DISTINCT v.memberid, v.day FROM v
                WHERE v.hour >= {low} AND v.hour < {high} AND {d.iso_weekday('v.day')} <= 5) AS evening""")
        by_day_hour = {(as_date(day), int(hour)): count for kind, day, hour, count in rows if kind == "hour"}
        evening = sum(count for kind, _day, _hour, count in rows if kind == "evening")
        return by_day_hour, evening

    @property
    def checkins_by_day_hour(self):
        """{(local date, local hour): check-ins} over the window."""
        return self.checkin_clock[0]

    @cached_property
    def checkins_by_day(self):
        """{local date: check-ins} for every day of the window (0 on a day without any)."""
        by_day = {self.start + dt.timedelta(n): 0 for n in range(self.days)}
        for (day, _hour), count in self.checkins_by_day_hour.items():
            by_day[day] = by_day.get(day, 0) + count
        return by_day

    @cached_property
    def checkins(self):
        return sum(self.checkins_by_day.values())

    # memberships
    def member_days(self, start, end):
        """Days members were active in [start, end): the sum over eligible periods of their overlap."""
        d = self.d
        lo, hi = d.date_param("span_start"), d.date_param("span_end")
        overlap = (f"{d.day_serial(f'CASE WHEN p.enddate < {hi} THEN p.enddate ELSE {hi} END')}"
                   f" - {d.day_serial(f'CASE WHEN p.startdate > {lo} THEN p.startdate ELSE {lo} END')}")
        total = self.scalar(f"""
            SELECT SUM({overlap}) FROM membermemberships p
            WHERE p.status <> 'Suspended' AND p.startdate < {hi} AND p.enddate > {lo}""",
                            span_start=start, span_end=end)
        return int(total or 0)

    @cached_property
    def window_member_days(self):
        return self.member_days(self.start, self.end)

    def active_days_by_member(self, start_param, end_param, at_least):
        """FROM-clause subquery `covered(memberid, active_days)`: the days each
        member was active in [start, end), for members active at least
        `at_least` (SQL) of them. Periods of one member never overlap (M2)."""
        d = self.d
        lo, hi = d.date_param(start_param), d.date_param(end_param)
        overlap = (f"{d.day_serial(f'CASE WHEN p.enddate < {hi} THEN p.enddate ELSE {hi} END')}"
                   f" - {d.day_serial(f'CASE WHEN p.startdate > {lo} THEN p.startdate ELSE {lo} END')}")
        return f"""(SELECT p.memberid, SUM({overlap}) AS active_days FROM membermemberships p
                    WHERE p.status <> 'Suspended' AND p.startdate < {hi} AND p.enddate > {lo}
                    GROUP BY p.memberid HAVING SUM({overlap}) >= {at_least}) AS covered"""

    def members_active_throughout(self, start_param, end_param):
        """FROM-clause subquery `covered(memberid, active_days)`: members active on every day of [start, end)."""
        d = self.d
        days = f"{d.day_serial(d.date_param(end_param))} - {d.day_serial(d.date_param(start_param))}"
        return self.active_days_by_member(start_param, end_param, days)

    @cached_property
    def earliest_period_start(self):
        return as_date(self.scalar("SELECT MIN(startdate) FROM membermemberships"))

    # joins
    @cached_property
    def earliest_join(self):
        return as_date(self.scalar("SELECT MIN(joindate) FROM members"))

    @cached_property
    def joins_by_day(self):
        """{join date: members} over the last 13 months before as-of."""
        since = add_months(self.end.replace(day=1), -13)
        rows = self.rows(f"""
            SELECT joindate, COUNT(*) FROM members
            WHERE joindate >= {self.d.date_param('since')} AND joindate < {self.d.date_param('as_of')}
            GROUP BY joindate""", since=since)
        return {as_date(day): count for day, count in rows}

    @cached_property
    def facility_use(self):
        return facility_use(self)


# -- visits: frequency -----------------------------------------------------------------------------------
@measure("R1", "visits per active member per week", "0.7-2.0", low=0.7, high=2.0)
def visits_per_member_week(s):
    if not s.window_member_days:
        return unsupported("no member was active in the window")
    return Reading(round(s.checkins * 7 / s.window_member_days, 2),
                   note=f"{s.checkins} check-ins over {s.window_member_days} active member-days")


@measure("R2", "active members with no visit in a 30-day span", "20%-55%", low=20, high=55, unit="%")
def sleepers(s):
    if s.days < 30:
        return unsupported(f"needs a 30-day window, this one has {s.days} days")
    span_start = s.end - dt.timedelta(days=30)
    covered, no_visit = s.row(f"""
        SELECT COUNT(*), SUM(CASE WHEN v.memberid IS NULL THEN 1 ELSE 0 END)
        FROM {s.members_active_throughout('span_start', 'as_of')}
        LEFT JOIN (SELECT DISTINCT a.memberid FROM memberaccess a
                   WHERE {s.checkins_between(start='span_start', end='as_of')}) AS v ON v.memberid = covered.memberid""",
                               span_start=span_start)
    if not covered:
        return unsupported("no member was active throughout the last 30 days")
    return Reading(percent(no_visit or 0, covered),
                   note=f"{no_visit or 0} of {covered} members active {span_start} .. {s.end} made no visit")


@measure("R3", "heavy users (>= 4 visits/week)", "3%-15%", low=3, high=15, unit="%")
def heavy_users(s):
    """Members active at least four weeks of the window (all of a shorter one),
    their visits per week of membership in it."""
    if s.days < 7:
        return unsupported(f"needs a week of visits, the window has {s.days} days")
    covered, heavy = s.row(f"""
        SELECT COUNT(*), SUM(CASE WHEN 7 * COALESCE(v.visits, 0) >= 4 * covered.active_days THEN 1 ELSE 0 END)
        FROM {s.active_days_by_member('window_start', 'window_end', '%(at_least)s')}
        LEFT JOIN (SELECT a.memberid, COUNT(*) AS visits FROM memberaccess a
                   WHERE {s.checkins_between()} GROUP BY a.memberid) AS v ON v.memberid = covered.memberid""",
                           at_least=min(28, s.days))
    if not covered:
        return unsupported("no member was active four weeks of the window")
    return Reading(percent(heavy or 0, covered),
                   note=f"{heavy or 0} of {covered} members active >= {min(28, s.days)} days of the window")


@measure("R4", "evening peak reach (members in 17-20 on a weekday)", "4%-14%", low=4, high=14, unit="%")
def evening_reach(s):
    weekdays = weekday_count(s.start, s.end, range(1, 6))
    if not weekdays or not s.window_member_days:
        return unsupported("needs a weekday with active members in the window")
    visitors = s.checkin_clock[1]
    active = s.window_member_days / s.days
    return Reading(percent(visitors / weekdays, active),
                   note=f"{visitors / weekdays:.0f} members a weekday evening of {active:.0f} active")


# -- visits: calendar and clock --------------------------------------------------------------------------
def weekday_hour_counts(s):
    counts = {}
    for (day, hour), count in s.checkins_by_day_hour.items():
        if day.isoweekday() <= 5:
            counts[hour] = counts.get(hour, 0) + count
    return counts


@measure("R5", "daily shape (weekday check-ins in 06-09 and 17-20)", "45%-75%", low=45, high=75, unit="%")
def weekday_peak_share(s):
    by_hour = weekday_hour_counts(s)
    total = sum(by_hour.values())
    if not total:
        return unsupported("no weekday check-ins in the window")
    peak = sum(count for hour, count in by_hour.items() if any(lo <= hour < hi for lo, hi in WEEKDAY_PEAKS))
    return Reading(percent(peak, total), note=f"{peak} of {total} weekday check-ins")


@measure("R6", "weekend share of check-ins", "15%-30%", low=15, high=30, unit="%")
def weekend_share(s):
    if not s.checkins:
        return unsupported("no check-ins in the window")
    if weekday_count(s.start, s.end, (6, 7)) == 0 or s.days < 7:
        return unsupported("needs a whole week in the window")
    weekend = sum(count for day, count in s.checkins_by_day.items() if day.isoweekday() >= 6)
    return Reading(percent(weekend, s.checkins), note=f"{weekend} of {s.checkins} check-ins")


@measure("R23", "hour curve (largest ratio of adjacent weekday hours)", "<= 2.5", high=2.5)
def hour_curve(s):
    by_hour = weekday_hour_counts(s)
    if not by_hour:
        return unsupported("no weekday check-ins in the window")
    first, last = min(by_hour), max(by_hour)
    # The opening and the closing hour are partial hours: the curve is judged between them.
    hours = list(range(first + 1, last))
    if len(hours) < 2:
        return unsupported("fewer than two full opening hours")
    ratios = []
    for hour in hours[:-1]:
        a, b = by_hour.get(hour, 0), by_hour.get(hour + 1, 0)
        ratios.append((math.inf if min(a, b) == 0 else max(a, b) / min(a, b), hour))
    worst, at = max(ratios)
    value = round(worst, 2) if worst != math.inf else "an empty hour"
    return Reading(value, ok=worst <= 2.5, note=f"steepest step {at:02d}h to {at + 1:02d}h; hours {hours[0]:02d}-{hours[-1]:02d}h judged")


@measure("R24", "weekday shape (Monday busiest, Friday quietest)", "holds")
def weekday_shape(s):
    if s.days < 7 or not s.checkins:
        return unsupported("needs a whole week of check-ins")
    holidays = holidays_between(s.start, s.end)
    totals, days = {}, {}
    for day, count in s.checkins_by_day.items():
        if day.isoweekday() <= 5 and day not in holidays:
            totals[day.isoweekday()] = totals.get(day.isoweekday(), 0) + count
            days[day.isoweekday()] = days.get(day.isoweekday(), 0) + 1
    averages = {weekday: totals[weekday] / days[weekday] for weekday in totals}
    if len(averages) < 5:
        return unsupported("needs every weekday in the window")
    names = "Mon Tue Wed Thu Fri".split()
    text = " ".join(f"{names[w - 1]} {averages[w]:.0f}" for w in range(1, 6))
    busiest, quietest = max(averages, key=averages.get), min(averages, key=averages.get)
    return Reading(text, ok=busiest == 1 and quietest == 5, note="average check-ins per weekday")


@measure("R25", "holidays (check-ins ÷ same weekday's average)", "<= 0.4", high=0.4)
def holidays(s):
    found = holidays_between(s.start, s.end)
    if not found:
        return unsupported("no Thanksgiving, Christmas Day or New Year's Day in the window")
    ratios = {}
    for day, name in found.items():
        same = [count for other, count in s.checkins_by_day.items()
                if other.isoweekday() == day.isoweekday() and other not in found]
        if same and sum(same):
            ratios[name] = s.checkins_by_day.get(day, 0) / (sum(same) / len(same))
    if not ratios:
        return unsupported("no ordinary day of the holidays' weekdays to compare with")
    return Reading(round(max(ratios.values()), 2), note=", ".join(f"{k} {v:.2f}" for k, v in ratios.items()))


@measure("R15", "summer dip (July-August visits per member ÷ year's)", "0.8-0.97", low=0.8, high=0.97)
def summer_dip(s):
    if s.days < 365:
        return unsupported(f"needs a year of visits, the window has {s.days} days")
    year_start = s.end - dt.timedelta(days=365)
    summer_year = s.end.year if dt.date(s.end.year, 9, 1) <= s.end else s.end.year - 1
    july, september = dt.date(summer_year, 7, 1), dt.date(summer_year, 9, 1)
    if july < year_start:
        return unsupported("the window holds no whole July-August")
    summer_visits = sum(count for day, count in s.checkins_by_day.items() if july <= day < september)
    year_visits = sum(count for day, count in s.checkins_by_day.items() if day >= year_start)
    summer_days, year_days = s.member_days(july, september), s.member_days(year_start, s.end)
    if not summer_days or not year_visits:
        return unsupported("no active members or visits in the year")
    return Reading(round((summer_visits / summer_days) / (year_visits / year_days), 2),
                   note=f"{summer_visits / summer_days * 7:.2f} vs {year_visits / year_days * 7:.2f} visits/member/week")


@measure("R26", "visit length (median; under 30 min; over 120 min)", "50-80 min; >= 5%; >= 3%")
def visit_length(s):
    rows = s.rows(f"""
        SELECT a.duration, COUNT(*) FROM memberaccess a
        WHERE a.duration IS NOT NULL AND {s.checkins_between()} GROUP BY a.duration""")
    histogram = sorted((int(minutes), count) for minutes, count in rows)
    total = sum(count for _m, count in histogram)
    if not total:
        return unsupported("no finished visits in the window")
    median, seen = None, 0
    for minutes, count in histogram:
        seen += count
        if seen * 2 >= total:
            median = minutes
            break
    short = percent(sum(c for m, c in histogram if m < 30), total)
    long = percent(sum(c for m, c in histogram if m > 120), total)
    ok = 50 <= median <= 80 and short >= 5 and long >= 3
    return Reading(f"median {median} min; {short}% < 30; {long}% > 120", ok=ok, note=f"{total} finished visits")


# -- members: where they live, which clubs they use ------------------------------------------------------
def facility_use(s):
    """(histogram {facilities used: members}, {home state agrees: members}) over the
    visits of the window's last year (all of a shorter window). A member's home
    facility is the one they visited most (ties: the smallest id)."""
    rows = s.rows(f"""
        WITH visits AS (
            SELECT a.memberid, a.facilityid, COUNT(*) AS n FROM memberaccess a
            WHERE {s.checkins_between(start='year_start')} GROUP BY a.memberid, a.facilityid),
        ranked AS (
            SELECT memberid, facilityid,
                   ROW_NUMBER() OVER (PARTITION BY memberid ORDER BY n DESC, facilityid) AS place,
                   COUNT(*) OVER (PARTITION BY memberid) AS facilities
            FROM visits)
        SELECT 'used', r.facilities, COUNT(*) FROM ranked r WHERE r.place = 1 GROUP BY r.facilities
        UNION ALL
        SELECT 'home', CASE WHEN m.state = f.state THEN 1 ELSE 0 END, COUNT(*)
        FROM ranked r JOIN members m ON m.memberid = r.memberid JOIN facilities f ON f.facilityid = r.facilityid
        WHERE r.place = 1 GROUP BY CASE WHEN m.state = f.state THEN 1 ELSE 0 END""",
                  year_start=s.year_start)
    used = {int(n): count for kind, n, count in rows if kind == "used"}
    home = {int(n): count for kind, n, count in rows if kind == "home"}
    return used, home


@measure("R21", "facilities a member uses (median; share using > 5)", "median 1-2; <= 5% use > 5")
def facilities_per_member(s):
    used, _home = s.facility_use
    total = sum(used.values())
    if not total:
        return unsupported("no check-ins in the window")
    median, seen = None, 0
    for n in sorted(used):
        seen += used[n]
        if seen * 2 >= total:
            median = n
            break
    many = percent(sum(count for n, count in used.items() if n > 5), total)
    days = days_between(s.year_start, s.end)
    note = f"{total} visiting members over {days} days" + ("" if days >= 365 else " (a year in realism.md)")
    return Reading(f"median {median}; {many}% use > 5", ok=1 <= median <= 2 and many <= 5, note=note)


@measure("R22", "members living in their home facility's state", ">= 90%", low=90, unit="%")
def home_region(s):
    _used, home = s.facility_use
    total = sum(home.values())
    if not total:
        return unsupported("no check-ins in the window: no home facility to compare with")
    return Reading(percent(home.get(1, 0), total), note="home facility: the one a member visited most")


@measure("R20", "contact data (shared emails; phones not valid NANP)", "0 and 0")
def contact_data(s):
    d = s.d
    digits = "m.phone"
    for character in ("(", ")", "-", " ", ".", "+"):
        digits = f"REPLACE({digits}, '{character}', '')"
    # Ten digits (an optional leading country code 1 dropped): area code and exchange start with 2-9,
    # neither is an N11 service code, and the exchange is not the fictional 555.
    ten = f"(CASE WHEN LENGTH(n.digits) = 11 AND SUBSTR(n.digits, 1, 1) = '1' THEN SUBSTR(n.digits, 2) ELSE n.digits END)"
    invalid = (f"NOT {d.matches(ten, sql_pattern())} OR SUBSTR({ten}, 2, 2) = '11' OR SUBSTR({ten}, 5, 2) = '11'"
               f" OR SUBSTR({ten}, 4, 3) = '555'")
    shared_emails, members = s.row("""
        SELECT COALESCE(SUM(n), 0), (SELECT COUNT(*) FROM members) FROM (
            SELECT COUNT(*) AS n FROM members WHERE email IS NOT NULL AND email <> ''
            GROUP BY LOWER(email) HAVING COUNT(*) > 1) AS shared""")
    bad_phones = s.scalar(f"""
        SELECT COUNT(*) FROM (SELECT {digits} AS digits FROM members m WHERE m.phone IS NOT NULL AND m.phone <> '') AS n
        WHERE {invalid}""")
    if not members:
        return unsupported("no members")
    return Reading(f"{shared_emails} shared emails; {bad_phones} invalid phones",
                   ok=shared_emails == 0 and bad_phones == 0,
                   note=f"{members} members; emails compared without letter case")


def sql_pattern():
    return "'^[2-9][0-9][0-9][2-9][0-9][0-9][0-9][0-9][0-9][0-9]$'"


@measure("R28", "ages (members 18-34; 65+)", "35%-55%; 5%-15%")
def ages(s):
    as_of = s.end
    total, young, old = s.row(f"""
        SELECT COUNT(*),
               SUM(CASE WHEN dateofbirth <= {s.d.date_param('born_18')} AND dateofbirth > {s.d.date_param('born_35')}
                        THEN 1 ELSE 0 END),
               SUM(CASE WHEN dateofbirth <= {s.d.date_param('born_65')} THEN 1 ELSE 0 END)
        FROM members WHERE memberstatus = 'Active'""",
                              born_18=years_before(as_of, 18), born_35=years_before(as_of, 35),
                              born_65=years_before(as_of, 65))
    if not total:
        return unsupported("no active members")
    young, old = percent(young or 0, total), percent(old or 0, total)
    return Reading(f"{young}% aged 18-34; {old}% 65+", ok=35 <= young <= 55 and 5 <= old <= 15,
                   note=f"{total} active members, ages on {as_of}")


# -- members: joining, staying, leaving ------------------------------------------------------------------
@measure("R7", "annual attrition (IHRSA formula)", "28%-50%", low=28, high=50, unit="%")
def attrition(s):
    year_start = add_months(s.end, -12)
    if s.earliest_period_start is None or s.earliest_period_start > year_start:
        return unsupported("needs 12 months of membership history")
    starts = [add_months(year_start, month) for month in range(12)]
    d = s.d
    counts = ", ".join(
        f"SUM(CASE WHEN startdate <= {d.date_param(f'month_{n}')} AND enddate > {d.date_param(f'month_{n}')}"
        f" THEN 1 ELSE 0 END)" for n in range(12))
    at_starts = s.row(f"SELECT {counts} FROM membermemberships WHERE status <> 'Suspended'",
                      **{f"month_{n}": day for n, day in enumerate(starts)})
    dropped = s.scalar(f"""
        SELECT COUNT(*) FROM (SELECT memberid, MAX(enddate) AS last_end FROM membermemberships GROUP BY memberid) AS m
        WHERE m.last_end >= {d.date_param('year_start')} AND m.last_end < {d.date_param('as_of')}""",
                       year_start=year_start)
    average = sum(int(n or 0) for n in at_starts) / 12
    if not average:
        return unsupported("no members in the last 12 months")
    return Reading(percent(dropped, average), note=f"{dropped} dropped; {average:.0f} members at an average month's start")


@measure("R8", "12-month retention of a join cohort", "55%-80%", low=55, high=80, unit="%")
def cohort_retention(s):
    cohort_end = add_months(s.end, -12)
    cohort_start = add_months(s.end, -24)
    d = s.d
    anniversary = d.add_months("m.joindate", "12")
    # A period covering the anniversary or the day after: a renewal starts the day after the period before ends
    # (fitness.core.business.next_period_start), and the anniversary of an annual member is that gap day.
    total, kept = s.row(f"""
        SELECT COUNT(*), SUM(CASE WHEN EXISTS (
                   SELECT 1 FROM membermemberships p WHERE p.memberid = m.memberid AND p.status <> 'Suspended'
                   AND p.startdate <= {d.add_days(anniversary, '1')} AND p.enddate > {anniversary})
                 THEN 1 ELSE 0 END)
        FROM members m
        WHERE m.joindate >= {d.date_param('cohort_start')} AND m.joindate < {d.date_param('cohort_end')}""",
                        cohort_start=cohort_start, cohort_end=cohort_end)
    if not total:
        return unsupported(f"nobody joined {cohort_start} .. {cohort_end} (needs joins a year before as-of)")
    return Reading(percent(kept or 0, total), note=f"{kept or 0} of {total} who joined {cohort_start} .. {cohort_end}")


@measure("R9", "early churn (cancellations in a member's first 6 months)", "35%-65%", low=35, high=65, unit="%")
def early_churn(s):
    d = s.d
    total, early = s.row(f"""
        SELECT COUNT(*), SUM(CASE WHEN c.ended < {d.add_months('m.joindate', '6')} THEN 1 ELSE 0 END)
        FROM (SELECT memberid, MIN(enddate) AS ended FROM membermemberships
              WHERE status = 'Cancelled' AND enddate < {d.date_param('as_of')} GROUP BY memberid) AS c
        JOIN members m ON m.memberid = c.memberid""")
    if not total:
        return unsupported("no cancellation before as-of")
    return Reading(percent(early or 0, total), note=f"{early or 0} of {total} members' first cancellations")


@measure("R11", "churn signal (visits in the 4 weeks before cancelling ÷ usual)", "<= 0.6", high=0.6)
def churn_signal(s):
    d = s.d
    earliest_end = s.start + dt.timedelta(days=56)
    if earliest_end > s.end:
        return unsupported("needs 8 weeks of visits before a cancellation")
    four_weeks_before = d.add_days("c.ended", "-28")
    rows = s.rows(f"""
        SELECT c.ended, SUM(CASE WHEN {d.local_date('a.checkintime')} >= {four_weeks_before} THEN 1 ELSE 0 END),
               SUM(CASE WHEN {d.local_date('a.checkintime')} < {four_weeks_before} THEN 1 ELSE 0 END)
        FROM (SELECT memberid, MIN(enddate) AS ended FROM membermemberships
              WHERE status = 'Cancelled' AND enddate >= {d.date_param('earliest_end')}
                AND enddate <= {d.date_param('as_of')} GROUP BY memberid) AS c
        LEFT JOIN memberaccess a ON a.memberid = c.memberid
             AND {s.checkins_between()} AND {d.local_date('a.checkintime')} < c.ended
        GROUP BY c.memberid, c.ended""", earliest_end=earliest_end)
    recent = expected = 0.0
    for ended, last_four, earlier in rows:
        earlier_days = days_between(s.start, as_date(ended)) - 28
        recent += last_four or 0
        expected += (earlier or 0) * 28 / earlier_days
    if not expected:
        return unsupported("no cancellation in the window after 8 weeks of visits")
    return Reading(round(recent / expected, 2), note=f"{len(rows)} cancellations; {recent:.0f} visits vs {expected:.0f} usual")


@measure("R14", "seasonality of joins (January ÷ average month)", "1.3-2.2", low=1.3, high=2.2)
def january_joins(s):
    span_end = s.end.replace(day=1)
    span_start = add_months(span_end, -12)
    if s.earliest_join is None or s.earliest_join > span_start:
        return unsupported("needs a whole year of joins, January included")
    months = {}
    for day, count in s.joins_by_day.items():
        if span_start <= day < span_end:
            months[day.month] = months.get(day.month, 0) + count
    average = sum(months.values()) / 12
    if not average:
        return unsupported(f"nobody joined {span_start} .. {span_end}")
    return Reading(round(months.get(1, 0) / average, 2), note=f"{months.get(1, 0)} January joins; {average:.0f} a month")


@measure("R27", "joins vary (coefficient of variation of daily joins over a month)", ">= 0.3", low=0.3)
def joins_vary(s):
    month_start = s.end - dt.timedelta(days=30)
    if s.earliest_join is None or s.earliest_join > month_start:
        return unsupported("needs a month of joins")
    daily = [s.joins_by_day.get(month_start + dt.timedelta(n), 0) for n in range(30)]
    mean = statistics.fmean(daily)
    if not mean:
        return unsupported("nobody joined in the last 30 days")
    return Reading(round(statistics.pstdev(daily) / mean, 2), note=f"{min(daily)}-{max(daily)} joins a day, mean {mean:.1f}")


# -- classes ---------------------------------------------------------------------------------------------
@measure("R10", "group exercise (active members with a class in 90 days)", "30%-55%", low=30, high=55, unit="%")
def group_exercise(s):
    if s.days < 90:
        return unsupported(f"needs 90 days of classes, the window has {s.days} days")
    d = s.d
    since = s.end - dt.timedelta(days=90)
    total, attending = s.row(f"""
        SELECT COUNT(*), SUM(CASE WHEN EXISTS (
                   SELECT 1 FROM classenrollments e JOIN classinstances i ON i.instanceid = e.instanceid
                   WHERE e.memberid = active.memberid AND e.enrollmentstatus = 'Attended'
                     AND i.classdate >= {d.date_param('since')} AND i.classdate < {d.date_param('as_of')})
               THEN 1 ELSE 0 END)
        FROM (SELECT DISTINCT memberid FROM membermemberships
              WHERE status <> 'Suspended' AND startdate <= {d.date_param('last_day')}
                AND enddate > {d.date_param('last_day')}) AS active""", since=since)
    if not total:
        return unsupported("no active members on the last day")
    return Reading(percent(attending or 0, total), note=f"{attending or 0} of {total} active members")


@measure("R12", "class fill (attended ÷ capacity of completed classes)", "50%-85%", low=50, high=85, unit="%")
def class_fill(s):
    d = s.d
    attended, capacity = s.row(f"""
        SELECT SUM(i.actualcapacity), SUM(c.maxcapacity) FROM classinstances i
        JOIN classschedules c ON c.scheduleid = i.scheduleid
        WHERE i.status = 'Completed' AND i.classdate >= {d.date_param('window_start')}
          AND i.classdate < {d.date_param('window_end')}""")
    if not capacity:
        return unsupported("no completed class in the window")
    return Reading(percent(attended or 0, capacity), note=f"{attended or 0} attendees in {capacity} places")


@measure("R13", "class no-shows", "5%-20%", low=5, high=20, unit="%")
def no_shows(s):
    d = s.d
    attended, no_show = s.row(f"""
        SELECT SUM(CASE WHEN e.enrollmentstatus = 'Attended' THEN 1 ELSE 0 END),
               SUM(CASE WHEN e.enrollmentstatus = 'No-Show' THEN 1 ELSE 0 END)
        FROM classenrollments e JOIN classinstances i ON i.instanceid = e.instanceid
        WHERE i.classdate >= {d.date_param('window_start')} AND i.classdate < {d.date_param('window_end')}""")
    held = (attended or 0) + (no_show or 0)
    if not held:
        return unsupported("no attended or missed class in the window")
    return Reading(percent(no_show or 0, held), note=f"{no_show or 0} no-shows of {held}")


@measure("R19", "instructor ratings (mean overall rating)", "3.6-4.6; every value 1-5 in a month")
def instructor_ratings(s):
    d = s.d
    mean, count = s.row(f"""
        SELECT AVG(CAST(overallrating AS FLOAT)), COUNT(*) FROM instructorfeedback
        WHERE feedbackdate >= {d.date_param('window_start')} AND feedbackdate < {d.date_param('window_end')}""")
    if not count:
        return unsupported("no feedback in the window")
    mean = round(float(mean), 2)
    if s.days < 28:
        return Reading(mean, ok=3.6 <= mean <= 4.6,
                       note=f"{count} ratings; every value 1-5 in a month: n/a, the window is shorter than a month")
    month_start = s.end - dt.timedelta(days=30)
    present = {int(value) for (value,) in s.rows(f"""
        SELECT DISTINCT overallrating FROM instructorfeedback
        WHERE feedbackdate >= {d.date_param('month_start')} AND feedbackdate < {d.date_param('as_of')}""",
                                                  month_start=month_start)}
    missing = sorted(set(range(1, 6)) - present)
    note = f"{count} ratings" + (f"; last 30 days lack rating(s) {missing}" if missing else "; every value 1-5 in the last 30 days")
    return Reading(mean, ok=3.6 <= mean <= 4.6 and not missing, note=note)


# -- money -----------------------------------------------------------------------------------------------
@measure("R16", "dues (monthly fee of every membership type)", "$10-$200")
def dues(s):
    fees = [(name, float(fee)) for name, fee in s.rows("SELECT typename, monthlyfee FROM membershiptypes ORDER BY monthlyfee")]
    if not fees:
        return unsupported("no membership types")
    outside = [f"{name} ${fee:.2f}" for name, fee in fees if not 10 <= fee <= 200]
    note = f"{len(fees)} types" + (f"; outside the range: {', '.join(outside)}" if outside else "")
    return Reading(f"${fees[0][1]:.2f}-${fees[-1][1]:.2f}", ok=not outside, note=note)


@measure("R17", "failed dues payments", "1%-8%", low=1, high=8, unit="%")
def failed_payments(s):
    total, failed = s.row(f"""
        SELECT COUNT(*), SUM(CASE WHEN status = 'Failed' THEN 1 ELSE 0 END) FROM memberpayments
        WHERE paymenttype = '{DUES}' AND paymentdate < {s.d.date_param('as_of')}""")
    if not total:
        return unsupported("no dues payments")
    return Reading(percent(failed or 0, total), note=f"{failed or 0} of {total} dues payments, all history")


@measure("R29", "failed dues never recovered", "10%-40%", low=10, high=40, unit="%")
def unrecovered_failures(s):
    d = s.d
    # A failure of the last RETRY_DAYS days may still be retried: it is not judged yet.
    decided_before = s.end - dt.timedelta(days=RETRY_DAYS)
    total, lost = s.row(f"""
        SELECT COUNT(*), SUM(CASE WHEN NOT EXISTS (
                   SELECT 1 FROM memberpayments r WHERE r.memberid = f.memberid AND r.paymenttype = '{DUES}'
                   AND r.status = 'Completed' AND r.paymentdate >= f.paymentdate
                   AND r.paymentdate <= {d.add_days('f.paymentdate', RETRY_DAYS)}) THEN 1 ELSE 0 END)
        FROM memberpayments f
        WHERE f.paymenttype = '{DUES}' AND f.status = 'Failed' AND f.paymentdate < {d.date_param('decided')}""",
                        decided=decided_before)
    if not total:
        return unsupported("no failed dues payment")
    return Reading(percent(lost or 0, total), note=f"{lost or 0} of {total} failures not followed by a Completed dues payment within {RETRY_DAYS} days")


@measure("R18", "overtime hours ÷ paid hours", "1%-10%", low=1, high=10, unit="%")
def overtime(s):
    d = s.d
    regular, extra = s.row(f"""
        SELECT SUM(regularhours), SUM(overtimehours) FROM staffpayroll
        WHERE payperiodend >= {d.date_param('window_start')} AND payperiodend < {d.date_param('window_end')}""")
    paid = float(regular or 0) + float(extra or 0)
    if not paid:
        return unsupported("no pay period ends in the window")
    return Reading(percent(float(extra or 0), paid), note=f"{float(extra or 0):.0f} of {paid:.0f} hours")


@measure("R30", "payroll deductions (std dev across staff of deductions ÷ gross)", ">= 1 pp", low=1.0, unit=" pp")
def deductions_vary(s):
    d = s.d
    ratios = [100.0 * float(deducted) / float(gross) for deducted, gross in s.rows(f"""
        SELECT SUM(deductions), SUM(grosspay) FROM staffpayroll
        WHERE payperiodend >= {d.date_param('window_start')} AND payperiodend < {d.date_param('window_end')}
        GROUP BY staffid HAVING SUM(grosspay) > 0""")]
    if len(ratios) < 2:
        return unsupported("needs payroll of two staff members in the window")
    return Reading(round(statistics.pstdev(ratios), 2),
                   note=f"{len(ratios)} staff; deductions {min(ratios):.1f}%-{max(ratios):.1f}% of gross")


# -- equipment and capacity ------------------------------------------------------------------------------
@measure("R31", "treadmills among the 3 most used equipment types per unit", "holds")
def treadmills(s):
    rows = s.rows(f"""
        SELECT e.equipmenttype, COUNT(*), SUM(COALESCE(u.sessions, 0)) FROM equipment e
        LEFT JOIN (SELECT equipmentid, COUNT(*) AS sessions FROM equipmentusage a
                   WHERE {s.checkins_between('a.starttime')} GROUP BY equipmentid) AS u ON u.equipmentid = e.equipmentid
        GROUP BY e.equipmenttype""")
    per_unit = sorted(((sessions / units, kind) for kind, units, sessions in rows if sessions), reverse=True)
    if not per_unit:
        return unsupported("no equipment sessions in the window")
    if "Treadmill" not in {kind for kind, _u, _s in rows}:
        return unsupported("the chain has no treadmills")
    top = [kind for _rate, kind in per_unit[:3]]
    text = ", ".join(f"{kind} {rate:.1f}" for rate, kind in per_unit[:3])
    return Reading(text, ok="Treadmill" in top, note="sessions per unit in the window, top three")


@measure("R32", "capacity (busiest quarter hour's headcount ÷ maxcapacity)", "<= 1.0 everywhere; 0.5-0.95 busiest areas")
def capacity(s):
    peaks = area_peaks(s)
    if not peaks:
        return unsupported("no visits or classes in an area with a capacity")
    worst = max(ratio for _facility, ratio in peaks.values())
    by_facility = {}
    for facility, ratio in peaks.values():
        by_facility[facility] = max(ratio, by_facility.get(facility, 0))
    busiest = statistics.median(by_facility.values())
    over = sorted(area for area, (_f, ratio) in peaks.items() if ratio > 1.0)
    note = f"{len(peaks)} areas; busiest area of each facility: median {busiest:.2f}"
    if over:
        note += f"; over capacity: {', '.join(over[:5])}" + (f" (+{len(over) - 5} more)" if len(over) > 5 else "")
    return Reading(f"max {worst:.2f}; busiest areas {busiest:.2f}", ok=worst <= 1.0 and 0.5 <= busiest <= 0.95,
                   note=note)


def area_peaks(s):
    """{areaid: (facilityid, peak headcount ÷ maxcapacity)} over the window's quarter hours.

    The headcount of a quarter hour is taken at its start, as a gym counts
    heads: the visits checked in at or before it and checked out after it,
    plus the attendees of the completed classes running then who are not
    counted already by a check-in into the class's area covering the class
    (as rule V8 counts them). So a dataset that keeps V8 (capacity at every
    moment) never exceeds 1.0.
    A visit or class adds its people at the first quarter-hour start at or
    after it begins and takes them away at the first one at or after it ends;
    the running sum of these steps per area, in quarter order, is the
    headcount, which only changes where there is a step."""
    d = s.d
    quarter = quarter_starting_at_or_after(d)
    completed_classes = f"""FROM classinstances i JOIN classschedules c ON c.scheduleid = i.scheduleid
        WHERE i.status = 'Completed' AND i.actualendtime > i.actualstarttime
          AND i.classdate >= {d.date_param('window_start')} AND i.classdate < {d.date_param('window_end')}"""
    # A class's people: its actualcapacity, less the attendees counted by their check-in into its area.
    checked_in = """(SELECT e.instanceid, COUNT(*) AS people FROM classenrollments e
        JOIN classinstances i ON i.instanceid = e.instanceid JOIN classschedules c ON c.scheduleid = i.scheduleid
        WHERE e.enrollmentstatus = 'Attended'
          AND EXISTS (SELECT 1 FROM memberaccess a WHERE a.memberid = e.memberid AND a.areaid = c.areaid
                      AND a.checkintime <= i.actualstarttime AND a.checkouttime >= i.actualendtime)
        GROUP BY e.instanceid)"""
    unchecked = f"""(SELECT c.areaid, i.actualstarttime, i.actualendtime,
                            i.actualcapacity - COALESCE(k.people, 0) AS people
        {completed_classes.replace('WHERE', f'LEFT JOIN {checked_in} AS k ON k.instanceid = i.instanceid WHERE', 1)}
          AND i.actualcapacity > COALESCE(k.people, 0))"""
    steps = f"""
        SELECT v.areaid, {quarter('v.checkintime')} AS quarter, 1 AS step FROM visits v
        UNION ALL SELECT v.areaid, {quarter('v.checkouttime')}, -1 FROM visits v
        UNION ALL SELECT u.areaid, {quarter('u.actualstarttime')}, u.people FROM {unchecked} AS u
        UNION ALL SELECT u.areaid, {quarter('u.actualendtime')}, -u.people FROM {unchecked} AS u"""
    rows = s.rows(f"""
        WITH visits AS (
            SELECT a.areaid, a.checkintime, a.checkouttime FROM memberaccess a
            WHERE a.areaid IS NOT NULL AND a.checkouttime IS NOT NULL AND a.checkouttime > a.checkintime
              AND {s.checkins_between()}),
        steps AS (SELECT areaid, quarter, SUM(step) AS step FROM ({steps}) AS all_steps GROUP BY areaid, quarter),
        headcount AS (SELECT areaid, SUM(step) OVER (PARTITION BY areaid ORDER BY quarter
                                                     ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS present
                      FROM steps)
        SELECT h.areaid, f.facilityid, MAX(h.present), f.maxcapacity FROM headcount h
        JOIN facilityareas f ON f.areaid = h.areaid
        WHERE f.maxcapacity > 0
        GROUP BY h.areaid, f.facilityid, f.maxcapacity""")
    return {area: (facility, int(peak) / capacity) for area, facility, peak, capacity in rows}


def quarter_starting_at_or_after(d):
    """A function giving the SQL of the number of the first quarter hour
    starting at or after a stored (UTC) timestamp, counted from 1970. Every
    time zone the chain can lie in is offset from UTC by whole quarter hours,
    so UTC quarter hours are local ones and no time-zone conversion is
    needed. A slack of a millionth of a quarter absorbs floating-point error
    at exact quarter hours."""
    seconds = QUARTER_MINUTES * 60
    if d.is_postgres:
        # date_part is a float: much cheaper than EXTRACT's numeric over millions of rows.
        return lambda column: f"CAST(CEIL(date_part('epoch', {column}) / {seconds} - 0.000001) AS integer)"

    def ceil(column):
        x = f"((julianday({column}) - 2440587.5) * {86400 // seconds} - 0.000001)"
        return f"(CAST({x} AS INTEGER) + (CASE WHEN {x} > CAST({x} AS INTEGER) THEN 1 ELSE 0 END))"

    return ceil


# -- running them ----------------------------------------------------------------------------------------
def run_measure(one, survey):
    """One measure's result, in a savepoint so a failing statement does not abort the others."""
    result = {"id": one.id, "title": one.title, "range": one.range, "unit": one.unit}
    started = time.perf_counter()
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                survey.d.set_local(cursor, POSTGRES_SETTINGS)
            reading = one.compute(survey)
    except (DatabaseError, ArithmeticError, ValueError) as error:
        result.update(value=None, status=NOT_APPLICABLE, note=f"could not be computed: {error}".strip())
    else:
        result.update(value=reading.value, status=one.status(reading), note=reading.note)
    result["seconds"] = round(time.perf_counter() - started, 3)
    return result


def run_measures(ctx, only=None):
    """Every realism measure (or those in `only`) over the context's window, in id order."""
    survey = Survey(ctx)
    return [run_measure(MEASURES[measure_id], survey) for measure_id in ordered_measure_ids()
            if only is None or measure_id in only]


def realism_warnings(measures):
    return sum(1 for result in measures if result["status"] == WARN)
