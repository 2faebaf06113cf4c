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

Reading follows one strict contract on every path (admin import, `import_ods`, Parquet):
- the header is exactly the ERD's columns in ERD order, checked for every file before any row is read;
- each cell must follow the syntax above (`import_rules` holds it, in Python and in SQL): booleans also as
  t/f, 1/0, yes/no; a timestamp without offset is read in the project's TIME_ZONE; cells are trimmed of
  spaces except text; a cell longer than `import_rules.MAX_CELL_CHARS`, a NUL character or bytes that are not
  UTF-8 are errors of that row and column;
- then each row's values keep the column rules (required, choices, lengths, digits, ranges), its foreign keys
  name existing rows, its check constraints hold and its id is not on an earlier row of the file;
- all-or-nothing: one bad row refuses the whole import and nothing is written. `ImportRefused` lists the
  first `MAX_LISTED_ERRORS` problems in file order (row numbers count data rows: row 1 is the first line
  under the header, as on the admin import page) and counts every problem per table, column and reason, so
  a file with millions of bad rows is refused in flat memory.
`row_import` (SQLite) and `pg_import` (PostgreSQL, set-based) apply it; `table_import` chooses.
"""
import csv
import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from fitness import import_rules
from fitness.import_rules import TEXT_MARK, field_kind  # noqa: F401 (part of the format's API)

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
EXPORT_CHUNK_ROWS = 5000
MAX_LISTED_ERRORS = 100


# --------------------------------------------------------------------------- columns

def erd_fields(model):
    """The model's concrete fields in ERD column order (the model declares them so)."""
    return list(model._meta.concrete_fields)


def erd_header(model):
    """The CSV header: ERD column names in ERD order."""
    return [field.column for field in erd_fields(model)]


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


def row_formatter(model, fields=None):
    """A function turning a values_list tuple (in ERD order) into a CSV row; `fields`: only these
    columns (a subset of erd_fields, in its order), as for a user who may not see all of them."""
    formatters = [cell_formatter(field) for field in (fields or erd_fields(model))]

    def format_row(values):
        return ["" if value is None else fmt(value) for fmt, value in zip(formatters, values)]

    return format_row


def table_rows(model, queryset=None, fields=None):
    """The CSV rows (lists of cell texts) of `model` or `queryset` in primary-key
    order, read with a server-side cursor so memory stays flat; `fields` as in row_formatter."""
    queryset = model._default_manager.all() if queryset is None else queryset
    attnames = [field.attname for field in (fields or erd_fields(model))]
    format_row = row_formatter(model, fields)
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


def iter_table_csv(model, queryset=None, fields=None):
    """The same bytes as export_table, as a generator of lines (for streaming
    HTTP responses); `fields`: only these columns (see row_formatter)."""
    writer = csv.writer(_LineBuffer())
    yield writer.writerow([field.column for field in fields] if fields else erd_header(model))
    for row in table_rows(model, queryset, fields):
        yield writer.writerow(row)


# --------------------------------------------------------------------------- reading cells

def parse_cell(field, cell):
    """The Python value of one CSV cell for `field`; ValueError(reason) if it breaks the cell syntax."""
    if cell is None or cell == "":
        return None
    return import_rules.parse_value(field_kind(field), cell)


# --------------------------------------------------------------------------- the header

def header_errors(model, header, source=None):
    """Errors for a header that is not exactly the ERD's columns in ERD order, naming the columns."""
    expected = erd_header(model)
    if header == expected:
        return []
    missing = [c for c in expected if c not in header]
    extra = [c for c in header if c not in expected]
    repeated = sorted({c for c in header if header.count(c) > 1})
    parts = []
    if missing:
        parts.append(f"missing column(s) {', '.join(missing)}")
    if extra:
        parts.append(f"unknown column(s) {', '.join(extra)}")
    if repeated:
        parts.append(f"repeated column(s) {', '.join(repeated)}")
    reason = "; ".join(parts) or "columns are not in ERD order"
    return [RowError(model._meta.db_table, 0, "", f"header is wrong ({reason}); expected: {','.join(expected)}",
                     source=source)]


def read_header(binary_file):
    """The header cells of a CSV file open in binary, leaving the file at the first data row; a UTF-8 byte
    order mark (spreadsheets write one) is skipped. None for an empty file."""
    line = binary_file.readline()
    if not line:
        return None
    text = line.decode("utf-8", errors="replace").lstrip("\ufeff")
    return next(csv.reader([text]), [])


# --------------------------------------------------------------------------- errors

@dataclass(frozen=True)
class RowError:
    table: str
    row: int  # data row number, 1 = first row under the header; 0 = the file itself
    column: str
    reason: str
    detail: str = ""  # the cell (quoted, cut short) or other specifics; never part of the reason
    source: str | None = None  # the file's name where it is not <table>.csv

    def __str__(self):
        name = self.source or f"{self.table}.csv"
        where = name if self.row == 0 else f"{name} row {self.row:,}"
        column = f", column {self.column}" if self.column else ""
        detail = f" ({self.detail})" if self.detail else ""
        return f"{where}{column}: {self.reason}{detail}"


class ErrorLog:
    """The problems of one import as reported: the first ones in file order (`listed`) and every one
    counted per (table, column, reason). The engines collect problems in a table of the database and fill
    this from it, so memory stays flat however many rows are bad."""

    def __init__(self, listed=(), counts=None):
        self.listed = list(listed)
        self.counts = Counter(counts or {})

    @property
    def total(self):
        return sum(self.counts.values())

    def __bool__(self):
        return bool(self.counts)


class ImportRefused(Exception):
    """An import was refused; nothing was written. `.errors` holds the first problems, `.counts` all of
    them per (table, column, reason); `.total` how many."""

    def __init__(self, log):
        self.errors = log.listed
        self.counts = log.counts
        self.total = log.total
        super().__init__(self.summary())

    def summary(self, limit=MAX_LISTED_ERRORS):
        lines = [f"Import refused, nothing was written: {self.total:,} problem(s)."]
        lines += [f"  {error}" for error in self.errors[:limit]]
        if self.total > min(limit, len(self.errors)):
            lines.append(f"  ... {self.total - min(limit, len(self.errors)):,} more; all problems by column:")
            for (table, column, reason), count in sorted(self.counts.items(), key=lambda item: -item[1]):
                lines.append(f"    {table}.{column or '(row)'}: {reason}: {count:,}")
        return "\n".join(lines)


CsvImportError = ImportRefused  # the name the admin and older callers know


# --------------------------------------------------------------------------- check constraints

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


def constraint_reason(constraint):
    return f"breaks the rule {constraint.name}"


def constraint_row_errors(instance):
    """(columns, reason) for every check constraint the unsaved `instance` breaks."""
    from django.core.exceptions import ValidationError

    model = type(instance)
    problems = []
    for constraint in check_constraints(model):
        try:
            constraint.validate(model, instance)
        except ValidationError:
            problems.append((constraint_columns(model, constraint), constraint_reason(constraint)))
    return problems


# --------------------------------------------------------------------------- files of the 23 tables

def table_path(directory, model):
    return Path(directory) / f"{model._meta.db_table}.csv"
