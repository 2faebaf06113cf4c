"""Stopping a long command cleanly: SIGTERM handled as Ctrl-C, and the queries of its worker threads
cancelled in the server when it is interrupted.

psycopg cancels the query of the thread that Ctrl-C interrupts (the main thread) by itself; the queries
of worker threads would run on to the end (minutes at chain scale) while the interrupted command waits for
its threads. QueriesInFlight remembers the workers' connections so that the interrupted thread can cancel
them.
"""
import signal
import sys
import threading
from contextlib import contextmanager

from django.db import connection

# How long a cancel request may take to reach the server before we give up on it (the connection is
# closed anyway, which ends the query at the server's next check of its client).
CANCEL_TIMEOUT_SECONDS = 5.0


# A command ended by Ctrl-C (or SIGTERM, handled alike) exits as shells report SIGINT: 128 + 2.
INTERRUPTED_EXIT = 130


def exit_interrupted(stderr, outcome):
    """End an interrupted command: one line saying what became of its work, exit INTERRUPTED_EXIT."""
    stderr.write(f"\nInterrupted: {outcome}")
    sys.exit(INTERRUPTED_EXIT)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


@contextmanager
def sigterm_as_ctrl_c():
    """Within the block, SIGTERM (a plain `kill`, a service manager stopping us) ends the command as Ctrl-C
    does: transaction rolled back, helpers ended, queries cancelled, the command's own message printed."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class QueriesInFlight:
    """The database connections of worker threads; `cancel_all` stops what they run in the server."""

    def __init__(self):
        self._lock = threading.Lock()
        self._connections = set()
        self._stopping = False

    def on_own_connection(self, function, *args, **kwargs):
        """Call `function` (in a worker thread) on that thread's own connection, closed afterwards and
        cancellable meanwhile."""
        try:
            connection.ensure_connection()
            raw = connection.connection
            with self._lock:
                if self._stopping:
                    raise KeyboardInterrupt
                self._connections.add(raw)
            try:
                return function(*args, **kwargs)
            finally:
                with self._lock:
                    self._connections.discard(raw)
        finally:
            connection.close()

    def cancel_all(self):
        with self._lock:
            self._stopping = True
            running = list(self._connections)
        for raw in running:
            _cancel(raw)

    @contextmanager
    def cancelled_on_interrupt(self, *executors):
        """On the way out by Ctrl-C (or any other error), drop the queued work of `executors` and cancel the
        running queries, so that the executors' shutdown does not wait for them. Enter it after the
        executors (it must exit first)."""
        try:
            yield self
        except BaseException:
            for executor in executors:
                executor.shutdown(wait=False, cancel_futures=True)
            self.cancel_all()
            raise


def _cancel(raw):
    try:
        cancel_safe = getattr(raw, "cancel_safe", None)
        if cancel_safe is not None:
            cancel_safe(timeout=CANCEL_TIMEOUT_SECONDS)
        else:
            raw.cancel()
    except Exception:  # noqa: BLE001 - a connection that finished or broke meanwhile runs nothing to cancel
        pass
