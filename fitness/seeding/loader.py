"""Bulk loading of generated rows: PostgreSQL COPY (psycopg 3), SQLite executemany.

Rows arrive as tuples of text (or None for NULL) in the table's ERD column
order; the caller holds the transaction (the whole seed is one
`transaction.atomic()`), so a failed or interrupted run leaves nothing behind.
"""
import time

from .tables import ODS_MODELS

_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def table_columns(table: str) -> list[str]:
    return [field.column for field in ODS_MODELS[table]._meta.concrete_fields]


def copy_text_escaped(value) -> str:
    """One field in PostgreSQL's COPY text format (free text may hold tabs or newlines)."""
    return "\\N" if value is None else str(value).translate(_COPY_ESCAPES)


class Loader:
    """Writes batches of rows into one connection; remembers rows and seconds per table."""

    def __init__(self, connection):
        self.connection = connection
        self.vendor = connection.vendor
        self.seconds = {}
        self.rows = {}
        self._statements = {}

    def write(self, table: str, rows, *, free_text=False):
        """Load `rows`. `free_text` marks rows whose text may need COPY escaping."""
        if not rows:
            return
        started = time.perf_counter()
        if self.vendor == "postgresql":
            self._copy(table, rows, free_text)
        else:
            self._executemany(table, rows)
        self.seconds[table] = self.seconds.get(table, 0.0) + time.perf_counter() - started
        self.rows[table] = self.rows.get(table, 0) + len(rows)

    def _copy(self, table, rows, free_text):
        columns = ", ".join(table_columns(table))
        if free_text:
            text = "".join("\t".join(map(copy_text_escaped, row)) + "\n" for row in rows)
        else:
            # Generated transactional text never holds tabs, newlines or backslashes.
            text = "".join("\t".join(["\\N" if v is None else v for v in row]) + "\n" for row in rows)
        with self.connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                copy.write(text)

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

