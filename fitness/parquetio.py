"""The ODS as a Parquet dataset, for cluster engines (Spark, Trino, DuckDB), and
a reader that gives its rows back as Python values for an import.

    export_parquet(DIR)             -> {table: rows}
    parquet_columns(DIR, model)     -> the dataset's column names
    parquet_rows(DIR, model)        -> tuples in ERD column order

Layout
------
One directory per ERD table, `DIR/<table>/`. The five event tables are split
by month (hive partitioning, `month=YYYY-MM`), the others are one file:

    DIR/members/part-0.parquet
    DIR/memberaccess/month=2025-01/part-0.parquet
    DIR/memberaccess/month=2025-02/part-0.parquet

so `read_parquet('DIR/memberaccess/**/*.parquet', hive_partitioning=true)`
(DuckDB), `spark.read.parquet("DIR/memberaccess")` (Spark) or a Hive table
over `DIR/memberaccess` partitioned by `month varchar` (Trino) reads a table
as one, with a `month` column, and a filter on `month` skips the other months'
files. An event table without rows is one empty `part-0.parquet` (no month
directories), so every table has a schema to read. The month is a string
`YYYY-MM`, not a column of the files.

Partition columns, each the row's own time of the event (never NULL) and what
an analysis of the table filters on first:

- memberaccess      checkintime     when the member came in (indexed)
- equipmentusage    starttime       when the session began (indexed)
- memberpayments    paymentdate     the payment's date (a date; indexed)
- classenrollments  enrollmentdate  when the member enrolled. The one
  timestamp every enrollment has (checkintime is NULL for no-shows and
  waitlists); the class's own date is a column of classinstances, and a
  partition must come from the row itself.
- stafftimetracking actualstarttime when the shift began (actualendtime is
  NULL while it is open).

A timestamp's month is its month in the project's TIME_ZONE (the chain's local
time, the one opening hours, local dates and the warehouse's date keys use): a
check-in at 23:30 on 31 October in New York is in `month=2025-10`, although it
is 1 November in UTC.

Column types
------------
The columns are the ERD column names in ERD order, typed from the Django
fields: text and foreign keys `string`; IntegerField, SmallIntegerField and
their Positive forms `int32`, BigIntegerField `int64`; `bool`; dates `date32`;
times `time64[us]`; timestamps `timestamp[us, tz=UTC]` (Parquet TIMESTAMP,
adjusted to UTC, microseconds); decimals `decimal128(max_digits,
decimal_places)`. A NOT NULL column is a required Parquet column. Text is
written as it is: NULL stays NULL and '' stays '' (no CSV escaping is needed).
Files are Snappy-compressed with statistics, so engines prune row groups.
Times are Parquet TIME(MICROS, not adjusted to UTC): Spark reads them from 4.1
on (its TIME type); earlier Spark refuses the tables that have them
(facilities, classschedules, staffschedules), not the others.

Export
------
Everything is read in one transaction (REPEATABLE READ, READ ONLY on
PostgreSQL when the export opens it), so the 23 tables are one consistent
snapshot. The dataset is written into a hidden directory next to DIR and moved
into place when all 23 tables are complete: an interrupted or failed export
leaves DIR as it was, and a re-export replaces the old dataset as a whole (no
month directory of an earlier export survives). DIR must be new, empty or an
earlier export: a directory holding anything else is refused rather than
deleted.

Memory stays flat: rows are read `batch_rows` at a time and each batch is
written as a Parquet row group, at most two batches queued between the reading
and the writing. On PostgreSQL a table is read with `COPY (SELECT ...) TO
STDOUT (FORMAT csv)` and pyarrow's C++ CSV parser turns a batch into typed
columns at once, with no Python object per value; the parsing and the Parquet
encoding run on a background thread (both release the GIL) while the main
thread keeps reading, so the server keeps streaming. On SQLite the batches
come from the ORM (`values_list(...).iterator()`) and pyarrow converts each
column at once. `ParquetExportError` refuses a target directory holding other
files (see above) before anything is written.

A month-partitioned table whose partition column leads an index
(checkintime, starttime, paymentdate) is read one month range at a time, each
an index range scan; classenrollments and stafftimetracking have no such
index, so they are read in one query ordered by the column (one sort, not a
scan per month). Either way the rows come in time order, each file's rows are
sorted by the partition column (then id), and a batch is cut at month
boundaries with a binary search, not row by row.

Reading
-------
`parquet_rows` checks the column names and types of every file before it
yields a row and raises `ParquetFormatError` (naming the table, column and
file) for a missing directory, no files, a missing or extra column, or a type
that cannot be read as the field's. Column order in the files does not matter
(Parquet columns are named); the rows come in ERD order. Besides the exact
types above it accepts what other writers produce for the same values: any
integer width, large or dictionary-encoded strings, date64, time32, any
timestamp unit (INT96 too); a timestamp without time zone (Parquet
isAdjustedToUTC=false, or INT96 as Spark and Hive write it) is read as UTC;
any decimal precision and scale (the import's field checks refuse too many
digits). Floating point is refused for a decimal: it cannot carry cents
exactly. Files and directories whose names start with `.` or `_` are skipped,
as Spark and Hive do (`_SUCCESS`, `.crc`).
"""
import datetime as dt
import os
import shutil
import time
import uuid
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from itertools import islice
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq
from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import Max, Min

from fitness import csvio
from fitness.core.dialect import Dialect, sql_literal
from fitness.core.tables import LOAD_ORDER, ods_models

BATCH_ROWS = 100_000
JOIN_ROWS = 4096  # COPY rows joined into one bytes object while a batch is read
CSV_BLOCK_BYTES = 1 << 24  # pyarrow parses a batch's CSV in blocks of this size, in parallel
PARTITION_KEY = "month"
PART_FILE = "part-0.parquet"
COMPRESSION = "snappy"

# {table: attname of the column its month partitions come from}; see the module docstring for why.
PARTITION_COLUMNS = {
    "memberaccess": "check_in_time",
    "equipmentusage": "start_time",
    "memberpayments": "payment_date",
    "classenrollments": "enrollment_date",
    "stafftimetracking": "actual_start_time",
}

BIG_INTEGER_TYPES = {"BigIntegerField", "PositiveBigIntegerField"}
EPOCH_DAY = dt.date(1970, 1, 1)
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
MICROSECOND = dt.timedelta(microseconds=1)
UTC_TYPE = pa.timestamp("us", tz="UTC")
# Same instants; to_pylist gives them tzinfo=datetime.timezone.utc (what Django gives), not ZoneInfo("UTC").
UTC_OFFSET_TYPE = pa.timestamp("us", tz="+00:00")


class ParquetFormatError(ValueError):
    """A Parquet dataset that cannot be read as an ODS table. `.table`, `.columns`
    (the columns concerned, possibly empty) and `.path` (the file or directory)
    say where."""

    def __init__(self, table, reason, columns=(), path=None):
        self.table, self.reason, self.columns, self.path = table, reason, tuple(columns), path
        where = table
        if self.columns:
            where += f", column{'s' if len(self.columns) > 1 else ''} {', '.join(self.columns)}"
        super().__init__(f"{where}: {reason}" + (f" ({path})" if path else ""))


class ParquetExportError(RuntimeError):
    """The export cannot be done: DIR holds files that are not an ODS export
    (refused before anything is written), or rows cannot be put in months
    (a NULL or out-of-order partition value). DIR is left as it was."""


# --------------------------------------------------------------------------- types

def arrow_type(field):
    """The Arrow type of one ODS field (see the module docstring)."""
    kind = csvio.field_kind(field)
    if kind == "text":
        return pa.string()
    if kind == "int":
        return pa.int64() if field.get_internal_type() in BIG_INTEGER_TYPES else pa.int32()
    return {
        "bool": pa.bool_(),
        "date": pa.date32(),
        "time": pa.time64("us"),
        "datetime": UTC_TYPE,
    }.get(kind) or pa.decimal128(field.max_digits, field.decimal_places)


def arrow_schema(model):
    """The Arrow schema of a table's files: ERD columns in ERD order."""
    return pa.schema([pa.field(f.column, arrow_type(f), nullable=f.null) for f in csvio.erd_fields(model)])


# --------------------------------------------------------------------------- months

@dataclass(frozen=True)
class Partition:
    """How one event table is cut into months."""

    field: object  # the Django field
    zone: ZoneInfo

    @property
    def is_date(self):
        return csvio.field_kind(self.field) == "date"

    def month_start(self, year, month):
        """The first day (a date) or first instant (aware, in the local zone) of a month."""
        if self.is_date:
            return dt.date(year, month, 1)
        return dt.datetime(year, month, 1, tzinfo=self.zone)

    def month_of(self, value):
        """(label 'YYYY-MM', start, start of the next month) of a date or aware timestamp."""
        local = value if self.is_date else value.astimezone(self.zone)
        year, month = local.year, local.month
        following = (year + 1, 1) if month == 12 else (year, month + 1)
        return f"{year:04d}-{month:02d}", self.month_start(year, month), self.month_start(*following)

    def months(self, first, last):
        """[(label, start, end)] of every month from `first`'s to `last`'s."""
        label, start, end = self.month_of(first)
        months = [(label, start, end)]
        last_label = self.month_of(last)[0]
        while label < last_label:
            label, start, end = self.month_of(end)
            months.append((label, start, end))
        return months

    def key(self, value):
        """A value as the integer Arrow stores: days (date32) or microseconds (timestamp[us])."""
        if self.is_date:
            return (value - EPOCH_DAY).days
        return (value - EPOCH) // MICROSECOND

    def split(self, table):
        """[(label, slice of `table`)] of a table sorted by the partition column,
        cut at month boundaries by binary search."""
        column = table.column(self.field.column)
        if column.null_count:
            raise ParquetExportError(f"{self.field.model._meta.db_table}.{self.field.column} has NULLs")
        integers = column.combine_chunks().cast(pa.int32() if self.is_date else pa.int64())
        keys = integers.to_numpy(zero_copy_only=False)
        if len(keys) > 1 and not bool(np.all(keys[:-1] <= keys[1:])):
            raise ParquetExportError(f"rows of {self.field.model._meta.db_table} came out of time order")
        pieces, position = [], 0
        while position < len(keys):
            label, _start, end = self.month_of(column[position].as_py())
            stop = int(np.searchsorted(keys, self.key(end), side="left"))
            pieces.append((label, table.slice(position, stop - position)))
            position = stop
        return pieces


def partition_of(model):
    attname = PARTITION_COLUMNS.get(model._meta.db_table)
    if attname is None:
        return None
    return Partition(model._meta.get_field(attname), ZoneInfo(settings.TIME_ZONE))


def leads_an_index(model, field):
    """Whether an index of the table starts with `field` (so a range on it is an index scan)."""
    if field.db_index or field.unique or field.primary_key:
        return True
    return any(index.fields and index.fields[0] == field.name for index in model._meta.indexes)


# --------------------------------------------------------------------------- reading the database

@dataclass(frozen=True)
class Query:
    """Which rows of a table to read, in what order: `start <= column < end` when given."""

    order_by: tuple  # field attnames
    column: object = None  # the Django field a range is on
    start: object = None
    end: object = None


def table_queries(model, partition):
    """The queries that read a table, in the order its files are written."""
    pk = model._meta.pk.attname
    if partition is None:
        return [Query(order_by=(pk,))]
    field = partition.field
    order_by = (field.attname, pk)
    if not leads_an_index(model, field):
        return [Query(order_by=order_by)]  # one sort beats one scan per month
    bounds = model._default_manager.aggregate(first=Min(field.attname), last=Max(field.attname))
    if bounds["first"] is None:
        return []
    return [
        Query(order_by=order_by, column=field, start=start, end=end)
        for _label, start, end in partition.months(bounds["first"], bounds["last"])
    ]


def copy_batches(connection, model, schema, query, batch_rows):
    """The rows of `query` from PostgreSQL, `batch_rows` at a time, each batch a
    function that returns it as an Arrow table (the parsing is left to the
    caller's thread). COPY ... (FORMAT csv), parsed by pyarrow's C++ reader;
    PostgreSQL sends one COPY message per row, so joined messages are whole rows."""
    quote = connection.ops.quote_name
    fields = csvio.erd_fields(model)
    columns = []
    parse_types = {}
    for field, arrow_field in zip(fields, schema):
        name = quote(field.column)
        if arrow_field.type == UTC_TYPE:
            # The UTC wall clock, whatever the session's TimeZone; made aware again below.
            columns.append(f"{name} AT TIME ZONE 'UTC'")
            parse_types[field.column] = pa.timestamp("us")
        else:
            columns.append(name)
            parse_types[field.column] = arrow_field.type
    sql = f"SELECT {', '.join(columns)} FROM {quote(model._meta.db_table)}"
    if query.column is not None:
        cast = "date" if csvio.field_kind(query.column) == "date" else "timestamptz"
        column = quote(query.column.column)
        sql += (
            f" WHERE {column} >= {sql_literal(query.start.isoformat())}::{cast}"
            f" AND {column} < {sql_literal(query.end.isoformat())}::{cast}"
        )
    sql += " ORDER BY " + ", ".join(quote(model._meta.get_field(name).column) for name in query.order_by)
    read_options = pa_csv.ReadOptions(column_names=schema.names, block_size=CSV_BLOCK_BYTES)
    parse_options = pa_csv.ParseOptions(newlines_in_values=True)
    convert_options = pa_csv.ConvertOptions(
        column_types=parse_types,
        # PostgreSQL's CSV writes NULL as an unquoted empty field and '' as "".
        null_values=[""],
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
        true_values=["t"],
        false_values=["f"],
    )

    def parse(blocks):
        data = b"".join(blocks)
        try:
            parsed = pa_csv.read_csv(
                pa.BufferReader(data),
                read_options=read_options, parse_options=parse_options, convert_options=convert_options,
            )
        except pa.ArrowInvalid as error:
            if "straddling" not in str(error):
                raise
            # A row longer than the parser's block (a text of many megabytes): parse the batch as one block.
            parsed = pa_csv.read_csv(
                pa.BufferReader(data),
                read_options=pa_csv.ReadOptions(column_names=schema.names, block_size=len(data) + 1),
                parse_options=parse_options, convert_options=convert_options,
            )
        arrays = [
            column.cast(arrow_field.type) if arrow_field.type == UTC_TYPE else column
            for column, arrow_field in zip(parsed.columns, schema)
        ]
        return pa.Table.from_arrays(arrays, schema=schema)

    with connection.cursor() as cursor, connection.wrap_database_errors:
        with cursor.copy(f"COPY ({sql}) TO STDOUT (FORMAT csv)") as copy:
            rows = iter(copy)
            while True:
                # Rows are joined a few thousand at a time: one bytes object, not thousands of buffers.
                blocks, count = [], 0
                while count < batch_rows:
                    wanted = min(JOIN_ROWS, batch_rows - count)
                    chunk = list(islice(rows, wanted))
                    if chunk:
                        blocks.append(b"".join(chunk))
                        count += len(chunk)
                    if len(chunk) < wanted:  # the end of the data
                        if blocks:
                            yield partial(parse, blocks)
                        return
                yield partial(parse, blocks)


def orm_batches(model, schema, query, batch_rows):
    """The rows of `query` through the ORM (SQLite, any other database),
    `batch_rows` at a time, each batch a function that converts it to an Arrow
    table a whole column at a time."""
    queryset = model._default_manager.all()
    if query.column is not None:
        name = query.column.attname
        queryset = queryset.filter(**{f"{name}__gte": query.start, f"{name}__lt": query.end})
    attnames = [field.attname for field in csvio.erd_fields(model)]
    rows = queryset.order_by(*query.order_by).values_list(*attnames).iterator(chunk_size=batch_rows)

    def convert(batch):
        arrays = [pa.array(values, type=arrow_field.type) for values, arrow_field in zip(zip(*batch), schema)]
        return pa.Table.from_arrays(arrays, schema=schema)

    while batch := list(islice(rows, batch_rows)):
        yield partial(convert, batch)


# --------------------------------------------------------------------------- writing files

class TableWriter:
    """Writes one table's batches, in order, to DIR/<table>/part-0.parquet or to
    its month directories; each flush is one row group of at least `batch_rows`
    rows (or what is left)."""

    def __init__(self, root, schema, partition, batch_rows):
        self.root, self.schema, self.partition, self.batch_rows = Path(root), schema, partition, batch_rows
        self.root.mkdir(parents=True)
        self.rows = 0
        self.directory = None  # the directory being written
        self.writer = None
        self.pending = []
        self.pending_rows = 0
        self.finished = set()

    def write(self, table):
        if self.partition is None:
            self._append(self.root, table)
        else:
            for label, piece in self.partition.split(table):
                self._append(self.root / f"{PARTITION_KEY}={label}", piece)

    def _append(self, directory, table):
        if directory != self.directory:
            self._close_file()
            if directory in self.finished:
                raise ParquetExportError(f"rows for {directory} came after a later month's")
            directory.mkdir(exist_ok=True)
            self.directory = directory
            self.writer = pq.ParquetWriter(directory / PART_FILE, self.schema, compression=COMPRESSION)
        self.pending.append(table)
        self.pending_rows += table.num_rows
        self.rows += table.num_rows
        if self.pending_rows >= self.batch_rows:
            self._flush()

    def _flush(self):
        if self.pending_rows:
            table = pa.concat_tables(self.pending)
            self.writer.write_table(table, row_group_size=table.num_rows)
        self.pending, self.pending_rows = [], 0

    def _close_file(self):
        if self.writer is not None:
            self._flush()
            self.writer.close()
            self.finished.add(self.directory)
        self.writer, self.directory = None, None

    def close(self):
        self._close_file()
        if self.rows == 0:
            pq.write_table(self.schema.empty_table(), self.root / PART_FILE, compression=COMPRESSION)

    def abort(self):
        if self.writer is not None:
            self.writer.close()
        self.writer = None


class Pipeline:
    """Runs a table's parse-and-write steps in order on one background thread, at
    most `depth` batches behind the reading, so the database keeps streaming
    rows while pyarrow parses and writes (both release the GIL). Memory stays
    bounded: the reader waits when `depth` batches are queued."""

    def __init__(self, writer, depth=2):
        self.writer, self.depth = writer, depth
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parquet-writer")
        self.queued = deque()

    def _step(self, make_table):
        self.writer.write(make_table())

    def submit(self, make_table):
        while len(self.queued) >= self.depth:
            self.queued.popleft().result()  # re-raises the step's error
        self.queued.append(self.executor.submit(self._step, make_table))

    def finish(self):
        while self.queued:
            self.queued.popleft().result()
        self.executor.shutdown()

    def abort(self):
        for future in self.queued:
            future.cancel()
        self.executor.shutdown(wait=True)  # the step under way finishes before files are closed


def export_table(connection, model, root, batch_rows=BATCH_ROWS):
    """Write one table into the directory `root` (which must not exist); returns its row count."""
    schema = arrow_schema(model)
    partition = partition_of(model)
    writer = TableWriter(root, schema, partition, batch_rows)
    pipeline = Pipeline(writer)
    use_copy = Dialect.for_connection(connection).supports_copy
    try:
        for query in table_queries(model, partition):
            if use_copy:
                batches = copy_batches(connection, model, schema, query, batch_rows)
            else:
                batches = orm_batches(model, schema, query, batch_rows)
            for make_table in batches:
                pipeline.submit(make_table)
        pipeline.finish()
    except BaseException:
        pipeline.abort()
        writer.abort()
        raise
    writer.close()
    return writer.rows


def check_replaceable(target):
    """Refuse a target that is not a directory this export may replace as a whole."""
    if not target.exists():
        return
    if not target.is_dir():
        raise ParquetExportError(f"{target} is not a directory")
    foreign = sorted(entry.name for entry in target.iterdir() if entry.name not in LOAD_ORDER)
    if foreign:
        raise ParquetExportError(
            f"{target} holds {', '.join(foreign[:5])}{' ...' if len(foreign) > 5 else ''}, which is not part of "
            "an ODS Parquet export; a re-export replaces the whole directory, so give a new or empty one"
        )


def sibling(target, purpose):
    """A new hidden name next to `target` (same file system, so renames are atomic)."""
    return target.parent / f".{target.name}.{purpose}-{uuid.uuid4().hex[:12]}"


def move_into_place(staging, target):
    """Replace `target` by the complete `staging` directory (two renames on one file system)."""
    old = None
    if target.exists():
        old = sibling(target, "old")
        os.rename(target, old)
    try:
        os.rename(staging, target)
    except BaseException:
        if old is not None:
            os.rename(old, target)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def export_parquet(directory, report=None, batch_rows=BATCH_ROWS):
    """Write every ODS table as Parquet under `directory` (see the module
    docstring); returns {table: rows}. `report(table, rows, seconds)` is called
    after each table."""
    target = Path(directory).absolute()
    check_replaceable(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = sibling(target, "partial")
    staging.mkdir()  # with the umask's permissions (mkdtemp's would be 0700)
    models = ods_models()
    alias = router.db_for_read(models[0])
    connection = connections[alias]
    counts = {}
    try:
        outermost = not connection.in_atomic_block
        with transaction.atomic(using=alias):
            if Dialect.for_connection(connection).is_postgres:
                with connection.cursor() as cursor:
                    if outermost:  # must be the transaction's first statement
                        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    date_style = connection.connection.info.parameter_status("DateStyle") or ""
                    if not date_style.startswith("ISO"):
                        cursor.execute("SET LOCAL DateStyle = 'ISO'")  # 2025-01-31, which pyarrow parses
            for model in models:
                table = model._meta.db_table
                started = time.monotonic()
                counts[table] = export_table(connection, model, staging / table, batch_rows)
                if report:
                    report(table, counts[table], time.monotonic() - started)
        move_into_place(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return counts


# --------------------------------------------------------------------------- reading a dataset

def table_directory(directory, model):
    return Path(directory) / model._meta.db_table


def _hidden(relative):
    return any(part.startswith((".", "_")) for part in relative.parts)


def dataset_files(directory, model):
    """[(path, hive partition keys)] of a table's data files, in path order
    (months in order); ParquetFormatError when there is no table directory or no file."""
    table = model._meta.db_table
    root = table_directory(directory, model)
    if not root.is_dir():
        raise ParquetFormatError(table, "no table directory", path=root)
    files = []
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        if path.is_file() and not _hidden(relative):
            keys = {part.split("=", 1)[0] for part in relative.parent.parts if "=" in part}
            files.append((path, keys))
    if not files:
        raise ParquetFormatError(table, "no Parquet files in the table directory", path=root)
    return files


def _open(table, path):
    try:
        return pq.ParquetFile(path, coerce_int96_timestamp_unit="us")
    except (pa.ArrowException, OSError) as error:
        raise ParquetFormatError(table, f"not a readable Parquet file: {error}", path=path) from None


def file_columns(table, path, keys):
    """(ParquetFile, {column: Arrow type}) without the hive partition keys."""
    parquet = _open(table, path)
    schema = parquet.schema_arrow
    return parquet, {f.name: f.type for f in schema if f.name not in keys}


def parquet_columns(directory, model):
    """The dataset's column names (of its first file), without hive partition columns such as `month`."""
    table = model._meta.db_table
    path, keys = dataset_files(directory, model)[0]
    return list(file_columns(table, path, keys)[1])


def _readable(kind, arrow):
    """Whether values of Arrow type `arrow` can be read as a field of `kind`."""
    if pa.types.is_null(arrow):
        return True  # a column of NULLs only
    if pa.types.is_dictionary(arrow):
        arrow = arrow.value_type
    return {
        "text": lambda t: pa.types.is_string(t) or pa.types.is_large_string(t) or t == pa.string_view(),
        "int": pa.types.is_integer,
        "bool": pa.types.is_boolean,
        "date": pa.types.is_date,
        "time": pa.types.is_time,
        "datetime": pa.types.is_timestamp,
        "decimal": pa.types.is_decimal,
    }[kind](arrow)


def _canonical(kind, arrow):
    """The type a column is cast to before it becomes Python values (None: as it is)."""
    if pa.types.is_null(arrow):
        return None
    if kind == "text":
        return pa.string()
    if kind == "date":
        return pa.date32()
    if kind == "time":
        return pa.time64("us")
    if kind == "datetime":
        return UTC_OFFSET_TYPE  # a timestamp without zone is taken as UTC: same numbers, a zone attached
    return None


def check_file(model, path, columns):
    """ParquetFormatError unless the file's columns are exactly the ERD's, each of a readable type."""
    table = model._meta.db_table
    expected = csvio.erd_header(model)
    missing = [name for name in expected if name not in columns]
    if missing:
        raise ParquetFormatError(table, "missing", missing, path)
    extra = [name for name in columns if name not in expected]
    if extra:
        raise ParquetFormatError(table, "not an ERD column of the table", extra, path)
    for field in csvio.erd_fields(model):
        kind, arrow = csvio.field_kind(field), columns[field.column]
        if not _readable(kind, arrow):
            raise ParquetFormatError(
                table, f"type {arrow} cannot be read as {arrow_type(field)} ({field.get_internal_type()})",
                [field.column], path,
            )


def parquet_rows(directory, model, batch_rows=BATCH_ROWS):
    """The dataset's rows as tuples of Python values in ERD column order (str,
    int, bool, date, time, datetime aware in UTC, Decimal, None for NULL),
    read `batch_rows` at a time. Every file's columns are checked before this
    returns, so a bad dataset raises ParquetFormatError here, not half-way."""
    batches = parquet_batches(directory, model, batch_rows)
    return (row for batch in batches for row in zip(*(column.to_pylist() for column in batch.columns)))


def parquet_batches(directory, model, batch_rows=BATCH_ROWS):
    """The dataset as Arrow record batches, columns in ERD order with the types
    `parquet_rows` reads (text as string, timestamps in UTC, ...): for loaders
    that convert whole columns (the import engine writes them as CSV for COPY).
    Checks every file first, as `parquet_rows`."""
    table = model._meta.db_table
    fields = csvio.erd_fields(model)
    names = [field.column for field in fields]
    plans = []
    for path, keys in dataset_files(directory, model):
        parquet, columns = file_columns(table, path, keys)
        parquet.close()
        check_file(model, path, columns)
        casts = [_canonical(csvio.field_kind(field), columns[field.column]) for field in fields]
        plans.append((path, casts))
    return _iter_batches(table, names, plans, batch_rows)


def _iter_batches(table, names, plans, batch_rows):
    for path, casts in plans:
        parquet = _open(table, path)
        try:
            for batch in parquet.iter_batches(batch_size=batch_rows, columns=names, use_threads=True):
                columns = []
                for name, column, cast in zip(names, batch.columns, casts):
                    if cast is not None and column.type != cast:
                        try:
                            column = column.cast(cast)
                        except pa.ArrowInvalid as error:
                            raise ParquetFormatError(table, f"cannot be read as {cast}: {error}", [name], path) \
                                from None
                    columns.append(column)
                yield pa.RecordBatch.from_arrays(columns, names=names)
        finally:
            parquet.close()
