"""The ODS CSV format: the one definition of how a table is written to and read
from CSV. The admin resources, `export_ods`/`import_ods` and `seed_ods
--csv-dir` all go through this module, so a file written by one is read by the
others.

The format
----------
- One file per table. The header is exactly the ERD column names in ERD order
  (the model's concrete fields, whose `db_column` is the ERD name); foreign keys
  are written as the referenced id (`memberid` = `MEM000001`).
- Comma separated, `"` quoting where needed, CRLF line ends: Python's `csv`
  "excel" dialect, which is also what django-import-export's CSV format writes,
  so the admin export and `export_table` are byte-identical. UTF-8.
- NULL is an empty cell.
- Booleans `true` / `false` (import also accepts 1/0, t/f, yes/no).
- Dates `YYYY-MM-DD`, times `HH:MM:SS`, timestamps ISO 8601 in UTC with the
  offset written out (`2024-03-01T13:05:00+00:00`). Import accepts any ISO 8601
  timestamp; one without an offset is read in the project's TIME_ZONE.
- Decimals in plain notation with the column's decimal places (`49.90`,
  `-5.00`); integers as digits.
- Text (including ids): formula escaping, following the OWASP "CSV injection"
  advice. A text cell that a spreadsheet would run as a formula, i.e. one that
  starts with `=`, `+`, `-`, `@`, a tab or a carriage return, is written with a
  leading apostrophe (`'=SUM(A1)`). So that this is reversible, text that
  itself starts with an apostrophe also gets one, and the empty string is
  written as a lone apostrophe (keeping it apart from NULL). On import exactly
  one leading apostrophe is removed from a text cell. Numbers, dates and
  booleans are never escaped: `-5.00` is a number, not a formula.

Import is all-or-nothing: `import_tables` runs in one transaction, checks
every row (cell syntax, field rules, missing foreign keys, check constraints,
duplicate ids) and, if any row is bad, writes nothing and raises
`CsvImportError` listing each bad row with file, row number, column and reason.
Row numbers count data rows: row 1 is the first line under the header (the
same numbering the admin import page uses).
"""
import csv
import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, models, router, transaction
from django.db.models import F, Q
from django.utils import timezone

from fitness.core.dialect import Dialect

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
TEXT_MARK = "'"
TRUE_WORDS = {"true", "t", "1", "yes", "y"}
FALSE_WORDS = {"false", "f", "0", "no", "n"}
TEXT_TYPES = {"CharField", "TextField", "EmailField", "ForeignKey", "SlugField", "URLField"}
INTEGER_TYPES = {
    "IntegerField",
    "SmallIntegerField",
    "BigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "PositiveBigIntegerField",
}
EXPORT_CHUNK_ROWS = 5000
IMPORT_BATCH_ROWS = 2000


# --------------------------------------------------------------------------- columns

def erd_fields(model):
    """The model's concrete fields in ERD column order (the model declares them so)."""
    return list(model._meta.concrete_fields)


def erd_header(model):
    """The CSV header: ERD column names in ERD order."""
    return [field.column for field in erd_fields(model)]


def field_kind(field):
    internal = field.get_internal_type()
    if internal in TEXT_TYPES:
        return "text"
    if internal in INTEGER_TYPES:
        return "int"
    return {
        "BooleanField": "bool",
        "DateField": "date",
        "DateTimeField": "datetime",
        "TimeField": "time",
        "DecimalField": "decimal",
    }[internal]


# --------------------------------------------------------------------------- writing cells

def escape_text(value):
    """Text as a CSV cell, with spreadsheet formulas neutralised (reversibly)."""
    if value == "" or value.startswith(FORMULA_TRIGGERS) or value.startswith(TEXT_MARK):
        return TEXT_MARK + value
    return value


def unescape_text(cell):
    return cell[1:] if cell.startswith(TEXT_MARK) else cell


def format_datetime(value):
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value.astimezone(dt.timezone.utc).isoformat()


def decimal_formatter(field):
    quantum = Decimal(1).scaleb(-field.decimal_places)
    return lambda value: format(Decimal(value).quantize(quantum), "f")


def cell_formatter(field):
    """A function turning one Python value of `field` into its CSV cell text (not None)."""
    kind = field_kind(field)
    if kind == "text":
        return lambda value: escape_text(str(value))
    if kind == "bool":
        return lambda value: "true" if value else "false"
    if kind == "datetime":
        return format_datetime
    if kind in ("date", "time"):
        return lambda value: value.isoformat()
    if kind == "decimal":
        return decimal_formatter(field)
    return str


def format_cell(field, value):
    """The CSV cell for one value of `field` (NULL is the empty cell)."""
    if value is None:
        return ""
    return cell_formatter(field)(value)


def row_formatter(model):
    """A function turning a values_list tuple (in ERD order) into a CSV row."""
    formatters = [cell_formatter(field) for field in erd_fields(model)]

    def format_row(values):
        return ["" if value is None else fmt(value) for fmt, value in zip(formatters, values)]

    return format_row


def table_rows(model, queryset=None):
    """The CSV rows (lists of cell texts) of `model` or `queryset` in primary-key
    order, read with a server-side cursor so memory stays flat."""
    queryset = model._default_manager.all() if queryset is None else queryset
    attnames = [field.attname for field in erd_fields(model)]
    format_row = row_formatter(model)
    for values in queryset.order_by("pk").values_list(*attnames).iterator(chunk_size=EXPORT_CHUNK_ROWS):
        yield format_row(values)


def export_table(model, fileobj, queryset=None):
    """Write `model`'s rows (or `queryset`'s) as ODS CSV to the text file `fileobj`
    (open it with newline=""). Streams, so millions of rows are fine. Returns the
    number of rows written."""
    writer = csv.writer(fileobj)
    writer.writerow(erd_header(model))
    count = 0
    for row in table_rows(model, queryset):
        writer.writerow(row)
        count += 1
    return count


class _LineBuffer:
    """A file-like object whose write() hands the text back (for csv.writer)."""

    def write(self, text):
        return text


def iter_table_csv(model, queryset=None):
    """The same bytes as export_table, as a generator of lines (for streaming
    HTTP responses)."""
    writer = csv.writer(_LineBuffer())
    yield writer.writerow(erd_header(model))
    for row in table_rows(model, queryset):
        yield writer.writerow(row)


# --------------------------------------------------------------------------- reading cells

def parse_bool(cell):
    word = cell.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(f"expected true or false, got {cell!r}")


def parse_date(cell):
    try:
        return dt.date.fromisoformat(cell.strip())
    except ValueError:
        raise ValueError(f"expected a date like 2024-01-31, got {cell!r}") from None


def parse_time(cell):
    try:
        return dt.time.fromisoformat(cell.strip())
    except ValueError:
        raise ValueError(f"expected a time like 06:30:00, got {cell!r}") from None


def parse_datetime(cell):
    try:
        value = dt.datetime.fromisoformat(cell.strip())
    except ValueError:
        raise ValueError(f"expected a timestamp like 2024-01-31T06:30:00+00:00, got {cell!r}") from None
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def parse_decimal(cell):
    try:
        value = Decimal(cell.strip())
    except InvalidOperation:
        raise ValueError(f"expected a number like 49.90, got {cell!r}") from None
    if not value.is_finite():
        raise ValueError(f"expected a finite number, got {cell!r}")
    return value


def parse_int(cell):
    try:
        return int(cell.strip())
    except ValueError:
        raise ValueError(f"expected a whole number, got {cell!r}") from None


CELL_PARSERS = {
    "text": unescape_text,
    "bool": parse_bool,
    "date": parse_date,
    "time": parse_time,
    "datetime": parse_datetime,
    "decimal": parse_decimal,
    "int": parse_int,
}


def parse_cell(field, cell):
    """The Python value of one CSV cell for `field`; ValueError with a reason if malformed."""
    if cell is None or cell == "":
        return None
    return CELL_PARSERS[field_kind(field)](cell)


# --------------------------------------------------------------------------- errors

@dataclass(frozen=True)
class RowError:
    table: str
    row: int  # data row number, 1 = first row under the header; 0 = the file itself
    column: str
    reason: str

    def __str__(self):
        where = f"{self.table}.csv" if self.row == 0 else f"{self.table}.csv row {self.row}"
        column = f", column {self.column}" if self.column else ""
        return f"{where}{column}: {self.reason}"


class CsvImportError(Exception):
    """A CSV import was refused; nothing was written. `.errors` lists every bad row."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__(self.summary())

    def summary(self, limit=20):
        lines = [f"Import refused, nothing was written: {len(self.errors)} problem(s)."]
        lines += [f"  {error}" for error in self.errors[:limit]]
        if len(self.errors) > limit:
            lines.append(f"  ... and {len(self.errors) - limit} more")
        return "\n".join(lines)


def header_errors(model, header):
    """Errors for a header that is not exactly the ERD's columns in order."""
    expected = erd_header(model)
    if header == expected:
        return []
    table = model._meta.db_table
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    if missing or extra:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if extra:
            parts.append(f"unknown column(s) {', '.join(extra)}")
        reason = "; ".join(parts)
    else:
        reason = "columns are not in ERD order"
    return [RowError(table, 0, "", f"header is wrong ({reason}); expected: {','.join(expected)}")]


# --------------------------------------------------------------------------- validating rows

def field_columns(model):
    """Map from field name and attname to ERD column name."""
    mapping = {}
    for field in erd_fields(model):
        mapping[field.name] = field.column
        mapping[field.attname] = field.column
    return mapping


def expression_fields(node):
    """Field names an expression / Q tree refers to."""
    if isinstance(node, Q):
        names = []
        for child in node.children:
            if isinstance(child, tuple):
                lookup, value = child
                names.append(lookup.split("__")[0])
                names += expression_fields(value)
            else:
                names += expression_fields(child)
        return names
    if isinstance(node, F):
        return [node.name.split("__")[0]]
    if hasattr(node, "get_source_expressions"):
        return [name for source in node.get_source_expressions() for name in expression_fields(source)]
    return []


def constraint_columns(model, constraint):
    """The ERD columns a check constraint is about, in first-mention order."""
    columns = field_columns(model)
    seen = []
    for name in expression_fields(constraint.condition):
        column = columns.get(name, name)
        if column not in seen:
            seen.append(column)
    return ", ".join(seen)


def check_constraints(model):
    return [c for c in model._meta.constraints if isinstance(c, models.CheckConstraint)]


def constraint_row_errors(instance):
    """(columns, reason) for every check constraint the unsaved `instance` breaks."""
    model = type(instance)
    problems = []
    for constraint in check_constraints(model):
        try:
            constraint.validate(model, instance)
        except ValidationError:
            problems.append(
                (constraint_columns(model, constraint), f"breaks the rule {constraint.name}")
            )
    return problems


def field_row_errors(instance, exclude):
    """(column, reason) for field rules (required, choices, lengths, digits)."""
    columns = field_columns(type(instance))
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as error:
        return [
            (columns.get(name, name), message)
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return []


def foreign_key_fields(model):
    return [field for field in erd_fields(model) if field.is_relation]


def missing_foreign_keys(model, rows):
    """{row number: [(column, reason)]} for foreign-key ids that match no row."""
    missing = {}
    for field in foreign_key_fields(model):
        wanted = {getattr(instance, field.attname) for _, instance in rows} - {None}
        if not wanted:
            continue
        target = field.related_model
        found = set(target._default_manager.filter(pk__in=wanted).values_list("pk", flat=True))
        for number, instance in rows:
            value = getattr(instance, field.attname)
            if value is not None and value not in found:
                reason = f"no {target._meta.db_table} row with id {value!r}"
                missing.setdefault(number, []).append((field.column, reason))
    return missing


@functools.lru_cache(maxsize=None)
def row_parser(model):
    """[(field, parse function)] in ERD order; parse functions take a non-empty cell."""
    return [(field, CELL_PARSERS[field_kind(field)]) for field in erd_fields(model)]


def parse_row(model, number, cells):
    """(instance, errors) for one CSV row; errors are RowErrors for malformed cells."""
    parsers = row_parser(model)
    if len(cells) != len(parsers):
        table = model._meta.db_table
        return None, [RowError(table, number, "", f"has {len(cells)} cells, expected {len(parsers)}")]
    values, errors = {}, []
    for (field, parse), cell in zip(parsers, cells):
        try:
            values[field.attname] = parse(cell) if cell else None
        except ValueError as error:
            errors.append(RowError(model._meta.db_table, number, field.column, str(error)))
    return model(**values), errors


def row_problems(instance, bad_columns):
    """Field-rule problems of one parsed row (required, choices, lengths, digits),
    skipping columns whose cells were already malformed. Foreign keys are checked
    per batch and check constraints by the database on insert."""
    model = type(instance)
    exclude = [f.name for f in erd_fields(model) if f.column in bad_columns or f.is_relation]
    return field_row_errors(instance, exclude)


def insert_rows(model, instances):
    """INSERT the instances in bulk: COPY on PostgreSQL, one executemany on
    SQLite (several times faster than bulk_create, whose batches SQLite's
    parameter limit cuts to ~100 rows)."""
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    fields = erd_fields(model)
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(f.column) for f in fields)
    attnames = [f.attname for f in fields]
    with connection.cursor() as cursor:
        if Dialect.for_connection(connection).supports_copy:
            # psycopg adapts dates, aware timestamps, Decimals and booleans itself;
            # wrap_database_errors turns its errors into Django's IntegrityError.
            with connection.wrap_database_errors, cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for instance in instances:
                    copy.write_row([getattr(instance, name) for name in attnames])
        else:
            rows = [[f.get_db_prep_save(getattr(i, f.attname), connection) for f in fields] for i in instances]
            placeholders = ", ".join(["%s"] * len(fields))
            cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)


def insert_batch(model, rows, errors):
    """Insert parsed rows in one statement; if the database refuses the batch,
    go row by row to name each refused row and why (a broken check constraint,
    or a duplicate id)."""
    table = model._meta.db_table
    try:
        with transaction.atomic():
            insert_rows(model, [instance for _, instance in rows])
        return
    except IntegrityError:
        pass
    for number, instance in rows:
        broken = constraint_row_errors(instance)
        if broken:
            errors.extend(RowError(table, number, columns, reason) for columns, reason in broken)
            continue
        try:
            with transaction.atomic():
                insert_rows(model, [instance])
        except IntegrityError as error:
            reason = f"refused by the database (duplicate id?): {str(error).strip()}"
            errors.append(RowError(table, number, model._meta.pk.column, reason))


def check_and_insert_batch(model, rows, errors):
    """Validate a batch of (number, instance, bad_columns) and insert the good rows.
    Good rows are inserted even after errors elsewhere, so that rows of later
    tables are checked against them; the caller rolls everything back."""
    table = model._meta.db_table
    missing = missing_foreign_keys(model, [(n, i) for n, i, _ in rows])
    good = []
    for number, instance, bad_columns in rows:
        problems = row_problems(instance, bad_columns)
        problems += missing.get(number, [])
        errors.extend(RowError(table, number, column, reason) for column, reason in problems)
        if not problems and not bad_columns:
            good.append((number, instance))
    if good:
        insert_batch(model, good, errors)


def load_table(model, fileobj, errors, progress=None):
    """Read one CSV table into the database (inside the caller's transaction),
    appending every problem to `errors`. Returns the number of data rows read."""
    table = model._meta.db_table
    reader = csv.reader(fileobj)
    header = next(reader, None)
    if header is None:
        errors.append(RowError(table, 0, "", "file is empty (expected a header line)"))
        return 0
    if header and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]  # tolerate a UTF-8 byte order mark from spreadsheets
    bad_header = header_errors(model, header)
    if bad_header:
        errors.extend(bad_header)
        return 0
    batch, count = [], 0
    for count, cells in enumerate(reader, start=1):
        instance, cell_errors = parse_row(model, count, cells)
        errors.extend(cell_errors)
        if instance is not None:
            batch.append((count, instance, {e.column for e in cell_errors}))
        if len(batch) >= IMPORT_BATCH_ROWS:
            check_and_insert_batch(model, batch, errors)
            batch = []
            if progress:
                progress(table, count)
    if batch:
        check_and_insert_batch(model, batch, errors)
    if progress:
        progress(table, count)
    return count


def import_table(model, fileobj, progress=None):
    """Import one table from a CSV text file, all-or-nothing. Returns rows imported."""
    return import_tables([(model, fileobj)], progress=progress)[model._meta.db_table]


def import_tables(sources, progress=None):
    """Import [(model, text file), ...] in the given order (parents before children)
    in one transaction. Returns {table: rows}; raises CsvImportError, having
    written nothing, if any row of any table is bad."""
    errors, counts = [], {}
    with transaction.atomic():
        for model, fileobj in sources:
            counts[model._meta.db_table] = load_table(model, fileobj, errors, progress)
        if errors:
            transaction.set_rollback(True)
    if errors:
        raise CsvImportError(errors)
    return counts


# --------------------------------------------------------------------------- files of the 23 tables

def table_path(directory, model):
    return Path(directory) / f"{model._meta.db_table}.csv"
