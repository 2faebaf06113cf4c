"""SQL fragments that differ between SQLite and PostgreSQL.

Every rule is one SQL statement written once; the few expressions that the two
databases spell differently (local time of an aware timestamp, date
arithmetic, regular expressions) come from here.

Statements always run with a parameter dict, so a literal percent sign is
written `%%` here.

Storage facts this relies on:
- PostgreSQL stores aware timestamps as timestamptz; `AT TIME ZONE` gives the
  local wall-clock timestamp.
- SQLite stores them as UTC text ('YYYY-MM-DD HH:MM:SS[.ffffff]'); Django
  registers `django_datetime_cast_date/time` on every SQLite connection, which
  convert such text to local date/time strings of a named zone.
- Dates are 'YYYY-MM-DD' text and times 'HH:MM:SS' text on SQLite, so text
  comparison orders them correctly.
"""
import datetime as dt
import zoneinfo
from dataclasses import dataclass


@dataclass(frozen=True)
class Dialect:
    vendor: str  # "postgresql" or "sqlite"
    time_zone: str  # zone of opening hours and of local dates, e.g. America/New_York

    @property
    def is_postgres(self):
        return self.vendor == "postgresql"

    def _zone(self):
        return "'" + self.time_zone.replace("'", "''") + "'"

    # -- parameters ---------------------------------------------------------
    def date_param(self, name):
        """A named date parameter, typed as a date on PostgreSQL."""
        return f"CAST(%({name})s AS date)" if self.is_postgres else f"%({name})s"

    # -- local wall-clock values of aware timestamps ---------------------------
    def local_date(self, column):
        if self.is_postgres:
            return f"CAST(({column} AT TIME ZONE {self._zone()}) AS date)"
        return f"django_datetime_cast_date({column}, {self._zone()}, 'UTC')"

    def local_time(self, column):
        if self.is_postgres:
            return f"CAST(({column} AT TIME ZONE {self._zone()}) AS time)"
        return f"django_datetime_cast_time({column}, {self._zone()}, 'UTC')"

    def local_datetime(self, column):
        """Local timestamp without zone; comparable with `combine(date, time)`."""
        if self.is_postgres:
            return f"({column} AT TIME ZONE {self._zone()})"
        return f"({self.local_date(column)} || ' ' || {self.local_time(column)})"

    # The conversion to a named zone is the costly part of a local date or time
    # (on PostgreSQL it looks the zone up again for every value), so rules over
    # millions of rows convert once, as `local_datetime` in a subquery closed by
    # `computed_once()`, and take its parts with these (same values as
    # local_date/local_time/local_hour of the column).
    def date_of(self, local_datetime):
        if self.is_postgres:
            return f"CAST({local_datetime} AS date)"
        return f"substr({local_datetime}, 1, 10)"

    def time_of(self, local_datetime):
        if self.is_postgres:
            return f"CAST({local_datetime} AS time)"
        return f"substr({local_datetime}, 12)"

    def hour_of(self, local_datetime):
        if self.is_postgres:
            return f"CAST(date_part('hour', {local_datetime}) AS integer)"
        return f"CAST(substr({local_datetime}, 12, 2) AS integer)"

    def computed_once(self):
        """Closes a FROM-clause subquery whose computed columns are used several
        times: PostgreSQL otherwise inlines the subquery and evaluates the
        expression at every use (OFFSET 0 keeps it a separate step). Nothing on
        SQLite, which has no OFFSET without LIMIT (and small datasets)."""
        return " OFFSET 0" if self.is_postgres else ""

    def utc_midnight(self, date_expr):
        """The stored timestamp of 00:00 UTC of a date (comparable with aware timestamp columns)."""
        if self.is_postgres:
            return f"(CAST({date_expr} AS timestamp) AT TIME ZONE 'UTC')"
        # 'YYYY-MM-DD' sorts just before every stored 'YYYY-MM-DD HH:MM:SS' of that day.
        return f"{date_expr}"

    def local_date_in(self, column, start, end=None):
        """`start <= local date of column < end` (no upper bound when end is None),
        for an aware timestamp column, written so that only rows near the bounds
        pay for the time-zone conversion and an index on the column can serve it.

        Every zone's UTC offset is less than a day, so a timestamp at least two
        days inside the bounds in UTC has its local date inside them, and one at
        least two days outside has it outside; the exact local date is only
        computed for the timestamps in between. Same truth value as the plain
        comparison for every non-null timestamp."""
        near = [f"{column} >= {self.utc_midnight(self.add_days(start, '-2'))}"]
        inside = [f"{column} >= {self.utc_midnight(self.add_days(start, '2'))}"]
        exact = [f"{self.local_date(column)} >= {start}"]
        if end is not None:
            near.append(f"{column} < {self.utc_midnight(self.add_days(end, '2'))}")
            inside.append(f"{column} < {self.utc_midnight(self.add_days(end, '-2'))}")
            exact.append(f"{self.local_date(column)} < {end}")
        return f"({' AND '.join(near)} AND (({' AND '.join(inside)}) OR ({' AND '.join(exact)})))"

    def service_day(self, column):
        """The day an aware timestamp belongs to when days are cut at 04:00 local
        standard time, when no gym is open: a visit and the sessions in it almost
        always share it. Only a grouping key for hash joins (no rule compares
        it), so a fixed UTC shift does, with no per-row zone rules."""
        shift = (4 - self.standard_utc_offset_hours()) % 24
        if self.is_postgres:
            return f"CAST(({column} - interval '{shift} hours') AT TIME ZONE 'UTC' AS date)"
        return f"date({column}, '-{shift} hours')"

    def standard_utc_offset_hours(self):
        """Whole hours of the zone's UTC offset on January 1 (-5 for America/New_York)."""
        offset = dt.datetime(2000, 1, 1, tzinfo=zoneinfo.ZoneInfo(self.time_zone)).utcoffset()
        return int(offset.total_seconds() // 3600)

    def combine(self, date_expr, time_expr):
        """A local timestamp from a date column and a time column."""
        if self.is_postgres:
            return f"({date_expr} + {time_expr})"
        return f"({date_expr} || ' ' || {time_expr})"

    def day_before(self, column):
        """The stored timestamp 24 hours earlier (same storage form, so index range scans work)."""
        if self.is_postgres:
            return f"({column} - interval '1 day')"
        return f"strftime('%%Y-%%m-%%d %%H:%%M:%%f', {column}, '-1 day')"

    # -- durations ------------------------------------------------------------------
    def minutes_between(self, start, end):
        """Minutes from `start` to `end` (two timestamps of the same kind), as a float."""
        if self.is_postgres:
            return f"(EXTRACT(EPOCH FROM ({end}) - ({start})) / 60.0)"
        return f"((julianday({end}) - julianday({start})) * 1440.0)"

    def minutes_off_by_one_or_more(self, minutes, start, end):
        """|minutes - minutes_between(start, end)| >= 1, for an integer `minutes`.
        PostgreSQL compares intervals (exact to the microsecond, and much cheaper
        than the numeric EXTRACT(EPOCH) arithmetic of minutes_between)."""
        if self.is_postgres:
            return (
                f"(({end}) - ({start}) <= make_interval(mins => {minutes} - 1)"
                f" OR ({end}) - ({start}) >= make_interval(mins => {minutes} + 1))"
            )
        return f"(ABS({minutes} - {self.minutes_between(start, end)}) >= 1)"

    def hours_between_times(self, start, end):
        """Hours from time `start` to time `end` on the same day, as a float."""
        if self.is_postgres:
            return f"(EXTRACT(EPOCH FROM ({end}) - ({start})) / 3600.0)"
        return f"((julianday('2000-01-01 ' || {end}) - julianday('2000-01-01 ' || {start})) * 24.0)"

    # -- date arithmetic --------------------------------------------------------------
    def add_days(self, date_expr, days_expr):
        if self.is_postgres:
            return f"(CAST({date_expr} AS date) + CAST({days_expr} AS integer))"
        return f"date({date_expr}, printf('%%+d days', {days_expr}))"

    def add_months(self, date_expr, months_expr):
        """Calendar months, clamped to the month's last day (Jan 31 + 1 month =
        Feb 28/29), as PostgreSQL intervals and dateutil's relativedelta do."""
        if self.is_postgres:
            return f"CAST({date_expr} + make_interval(months => CAST({months_expr} AS integer)) AS date)"
        # SQLite's own '+N months' overflows into the next month; clamp by hand.
        same_day = (
            f"date({date_expr}, 'start of month', printf('%%+d months', {months_expr}), "
            f"printf('+%%d days', CAST(strftime('%%d', {date_expr}) AS integer) - 1))"
        )
        last_day = f"date({date_expr}, 'start of month', printf('%%+d months', ({months_expr}) + 1), '-1 day')"
        return f"MIN({same_day}, {last_day})"

    def month_start(self, date_expr):
        """The first day of the date's calendar month."""
        if self.is_postgres:
            return f"CAST(date_trunc('month', {date_expr}) AS date)"
        return f"date({date_expr}, 'start of month')"

    def iso_weekday(self, date_expr):
        """1 = Monday ... 7 = Sunday."""
        if self.is_postgres:
            # date_part, not EXTRACT: a float is much cheaper than a numeric and exact for 1..7.
            return f"CAST(date_part('isodow', {date_expr}) AS integer)"
        return f"((CAST(strftime('%%w', {date_expr}) AS integer) + 6) %% 7 + 1)"

    def week_start(self, date_expr):
        """The Monday of the ISO week holding the date."""
        return self.add_days(date_expr, f"1 - {self.iso_weekday(date_expr)}")

    def local_hour(self, column):
        if self.is_postgres:
            return f"CAST(EXTRACT(HOUR FROM ({column} AT TIME ZONE {self._zone()})) AS integer)"
        return f"CAST(substr({self.local_time(column)}, 1, 2) AS integer)"

    # -- text ------------------------------------------------------------------------
    def has_id_form(self, column, prefix, width):
        """`column` is `prefix` then at least `width` digits (^prefix[0-9]{width,}$)."""
        if self.is_postgres:
            # PostgreSQL's regex engine is slow on a bounded repeat such as {8,}:
            # an unbounded one plus a length test says the same, twice as fast.
            return f"({column} ~ '^{prefix}[0-9]*$' AND char_length({column}) >= {len(prefix) + width})"
        return self.matches(column, f"'^{prefix}[0-9]{{{width},}}$'")

    def matches(self, column, pattern_sql):
        """`column` matches the regular expression `pattern_sql` (a SQL string literal)."""
        if self.is_postgres:
            return f"({column} ~ {pattern_sql})"
        return f"({column} REGEXP {pattern_sql})"

    def split_csv(self, alias, table, key_column, list_column):
        """FROM-clause fragment: one row (owner_id, item) per comma-separated item of
        `list_column`, spaces trimmed, as `alias(owner_id, item)`."""
        if self.is_postgres:
            return (
                f"(SELECT t.{key_column} AS owner_id, TRIM(x.item) AS item FROM {table} t "
                f"CROSS JOIN LATERAL unnest(string_to_array(t.{list_column}, ',')) AS x(item) "
                f"WHERE TRIM(x.item) <> '') AS {alias}"
            )
        return (
            f"(SELECT t.{key_column} AS owner_id, TRIM(j.value) AS item FROM {table} t, "
            f"json_each('[\"' || replace(replace(COALESCE(t.{list_column}, ''), '\"', ''), ',', '\",\"') || '\"]') j "
            f"WHERE TRIM(j.value) <> '') AS {alias}"
        )

    def periods_agg(self, start, end):
        """Aggregate: the periods [start, end) of a group as one value, for
        `periods_contain` (a multirange on PostgreSQL, a JSON array on SQLite).
        Only for rows with start < end (PostgreSQL refuses a range that ends
        before it starts; an empty period contains no day anyway)."""
        if self.is_postgres:
            return f"range_agg(daterange({start}, {end}))"
        return f"json_group_array(json_array({start}, {end}))"

    def periods_contain(self, periods, day):
        """`day` lies in one of `periods` (from periods_agg); false, never null,
        when periods is null. One probe per row instead of one per period."""
        if self.is_postgres:
            return f"COALESCE({periods} @> {day}, FALSE)"
        return (
            f"EXISTS (SELECT 1 FROM json_each({periods}) AS p "
            f"WHERE json_extract(p.value, '$[0]') <= {day} AND {day} < json_extract(p.value, '$[1]'))"
        )

    def greatest(self, *exprs):
        return ("GREATEST(" if self.is_postgres else "MAX(") + ", ".join(exprs) + ")"

    def least(self, *exprs):
        return ("LEAST(" if self.is_postgres else "MIN(") + ", ".join(exprs) + ")"

    def calendar(self, name="days"):
        """A recursive CTE `name(d)`: every date of the window [window_start, window_end).
        The statement using it must start with WITH RECURSIVE."""
        start, end = self.date_param("window_start"), self.date_param("window_end")
        step = self.add_days("d", "1")
        return f"{name}(d) AS (SELECT {start} WHERE {start} < {end} UNION ALL SELECT {step} FROM {name} WHERE {step} < {end})"
