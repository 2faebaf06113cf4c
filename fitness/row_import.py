"""The row-by-row half of the import engine: Python reads and parses each row by the contract's rules
(`import_rules`). SQLite stages every table this way; on PostgreSQL only a file that COPY cannot read
(bad bytes, a wrong number of cells, a NUL) comes here, to name its bad rows and check the rest.
"""
from django.db import connection

from fitness import import_rules
from fitness.import_rules import MAX_CELL_CHARS, NOT_UTF8, TOO_LONG, detail
from fitness.import_sources import has_bad_bytes

BATCH_ROWS = 2000


def cell_problem(field, cell):
    """(value, None) for a cell that parses, (None, (reason, detail)) for one that does not."""
    if cell == "":
        return None, None
    bad_bytes = has_bad_bytes(cell)
    if bad_bytes:
        return None, (NOT_UTF8, f"bytes {bad_bytes}")
    try:
        return import_rules.parse_value(import_rules.field_kind(field), cell), None
    except ValueError as error:
        return None, (str(error), "" if str(error) == TOO_LONG else detail(cell))


def parse_text_row(fields, number, cells):
    """(values, errors) of one CSV row; errors [(row, column, reason, detail)]."""
    if cells is None:
        return None, [(number, "", f"a cell is far longer than {MAX_CELL_CHARS:,} characters (the file stops here)", "")]
    if len(cells) != len(fields):
        return None, [(number, "", f"has {len(cells)} cells, expected {len(fields)}", "")]
    values, errors = [], []
    for field, cell in zip(fields, cells):
        value, problem = cell_problem(field, cell)
        values.append(value)
        if problem:
            errors.append((number, field.column, *problem))
    return values, errors


def typed_row_problems(fields, number, values):
    """Errors of a typed row (Parquet): text too long or holding a NUL."""
    errors = []
    for field, value in zip(fields, values):
        if isinstance(value, str) and (len(value) > MAX_CELL_CHARS or "\x00" in value):
            reason = TOO_LONG if len(value) > MAX_CELL_CHARS else import_rules.NUL_CHARACTER
            errors.append((number, field.column, reason, ""))
    return errors


def value_errors(fields, number, values):
    return [(number, field.column, reason, detail(str(value)) if value is not None else "")
            for field, value in zip(fields, values) for reason in import_rules.value_problems(field, value)]


def parsed_rows(source, fields):
    """(row number, values or None, errors) for every row of the source."""
    if source.kind == "csv":
        for number, cells in source.text_rows():
            values, errors = parse_text_row(fields, number, cells)
            yield number, values, errors
    else:
        for number, values in source.typed_rows():
            values = list(values)
            if len(values) != len(fields):
                yield number, None, [(number, "", f"has {len(values)} values, expected {len(fields)}", "")]
                continue
            yield number, values, typed_row_problems(fields, number, values)


def stage_rows(stage, cursor):
    """Parse every row of `stage.source` and insert the good ones (with their row numbers) into the staging
    table; record the problems. Returns the number of data rows."""
    fields = stage.fields
    placeholders = ", ".join(["%s"] * (len(fields) + 1))
    insert = f"INSERT INTO {stage.rows_table} (_row, {stage.columns_sql}) VALUES ({placeholders})"
    batch, problems, count = [], [], 0
    for count, values, errors in parsed_rows(stage.source, fields):
        if values is not None and not errors:
            errors = value_errors(fields, count, values)
        if errors:
            problems += errors
        else:
            batch.append([count] + [f.get_db_prep_save(v, connection) for f, v in zip(fields, values)])
        if len(batch) >= BATCH_ROWS:
            cursor.executemany(insert, batch)
            batch = []
        if len(problems) >= BATCH_ROWS:
            stage.engine.add_errors(cursor, stage, problems)
            problems = []
    if batch:
        cursor.executemany(insert, batch)
    if problems:
        stage.engine.add_errors(cursor, stage, problems)
    return count
