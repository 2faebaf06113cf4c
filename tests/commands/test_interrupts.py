"""Ctrl-C (and SIGTERM) of check_ods and build_warehouse cancels their queries in the server, the worker
threads' included, and ends with a one-line message and exit 130, nothing half-saved.

To have a query that runs until cancelled, another session holds an ACCESS EXCLUSIVE lock on a table the
command reads: the command's query waits on it, in the server, until it is cancelled.
"""
import signal
import subprocess
import time

import psycopg
import pytest
from django.db import connection

from tests.commands.scratch_db import manage, run, scratch_database, server_dsn

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="cancelling server-side queries is a PostgreSQL matter")

WAIT_SECONDS = 60


@pytest.fixture(scope="module")
def small_db():
    with scratch_database("interrupts", ["seed_ods", "--profile", "small", "--days", "3", "--seed", "3"]) as name:
        # Planner statistics in place: the next runs go straight to the rules. (A 3-day small chain may miss
        # a statistical rule such as V4's peak share: exit 1 is fine here.)
        run(name, "check_ods", "--no-profile", codes=(0, 1))
        yield name


def waiting_on_locks(watch):
    return watch.execute(
        "SELECT pid, left(query, 80) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()").fetchall()


def count(watch, table, where=""):
    return watch.execute(f"SELECT count(*) FROM {table} {where}").fetchone()[0]


def interrupt_while_blocked(dbname, table, command, signum):
    """Run `command` while `table` is locked; once its query waits on the lock, send `signum`. Returns
    (exit code, stderr, seconds to exit after the signal, sessions still waiting on locks afterwards)."""
    with psycopg.connect(server_dsn(dbname)) as blocker, psycopg.connect(server_dsn(dbname), autocommit=True) as watch:
        blocker.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
        process = manage(dbname, *command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + WAIT_SECONDS
            while not waiting_on_locks(watch):
                assert process.poll() is None and time.monotonic() < deadline, "the command never reached the lock"
                time.sleep(0.1)
            time.sleep(0.5)  # every worker at its query
            signalled = time.monotonic()
            process.send_signal(signum)
            _, err = process.communicate(timeout=30)
            seconds = time.monotonic() - signalled
        finally:
            if process.poll() is None:
                process.kill()
        still_waiting = waiting_on_locks(watch)
        blocker.rollback()
    return process.returncode, err, seconds, still_waiting


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl-C", "SIGTERM"])
def test_an_interrupted_check_ods_cancels_its_workers_queries(small_db, signum):
    with psycopg.connect(server_dsn(small_db), autocommit=True) as watch:
        runs_before = count(watch, "ods_quality_run")
    # memberaccess is read by rules run in the worker threads, each on its own connection.
    code, err, seconds, still_waiting = interrupt_while_blocked(small_db, "memberaccess", ["check_ods"], signum)
    assert code == 130 and err.strip().endswith("Interrupted: no run was saved."), err
    assert seconds < 10
    assert still_waiting == []
    with psycopg.connect(server_dsn(small_db), autocommit=True) as watch:
        assert count(watch, "ods_quality_run") == runs_before


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl-C", "SIGTERM"])
def test_an_interrupted_build_warehouse_cancels_its_query_and_records_the_batch_failed(small_db, signum):
    code, err, seconds, still_waiting = interrupt_while_blocked(
        small_db, "members", ["build_warehouse", "--full"], signum)
    assert code == 130 and "Interrupted: see `build_warehouse --status`" in err, err
    assert "Traceback" not in err
    assert seconds < 10
    assert still_waiting == []
    with psycopg.connect(server_dsn(small_db), autocommit=True) as watch:
        assert count(watch, "etl_batch", "WHERE status = 'running'") == 0
        assert count(watch, "etl_batch", "WHERE status = 'failed'") >= 1
        assert count(watch, "dim_member") == 0  # the batch's rows were rolled back


@pytest.fixture(scope="module")
def export_of_small_db(small_db, tmp_path_factory):
    directory = tmp_path_factory.mktemp("small_export")
    run(small_db, "export_ods", str(directory))
    return directory


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl-C", "SIGTERM"])
def test_an_interrupted_import_ods_cancels_its_load_and_imports_nothing(export_of_small_db, signum):
    with scratch_database("interrupted_import") as empty_db:
        code, err, seconds, still_waiting = interrupt_while_blocked(
            empty_db, "memberpayments", ["import_ods", str(export_of_small_db)], signum)
        assert code == 130 and err.strip().endswith("Interrupted: nothing was imported."), err
        assert seconds < 10
        assert still_waiting == []
        with psycopg.connect(server_dsn(empty_db), autocommit=True) as watch:
            assert count(watch, "members") == 0


@pytest.mark.django_db
def test_sessions_watch_for_a_gone_client():
    """A killed command's running statement stops within a second (fitness.apps.check_for_a_gone_client)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW client_connection_check_interval")
        assert cursor.fetchone()[0] == "1s"
