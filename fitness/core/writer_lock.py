"""One writer at a time: the commands that rewrite the ODS or the warehouse (`seed_ods`, `import_ods`,
`build_warehouse`, and the flushes they do) take one named lock per database; a second one started while
the first runs stops at once with a message naming it, instead of blocking for minutes and then failing.

The lock dies with its holder, however it dies (SIGKILL included): on PostgreSQL it is a session-level
advisory lock, released when the holder's connection closes; on SQLite an `flock` on a file beside the
database (or in the temp directory, per process, for an in-memory database), released when the process's file closes.
Readers (`check_ods`, the admin) never take it.
"""
import datetime as dt
import fcntl
import hashlib
import os
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.db import connection as default_connection

from .processes import let_go_of

# pg_try_advisory_lock(int, int): the project's namespace and the ODS writer's key.
LOCK_NAMESPACE, WRITER_KEY = 0x0D5, 1


# The lock files this process holds (file descriptors): a forked child lets go of them at once, so that an
# orphaned child can never keep the lock.
_HELD_FILES = set()


def _let_go_in_child():
    for fd in list(_HELD_FILES):
        let_go_of(fd)
    _HELD_FILES.clear()


os.register_at_fork(after_in_child=_let_go_in_child)


class WriterBusy(Exception):
    """Another writer holds the lock; the message names it."""


def holder_label(command):
    started = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
    return f"{command} (pid {os.getpid()}, started {started})"


@contextmanager
def one_writer(command, connection=None):
    """Hold the database's writer lock for the duration; WriterBusy at once if another writer has it."""
    connection = connection or default_connection
    label = holder_label(command)
    if connection.vendor == "postgresql":
        with _advisory_lock(connection, label):
            yield
    else:
        with _file_lock(connection, label):
            yield


def busy_message(holder):
    return f"another {holder or 'writer'} is running on this database; try again when it has finished."


@contextmanager
def _advisory_lock(connection, label):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, WRITER_KEY])
        if not cursor.fetchone()[0]:
            cursor.execute(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE l.locktype = 'advisory' AND l.classid = %s AND l.objid = %s AND l.granted",
                [LOCK_NAMESPACE, WRITER_KEY])
            row = cursor.fetchone()
            raise WriterBusy(busy_message(row[0] if row else None))
        cursor.execute("SELECT current_setting('application_name'), set_config('application_name', %s, false)",
                       [label[:63]])
        previous = cursor.fetchone()[0]
    try:
        yield
    finally:
        if connection.connection is not None and not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('application_name', %s, false)", [previous])
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, WRITER_KEY])


def lock_path(connection):
    name = str(connection.settings_dict["NAME"])
    if name and ":memory:" not in name and "mode=memory" not in name:
        return Path(f"{name}.writer.lock")
    # An in-memory database lives and dies with its process: so does its lock file's name.
    digest = hashlib.sha1(f"{name}:{os.getpid()}".encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"fitness-ods-{digest}.writer.lock"


@contextmanager
def _file_lock(connection, label):
    path = lock_path(connection)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            raise WriterBusy(busy_message(handle.read().strip() or None)) from None
        handle.seek(0)
        handle.truncate()
        handle.write(label)
        handle.flush()
        _HELD_FILES.add(handle.fileno())
        try:
            yield
        finally:
            _HELD_FILES.discard(handle.fileno())
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def exclusive(command):
    """Decorator for a management command's `handle`: run it holding the writer lock; a busy lock is a
    one-line CommandError (exit 1) before any work. SIGTERM stops it as Ctrl-C does."""
    import functools

    from django.core.management.base import CommandError

    from .interrupts import sigterm_as_ctrl_c

    def decorate(handle):
        @functools.wraps(handle)
        def locked(*args, **kwargs):
            try:
                lock = one_writer(command)
                lock.__enter__()
            except WriterBusy as busy:
                raise CommandError(str(busy)) from None
            try:
                with sigterm_as_ctrl_c():
                    return handle(*args, **kwargs)
            finally:
                lock.__exit__(None, None, None)
        return locked
    return decorate
