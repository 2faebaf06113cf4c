"""The window defaults and the SQL fragments that differ between SQLite and
PostgreSQL, run on the test database."""
import datetime as dt

from django.db import connection

from fitness.models import SeedRun
from fitness.quality.context import resolve_context


def scalar(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or {})
        return cursor.fetchone()[0]


def as_text(value):
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def test_add_months_clamps_to_month_end(db):
    dialect = resolve_context(as_of=dt.date(2024, 3, 1)).dialect
    for start, months, expected in (("2024-01-31", 1, "2024-02-29"), ("2023-01-31", 1, "2023-02-28"),
                                    ("2024-02-29", 12, "2025-02-28"), ("2024-05-15", 12, "2025-05-15"),
                                    ("2024-12-20", 1, "2025-01-20")):
        sql = f"SELECT {dialect.add_months(dialect.date_param('d'), '%(n)s')}"
        assert as_text(scalar(sql, {"d": dt.date.fromisoformat(start), "n": months})) == expected


def test_local_date_and_weekday_follow_the_time_zone(db, valid_dataset):
    dialect = resolve_context(as_of=dt.date(2024, 3, 1)).dialect
    # ACC00000002 checks out at 19:30 New York time = 00:30 UTC the next day.
    day = scalar(f"SELECT {dialect.local_date('checkouttime')} FROM memberaccess WHERE accessid = 'ACC00000002'")
    assert as_text(day) == "2024-02-20"
    hour = scalar(f"SELECT {dialect.local_hour('checkouttime')} FROM memberaccess WHERE accessid = 'ACC00000002'")
    assert hour == 19
    assert scalar(f"SELECT {dialect.iso_weekday(dialect.date_param('d'))}", {"d": dt.date(2024, 2, 25)}) == 7
    assert as_text(scalar(f"SELECT {dialect.week_start(dialect.date_param('d'))}", {"d": dt.date(2024, 2, 25)})) == "2024-02-19"


def test_window_defaults_to_latest_seed_run(db):
    SeedRun.objects.create(mode="create", seed=1, profile="tiny", window_start=dt.date(2024, 1, 1),
                           window_end=dt.date(2024, 2, 1))
    ctx = resolve_context()
    assert (ctx.window_start, ctx.as_of, ctx.window_source) == (dt.date(2024, 1, 1), dt.date(2024, 2, 1), "seed run")
    ctx = resolve_context(days=7)
    assert (ctx.window_start, ctx.as_of) == (dt.date(2024, 1, 25), dt.date(2024, 2, 1))


def test_window_without_seed_run_covers_all_data(valid_dataset):
    ctx = resolve_context(as_of=dt.date(2024, 3, 1))
    # the earliest event in the data is payment PAY00000005 (2023-03-01)
    assert (ctx.window_start, ctx.window_source) == (dt.date(2023, 3, 1), "all data")
