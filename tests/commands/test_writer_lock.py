"""One writer at a time: seed_ods, import_ods and build_warehouse stop at once, naming the running one,
while another holds the database's writer lock; the lock dies with its holder, even under SIGKILL."""
import signal
import subprocess
import sys
import time

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from fitness.core.writer_lock import LOCK_NAMESPACE, WRITER_KEY, lock_path, one_writer
from members.models import Member

pytestmark = pytest.mark.django_db

HOLDER = "seed_ods (pid 4242, started 2026-11-30 09:15:00 EST)"
HOLD_SCRIPT = """
import fcntl, sys, time
handle = open(sys.argv[1], "a+"); fcntl.flock(handle, fcntl.LOCK_EX)
handle.seek(0); handle.truncate(); handle.write(sys.argv[2]); handle.flush()
print("held", flush=True); time.sleep(60)
"""


@pytest.fixture
def lock_held_elsewhere():
    """The writer lock held by another session / process, as a running seed_ods would."""
    if connection.vendor == "postgresql":
        other = connection.get_new_connection(connection.get_connection_params())
        other.autocommit = True
        other.execute("SELECT set_config('application_name', %s, false)", [HOLDER])
        other.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_NAMESPACE, WRITER_KEY])
        yield other.close
        other.close()
    else:
        holder = subprocess.Popen([sys.executable, "-c", HOLD_SCRIPT, str(lock_path(connection)), HOLDER],
                                  stdout=subprocess.PIPE, text=True)
        assert holder.stdout.readline().strip() == "held"
        yield lambda: (holder.send_signal(signal.SIGKILL), holder.wait())
        holder.kill()
        holder.wait()


@pytest.mark.parametrize("command", [
    ["seed_ods", "--days", "1", "--profile", "small", "--flush"],
    ["import_ods", "/nonexistent"],
    ["build_warehouse", "--full"],
])
def test_a_second_writer_stops_at_once_naming_the_first(lock_held_elsewhere, command):
    started = time.monotonic()
    with pytest.raises(CommandError) as refused:
        call_command(*command)
    assert str(refused.value) == f"another {HOLDER} is running on this database; try again when it has finished."
    assert time.monotonic() - started < 5
    assert not Member.objects.exists()


def test_the_lock_dies_with_its_holder(lock_held_elsewhere):
    with pytest.raises(CommandError, match="another seed_ods"):
        call_command("import_ods", "/nonexistent")
    release = lock_held_elsewhere
    release()  # the holding session ends / the holding process is SIGKILLed
    # The server frees the lock when the holder's backend has exited, a moment after the client went.
    deadline = time.monotonic() + 10
    while True:
        with pytest.raises(CommandError) as refused:
            call_command("import_ods", "/nonexistent")
        if "another" not in str(refused.value) or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert "Missing CSV file" in str(refused.value)  # past the lock: the command's own check


def test_the_lock_is_free_again_after_a_run_and_readers_never_wait():
    with one_writer("seed_ods"):
        call_command("check_ods")  # a reader runs while a writer holds the lock
    with one_writer("import_ods"):
        pass
