"""The one Dialect, run on the test database: each fragment gives the same
value on SQLite and PostgreSQL, and the bulk-load helpers put back exactly
what they set aside."""
import dataclasses
import datetime as dt

import pytest
from django.conf import settings
from django.db import connection, connections

from facilities.factories import FacilityAreaFactory
from fitness.core.dialect import Dialect
from fitness.core.tables import LOAD_ORDER, models_by_table

pytestmark = pytest.mark.django_db

IS_POSTGRES = Dialect.current().is_postgres
ONLY_POSTGRES = pytest.mark.skipif(not IS_POSTGRES, reason="PostgreSQL sets indexes aside; SQLite does not")
ONLY_SQLITE = pytest.mark.skipif(IS_POSTGRES, reason="what SQLite does instead")
# The ETL sets aside the keys of its facts and of its visit counts.
WAREHOUSE_TABLES = ("fact_visit", "fact_payment", "etl_member_visits")


@pytest.fixture
def dialect():
    return dataclasses.replace(Dialect.current(), time_zone="America/New_York")


def scalar(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})
        return cursor.fetchone()[0]


def as_text(value):
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def stored_timestamp(value):
    """An aware timestamp as the database stores it (timestamptz; UTC text on SQLite)."""
    return connection.ops.adapt_datetimefield_value(value)


def stored_time(value):
    return connection.ops.adapt_timefield_value(value)


# -- SQL fragments --------------------------------------------------------------------------------

def test_the_current_dialect_is_the_default_databases_in_the_projects_zone():
    assert Dialect.current() == Dialect.for_connection(connections["default"])
    assert Dialect.current().time_zone == settings.TIME_ZONE
    assert Dialect.current().supports_copy is IS_POSTGRES


def test_add_months_clamps_to_month_end(dialect):
    for start, months, expected in (("2024-01-31", 1, "2024-02-29"), ("2023-01-31", 1, "2023-02-28"),
                                    ("2024-02-29", 12, "2025-02-28"), ("2024-05-15", 12, "2025-05-15"),
                                    ("2024-12-20", 1, "2025-01-20")):
        sql = f"SELECT {dialect.add_months(dialect.date_param('d'), '%(n)s')}"
        assert as_text(scalar(sql, {"d": dt.date.fromisoformat(start), "n": months})) == expected


def test_local_date_and_hour_follow_the_time_zone(dialect):
    # 19:30 New York time = 00:30 UTC the next day.
    params = {"t": stored_timestamp(dt.datetime(2024, 2, 21, 0, 30, tzinfo=dt.timezone.utc))}
    assert as_text(scalar(f"SELECT {dialect.local_date('%(t)s')}", params)) == "2024-02-20"
    assert scalar(f"SELECT {dialect.local_hour('%(t)s')}", params) == 19
    # The parts of a local datetime computed once are the same values.
    local = dialect.local_datetime("%(t)s")
    assert as_text(scalar(f"SELECT {dialect.date_of(local)}", params)) == "2024-02-20"
    assert scalar(f"SELECT {dialect.hour_of(local)}", params) == 19
    assert as_text(scalar(f"SELECT {dialect.time_of(local)}", params)) == "19:30:00"


def test_weekday_and_week_start(dialect):
    assert scalar(f"SELECT {dialect.iso_weekday(dialect.date_param('d'))}", {"d": dt.date(2024, 2, 25)}) == 7
    assert as_text(scalar(f"SELECT {dialect.week_start(dialect.date_param('d'))}", {"d": dt.date(2024, 2, 25)})) == "2024-02-19"


@pytest.mark.parametrize("day, quarter", [
    (dt.date(2024, 1, 1), 2024 * 4), (dt.date(2024, 3, 31), 2024 * 4), (dt.date(2024, 4, 1), 2024 * 4 + 1),
    (dt.date(2024, 12, 31), 2024 * 4 + 3), (dt.date(2025, 1, 1), 2025 * 4),
])
def test_quarter_serial_counts_calendar_quarters(dialect, day, quarter):
    assert scalar(f"SELECT {dialect.quarter_serial(dialect.date_param('d'))}", {"d": day}) == quarter


def test_hours_between_times_and_hour_of_a_time(dialect):
    params = {"a": stored_time(dt.time(8, 0)), "b": stored_time(dt.time(17, 30))}
    assert round(float(scalar(f"SELECT {dialect.hours_between_times('%(a)s', '%(b)s')}", params)), 6) == 9.5
    assert scalar(f"SELECT {dialect.hour_of_time('%(b)s')}", params) == 17


def test_date_key_and_day_serial(dialect):
    assert scalar(f"SELECT {dialect.date_key(dialect.date_param('d'))}", {"d": dt.date(2024, 2, 25)}) == 20240225
    assert scalar(f"SELECT {dialect.day_serial(dialect.date_param('d'))}", {"d": dt.date(1970, 1, 11)}) == 10


def test_computed_once_closes_a_subquery_on_both_databases(dialect):
    assert scalar(f"SELECT s.x * 2 FROM (SELECT 21 AS x{dialect.computed_once()}) AS s") == 42


def test_distinct_is_null_safe(dialect):
    def differs(left, right):
        return scalar(f"SELECT CASE WHEN {dialect.distinct(left, right)} THEN 1 ELSE 0 END")

    assert (differs("NULL", "NULL"), differs("1", "NULL"), differs("1", "1"), differs("1", "2")) == (0, 1, 0, 1)


def test_fingerprints_tell_rows_apart_and_xor_into_an_order_free_digest(dialect):
    dialect.install_functions(connection)

    def fingerprint(*values):
        return scalar(f"SELECT {dialect.fingerprint(values)}")

    same = fingerprint("1", "CAST('a' AS TEXT)")
    assert same == fingerprint("1", "CAST('a' AS TEXT)")
    assert same != fingerprint("2", "CAST('a' AS TEXT)")
    assert scalar(f"SELECT {dialect.bit_xor('v')} FROM (SELECT 5 AS v UNION ALL SELECT 3) AS t") == 6


# -- whole tables ---------------------------------------------------------------------------------

def test_empty_tables_empties_tables_written_in_the_same_transaction(dialect):
    # The area's foreign-key check is still pending (deferred): TRUNCATE must not trip over it.
    FacilityAreaFactory()
    with connection.cursor() as cursor:
        dialect.empty_tables(cursor, list(reversed(LOAD_ORDER)))
    assert {table: model.objects.count() for table, model in models_by_table().items()} == dict.fromkeys(LOAD_ORDER, 0)


def test_planner_statistics_and_sizes(dialect):
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE dialect_probe (n integer)")  # new, so never analysed
        cursor.execute("INSERT INTO dialect_probe VALUES (1), (2), (3)")
        unanalysed = dialect.tables_without_statistics(cursor, ["dialect_probe"])
        dialect.analyze(cursor, unanalysed)
        after = dialect.tables_without_statistics(cursor, ["dialect_probe"])
        count = dialect.estimated_count(cursor, "dialect_probe")
        size = dialect.storage_bytes(cursor, "dialect_probe")
    if IS_POSTGRES:
        assert (unanalysed, after, count) == (["dialect_probe"], [], 3)
        assert size > 0
    else:
        assert (unanalysed, after, count, size) == ([], [], None, None)


# -- bulk loads -----------------------------------------------------------------------------------

def secondary_structures(tables):
    """Every index and constraint definition on `tables` (PostgreSQL catalog)."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT 'index', tablename, indexname, indexdef FROM pg_indexes
            WHERE tablename = ANY(%s) AND schemaname = current_schema()
            UNION ALL
            SELECT 'constraint', t.relname, c.conname, c.contype::text || ' ' || pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace""", [tables, tables])
        return sorted(cursor.fetchall())


@ONLY_POSTGRES
@pytest.mark.parametrize("tables", [list(LOAD_ORDER), list(WAREHOUSE_TABLES)], ids=["ods", "warehouse"])
def test_drop_then_rebuild_leaves_exactly_the_indexes_and_keys_there_were(dialect, tables):
    before = secondary_structures(tables)
    with connection.cursor() as cursor:
        rebuild = dialect.drop_secondary_structures(cursor, tables)
        set_aside = secondary_structures(tables)
        for statement in rebuild:
            cursor.execute(statement)
    # Only the primary keys and the check constraints stay during the load.
    primary_keys = {name for kind, _, name, definition in before if kind == "constraint" and definition.startswith("p ")}
    assert {(kind, name) for kind, _, name, definition in set_aside} == {
        (kind, name) for kind, _, name, definition in before
        if name in primary_keys or (kind == "constraint" and definition.startswith("c "))
    }
    unique = [name for kind, _, name, definition in before if kind == "constraint" and definition.startswith("u ")]
    assert len(rebuild) == len(before) - len(set_aside) - len(unique)  # a unique constraint's index comes with it
    assert secondary_structures(tables) == before


@ONLY_POSTGRES
def test_the_ods_sets_aside_its_foreign_keys_and_the_warehouse_its_natural_keys(dialect):
    with connection.cursor() as cursor:
        ods = dialect.drop_secondary_structures(cursor, LOAD_ORDER)
        warehouse = dialect.drop_secondary_structures(cursor, WAREHOUSE_TABLES)
    assert sum("FOREIGN KEY" in statement for statement in ods) == 35
    assert sum(" UNIQUE " in statement for statement in warehouse) == len(WAREHOUSE_TABLES)


@ONLY_SQLITE
def test_sqlite_sets_nothing_aside(dialect):
    def indexes():
        return scalar("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index'")

    before = indexes()
    with connection.cursor() as cursor:
        assert dialect.drop_secondary_structures(cursor, LOAD_ORDER) == []
    assert indexes() == before > 0
