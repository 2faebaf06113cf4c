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
            return f"CAST(EXTRACT(ISODOW FROM {date_expr}) AS integer)"
        return f"((CAST(strftime('%%w', {date_expr}) AS integer) + 6) %% 7 + 1)"

    def week_start(self, date_expr):
        """The Monday of the ISO week holding the date."""
        return self.add_days(date_expr, f"1 - {self.iso_weekday(date_expr)}")

    def local_hour(self, column):
        if self.is_postgres:
            return f"CAST(EXTRACT(HOUR FROM ({column} AT TIME ZONE {self._zone()})) AS integer)"
        return f"CAST(substr({self.local_time(column)}, 1, 2) AS integer)"

    # -- text ------------------------------------------------------------------------
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
