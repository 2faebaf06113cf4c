"""The COPY export (fitness.copy_export) writes exactly the bytes of the Python
export (csvio.iter_table_csv encoded as UTF-8): every cell kind, every tricky
value, whole tables and filtered querysets, the admin's download of a filtered
change list and `export_ods` over a seeded database. On SQLite the same entry
points fall back to the Python path, so the tests that compare bytes run on
both databases; those about COPY itself skip on SQLite."""
import csv
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.db.models import F, Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from import_export.signals import post_export

from classes.models import ClassEnrollment
from facilities.models import Facility, FacilityArea
from fitness import copy_export, csvio
from fitness.core.tables import ods_models
from members.models import Member, MemberMembership, MembershipType
from staff.models import InstructorPerformance, StaffPayroll

from ..dataset import at, build_dataset

pytestmark = pytest.mark.django_db
MODELS = ods_models()
NEW_YORK = ZoneInfo("America/New_York")
ON_POSTGRESQL = connection.vendor == "postgresql"
needs_copy = pytest.mark.skipif(not ON_POSTGRESQL, reason="COPY is PostgreSQL's; on SQLite the export is csvio's")

# Member.medical_alerts values on top of dataset.TRICKY_TEXTS (MEM000008 keeps the empty string).
TRICKY_ALERTS = {
    "MEM000001": "line one\r\nline two",
    "MEM000002": "\rcarriage return first",
    "MEM000003": '"',
    "MEM000004": "\\.",
    "MEM000005": " leading space, trailing space ",
    "MEM000006": "'",
    "MEM000007": "a\rb\nc\n",
}


def python_bytes(model, queryset=None):
    """What the Python export writes (the reference)."""
    return "".join(csvio.iter_table_csv(model, queryset)).encode("utf-8")


def exported_bytes(model, queryset=None):
    return b"".join(copy_export.table_csv_chunks(model, queryset))


@pytest.fixture
def tricky():
    """dataset.build_dataset plus the values a COPY export gets wrong most easily:
    CR / CRLF / LF inside text, a lone quote, `\\.`, timestamps and times with
    and without microseconds (and with trailing zeros in them), far dates,
    the biggest integer, decimals needing padding, ids that need escaping."""
    build_dataset()
    for pk, text in TRICKY_ALERTS.items():
        Member.objects.filter(pk=pk).update(medical_alerts=text)
    Member.objects.filter(pk="MEM000001").update(last_modified=at(2024, 1, 1, 12, 0, 0, 0))
    Member.objects.filter(pk="MEM000002").update(last_modified=at(2024, 1, 2, 12, 0, 0, 500000))
    Member.objects.filter(pk="MEM000003").update(last_modified=dt.datetime(2024, 7, 1, 0, 0, 0, 1, tzinfo=NEW_YORK))
    Member.objects.filter(pk="MEM000004").update(last_modified=at(9999, 12, 31, 23, 59, 59, 999999))
    Member.objects.filter(pk="MEM000005").update(date_of_birth=dt.date(999, 12, 31))
    Facility.objects.filter(pk="FAC001").update(
        open_time=dt.time(5, 0, 0, 250000), close_time=dt.time(23, 59, 59, 999999))
    Facility.objects.filter(pk="FAC002").update(open_time=dt.time(0, 0), close_time=dt.time(12, 30, 15, 1))
    FacilityArea.objects.filter(pk="AR0001").update(max_capacity=2147483647, square_footage=Decimal("99999999.99"))
    FacilityArea.objects.filter(pk="AR0002").update(square_footage=Decimal("0.1"))
    plan = MembershipType.objects.create(
        membership_type_id="-MT9", type_name="@plan", description="a\tb", monthly_fee=Decimal("5"),
        registration_fee=Decimal("0.01"), duration=3, max_family_members=1, is_active=True,
        created_date=at(2022, 3, 4, 5, 6, 7),
    )
    MemberMembership.objects.create(
        membership_id="+MSH9", member_id="MEM000005", membership_type=plan, start_date=dt.date(2024, 1, 1),
        end_date=dt.date(2024, 12, 31), status="Active", auto_renew=False,
    )


def test_every_table_exports_the_python_bytes(tricky):
    for model in MODELS:
        expected = python_bytes(model)
        assert exported_bytes(model) == expected, model._meta.db_table
        written = io.BytesIO()
        rows = copy_export.write_table_csv(model, written)
        assert written.getvalue() == expected, model._meta.db_table
        assert rows == model.objects.count() > 0, model._meta.db_table


def test_tricky_values_are_in_the_export(tricky):
    members = exported_bytes(Member)
    assert members.startswith(b"memberid,firstname,lastname,") and members.endswith(b"+00:00\r\n")
    assert b',"line one\r\nline two",' in members
    assert b',"\'\rcarriage return first",' in members
    assert b',"""",' in members and b",\\.," in members  # a lone quote; \. is only special alone on a line
    assert b",'',2020-06-01," in members and b",',2020-08-01," in members  # an apostrophe; the empty string
    assert b',"a\rb\nc\n",' in members and b'," leading space, trailing space ",' in members
    assert b",2024-01-01T12:00:00+00:00\r\n" in members
    assert b",2024-01-02T12:00:00.500000+00:00\r\n" in members
    assert b",2024-07-01T04:00:00.000001+00:00\r\n" in members
    assert b",9999-12-31T23:59:59.999999+00:00\r\n" in members
    assert b",0999-12-31," in members
    facilities = exported_bytes(Facility)
    assert b",05:00:00.250000,23:59:59.999999," in facilities and b",00:00:00,12:30:15.000001," in facilities
    areas = exported_bytes(FacilityArea)
    assert b",2147483647,99999999.99," in areas and b",0.10," in areas
    plans = exported_bytes(MembershipType)
    assert b"\r\n'-MT9,'@plan,a\tb,5.00,0.01,3,1,true,2022-03-04T05:06:07+00:00\r\n" in plans
    assert b"\r\n'+MSH9,MEM000005,'-MT9,2024-01-01,2024-12-31,Active,false\r\n" in exported_bytes(MemberMembership)


def filtered_querysets():
    """Querysets as the admin's change list builds them: filters with and without
    parameters, a join, an ordering, an annotation, nothing at all."""
    since = dt.datetime(2024, 1, 30, 8, 2, tzinfo=dt.timezone.utc)
    return [
        (Member, Member.objects.filter(member_status="Active")),
        (Member, Member.objects.filter(Q(last_name__icontains="nguy") | Q(email__startswith="m1%"))),
        (Member, Member.objects.filter(memberships__status="Active")),
        (Member, Member.objects.order_by("-member_id").filter(join_date__gte=dt.date(2020, 3, 1))),
        (Member, Member.objects.filter(pk__in=[])),
        (Member, Member.objects.none()),
        # No parameters but a literal % (the modulo operator) in the SQL.
        (MembershipType, MembershipType.objects.filter(duration__gt=F("duration") % F("max_family_members"))),
        (MemberMembership, MemberMembership.objects.select_related("member").annotate(city=F("member__city"))),
        (ClassEnrollment, ClassEnrollment.objects.filter(enrollment_date__gte=since)),
        (StaffPayroll, StaffPayroll.objects.filter(deductions__gt=0)),
        (InstructorPerformance, InstructorPerformance.objects.filter(member_satisfaction_score__isnull=True)),
    ]


def test_filtered_querysets_export_the_python_bytes(tricky):
    for model, queryset in filtered_querysets():
        expected = python_bytes(model, queryset)
        assert exported_bytes(model, queryset) == expected, queryset.query
        written = io.BytesIO()
        rows = copy_export.write_table_csv(model, written, queryset)
        assert written.getvalue() == expected
        assert rows == sum(1 for _ in csvio.table_rows(model, queryset))
    assert exported_bytes(Member, Member.objects.none()) == copy_export.header_bytes(Member)


@pytest.mark.parametrize("block_rows", [1, 2, 3])
def test_blocks_of_any_size_give_the_same_bytes(tricky, monkeypatch, block_rows):
    expected = python_bytes(Member)
    monkeypatch.setattr(copy_export, "EXPORT_BLOCK_ROWS", block_rows)
    chunks = list(copy_export.table_csv_chunks(Member))
    assert b"".join(chunks) == expected
    assert len(chunks) == 1 + -(-Member.objects.count() // block_rows)  # the header, then the blocks


@needs_copy
def test_postgresql_exports_through_copy_not_python(tricky, monkeypatch):
    expected = {model: python_bytes(model) for model in MODELS}
    queryset = Member.objects.filter(member_status="Active")
    expected_filtered = python_bytes(Member, queryset)

    def no_python_rows(*args, **kwargs):
        raise AssertionError("the COPY path read rows in Python")

    monkeypatch.setattr(csvio, "table_rows", no_python_rows)
    assert all(copy_export.uses_copy(model) for model in MODELS)
    for model in MODELS:
        assert exported_bytes(model) == expected[model]
    assert exported_bytes(Member, queryset) == expected_filtered
    statement = copy_export.copy_statement(MembershipType, MembershipType.objects.filter(
        duration__gt=F("duration") % F("max_family_members")))
    assert statement.startswith("COPY (SELECT ") and statement.endswith(") TO STDOUT (FORMAT csv)")
    assert "%%" not in statement and " % " in statement
    statement = copy_export.copy_statement(Member, Member.objects.filter(last_name__icontains="o'n%"))
    assert "%s" not in statement and "o''n" in statement  # the parameter is merged, quoted


def test_the_debug_cursor_runs_the_export_too(tricky):
    """With DEBUG on (or CaptureQueriesContext) Django's cursor is a debug
    wrapper whose copy() takes no parameters: they are merged beforehand."""
    queryset = Member.objects.filter(Q(member_status="Active") | Q(last_name__icontains="%"))
    expected = python_bytes(Member, queryset)
    with CaptureQueriesContext(connection) as queries:
        assert exported_bytes(Member, queryset) == expected
    if ON_POSTGRESQL:
        assert [q["sql"] for q in queries.captured_queries if q["sql"].startswith("COPY (SELECT ")]


# One field of each kind, and values for it beyond what the schema's rules allow.
CELL_CASES = [
    (Member, "medical_alerts", "text", [
        "", "'", "''x", "=1+2", "+1", "-1", "@a", "\tx", "\rx", "\nx", "x\r", "a,b", 'say "hi"', '"', "a\r\nb",
        "a\rb", "trailing\n", " lead", "\\.", "\\", "\\N", "NULL", "Zoë 健身 🏋", "x" * 500, None,
    ]),
    (StaffPayroll, "regular_pay", "numeric(10,2)", [
        Decimal("0.00"), Decimal("-5.00"), Decimal("49.9"), Decimal("-0.01"), Decimal("12345678.90"),
        Decimal("7"), None,
    ]),
    (InstructorPerformance, "overall_rating", "numeric(3,2)", [Decimal("4.75"), Decimal("1"), Decimal("-1.5"), None]),
    (FacilityArea, "max_capacity", "integer", [0, -7, 2147483647, -2147483648, None]),
    (Facility, "is_active", "boolean", [True, False, None]),
    (Member, "date_of_birth", "date", [
        dt.date(1, 1, 1), dt.date(999, 12, 31), dt.date(2024, 2, 29), dt.date(9999, 12, 31), None,
    ]),
    (Facility, "open_time", "time", [
        dt.time(0, 0), dt.time(23, 59, 59, 999999), dt.time(5, 0, 0, 500000), dt.time(12, 30, 15, 1),
        dt.time(6, 0, 0, 10), dt.time(7, 8, 9), None,
    ]),
    (Member, "last_modified", "timestamptz", [
        at(2024, 3, 1, 13, 5), at(2024, 3, 1, 13, 5, 0, 500000), at(2024, 3, 1, 13, 5, 0, 1),
        dt.datetime(2000, 1, 1, 0, 0, tzinfo=NEW_YORK), dt.datetime(2024, 7, 1, 23, 30, 0, 120, tzinfo=NEW_YORK),
        at(1, 1, 1), at(999, 12, 31, 23, 59, 59), at(9999, 12, 31, 23, 59, 59, 999999), None,
    ]),
]


@needs_copy
@pytest.mark.parametrize("model, name, sql_type, values", CELL_CASES,
                         ids=[f"{model.__name__}.{name}" for model, name, _, _ in CELL_CASES])
def test_every_cell_kind_is_formatted_by_sql_as_by_python(model, name, sql_type, values):
    field = model._meta.get_field(name)
    expected_text = io.StringIO(newline="")
    writer = csv.writer(expected_text)
    for number, value in enumerate(values):
        writer.writerow([str(number), csvio.format_cell(field, value)])
    cell = copy_export.cell_template(field) % {"expressions": "v.x"}
    rows = ", ".join(f"({number}, CAST(%s AS {sql_type}))" for number in range(len(values)))
    statement = f"COPY (SELECT v.n, {cell} FROM (VALUES {rows}) AS v(n, x) ORDER BY v.n) TO STDOUT (FORMAT csv)"
    statement = connection.ops.compose_sql(statement, values)
    blocks = list(copy_export.copy_csv_blocks(connection, statement))
    assert b"".join(data for data, _ in blocks) == expected_text.getvalue().encode("utf-8")
    assert sum(count for _, count in blocks) == len(values)


# --------------------------------------------------------------------------- the admin download

@pytest.fixture
def superuser_client(client):
    user = User.objects.create_superuser("boss", "boss@example.com", "pw-boss-123")
    client.force_login(user)
    return client


def admin_export(client, model, query=""):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_export") + query
    response = client.post(url, {"format": "0"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{model._meta.db_table}.csv"'
    return b"".join(response.streaming_content)


def test_admin_export_of_a_filtered_change_list_is_those_bytes(superuser_client, tricky):
    cases = [
        ("", Member.objects.all()),
        ("?member_status__exact=Active", Member.objects.filter(member_status="Active")),
        ("?q=Nguy%E1%BB%85n2", Member.objects.filter(last_name="Nguyễn2")),
        ("?join_date__gte=2020-02-01&join_date__lt=2020-05-01",
         Member.objects.filter(join_date__gte=dt.date(2020, 2, 1), join_date__lt=dt.date(2020, 5, 1))),
        ("?member_status__exact=Active&gender__exact=F", Member.objects.filter(member_status="Active", gender="F")),
        ("?q=nobody", Member.objects.none()),
    ]
    for query, queryset in cases:
        body = admin_export(superuser_client, Member, query)
        assert body == python_bytes(Member, queryset), query
    assert 0 < Member.objects.filter(member_status="Active").count() < Member.objects.count()
    assert admin_export(superuser_client, MembershipType) == python_bytes(MembershipType)


def test_admin_export_still_sends_post_export(superuser_client, tricky):
    sent = []

    def receiver(sender, model, **kwargs):
        sent.append(model)

    post_export.connect(receiver)
    try:
        admin_export(superuser_client, Facility, "?is_active__exact=1")
    finally:
        post_export.disconnect(receiver)
    assert sent == [Facility]


# --------------------------------------------------------------------------- export_ods

def files_before(directory):
    """What export_ods wrote before it used copy_export: csvio.export_table into
    a text file opened with newline=""."""
    directory.mkdir()
    for model in MODELS:
        with open(csvio.table_path(directory, model), "w", encoding="utf-8", newline="") as fileobj:
            csvio.export_table(model, fileobj)
    return {path.name: path.read_bytes() for path in directory.iterdir()}


def run_export_ods(directory):
    out = io.StringIO()
    call_command("export_ods", str(directory), stdout=out)
    return {path.name: path.read_bytes() for path in directory.iterdir()}, out.getvalue()


def test_export_ods_writes_what_it_wrote_before_on_a_seeded_database(tmp_path):
    call_command("seed_ods", "--profile=small", "--days=2", "--seed=3", "--members=40", "--end-date=2025-03-12",
                 verbosity=0)
    before = files_before(tmp_path / "before")
    after, report = run_export_ods(tmp_path / "after")
    assert after == before
    assert len(after) == 23 and not any(name.endswith(".tmp") for name in after)
    total = 0
    for model in MODELS:
        rows = model.objects.count()
        total += rows
        assert f"  {model._meta.db_table:<26} {rows:>10,} rows" in report
    assert total > 1000
    assert f"Exported 23 tables, {total:,} rows" in report


def test_export_ods_writes_the_tricky_values_as_before(tmp_path, tricky):
    before = files_before(tmp_path / "before")
    after, _ = run_export_ods(tmp_path / "after")
    assert after == before


def test_export_ods_leaves_no_partial_file_when_a_table_fails(tmp_path, tricky, monkeypatch):
    from fitness.management.commands import export_ods

    def broken(model, binary_file, queryset=None):
        binary_file.write(b"half a file")
        raise RuntimeError("disk full")

    monkeypatch.setattr(export_ods.copy_export, "write_table_csv", broken)
    with pytest.raises(RuntimeError):
        export_ods.export_ods(tmp_path)
    assert list(tmp_path.iterdir()) == []
