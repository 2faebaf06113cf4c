"""seed_ods on a real database: rules, determinism, refusal, flush, append,
CSV round trip through the admin resources, interruption, summary."""
import datetime as dt
import importlib
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import tablib
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from fitness.core.dialect import Dialect
from fitness.quality.report import run_checks
from fitness.seeding import run as seeding_run
from fitness.seeding.classes_sim import ClassStream
from fitness.seeding.run import SeedError, seed_ods
from fitness.core.tables import LOAD_ORDER, model_for, models_by_table

END = dt.date(2025, 3, 12)  # a window across the US DST switch (2025-03-09)
SMALL = {"profile": "small", "members": 80, "end_date": END}

pytestmark = pytest.mark.django_db


def table_dump():
    """Every ODS row of every table, ordered by primary key."""
    dump = {}
    with connection.cursor() as cursor:
        for table, model in models_by_table().items():
            cursor.execute(f"SELECT * FROM {table} ORDER BY {model._meta.pk.column}")
            dump[table] = cursor.fetchall()
    return dump


def counts():
    return {table: model.objects.count() for table, model in models_by_table().items()}


def failed_checks(result):
    return {c["id"]: c["count"] for c in result["checks"] if c["status"] != "pass"}


def test_seed_fills_all_tables_and_obeys_every_rule():
    result = seed_ods(days=20, seed=7, **SMALL)
    assert set(result.rows) == set(LOAD_ORDER)
    empty = [table for table, n in counts().items() if n == 0]  # reviews too: their history comes with any run
    assert empty == []
    report = run_checks(save=False, profile=False)
    assert failed_checks(report) == {}
    assert report["success"]


def test_same_seed_same_rows_other_seed_other_rows():
    seed_ods(days=5, seed=11, **SMALL)
    first = table_dump()
    seed_ods(days=5, seed=11, flush=True, **SMALL)
    assert table_dump() == first
    seed_ods(days=5, seed=12, flush=True, **SMALL)
    other = table_dump()
    assert other["memberaccess"] != first["memberaccess"]
    assert other["members"] != first["members"]


def test_refuses_existing_data_without_flush_or_append():
    seed_ods(days=3, seed=5, **SMALL)
    before = counts()
    with pytest.raises(SeedError, match="already holds data.*--flush.*--append"):
        seed_ods(days=3, seed=6, **SMALL)
    assert counts() == before


def test_flush_replaces_the_data():
    seed_ods(days=3, seed=5, **SMALL)
    seed_ods(days=4, seed=6, flush=True, **SMALL)
    from fitness.models import SeedRun

    assert SeedRun.objects.count() == 1
    assert SeedRun.objects.get().seed == 6
    days = {d.isoformat() for d in (END - dt.timedelta(days=k) for k in range(1, 5))}
    seen = {str(row[0]) for row in model_for("staffschedules").objects.values_list("schedule_date").distinct()}
    assert seen <= days and seen


def test_append_continues_without_duplicates_or_rule_breaks():
    seed_ods(days=6, seed=3, end_date=END - dt.timedelta(days=6), profile="small", members=80)
    first_counts = counts()
    result = seed_ods(end_date=END, append=True)
    assert result.window_start == END - dt.timedelta(days=6)
    after = counts()
    assert after["memberaccess"] > first_counts["memberaccess"]
    assert after["facilities"] == first_counts["facilities"]  # master data not written twice
    report = run_checks(save=False, profile=False, as_of=END, days=12)
    assert failed_checks(report) == {}


def test_append_records_member_status_changes_as_of_the_new_end_date():
    seed_ods(days=6, seed=3, end_date=END - dt.timedelta(days=45), profile="small", members=80)
    before = dict(model_for("members").objects.values_list("member_id", "member_status"))
    seed_ods(end_date=END, append=True)
    recorded = timezone.make_aware(dt.datetime.combine(END, dt.time()))
    after = {m.member_id: m for m in model_for("members").objects.all()}
    changed = [member_id for member_id, status in before.items() if after[member_id].member_status != status]
    assert changed  # 45 days on, some memberships have run out
    assert {after[member_id].last_modified for member_id in changed} == {recorded}
    unchanged = [member_id for member_id in before if member_id not in changed]
    assert all(after[member_id].last_modified < recorded for member_id in unchanged)


def test_append_days_counts_from_the_last_runs_end():
    seed_ods(days=3, seed=3, end_date=END - dt.timedelta(days=10), profile="small", members=80)
    result = seed_ods(days=4, append=True)
    assert (result.window_start, result.window_end) == (END - dt.timedelta(days=10), END - dt.timedelta(days=6))
    before = counts()
    with pytest.raises(SeedError, match=r"4 more days end on .*not on --end-date.*one of --days and --end-date"):
        seed_ods(days=4, end_date=END, append=True)
    assert counts() == before


def test_append_needs_a_previous_run():
    with pytest.raises(SeedError, match="previous seed_ods run"):
        seed_ods(end_date=END, append=True)


def test_interrupted_seed_leaves_nothing(monkeypatch):
    calls = {"n": 0}
    original = ClassStream.simulate_day

    def fail_half_way(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ClassStream, "simulate_day", fail_half_way)
    with pytest.raises(KeyboardInterrupt):
        seed_ods(days=5, seed=9, **SMALL)
    assert set(counts().values()) == {0}


def test_command_says_an_interrupted_seed_changed_nothing(monkeypatch):
    seed_ods(days=2, seed=9, **SMALL)
    before = table_dump()

    def interrupted(self, *args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(ClassStream, "simulate_day", interrupted)
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("seed_ods", "--days", "3", "--flush", "--profile", "small", "--members", "80",
                     "--end-date", END.isoformat(), stderr=err)
    assert exit_info.value.code == 130
    assert "Interrupted: nothing was changed." in err.getvalue()
    assert table_dump() == before


def test_csv_files_import_back_through_the_admin_resources(tmp_path):
    seed_ods(days=2, seed=4, csv_dir=tmp_path, profile="small", members=30, end_date=END)
    before = table_dump()
    seeding_run.flush_ods()
    assert set(counts().values()) == {0}
    for table in LOAD_ORDER:
        model = model_for(table)
        resources = importlib.import_module(model.__module__.replace(".models", ".resources"))
        resource = getattr(resources, f"{model.__name__}Resource")()
        dataset = tablib.Dataset().load((tmp_path / f"{table}.csv").read_text(encoding="utf-8"), format="csv")
        outcome = resource.import_data(dataset, dry_run=False, raise_errors=True, use_transactions=False)
        assert not outcome.has_errors()
    assert counts() == {table: len(rows) for table, rows in before.items()}


def test_command_prints_seed_and_summary():
    out = io.StringIO()
    call_command("seed_ods", "--days", "2", "--profile", "small", "--members", "40", "--end-date", "2025-03-12",
                 stdout=out)
    text = out.getvalue()
    assert "seed: " in text and "pass --seed" in text
    assert "memberaccess" in text and "peak memory" in text and "total" in text


def seed_in_a_fresh_sqlite_database(tmp_path, csv_dir):
    """The same seed_ods run in another process, on a new SQLite file."""
    root = Path(settings.BASE_DIR)
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{tmp_path / 'other.sqlite3'}", PYTHONHASHSEED="3")
    for args in (["migrate", "-v0"],
                 ["seed_ods", "--days", "20", "--seed", "21", "--profile", "small", "--members", "60",
                  "--end-date", END.isoformat(), "--csv-dir", str(csv_dir)]):
        result = subprocess.run([sys.executable, str(root / "manage.py"), *args], cwd=root, env=env,
                                capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr


@pytest.mark.skipif(not Dialect.current().is_postgres, reason="compares a PostgreSQL seed with a SQLite one")
def test_same_seed_gives_identical_rows_on_postgresql_and_sqlite(tmp_path):
    seed_ods(days=20, seed=21, profile="small", members=60, end_date=END, csv_dir=tmp_path / "postgresql")
    seed_in_a_fresh_sqlite_database(tmp_path, tmp_path / "sqlite")
    for table in LOAD_ORDER:
        ours = (tmp_path / "postgresql" / f"{table}.csv").read_text(encoding="utf-8")
        theirs = (tmp_path / "sqlite" / f"{table}.csv").read_text(encoding="utf-8")
        assert ours.count("\n") > 1 or table == "instructorperformance", table
        assert ours == theirs, f"{table} differs between PostgreSQL and SQLite"
