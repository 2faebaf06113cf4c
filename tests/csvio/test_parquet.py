"""The ODS as a Parquet dataset: DuckDB reads every table with the database's
counts, sums, ranges and exact column types; the event tables are split by
local month as hive partitions; `parquet_rows` gives back exactly the
database's values (tricky text included); a failed export leaves the old
dataset; the reader names the table and column of whatever it cannot read."""
import datetime as dt
from collections import Counter
from decimal import Decimal
from zoneinfo import ZoneInfo

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.conf import settings

from facilities.models import Facility, MemberAccess
from fitness import csvio, parquetio
from fitness.core.tables import LOAD_ORDER, model_for, ods_models
from fitness.seeding.run import flush_ods, seed_ods
from members.models import Member, MemberPayment, MembershipType

from ..dataset import TRICKY_TEXTS, build_dataset

pytestmark = pytest.mark.django_db

END = dt.date(2025, 3, 12)  # a 40-day window over three months and the US DST switch (2025-03-09)
EVENT_TABLES = {
    "memberaccess": "check_in_time",
    "equipmentusage": "start_time",
    "memberpayments": "payment_date",
    "classenrollments": "enrollment_date",
    "stafftimetracking": "actual_start_time",
}
ZONE = ZoneInfo(settings.TIME_ZONE)
BATCH = 500  # small batches: a month's rows span several, and a batch spans months


def erd_values(model):
    """The table's rows as the ORM gives them, in ERD column order, by primary key."""
    return list(model.objects.order_by("pk").values_list(*[f.attname for f in csvio.erd_fields(model)]))


def local_month(value):
    if isinstance(value, dt.datetime):
        value = value.astimezone(ZONE)
    return f"{value.year:04d}-{value.month:02d}"


def duck(directory):
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    for table in LOAD_ORDER:
        con.execute(
            f"CREATE VIEW {table} AS SELECT * FROM "
            f"read_parquet('{directory}/{table}/**/*.parquet', hive_partitioning = true)"
        )
    return con


def one(con, sql):
    return con.execute(sql).fetchone()[0]


def duckdb_type(field):
    kind = csvio.field_kind(field)
    if kind == "int":
        return "BIGINT" if field.get_internal_type() in parquetio.BIG_INTEGER_TYPES else "INTEGER"
    if kind == "decimal":
        return f"DECIMAL({field.max_digits},{field.decimal_places})"
    return {
        "text": "VARCHAR", "bool": "BOOLEAN", "date": "DATE", "time": "TIME",
        "datetime": "TIMESTAMP WITH TIME ZONE",
    }[kind]


def same_rows(directory, model, batch_rows=parquetio.BATCH_ROWS):
    """parquet_rows of the table, by primary key, against the database: equal, and of the same Python types."""
    expected = erd_values(model)
    got = sorted(parquetio.parquet_rows(directory, model, batch_rows=batch_rows), key=lambda row: row[0])
    assert got == expected, model._meta.db_table
    for got_row, expected_row in zip(got, expected):
        assert [type(v) for v in got_row] == [type(v) for v in expected_row], (model._meta.db_table, got_row)
        for value in got_row:
            if isinstance(value, dt.datetime):
                assert value.tzinfo is dt.timezone.utc
    return got


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    """A small seeded chain (committed for the module, emptied afterwards) and its export,
    run outside any transaction as the command runs it."""
    with django_db_blocker.unblock():
        seed_ods(days=40, seed=5, profile="small", members=60, end_date=END)
        try:
            directory = tmp_path_factory.mktemp("parquet") / "ods"
            reports = []
            counts = parquetio.export_parquet(directory, report=lambda *args: reports.append(args), batch_rows=BATCH)
            yield directory, counts, reports
        finally:
            flush_ods()


@pytest.fixture
def tricky(db):
    """The hand-made dataset of awkward values (NULL and '', quotes, unicode, newlines, microseconds)."""
    flush_ods()  # inside the test's transaction: the module's seeded rows come back afterwards
    build_dataset()


# --------------------------------------------------------------------------- the seeded chain

def test_every_table_is_exported_with_the_databases_row_count(seeded):
    directory, counts, reports = seeded
    expected = {model._meta.db_table: model.objects.count() for model in ods_models()}
    assert counts == expected
    assert all(expected.values())
    assert [(table, rows) for table, rows, _seconds in reports] == list(expected.items())  # in load order
    con = duck(directory)
    assert {table: one(con, f"SELECT count(*) FROM {table}") for table in LOAD_ORDER} == expected
    # Nothing but the dataset next to it: the staging directory was moved into place.
    assert [p.name for p in directory.parent.iterdir()] == ["ods"]
    assert sorted(p.name for p in directory.iterdir()) == sorted(LOAD_ORDER)


def test_event_tables_are_split_by_local_month_as_hive_partitions(seeded):
    directory = seeded[0]
    for table in LOAD_ORDER:
        model, root = model_for(table), directory / table
        files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
        if table not in EVENT_TABLES:
            assert files == ["part-0.parquet"], table
            continue
        attname = EVENT_TABLES[table]
        per_month = Counter(local_month(v) for v in model.objects.values_list(attname, flat=True))
        assert files == [f"month={month}/part-0.parquet" for month in sorted(per_month)], table
        column = model._meta.get_field(attname).column
        for month, rows in per_month.items():
            values = pq.read_table(root / f"month={month}" / "part-0.parquet").column(column).to_pylist()
            assert len(values) == rows
            assert {local_month(v) for v in values} == {month}, (table, month)
            assert values == sorted(values)  # each file in time order: tight row-group statistics
    # Payments go back years (every period's dues); visits cover the window's three months.
    assert len(list((directory / "memberpayments").iterdir())) > 12
    assert sorted(p.name for p in (directory / "memberaccess").iterdir()) == [
        "month=2025-01", "month=2025-02", "month=2025-03",
    ]
    # The month is local: a late-evening visit on the last day of a month is in that month,
    # although in UTC it is already the next one.
    visits = MemberAccess.objects.values_list("check_in_time", flat=True)
    assert any(local_month(v) != f"{v.year:04d}-{v.month:02d}" for v in visits)


def test_duckdb_reads_the_exact_column_types(seeded):
    con = duck(seeded[0])
    for model in ods_models():
        table = model._meta.db_table
        described = [(name, kind) for name, kind, *_ in con.execute(f"DESCRIBE {table}").fetchall()]
        expected = [(f.column, duckdb_type(f)) for f in csvio.erd_fields(model)]
        if table in EVENT_TABLES:
            expected.append(("month", "VARCHAR"))
        assert described == expected, table
    assert duckdb_type(MemberPayment._meta.get_field("amount")) == "DECIMAL(10,2)"
    assert one(con, "SELECT typeof(overallrating) FROM instructorperformance LIMIT 1") == "DECIMAL(3,2)"
    # NOT NULL columns are required Parquet columns.
    schema = pq.read_schema(next((seeded[0] / "memberaccess").rglob("*.parquet")))
    assert not schema.field("checkintime").nullable and schema.field("checkouttime").nullable


def test_duckdb_sums_counts_and_ranges_match_the_database(seeded):
    con = duck(seeded[0])
    payments = list(MemberPayment.objects.values_list("amount", "status", "payment_date"))
    assert one(con, "SELECT sum(amount) FROM memberpayments") == sum((a for a, _s, _d in payments), Decimal(0))
    by_status = dict(con.execute("SELECT status, sum(amount) FROM memberpayments GROUP BY 1").fetchall())
    expected_by_status = Counter()
    for amount, status, _day in payments:
        expected_by_status[status] += amount
    assert by_status == dict(expected_by_status)
    assert con.execute("SELECT min(paymentdate), max(paymentdate) FROM memberpayments").fetchone() == (
        min(d for *_x, d in payments), max(d for *_x, d in payments),
    )

    visits = list(MemberAccess.objects.values_list("check_in_time", "check_out_time", "duration"))
    assert dict(con.execute("SELECT month, count(*) FROM memberaccess GROUP BY 1").fetchall()) == dict(
        Counter(local_month(t) for t, *_ in visits)
    )
    assert con.execute("SELECT min(checkintime), max(checkintime), max(checkouttime) FROM memberaccess").fetchone() \
        == (min(t for t, *_ in visits), max(t for t, *_ in visits), max(o for _t, o, _d in visits if o))
    assert one(con, "SELECT sum(duration) FROM memberaccess") == sum(d for *_x, d in visits if d is not None)
    assert one(con, "SELECT count(*) FROM memberaccess WHERE checkouttime IS NULL") == sum(
        1 for _t, o, _d in visits if o is None
    )

    from classes.models import ClassEnrollment
    from staff.models import StaffTimeTracking

    assert one(con, "SELECT sum(paymentamount) FROM classenrollments") == sum(
        ClassEnrollment.objects.values_list("payment_amount", flat=True), Decimal(0)
    )
    hours = list(StaffTimeTracking.objects.values_list("actual_hours", "actual_start_time"))
    assert one(con, "SELECT sum(actualhours) FROM stafftimetracking") == sum(
        (h for h, _t in hours if h is not None), Decimal(0)
    )
    assert one(con, "SELECT max(actualstarttime) FROM stafftimetracking") == max(t for _h, t in hours)
    opening = list(Facility.objects.values_list("open_time", "close_time"))
    assert con.execute("SELECT min(opentime), max(closetime) FROM facilities").fetchone() == (
        min(o for o, _c in opening), max(c for _o, c in opening),
    )


@pytest.mark.parametrize("table", LOAD_ORDER)
def test_parquet_rows_give_back_the_databases_values(seeded, table):
    model = model_for(table)
    assert parquetio.parquet_columns(seeded[0], model) == csvio.erd_header(model)  # no `month`
    same_rows(seeded[0], model, batch_rows=BATCH)


# --------------------------------------------------------------------------- awkward values, small batches

MORE_TEXTS = ["line\r\nbreak\rcarriage", '  padded, "quoted"  ', "NULL", "\\N", '""', "Ωmega ✓ 🏋️"]


def test_tricky_text_nulls_and_microseconds_survive(tricky, tmp_path):
    for number, text in enumerate(MORE_TEXTS, start=1):
        Member.objects.filter(pk=f"MEM{number:06d}").update(address=text)
    directory = tmp_path / "ods"
    parquetio.export_parquet(directory, batch_rows=2)  # inside the test's transaction this time
    for model in ods_models():
        same_rows(directory, model, batch_rows=3)
    members = same_rows(directory, Member)
    alerts = [row[13] for row in members]  # medicalalerts: every tricky text, '' included
    assert alerts == TRICKY_TEXTS
    assert "" in alerts and None not in alerts
    assert [row[11] for row in members].count(None) == 4  # emergencycontact NULL on odd members
    assert [row[7] for row in members[:len(MORE_TEXTS)]] == MORE_TEXTS

    con = duck(directory)
    assert one(con, "SELECT count(*) FROM members WHERE medicalalerts = ''") == 1
    assert one(con, "SELECT count(*) FROM members WHERE medicalalerts IS NULL") == 0
    assert one(con, "SELECT count(*) FROM members WHERE emergencycontact IS NULL") == 4
    assert one(con, "SELECT medicalalerts FROM members WHERE memberid = 'MEM000007'") == TRICKY_TEXTS[6]
    assert one(con, "SELECT count(*) FROM staff WHERE lastname LIKE 'O''Neil%'") == 3
    assert one(con, "SELECT createddate FROM membershiptypes WHERE membershiptypeid = 'MT001'") == dt.datetime(
        2020, 1, 1, 9, 30, 15, 123456, tzinfo=ZoneInfo("UTC")
    )
    assert one(con, "SELECT monthlyfee FROM membershiptypes WHERE membershiptypeid = 'MT001'") == Decimal("49.99")


def test_rows_longer_than_the_csv_parsers_block_are_read_whole(tricky, tmp_path, monkeypatch):
    monkeypatch.setattr(parquetio, "CSV_BLOCK_BYTES", 64)  # PostgreSQL's COPY path; a no-op elsewhere
    directory = tmp_path / "ods"
    parquetio.export_parquet(directory)
    for model in ods_models():
        same_rows(directory, model)


def test_an_empty_database_exports_a_readable_empty_file_per_table(db, tmp_path):
    flush_ods()
    directory = tmp_path / "ods"
    assert parquetio.export_parquet(directory) == {table: 0 for table in LOAD_ORDER}
    con = duck(directory)
    for model in ods_models():
        table = model._meta.db_table
        assert [p.name for p in (directory / table).iterdir()] == ["part-0.parquet"]
        assert one(con, f"SELECT count(*) FROM {table}") == 0
        described = [(name, kind) for name, kind, *_ in con.execute(f"DESCRIBE {table}").fetchall()]
        assert described == [(f.column, duckdb_type(f)) for f in csvio.erd_fields(model)]
        assert list(parquetio.parquet_rows(directory, model)) == []


# --------------------------------------------------------------------------- replacing, failing

def tree(directory):
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in directory.rglob("*") if p.is_file()}


def test_a_reexport_replaces_the_whole_dataset(tricky, tmp_path):
    directory = tmp_path / "ods"
    parquetio.export_parquet(directory)
    assert (directory / "memberaccess" / "month=2024-02").is_dir()
    (directory / "memberaccess" / "stale.parquet").write_bytes(b"left over")
    MemberAccess.objects.all().delete()
    MemberPayment.objects.filter(payment_date__month=1).delete()

    counts = parquetio.export_parquet(directory)

    assert counts["memberaccess"] == 0
    assert [p.name for p in (directory / "memberaccess").iterdir()] == ["part-0.parquet"]  # no old month left
    assert sorted(p.name for p in (directory / "memberpayments").iterdir()) == [
        "month=2023-02", "month=2023-03", "month=2023-04",
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["ods"]


@pytest.mark.parametrize("failure", [RuntimeError, KeyboardInterrupt])
def test_a_failed_or_interrupted_export_leaves_the_old_dataset(tricky, tmp_path, monkeypatch, failure):
    directory = tmp_path / "ods"
    parquetio.export_parquet(directory)
    before = tree(directory)
    MembershipType.objects.filter(pk="MT002").update(type_name="changed")

    def fail_at_memberaccess(table, rows, seconds):
        if table == "memberaccess":
            raise failure("stop")

    with pytest.raises(failure):
        parquetio.export_parquet(directory, report=fail_at_memberaccess)
    assert tree(directory) == before
    assert [p.name for p in tmp_path.iterdir()] == ["ods"]  # no half-written staging directory

    def fail_writing(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pq.ParquetWriter, "write_table", fail_writing)
    with pytest.raises(OSError, match="disk full"):
        parquetio.export_parquet(directory)
    assert tree(directory) == before
    assert [p.name for p in tmp_path.iterdir()] == ["ods"]


def test_a_directory_holding_other_files_is_refused_not_replaced(tricky, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(parquetio.ParquetExportError, match="notes.txt"):
        parquetio.export_parquet(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


# --------------------------------------------------------------------------- the reader's errors and tolerance

def payments_table(**replace):
    """Two memberpayments rows as an Arrow table of the export's schema, with columns replaced or dropped."""
    schema = parquetio.arrow_schema(MemberPayment)
    rows = {
        "paymentid": ["PAY1", "PAY2"], "memberid": ["M1", "M2"],
        "paymentdate": [dt.date(2025, 1, 31), dt.date(2025, 2, 1)],
        "amount": [Decimal("49.90"), Decimal("-5.00")], "paymenttype": ["Monthly Dues", "Late Fee"],
        "paymentmethod": ["Cash", "Cash"], "status": ["Completed", None],
    }
    columns = {name: pa.array(values, schema.field(name).type) for name, values in rows.items()}
    for name, array in replace.items():
        if array is None:
            del columns[name]
        else:
            columns[name] = array
    return pa.table(columns)


def write_dataset(directory, table, name="memberpayments/month=2025-01/part-0.parquet"):
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return path


EXPECTED_PAYMENTS = [
    ("PAY1", "M1", dt.date(2025, 1, 31), Decimal("49.90"), "Monthly Dues", "Cash", "Completed"),
    ("PAY2", "M2", dt.date(2025, 2, 1), Decimal("-5.00"), "Late Fee", "Cash", None),
]


def refusal(directory, model=MemberPayment):
    with pytest.raises(parquetio.ParquetFormatError) as refused:
        parquetio.parquet_rows(directory, model)  # raised by the call, before any row
    return refused.value


def test_reader_refuses_a_missing_directory_or_no_files(tmp_path):
    error = refusal(tmp_path)
    assert error.table == "memberpayments" and "no table directory" in str(error)
    assert isinstance(error, ValueError)
    (tmp_path / "memberpayments" / "_temporary").mkdir(parents=True)
    assert "no Parquet files" in str(refusal(tmp_path))
    with pytest.raises(parquetio.ParquetFormatError, match="memberpayments"):
        parquetio.parquet_columns(tmp_path, MemberPayment)


def test_reader_names_a_missing_or_extra_column(tmp_path):
    write_dataset(tmp_path, payments_table(amount=None))
    error = refusal(tmp_path)
    assert (error.table, error.columns) == ("memberpayments", ("amount",))
    assert str(error).startswith("memberpayments, column amount: missing") and "part-0.parquet" in str(error)

    write_dataset(tmp_path, payments_table().append_column("note", pa.array(["a", "b"])))
    error = refusal(tmp_path)
    assert error.columns == ("note",) and "not an ERD column" in str(error)


@pytest.mark.parametrize("column, array, shown", [
    ("amount", pa.array([49.9, -5.0]), "double"),
    ("paymentdate", pa.array(["2025-01-31", "2025-02-01"]), "string"),
    ("memberid", pa.array([1, 2]), "int64"),
])
def test_reader_names_a_column_of_the_wrong_type(tmp_path, column, array, shown):
    write_dataset(tmp_path, payments_table(**{column: array}))
    error = refusal(tmp_path)
    assert error.columns == (column,)
    assert f"type {shown} cannot be read as" in str(error)


def test_reader_refuses_a_file_that_is_not_parquet(tmp_path):
    write_dataset(tmp_path, payments_table())
    (tmp_path / "memberpayments" / "month=2025-01" / "notes.txt").write_text("not parquet")
    assert "not a readable Parquet file" in str(refusal(tmp_path))


def test_reader_takes_what_other_writers_produce(tmp_path):
    """Spark-like output: other names, _SUCCESS and .crc files, wider types, columns in another order."""
    table = payments_table(
        amount=pa.array([Decimal("49.9000"), Decimal("-5.0000")], pa.decimal128(18, 4)),
        paymentdate=pa.array([dt.date(2025, 1, 31), dt.date(2025, 2, 1)], pa.date64()),
        memberid=pa.array(["M1", "M2"], pa.large_string()),
        status=pa.array(["Completed", None]).dictionary_encode(),
    )
    table = table.select(list(reversed(table.column_names)))
    write_dataset(tmp_path, table, name="memberpayments/month=2025-01/part-00000-abc.snappy.parquet")
    (tmp_path / "memberpayments" / "_SUCCESS").write_text("")
    (tmp_path / "memberpayments" / "month=2025-01" / ".part-00000-abc.snappy.parquet.crc").write_text("x")
    assert parquetio.parquet_columns(tmp_path, MemberPayment) == list(reversed(csvio.erd_header(MemberPayment)))
    assert list(parquetio.parquet_rows(tmp_path, MemberPayment)) == EXPECTED_PAYMENTS

    # Timestamps of any unit, with a zone or without one (taken as UTC, as Spark's INT96 are).
    schema = parquetio.arrow_schema(MemberAccess)
    instant = dt.datetime(2025, 1, 31, 23, 30, 0, 250000, tzinfo=dt.timezone.utc)
    columns = {f.name: pa.array([None], f.type) for f in schema}
    columns["checkintime"] = pa.array([instant.replace(tzinfo=None)], pa.timestamp("ns"))
    columns["checkouttime"] = pa.array([instant], pa.timestamp("ms", tz="America/New_York"))
    columns["duration"] = pa.array([75], pa.int64())
    write_dataset(tmp_path, pa.table(columns), name="memberaccess/month=2025-01/part-0.parquet")
    (row,) = parquetio.parquet_rows(tmp_path, MemberAccess)
    assert row[4] == instant and row[4].tzinfo is dt.timezone.utc
    assert row[5] == instant and row[7] == 75
    assert parquetio.parquet_columns(tmp_path, MemberAccess) == csvio.erd_header(MemberAccess)


def test_reader_refuses_timestamps_it_would_have_to_round(tmp_path):
    schema = parquetio.arrow_schema(MemberAccess)
    columns = {f.name: pa.array([None], f.type) for f in schema}
    columns["checkintime"] = pa.array([1_000_000_001], pa.timestamp("ns", tz="UTC"))
    write_dataset(tmp_path, pa.table(columns), name="memberaccess/part-0.parquet")
    rows = parquetio.parquet_rows(tmp_path, MemberAccess)
    with pytest.raises(parquetio.ParquetFormatError, match="memberaccess, column checkintime"):
        list(rows)


def test_batches_of_a_few_rows_read_every_row_once(tmp_path):
    table = pa.concat_tables([payments_table()] * 5)
    write_dataset(tmp_path, table)
    assert list(parquetio.parquet_rows(tmp_path, MemberPayment, batch_rows=3)) == EXPECTED_PAYMENTS * 5
