"""Bulk loading of generated rows: PostgreSQL COPY (psycopg 3), SQLite executemany.

Rows arrive as tuples of text (or None for NULL) in the table's ERD column
order; the caller holds the transaction (the whole seed is one
`transaction.atomic()`), so a failed or interrupted run leaves nothing behind.

On PostgreSQL two things keep the load near raw COPY speed:
- COPY runs in a background thread, so the database ingests one batch while
  Python generates the next (the two use different cores);
- a load into empty tables (`bulk=True`) first sets their foreign keys, unique
  constraints and secondary indexes aside (`Dialect.drop_secondary_structures`)
  and re-creates them at the end: one sort per index and one set-based check
  per foreign key instead of per-row index maintenance and per-row deferred
  trigger events. The drop is part of the seed's transaction, so an
  interrupted run rolls it back with everything else.
"""
import queue
import threading
import time

from fitness.core.dialect import Dialect
from fitness.core.tables import LOAD_ORDER, model_for

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
QUEUED_BATCHES = 2  # batches waiting for the COPY thread: bounds memory, keeps both cores busy
INDEX_BUILD_MEMORY = "256MB"


def table_columns(table: str) -> list[str]:
    return [field.column for field in model_for(table)._meta.concrete_fields]


def copy_text_escaped(value) -> str:
    """One field in PostgreSQL's COPY text format (free text may hold tabs or newlines)."""
    return "\\N" if value is None else str(value).translate(_COPY_ESCAPES)


def copy_text(rows, free_text: bool) -> str:
    if free_text:
        return "".join("\t".join(map(copy_text_escaped, row)) + "\n" for row in rows)
    # Generated transactional text never holds tabs, newlines or backslashes.
    try:
        return "\n".join(map("\t".join, rows)) + "\n"
    except TypeError:  # some row holds a NULL (None)
        return "".join("\t".join(["\\N" if v is None else v for v in row]) + "\n" for row in rows)


class Loader:
    """Writes batches of rows into one connection; remembers rows and seconds per table.

    Call `finish()` once all rows are written (it waits for the COPY thread and
    re-creates what a bulk load dropped) and `close()` in a `finally`."""

    def __init__(self, connection, *, bulk=False):
        self.connection = connection
        self.dialect = Dialect.for_connection(connection)
        self.seconds = {}
        self.rows = {}
        self.rebuild_seconds = 0.0
        self._statements = {}
        self._rebuild = []
        self._copier = None
        self._copier_lock = threading.Lock()
        self.copies = self.dialect.supports_copy
        if self.copies:
            connection.ensure_connection()
            if bulk:
                with connection.wrap_database_errors, connection.connection.cursor() as cursor:
                    self._rebuild = self.dialect.drop_secondary_structures(cursor, LOAD_ORDER)

    def write(self, table: str, rows, *, free_text=False):
        """Load `rows`. `free_text` marks rows whose text may need COPY escaping."""
        if not rows:
            return
        # Errors of the raw connections become Django's (IntegrityError, DataError, ...), as for ORM queries.
        with self.connection.wrap_database_errors:
            if self.copies:
                self._copier_started().submit(table, rows, free_text)
                return
            started = time.perf_counter()
            self._executemany(table, rows)
        self._count(table, len(rows), time.perf_counter() - started)

    def write_text(self, table: str, text: bytes, count: int):
        """Load `count` rows already in COPY text format (PostgreSQL only); safe from another thread."""
        with self.connection.wrap_database_errors:
            self._copier_started().submit(table, text, None, count)

    def _copier_started(self):
        # Started on first use, not in __init__: the run may fork a worker process first, and a fork should not
        # happen while other threads run.
        with self._copier_lock:
            if self._copier is None:
                self._copier = CopyThread(self.connection.connection, self._count)
            return self._copier

    def drain(self):
        """Wait until every submitted row is in the database (before running other SQL)."""
        if self._copier is not None:
            with self.connection.wrap_database_errors:
                self._copier.drain()

    def finish(self):
        """Wait for the last rows; re-create what a bulk load dropped; refresh PostgreSQL's planner statistics
        (without them the first queries on the new rows, check_ods's among them, plan for empty tables)."""
        self.drain()
        if not self.copies:
            return
        started = time.perf_counter()
        with self.connection.wrap_database_errors, self.connection.connection.cursor() as cursor:
            if self._rebuild:
                self.dialect.set_local(cursor, {"maintenance_work_mem": INDEX_BUILD_MEMORY})
                for statement in self._rebuild:  # an added foreign key checks every row, in one query
                    cursor.execute(statement)
                self._rebuild = []
            self.dialect.analyze(cursor, LOAD_ORDER)
        self.rebuild_seconds = time.perf_counter() - started

    def close(self):
        if self._copier is not None:
            self._copier.stop()

    def _count(self, table, rows, seconds):
        self.seconds[table] = self.seconds.get(table, 0.0) + seconds
        self.rows[table] = self.rows.get(table, 0) + rows

    def _executemany(self, table, rows):
        statement = self._statements.get(table)
        if statement is None:
            columns = table_columns(table)
            statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            self._statements[table] = statement
        self.connection.ensure_connection()
        raw = self.connection.connection.cursor()
        try:
            raw.executemany(statement, rows)
        finally:
            raw.close()


class HandsOverErrors:
    """For objects whose threads record a failure in `self.error` for the main thread to raise, once."""

    error = None

    def _raise_error(self):
        if self.error is not None:
            error, self.error = self.error, None
            raise error


class CopyThread(HandsOverErrors):
    """COPYs submitted batches on a psycopg connection from a worker thread.

    The main thread must not use the connection between `submit` and `drain`.
    An error in the worker is raised in the main thread at the next call."""

    def __init__(self, raw_connection, on_loaded):
        self.raw, self.on_loaded = raw_connection, on_loaded
        self.batches = queue.Queue(maxsize=QUEUED_BATCHES)
        self.error = None
        self.thread = threading.Thread(target=self._run, name="seed-copy", daemon=True)
        self.thread.start()

    def submit(self, table, rows, free_text, count=None):
        """Queue `rows` (tuples) or, with `count`, text already in COPY format."""
        self._raise_error()
        self.batches.put((table, rows, free_text, count))

    def drain(self):
        self.batches.join()
        self._raise_error()

    def stop(self):
        """End the worker; batches not yet loaded are dropped (the caller is rolling back or done)."""
        if not self.thread.is_alive():
            return
        while True:
            try:
                self.batches.get_nowait()
                self.batches.task_done()
            except queue.Empty:
                break
        self.batches.put(None)
        self.thread.join()

    def _run(self):
        while True:
            batch = self.batches.get()
            try:
                if batch is None:
                    return
                if self.error is None:  # after a failure the transaction is lost: skip the rest
                    self._copy(*batch)
            except BaseException as error:  # handed to the main thread
                self.error = error
            finally:
                self.batches.task_done()

    def _copy(self, table, rows, free_text, count):
        started = time.perf_counter()
        text = rows if count is not None else copy_text(rows, free_text)
        with self.raw.cursor() as cursor:
            with cursor.copy(f"COPY {table} ({', '.join(table_columns(table))}) FROM STDIN") as copy:
                copy.write(text)
        self.on_loaded(table, len(rows) if count is None else count, time.perf_counter() - started)

