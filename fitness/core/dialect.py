"""The one place that knows PostgreSQL from SQLite.

`Dialect` holds every difference the project writes SQL around: the SQL
fragments check_ods's rules and the warehouse ETL put into their statements
(local time of an aware timestamp, date arithmetic, regular expressions,
hashes), and the operations that exist on one database only (COPY, planner
statistics, TRUNCATE, setting secondary indexes aside during a bulk load).
Everything else is plain SQL both accept (INSERT ... SELECT, UPDATE ... FROM,
window functions, CREATE TEMP TABLE ... AS), written once where it is used.

Fragments are for statements run with parameters (check_ods passes a dict,
the ETL a list), so a literal percent sign is written `%%` here.

Storage facts this relies on:
- PostgreSQL stores aware timestamps as timestamptz; `AT TIME ZONE` gives the
  local wall-clock timestamp.
- SQLite stores them as UTC text ('YYYY-MM-DD HH:MM:SS[.ffffff]'); Django
  registers `django_datetime_cast_date/time` and `django_datetime_extract` on
  every SQLite connection, which convert such text to local values of a named
  zone, so these statements must run through Django's connection.
- Dates are 'YYYY-MM-DD' text and times 'HH:MM:SS' text on SQLite, so text
  comparison orders them correctly.
- ODS timestamps are stored in UTC; opening hours, local dates and the
  warehouse's date and hour keys are in the project's TIME_ZONE.

Change detection (warehouse/etl/changes.py) hashes source rows: on PostgreSQL
with `hash_record_extended` and `bit_xor` (PostgreSQL 14 or later), on SQLite
with two functions `install_functions` registers on the connection.
"""
import datetime as dt
import hashlib
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db import connection as default_connection

POSTGRESQL = "postgresql"


def sql_literal(text) -> str:
    """`text` as a SQL string literal."""
    return "'" + str(text).replace("'", "''") + "'"


@dataclass(frozen=True)
class Dialect:
    vendor: str  # Django's connection.vendor: "postgresql" or "sqlite"
    time_zone: str  # zone of opening hours and of local dates, e.g. America/New_York

    @classmethod
    def for_connection(cls, connection):
        """The dialect of a Django connection, in the project's TIME_ZONE."""
        return cls(vendor=connection.vendor, time_zone=settings.TIME_ZONE)

    @classmethod
    def current(cls):
        """The dialect of the default database."""
        return cls.for_connection(default_connection)

    # -- what the database can do ---------------------------------------------------------------------
    @property
    def is_postgres(self):
        return self.vendor == POSTGRESQL

    @property
    def supports_copy(self):
        """Rows can go in through COPY FROM STDIN (psycopg 3), several times faster than INSERTs."""
        return self.is_postgres

    # -- parameters and literals ----------------------------------------------------------------------
    def date_param(self, name):
        """A named date parameter, typed as a date on PostgreSQL."""
        return f"CAST(%({name})s AS date)" if self.is_postgres else f"%({name})s"

    def date_literal(self, day):
        """A date (or 'YYYY-MM-DD' text) as a SQL date literal."""
        text = sql_literal(day.isoformat() if hasattr(day, "isoformat") else day)
        return f"DATE {text}" if self.is_postgres else text

    def _zone(self):
        return sql_literal(self.time_zone)

    # -- local wall-clock values of aware timestamps ----------------------------------------------------
    # The ETL's fact SQL is part of its rows' fingerprints (warehouse/etl/changes.py): a change to the text of a
    # fragment it uses, even of its letter case, makes the next incremental batch restage every row once.
    def local_date(self, column):
        if self.is_postgres:
            return f"CAST(({column}) AT TIME ZONE {self._zone()} AS DATE)"
        return f"django_datetime_cast_date({column}, {self._zone()}, 'UTC')"

    def local_time(self, column):
        if self.is_postgres:
            return f"CAST(({column} AT TIME ZONE {self._zone()}) AS time)"
        return f"django_datetime_cast_time({column}, {self._zone()}, 'UTC')"

    def local_hour(self, column):
        if self.is_postgres:
            # date_part, not EXTRACT: a float is much cheaper than a numeric and exact for an hour.
            return f"CAST(date_part('hour', ({column}) AT TIME ZONE {self._zone()}) AS INTEGER)"
        return f"django_datetime_extract('hour', {column}, {self._zone()}, 'UTC')"

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
        """Closes a FROM-clause subquery whose computed columns (time-zone
        conversions) are used several times, so that they are computed once per
        row instead of once per use: both databases would otherwise flatten the
        subquery into the outer query. PostgreSQL keeps a subquery with OFFSET 0
        a separate step; SQLite has no OFFSET without LIMIT, and LIMIT -1 is
        no limit."""
        return " OFFSET 0" if self.is_postgres else " LIMIT -1 OFFSET 0"

    def hour_of_time(self, time_expr):
        """Hour of a TIME value (already local wall-clock time, as opening hours and class start times are)."""
        if self.is_postgres:
            return f"CAST(date_part('hour', {time_expr}) AS INTEGER)"
        return f"CAST(substr({time_expr}, 1, 2) AS INTEGER)"

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

    def timestamp_day_before(self, column):
        """The stored timestamp 24 hours before an aware timestamp column (same
        storage form, so index range scans work). For a date, `add_days(d, '-1')`."""
        if self.is_postgres:
            return f"({column} - interval '1 day')"
        return f"strftime('%%Y-%%m-%%d %%H:%%M:%%f', {column}, '-1 day')"

    def epoch_milliseconds(self, column):
        """Milliseconds since 1970-01-01 00:00 UTC of an aware timestamp column, as an integer,
        for integer arithmetic on instants. A sub-millisecond part is rounded on PostgreSQL
        (date_part's double, far cheaper than EXTRACT's numeric) and dropped on SQLite, which
        reads the stored text (see above): its whole seconds, then up to three digits of
        fraction. Either way a later instant never gets a smaller number."""
        if self.is_postgres:
            return f"CAST(date_part('epoch', {column}) * 1000 AS bigint)"
        return (f"(CAST(strftime('%%s', substr({column}, 1, 19)) AS INTEGER) * 1000"
                f" + CAST(substr({column} || '000', 21, 3) AS INTEGER))")

    # -- durations ----------------------------------------------------------------------------------
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
        """Hours from time `start` to time `end` on the same day: a numeric on
        PostgreSQL (so ROUND(x, 2) applies), a float on SQLite, whose julianday
        reads a bare time as that time on 2000-01-01."""
        if self.is_postgres:
            return f"CAST(EXTRACT(EPOCH FROM ({end} - {start})) / 3600.0 AS NUMERIC)"
        return f"((julianday({end}) - julianday({start})) * 24.0)"

    # -- dates --------------------------------------------------------------------------------------
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

    def iso_weekday(self, date_expr):
        """1 = Monday ... 7 = Sunday."""
        if self.is_postgres:
            # date_part, not EXTRACT: a float is much cheaper than a numeric and exact for 1..7.
            return f"CAST(date_part('isodow', {date_expr}) AS integer)"
        return f"((CAST(strftime('%%w', {date_expr}) AS integer) + 6) %% 7 + 1)"

    def quarter_serial(self, date_expr):
        """Calendar quarters since year 0 (year * 4 + quarter - 1): consecutive quarters differ by 1."""
        if self.is_postgres:
            return (f"CAST(date_part('year', {date_expr}) * 4 + floor((date_part('month', {date_expr}) - 1) / 3)"
                    f" AS integer)")
        return (f"(CAST(strftime('%%Y', {date_expr}) AS integer) * 4"
                f" + (CAST(strftime('%%m', {date_expr}) AS integer) - 1) / 3)")

    def week_start(self, date_expr):
        """The Monday of the ISO week holding the date."""
        return self.add_days(date_expr, f"1 - {self.iso_weekday(date_expr)}")

    def date_key(self, date_expr):
        """YYYYMMDD integer of a DATE expression."""
        if self.is_postgres:
            # date_part (double precision) rather than EXTRACT, which returns
            # numeric since PostgreSQL 14 and costs ~3x on millions of rows.
            return (
                f"CAST(date_part('year', {date_expr}) * 10000 + date_part('month', {date_expr}) * 100"
                f" + date_part('day', {date_expr}) AS INTEGER)"
            )
        return f"CAST(replace({date_expr}, '-', '') AS INTEGER)"

    def day_serial(self, date_expr):
        """Days since 1970-01-01 of a DATE expression (day arithmetic as integers)."""
        if self.is_postgres:
            return f"({date_expr} - DATE '1970-01-01')"
        return f"CAST(julianday({date_expr}) - 2440587.5 AS INTEGER)"

    def calendar(self, name="days"):
        """A recursive CTE `name(d)`: every date of the window [window_start, window_end).
        The statement using it must start with WITH RECURSIVE."""
        start, end = self.date_param("window_start"), self.date_param("window_end")
        step = self.add_days("d", "1")
        return f"{name}(d) AS (SELECT {start} WHERE {start} < {end} UNION ALL SELECT {step} FROM {name} WHERE {step} < {end})"

    # -- comparisons ----------------------------------------------------------------------------------
    def distinct(self, left, right):
        """NULL-safe 'differs'."""
        if self.is_postgres:
            return f"{left} IS DISTINCT FROM {right}"
        return f"{left} IS NOT {right}"

    def least(self, *exprs):
        return ("LEAST(" if self.is_postgres else "MIN(") + ", ".join(exprs) + ")"

    # -- text -----------------------------------------------------------------------------------------
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

    def key_bucket(self, key):
        """A natural key without its last three characters: ids numbered in
        sequence (MEM000123) fall into buckets of a thousand neighbours, so
        new rows land in new buckets and an edit dirties one bucket."""
        if self.is_postgres:
            return f"left({key}, -3)"
        return f"substr({key}, 1, length({key}) - 3)"

    # -- sets of periods --------------------------------------------------------------------------------
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

    # -- row hashes (change detection) --------------------------------------------------------------------
    def fingerprint(self, columns):
        """64-bit hash of a row's values (binary, so independent of the
        session's time zone and date style)."""
        if self.is_postgres:
            return f"hash_record_extended(ROW({', '.join(columns)}), 0)"
        return f"wh_fingerprint({', '.join(columns)})"

    def bit_xor(self, expr):
        """Aggregate XOR: the digest of a set of fingerprints (order-free)."""
        return f"bit_xor({expr})" if self.is_postgres else f"wh_bit_xor({expr})"

    def install_functions(self, connection):
        """SQLite has no hash function: give this Django connection ours
        (`fingerprint`, `bit_xor`). PostgreSQL has its own."""
        if self.is_postgres:
            return
        connection.ensure_connection()
        raw = connection.connection
        raw.create_function("wh_fingerprint", -1, sqlite_fingerprint, deterministic=True)
        raw.create_aggregate("wh_bit_xor", 1, SqliteBitXor)

    # -- running statements ---------------------------------------------------------------------------
    def set_local(self, cursor, settings):
        """PostgreSQL settings {name: value} for the current transaction only;
        SQLite has none of them."""
        if self.is_postgres:
            for name, value in settings.items():
                cursor.execute(f"SET LOCAL {name} = '{value}'")

    def read_one_snapshot(self, cursor):
        """Make the transaction just begun read one snapshot throughout (so that
        separate statements see the same rows). PostgreSQL needs REPEATABLE
        READ for it, before the first query; a SQLite transaction does already."""
        if self.is_postgres:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")

    def hash_aggregate(self, ctx, sql, params=None):
        """Run a GROUP BY over millions of rows into few groups, through `ctx`
        (anything with `execute(sql, params)` returning the row count, as the
        ETL's LoadContext). PostgreSQL cannot estimate the groups of an
        expression and would sort all rows (spilling to disk); hashing them is
        several times faster."""
        if not self.is_postgres:
            return ctx.execute(sql, params)
        ctx.execute("SET LOCAL enable_sort = off")
        rows = ctx.execute(sql, params)
        ctx.execute("SET LOCAL enable_sort = on")  # (a failure rolls the setting back with the transaction)
        return rows

    # -- whole tables ---------------------------------------------------------------------------------
    def empty_tables(self, cursor, tables):
        """Delete every row of `tables`, listed children first. PostgreSQL
        truncates them in one statement (all tables a foreign key joins must be
        in it); SQLite deletes them one by one in the order given."""
        if not self.is_postgres:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
            return
        # Deferred foreign-key checks still pending in this transaction would block TRUNCATE: run them now,
        # then defer again (Django's foreign keys are DEFERRABLE INITIALLY DEFERRED).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"TRUNCATE {', '.join(tables)}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def analyze(self, cursor, tables):
        """Refresh PostgreSQL's planner statistics of tables just (re)filled:
        without them the next queries on the new rows plan for empty tables.
        SQLite plans without statistics."""
        if self.is_postgres and tables:
            cursor.execute(f"ANALYZE {', '.join(tables)}")

    def vacuum(self, cursor, tables):
        """VACUUM tables just filled (outside any transaction): sets the visibility map, so index-only scans
        and counts read no heap pages, whether or not the server runs autovacuum. SQLite has no need."""
        if self.is_postgres and tables:
            cursor.execute(f"VACUUM {', '.join(tables)}")

    def tables_without_statistics(self, cursor, tables, min_bytes=0):
        """Those of `tables` of at least `min_bytes` that PostgreSQL holds no
        column statistics for (loaded and not analysed since). None on SQLite."""
        if not self.is_postgres:
            return []
        # The size only of tables without statistics: pg_relation_size waits for a table's lock, and a table
        # another session holds (a writer's, a long transaction's) must not stall a reader that needs no size.
        cursor.execute(
            """SELECT c.relname FROM pg_class c
               WHERE c.relname = ANY(%s) AND c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
                 AND CASE WHEN EXISTS (SELECT 1 FROM pg_statistic s WHERE s.starelid = c.oid) THEN false
                          ELSE pg_relation_size(c.oid) >= %s END""",
            [list(tables), min_bytes],
        )
        return [table for (table,) in cursor.fetchall()]

    def estimated_count(self, cursor, table):
        """The planner's row estimate for `table` (pg_class.reltuples), or None
        where there is none: on SQLite, or a table never analysed."""
        if not self.is_postgres:
            return None
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE oid = to_regclass(%s)", [table])
        row = cursor.fetchone()
        if row is None or row[0] is None or row[0] < 0:
            return None
        return int(row[0])

    def storage_bytes(self, cursor, table):
        """Bytes `table` takes on disk with its indexes and TOAST, or None on SQLite (one file for all tables)."""
        if not self.is_postgres:
            return None
        cursor.execute("SELECT pg_total_relation_size(to_regclass(%s))", [table])
        return cursor.fetchone()[0]

    # -- bulk loads -----------------------------------------------------------------------------------
    def drop_secondary_structures(self, cursor, tables) -> list[str]:
        """Set aside what a bulk load into `tables` would maintain row by row:
        drop their foreign keys, unique constraints and every index but the
        primary key's, and return the DDL that re-creates them (run it, in
        order, once the rows are in).

        Building an index once over millions of rows is several times cheaper
        than maintaining it per row, and adding a foreign key checks every row
        in one set-based query instead of one deferred trigger event per row.
        DDL is transactional in PostgreSQL, so a failed load restores them with
        everything else. Check constraints stay (cheap, per row). Nothing is
        dropped on SQLite, which cannot drop a foreign key (and loads little)."""
        if not self.is_postgres:
            return []
        tables = list(tables)
        cursor.execute("""
            SELECT t.relname, c.conname, c.contype, pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            WHERE c.contype IN ('f', 'u') AND t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace
            ORDER BY t.relname, c.conname""", [tables])
        constraints = cursor.fetchall()
        # Indexes of constraints go with their constraint; the primary keys stay (foreign keys lean on them).
        cursor.execute("""
            SELECT ix.relname, pg_get_indexdef(ix.oid)
            FROM pg_index i JOIN pg_class ix ON ix.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
            WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace AND NOT i.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            ORDER BY ix.relname""", [tables])
        indexes = cursor.fetchall()
        foreign_keys = [(table, name, definition) for table, name, kind, definition in constraints if kind == "f"]
        unique = [(table, name, definition) for table, name, kind, definition in constraints if kind == "u"]
        # Foreign keys first: one may lean on a unique constraint.
        for table, name, _ in foreign_keys + unique:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        return (
            [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for table, name, definition in unique]
            + [definition for _, definition in indexes]
            + [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for table, name, definition in foreign_keys]
        )


def sqlite_fingerprint(*values):
    """`Dialect.fingerprint` on SQLite: 64 bits of a row's values, with their types."""
    digest = hashlib.blake2b(digest_size=8)
    for value in values:
        digest.update(f"{type(value).__name__}:{value!r}\x1f".encode())
    return int.from_bytes(digest.digest(), "big", signed=True)


class SqliteBitXor:
    """`Dialect.bit_xor` on SQLite: an aggregate XOR of integers, NULLs skipped."""

    def __init__(self):
        self.value = 0

    def step(self, value):
        if value is not None:
            self.value ^= value

    def finalize(self):
        return self.value
