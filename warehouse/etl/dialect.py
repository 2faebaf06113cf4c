"""The few SQL spellings that differ between PostgreSQL and SQLite.

Everything else in the loaders is plain SQL both accept (INSERT ... SELECT,
UPDATE ... FROM, window functions, CREATE TEMP TABLE ... AS).

ODS timestamps are stored in UTC; the warehouse files events under the
*local* date and hour of the project's TIME_ZONE (opening hours are local).
On SQLite the conversion uses the functions Django registers on every
connection (django_datetime_cast_date / django_datetime_extract), so the ETL
must run through Django's connection, as it does.

Change detection (see changes.py) hashes source rows: on PostgreSQL with
`hash_record_extended` and `bit_xor` (PostgreSQL 14 or later), on SQLite with
two functions registered on the connection at the start of each batch
(`register_functions`).
"""
import hashlib
from dataclasses import dataclass


def sql_literal(text):
    return "'" + str(text).replace("'", "''") + "'"


@dataclass(frozen=True)
class Dialect:
    vendor: str
    time_zone: str

    @property
    def is_postgres(self):
        return self.vendor == "postgresql"

    def local_date(self, ts):
        tz = sql_literal(self.time_zone)
        if self.is_postgres:
            return f"CAST(({ts}) AT TIME ZONE {tz} AS DATE)"
        return f"django_datetime_cast_date({ts}, {tz}, 'UTC')"

    def local_hour(self, ts):
        tz = sql_literal(self.time_zone)
        if self.is_postgres:
            return f"CAST(date_part('hour', ({ts}) AT TIME ZONE {tz}) AS INTEGER)"
        return f"django_datetime_extract('hour', {ts}, {tz}, 'UTC')"

    def time_hour(self, time_col):
        """Hour of a TIME column (already local wall-clock time)."""
        if self.is_postgres:
            return f"CAST(date_part('hour', {time_col}) AS INTEGER)"
        return f"CAST(substr({time_col}, 1, 2) AS INTEGER)"

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

    def hours_between_times(self, start, end):
        if self.is_postgres:
            return f"CAST(EXTRACT(EPOCH FROM ({end} - {start})) / 3600.0 AS NUMERIC)"
        return f"((julianday({end}) - julianday({start})) * 24.0)"

    def distinct(self, left, right):
        """NULL-safe 'differs'."""
        if self.is_postgres:
            return f"{left} IS DISTINCT FROM {right}"
        return f"{left} IS NOT {right}"

    def materialize(self):
        """Suffix keeping a derived table from being flattened into the outer
        query, so expensive per-row expressions (time-zone conversion) run
        once per row instead of once per reference."""
        return " OFFSET 0" if self.is_postgres else " LIMIT -1 OFFSET 0"

    def date_literal(self, day):
        text = sql_literal(day.isoformat() if hasattr(day, "isoformat") else day)
        return f"DATE {text}" if self.is_postgres else text

    def least(self, left, right):
        return f"LEAST({left}, {right})" if self.is_postgres else f"MIN({left}, {right})"

    def day_serial(self, date_expr):
        """Days since 1970-01-01 of a DATE expression (day arithmetic as integers)."""
        if self.is_postgres:
            return f"({date_expr} - DATE '1970-01-01')"
        return f"CAST(julianday({date_expr}) - 2440587.5 AS INTEGER)"

    def day_before(self, date_expr):
        """The day before a DATE expression, comparable with a UTC timestamp
        column: a local date D starts after UTC midnight of D - 1 in any zone."""
        if self.is_postgres:
            return f"({date_expr} - 1)"
        return f"date({date_expr}, '-1 day')"

    def fingerprint(self, columns):
        """64-bit hash of a row's values (binary, so independent of the
        session's time zone and date style)."""
        if self.is_postgres:
            return f"hash_record_extended(ROW({', '.join(columns)}), 0)"
        return f"wh_fingerprint({', '.join(columns)})"

    def bit_xor(self, expr):
        """Aggregate XOR: the digest of a set of fingerprints (order-free)."""
        return f"bit_xor({expr})" if self.is_postgres else f"wh_bit_xor({expr})"

    def key_bucket(self, key):
        """A natural key without its last three characters: ids numbered in
        sequence (MEM000123) fall into buckets of a thousand neighbours, so
        new rows land in new buckets and an edit dirties one bucket."""
        if self.is_postgres:
            return f"left({key}, -3)"
        return f"substr({key}, 1, length({key}) - 3)"

    def hash_aggregate(self, ctx, sql, params=None):
        """Run a GROUP BY over millions of rows into few groups. PostgreSQL
        cannot estimate the groups of an expression and would sort all rows
        (spilling to disk); hashing them is several times faster."""
        if not self.is_postgres:
            return ctx.execute(sql, params)
        ctx.execute("SET LOCAL enable_sort = off")
        rows = ctx.execute(sql, params)
        ctx.execute("SET LOCAL enable_sort = on")  # (a failure rolls the setting back with the batch)
        return rows


def sqlite_fingerprint(*values):
    digest = hashlib.blake2b(digest_size=8)
    for value in values:
        digest.update(f"{type(value).__name__}:{value!r}\x1f".encode())
    return int.from_bytes(digest.digest(), "big", signed=True)


class SqliteBitXor:
    def __init__(self):
        self.value = 0

    def step(self, value):
        if value is not None:
            self.value ^= value

    def finalize(self):
        return self.value


def register_functions(connection):
    """SQLite has no hash function: give this connection ours."""
    if connection.vendor != "sqlite":
        return
    connection.ensure_connection()
    raw = connection.connection
    raw.create_function("wh_fingerprint", -1, sqlite_fingerprint, deterministic=True)
    raw.create_aggregate("wh_bit_xor", 1, SqliteBitXor)


def dialect_for(connection):
    from django.conf import settings

    return Dialect(vendor=connection.vendor, time_zone=settings.TIME_ZONE)
