"""Kills leave nothing behind: a chain-sized seed_ods on PostgreSQL, killed (SIGKILL or SIGTERM) while its
forked helpers run, leaves no process, no lock and no change behind; the ODS is readable again at once.

The seeds run as real commands in subprocesses on a database of their own (the test database's
transaction would hide their commits).
"""
import signal
import subprocess
import time

import psutil
import psycopg
import pytest
from django.db import connection

from fitness.core.tables import ods_models
from fitness.core.writer_lock import LOCK_NAMESPACE, WRITER_KEY
from tests.commands.scratch_db import manage, scratch_database, server_dsn

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="forked helpers run only on PostgreSQL loads (COPY)")

# A chain-sized run long enough to reach the forked phase: 50,000 members (member rows drawn beside the
# simulation) over 10 days (the visit stream in a worker).
CHAIN_SEED = ["seed_ods", "--profile", "chain", "--days", "10", "--seed", "7", "--end-date", "2025-01-01"]
RUNS = {
    "new": CHAIN_SEED[:-4] + ["--seed", "8", "--end-date", "2025-02-01", "--flush"],
    "append": ["seed_ods", "--days", "10", "--append"],
}
SETTLE_SECONDS = 10


@pytest.fixture(scope="module")
def chain_db():
    """A database of its own holding a 10-day chain seed."""
    with scratch_database("kills", CHAIN_SEED) as name:
        yield name


def table_counts(watch):
    return {model._meta.db_table: watch.execute(f'SELECT count(*) FROM "{model._meta.db_table}"').fetchone()[0]
            for model in ods_models()}


def others_on(watch):
    """(pid, state, lock count) of every other session on the database."""
    return watch.execute(
        "SELECT a.pid, a.state, (SELECT count(*) FROM pg_locks l WHERE l.pid = a.pid) FROM pg_stat_activity a "
        "WHERE a.datname = current_database() AND a.pid <> pg_backend_pid()").fetchall()


def forked_helpers(process, timeout=180):
    """The seed's forked helper processes, once it has started at least one."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert process.poll() is None, "the seed finished before it forked a helper"
        children = psutil.Process(process.pid).children()
        if children:
            time.sleep(1)  # into the helpers' work, the parent's COPY under way
            return psutil.Process(process.pid).children()
        time.sleep(0.1)
    raise AssertionError("the seed forked no helper in time")


def alive(processes):
    def running(p):
        try:
            return p.status() != psutil.STATUS_ZOMBIE
        except psutil.NoSuchProcess:
            return False
    return [p.pid for p in processes if running(p)]


def settled(check, seconds=SETTLE_SECONDS):
    """check() at once true, or within `seconds`; its last value."""
    deadline = time.monotonic() + seconds
    while True:
        value = check()
        if not value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


@pytest.mark.parametrize("run", ["new", "append"])
@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
def test_a_killed_seed_leaves_no_process_lock_or_change(chain_db, run, signum):
    with psycopg.connect(server_dsn(chain_db), autocommit=True) as watch:
        before = table_counts(watch)
        seed = manage(chain_db, *RUNS[run], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            helpers = forked_helpers(seed)
            seed.send_signal(signum)
            _, err = seed.communicate(timeout=60)
        finally:
            if seed.poll() is None:
                seed.kill()
        if signum == signal.SIGTERM:
            assert seed.returncode == 130 and "Interrupted: nothing was changed." in err
        else:
            assert seed.returncode == -signal.SIGKILL
        assert settled(lambda: alive(helpers)) == []
        assert settled(lambda: others_on(watch)) == []
        assert table_counts(watch) == before
        # Writable again at once: the writer lock is free.
        assert watch.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, WRITER_KEY]).fetchone()[0]
        watch.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, WRITER_KEY])
