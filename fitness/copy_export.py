"""ODS CSV export at COPY speed: the one entry point `export_ods` and the admin's
download use.

    table_csv_chunks(model, queryset=None, fields=None)  -> iterator of bytes (the file, in blocks)
    write_table_csv(model, binary_file, queryset=None) -> rows written

The bytes are exactly `csvio.iter_table_csv(model, queryset)` encoded as UTF-8
(the format is defined in `fitness.csvio`): the same header, rows in primary-key
order, CRLF line ends, the same quoting and the same cell texts.

On SQLite (any database without COPY) that is literally what is streamed, in
blocks of EXPORT_BLOCK_ROWS rows. On PostgreSQL the database writes the CSV:

    COPY (SELECT <one formatted text cell per ERD column> ... ORDER BY pk)
        TO STDOUT (FORMAT csv)

where the SELECT is the caller's queryset (so the admin's filters and search
apply) with one annotation per ERD column, built by `cell_expression` from
`csvio.field_kind`, compiled by Django (`copy_statement`). The server cannot
bind parameters of a COPY, so the queryset's parameters are merged into the
statement on the client (`connection.ops.compose_sql`, psycopg's
ClientCursor.mogrify, which is also what psycopg's `copy(statement, params)`
does); Django's debug cursor wrapper accepts no parameters for copy() anyway.
The cells:

- text (and foreign-key ids): the formula escape as SQL, a leading apostrophe
  when the first character is `=`, `+`, `-`, `@`, tab, CR or an apostrophe, or
  the text is empty (`ascii()` of the empty string is 0);
- bool: `col::text`, which is `true` / `false` (COPY itself would write t / f);
- int: the column as COPY writes it;
- decimal: `round(col, decimal_places)`, whose scale is exactly the field's
  decimal places, so `49.90` and `-5.00` as Python's quantize writes them;
- date: `to_char(col, 'YYYY-MM-DD')` (independent of DateStyle);
- time and timestamp: `to_char` with microseconds, then `.000000` removed, as
  Python's isoformat writes `.ffffff` only when the microseconds are not zero;
  timestamps are taken `AT TIME ZONE 'UTC'` and end in `+00:00`.

NULL stays NULL, which COPY writes as an empty unquoted cell, as the csv module
writes None's "". No cell text is ever the empty string (an empty text is the
lone apostrophe), so COPY's `""` for a non-NULL empty string never comes up.

Quoting: COPY's CSV output quotes a value that holds the delimiter, the quote
character, CR or LF, doubling embedded quotes; the excel dialect's
QUOTE_MINIMAL quotes a cell holding the delimiter, the quote character or a
character of its line terminator (CR, LF), doubling quotes too. Same rule,
same bytes. (COPY's other case, a single-column row holding `\\.`, cannot occur:
every ERD table has several columns.)

Record ends: COPY ends every row with LF, the csv module with CRLF. The server
sends each row in its own CopyData message ("always one per row", PostgreSQL's
protocol documentation), and psycopg's `Copy.read()` returns one message, so
the last byte of every message is the record end: it is replaced by CRLF (a
message not ending in LF raises rather than writing a damaged file). A
newline inside a quoted cell is in the middle of its message and is left
alone, as the csv module leaves it. Rows are counted as messages.

The COPY runs on the queryset's connection while the iterator is consumed, so
the consumer must not run other queries on that connection in between (the
admin's streaming response and `export_ods` do not).
"""
import csv
import io

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Func, TextField

from fitness import csvio
from fitness.core.dialect import Dialect

# Rows per yielded block of bytes (tens to a few hundred KB for the ERD tables).
EXPORT_BLOCK_ROWS = 1000
CRLF = b"\r\n"
CELL_PREFIX = "ods_csv_cell_"


# --------------------------------------------------------------------------- cells as SQL

class CsvCell(Func):
    """One column's CSV cell text as PostgreSQL SQL (NULL stays NULL). The
    template may name the column several times; a column reference has no
    parameters, so that is safe (checked in as_sql)."""

    def __init__(self, column, template):
        super().__init__(column, template=template, output_field=TextField())

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = super().as_sql(compiler, connection, **extra_context)
        if params:
            raise ValueError("a CSV cell expression must be a plain column reference")
        return sql, params


TEMPLATES = {
    # ascii(): code of the first character, 0 for the empty string; tab 9, CR 13,
    # ' 39, + 43, - 45, = 61, @ 64 (csvio.FORMULA_TRIGGERS and csvio.TEXT_MARK).
    "text": ("CASE WHEN ascii(%(expressions)s) IN (0, 9, 13, 39, 43, 45, 61, 64) "
             "THEN '''' || %(expressions)s ELSE %(expressions)s END"),
    "bool": "(%(expressions)s)::text",
    "int": "%(expressions)s",
    "date": "to_char(%(expressions)s, 'YYYY-MM-DD')",
    "time": "replace(to_char((%(expressions)s)::interval, 'HH24:MI:SS.US'), '.000000', '')",
    "datetime": ("replace(to_char(%(expressions)s AT TIME ZONE 'UTC', "
                 "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"'), '.000000+', '+')"),
}


def cell_template(field):
    """The SQL of `field`'s CSV cell text, `%(expressions)s` standing for the column."""
    kind = csvio.field_kind(field)
    if kind == "decimal":
        return f"round(%(expressions)s, {int(field.decimal_places)})"
    return TEMPLATES[kind]


def cell_expression(field):
    """`field`'s CSV cell text as an expression to annotate (see the module docstring)."""
    return CsvCell(field.attname, cell_template(field))


def copy_statement(model, queryset=None, fields=None):
    """The COPY statement writing `queryset`'s rows (default: the whole table)
    as ODS CSV rows without the header, in primary-key order, its parameters
    merged in; `fields`: only these columns (a subset of the ERD's, in its order).
    Raises EmptyResultSet for a queryset that can match nothing (e.g. `pk__in=[]`)."""
    queryset = model._default_manager.all() if queryset is None else queryset
    fields = fields or csvio.erd_fields(model)
    cells = {f"{CELL_PREFIX}{n}": cell_expression(field) for n, field in enumerate(fields)}
    rows = queryset.order_by("pk").annotate(**cells).values_list(*cells)
    sql, params = rows.query.get_compiler(using=rows.db).as_sql()
    # The server cannot bind parameters of a COPY, so they are merged here, as
    # psycopg's copy() would do. Merging always (with no parameters too) also
    # turns Django's %% back into %. Django's debug cursor (DEBUG, or
    # CaptureQueriesContext) takes a COPY statement without parameters.
    return connections[rows.db].ops.compose_sql(f"COPY ({sql}) TO STDOUT (FORMAT csv)", tuple(params))


def header_bytes(model, fields=None):
    """The header line exactly as the csv module writes it."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerow([field.column for field in fields] if fields else csvio.erd_header(model))
    return buffer.getvalue().encode("utf-8")


# --------------------------------------------------------------------------- streaming

def uses_copy(model, queryset=None):
    """True when the export of `queryset` (or `model`'s table) goes through COPY."""
    alias = queryset.db if queryset is not None else model._default_manager.db
    return Dialect.for_connection(connections[alias]).supports_copy


def copy_csv_blocks(connection, statement):
    """Run `statement`, a `COPY (...) TO STDOUT (FORMAT csv)` without parameters,
    on the Django `connection` and yield (bytes, rows) blocks of its rows with
    CRLF record ends."""
    with connection.cursor() as cursor, connection.wrap_database_errors:
        with cursor.copy(statement) as copy:
            parts, rows = [], 0
            append = parts.append
            for data in copy:  # one CopyData message = one row, ending in LF
                if data[-1] != 10:
                    raise RuntimeError("COPY sent a message that is not one whole row")
                append(data[:-1])
                append(CRLF)
                rows += 1
                if rows == EXPORT_BLOCK_ROWS:
                    yield b"".join(parts), rows
                    parts.clear()
                    rows = 0
            if rows:
                yield b"".join(parts), rows


def _copy_blocks(model, queryset, fields=None):
    """(bytes, rows) blocks of the data rows through COPY."""
    try:
        statement = copy_statement(model, queryset, fields)
    except EmptyResultSet:
        return
    alias = queryset.db if queryset is not None else model._default_manager.db
    yield from copy_csv_blocks(connections[alias], statement)


def _python_blocks(model, queryset, fields=None):
    """(bytes, rows) blocks of the data rows through csvio (one line per row)."""
    lines = csvio.iter_table_csv(model, queryset, fields)
    next(lines)  # the header, written by the caller
    batch = []
    for line in lines:
        batch.append(line)
        if len(batch) == EXPORT_BLOCK_ROWS:
            yield "".join(batch).encode("utf-8"), len(batch)
            batch = []
    if batch:
        yield "".join(batch).encode("utf-8"), len(batch)


def table_blocks(model, queryset=None, fields=None):
    """The header, then (bytes, rows) blocks of the data rows: COPY on
    PostgreSQL, csvio elsewhere. Yields (header bytes, 0) first. `fields`:
    only these columns (the admin leaves out those the user may not see)."""
    yield header_bytes(model, fields), 0
    blocks = _copy_blocks if uses_copy(model, queryset) else _python_blocks
    yield from blocks(model, queryset, fields)


def table_csv_chunks(model, queryset=None, fields=None):
    """`model`'s table (or `queryset`, e.g. the admin's filtered change list) as
    ODS CSV, an iterator of bytes blocks: the bytes of
    `csvio.iter_table_csv(model, queryset, fields)` encoded as UTF-8. Streams."""
    for data, _rows in table_blocks(model, queryset, fields):
        yield data


def write_table_csv(model, binary_file, queryset=None):
    """Write `model`'s rows (or `queryset`'s) as ODS CSV to the binary file
    `binary_file`. Returns the number of data rows written."""
    count = 0
    for data, rows in table_blocks(model, queryset):
        binary_file.write(data)
        count += rows
    return count


def export_directory(directory, report=None):
    """Write the 23 ODS tables to `directory` as <table>.csv; returns {table: rows}. Each file is written
    under a temporary name and renamed when complete, so a failed run never leaves a half-written file.
    `report(table, rows, seconds)` follows each table."""
    import os
    import time
    from pathlib import Path

    from fitness.core.tables import ods_models

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    counts = {}
    for model in ods_models():
        path = csvio.table_path(directory, model)
        partial = path.with_name(path.name + ".tmp")
        started = time.monotonic()
        try:
            with open(partial, "wb") as fileobj:
                counts[model._meta.db_table] = write_table_csv(model, fileobj)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        if report:
            report(model._meta.db_table, counts[model._meta.db_table], time.monotonic() - started)
    return counts
