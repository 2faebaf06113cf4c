"""The forked helpers of large PostgreSQL runs (the visit worker, and the
process drawing the starting members' rows) give exactly the rows of the
in-process path, and any failure of them fails the seed and leaves nothing
behind."""
import datetime as dt
import os

import pytest
from django.db import DatabaseError, connection

from fitness.core.dialect import Dialect
from fitness.quality.report import run_checks
from fitness.seeding import forked, visit_worker
from fitness.seeding import engine
from fitness.seeding.run import seed_ods
from fitness.seeding.visit_worker import VisitWorkerError
from fitness.seeding.visits_sim import VisitStream
from tests.seeding.test_loader import add_a_bad_visit_each_day
from tests.seeding.test_seed_ods import counts, table_dump

END = dt.date(2025, 3, 12)
SMALL = {"profile": "small", "members": 80, "end_date": END}

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not Dialect.current().is_postgres, reason="the visit worker feeds PostgreSQL's COPY"),
]


def use_forks(monkeypatch, wanted):
    monkeypatch.setattr(visit_worker, "WORKER_MIN_MEMBER_DAYS", 0 if wanted else 10**12)
    monkeypatch.setattr(forked, "MEMBER_ROWS_MIN_MEMBERS", 0 if wanted else 10**12)


@pytest.fixture
def worker_always(monkeypatch):
    use_forks(monkeypatch, True)


def seeded_with_worker(monkeypatch, wanted, **options):
    use_forks(monkeypatch, wanted)
    return seed_ods(**options)


def test_worker_gives_the_rows_of_the_in_process_stream(monkeypatch):
    inline = seeded_with_worker(monkeypatch, False, days=12, seed=31, **SMALL)
    inline_rows = table_dump()
    worker = seeded_with_worker(monkeypatch, True, days=12, seed=31, flush=True, **SMALL)
    assert table_dump() == inline_rows
    assert worker.rows == inline.rows and worker.rows["memberaccess"] > 60
    assert worker.stream_seconds["visits"] > 0


def test_worker_seed_obeys_every_rule_and_append_continues_it(worker_always):
    seed_ods(days=10, seed=32, profile="small", members=80, end_date=END - dt.timedelta(days=5))
    seed_ods(end_date=END, append=True)
    report = run_checks()
    assert {c["id"]: c["count"] for c in report["checks"] if c["status"] != "pass"} == {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(DISTINCT accessid), max(checkintime) FROM memberaccess")
        rows, distinct, latest = cursor.fetchone()
    assert rows == distinct
    assert latest.date() >= END - dt.timedelta(days=1)


def test_a_failing_worker_fails_the_seed_with_its_traceback_and_leaves_nothing(worker_always, monkeypatch):
    def broken(self, day, clock, roster, comers, booked):
        raise ZeroDivisionError("simulated bug in the visit stream")

    monkeypatch.setattr(VisitStream, "simulate_day", broken)
    with pytest.raises(VisitWorkerError, match="ZeroDivisionError: simulated bug"):
        seed_ods(days=4, seed=33, **SMALL)
    assert set(counts().values()) == {0}


def test_a_failing_member_rows_process_fails_the_seed_and_leaves_nothing(worker_always, monkeypatch):
    def broken(planned, as_of, seed):
        raise LookupError("no names left")

    monkeypatch.setattr(engine, "starting_member_rows", broken)
    with pytest.raises(RuntimeError, match=r"(?s)member rows process failed.*LookupError: no names left"):
        seed_ods(days=3, seed=36, **SMALL)
    assert set(counts().values()) == {0}


def test_a_worker_that_dies_fails_the_seed_and_leaves_nothing(worker_always, monkeypatch):
    original = VisitStream.simulate_day

    def dies_on_the_third_day(self, day, clock, roster, comers, booked):
        if day == END - dt.timedelta(days=2):
            os._exit(9)  # as if killed: no message to the parent
        original(self, day, clock, roster, comers, booked)

    monkeypatch.setattr(VisitStream, "simulate_day", dies_on_the_third_day)
    with pytest.raises(VisitWorkerError, match="stopped unexpectedly"):
        seed_ods(days=4, seed=34, **SMALL)
    assert set(counts().values()) == {0}


def test_rows_the_database_refuses_from_the_worker_fail_the_seed(worker_always, monkeypatch):
    add_a_bad_visit_each_day(monkeypatch)
    with pytest.raises(DatabaseError, match="duration"):
        seed_ods(days=3, seed=35, **SMALL)
    assert set(counts().values()) == {0}


def test_an_interrupted_seed_ends_its_processes_and_leaves_nothing(worker_always, monkeypatch):
    import multiprocessing

    from fitness.seeding.classes_sim import ClassStream

    calls = {"n": 0}
    original = ClassStream.simulate_day

    def interrupted_on_the_third_day(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            assert multiprocessing.active_children()  # the visit worker at least (member rows may be done)
            raise KeyboardInterrupt
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ClassStream, "simulate_day", interrupted_on_the_third_day)
    with pytest.raises(KeyboardInterrupt):
        seed_ods(days=5, seed=37, **SMALL)
    assert multiprocessing.active_children() == []
    assert set(counts().values()) == {0}
