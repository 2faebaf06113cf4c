"""The import contract on every path, on both databases: headers checked before any row, duplicate ids
with both rows, undecodable bytes and huge cells as row errors, the first 100 problems listed and all of
them counted, the strict cell syntax, a populated target refused at once or merged with --upsert."""
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from fitness import csvio
from fitness.core.tables import ods_models
from fitness.table_import import ImportNotPossible
from members.models import Member, MembershipType

from ..dataset import build_dataset
from .importing import import_texts

pytestmark = pytest.mark.django_db

PLAN_HEADER = ",".join(csvio.erd_header(MembershipType))
GOOD_PLAN = "MT{n:03d},Plan {n},,49.99,25.00,1,1,true,2024-01-01T00:00:00+00:00"


def plans_file(rows, header=PLAN_HEADER):
    return "\r\n".join([header, *rows]) + "\r\n"


def refusal(pairs, mode="insert"):
    with pytest.raises(csvio.ImportRefused) as refused:
        import_texts(pairs, mode=mode)
    return refused.value


def test_a_renamed_column_refuses_the_file_before_any_row_naming_the_column():
    build_dataset()
    header = ",".join(csvio.erd_header(Member)).replace("medicalalerts", "medical_alerts")
    refused = refusal([(Member, header + "\r\nnot,even,a,row\r\n")], mode="upsert")
    assert [(e.row, e.column) for e in refused.errors] == [(0, "")]
    assert "missing column(s) medicalalerts" in str(refused) and "unknown column(s) medical_alerts" in str(refused)


def test_an_extra_or_missing_column_refuses_the_file():
    extra = refusal([(MembershipType, plans_file([GOOD_PLAN.format(n=1) + ",x"], PLAN_HEADER + ",notes"))])
    assert "unknown column(s) notes" in extra.errors[0].reason
    missing = refusal([(MembershipType, plans_file([], PLAN_HEADER.replace(",isactive", "")))])
    assert "missing column(s) isactive" in missing.errors[0].reason
    assert MembershipType.objects.count() == 0


def test_every_header_is_checked_before_any_file_is_read():
    bad_members = ",".join(csvio.erd_header(Member)).replace("email", "mail") + "\r\n"
    refused = refusal([(MembershipType, plans_file(["broken"])), (Member, bad_members)])
    # Only the header problem: the plans' bad row was never read.
    assert [(e.table, e.row) for e in refused.errors] == [("members", 0)]


def test_a_duplicate_id_names_both_rows():
    rows = [GOOD_PLAN.format(n=n) for n in (1, 2, 3)] + [GOOD_PLAN.format(n=2)]
    refused = refusal([(MembershipType, plans_file(rows))])
    assert [(e.row, e.column, e.reason, e.detail) for e in refused.errors] == [
        (4, "membershiptypeid", "duplicate id", "MT002 is also on row 2")]
    assert MembershipType.objects.count() == 0


def test_bytes_that_are_not_utf8_are_an_error_of_their_row_and_column():
    data = plans_file([GOOD_PLAN.format(n=1), "MT002,Caf\xe9 plan,,9.99,0.00,1,1,true,2024-01-01"]).encode("latin-1")
    refused = refusal([(MembershipType, data)])
    assert (2, "typename", "is not UTF-8 text") in [(e.row, e.column, e.reason) for e in refused.errors]
    assert "0xE9" in str(refused)


def test_a_huge_cell_is_an_error_of_its_row_and_column():
    huge = "x" * 1_000_000
    refused = refusal([(MembershipType, plans_file([GOOD_PLAN.format(n=1), f"MT002,Big,{huge},9.99,0.00,1,1,true,"
                                                    "2024-01-01T00:00:00+00:00"]))])
    assert [(e.row, e.column, e.reason) for e in refused.errors] == [
        (2, "description", "cell longer than 65,536 characters")]


def test_many_bad_rows_list_the_first_100_and_count_them_all():
    rows = [f"MT{n:03d},Plan,,abc,25.00,1,1,true,2024-01-01T00:00:00+00:00" for n in range(1, 251)]
    refused = refusal([(MembershipType, plans_file(rows))])
    assert refused.total == 250 and len(refused.errors) == csvio.MAX_LISTED_ERRORS == 100
    assert [e.row for e in refused.errors] == list(range(1, 101))
    assert refused.counts == {("membershiptypes", "monthlyfee", "expected a number like 49.90"): 250}
    assert "membershiptypes.monthlyfee: expected a number like 49.90: 250" in refused.summary()


@pytest.mark.parametrize(("column", "cell", "reason"), [
    ("createddate", "01/02/2024 10:00", "expected a timestamp like 2024-01-31T06:30:00+00:00"),
    ("createddate", "2024-02-30T10:00:00+00:00", "expected a timestamp like 2024-01-31T06:30:00+00:00"),
    ("createddate", "2024-01-01T10:00:00 PST", "expected a timestamp like 2024-01-31T06:30:00+00:00"),
    ("isactive", "on", "expected true or false"),
    ("monthlyfee", "49.999", "more than 2 decimal places"),
    ("monthlyfee", "NaN", "expected a number like 49.90"),
    ("duration", "1.5", "expected a whole number"),
    ("duration", "99999999999", "not between"),
])
def test_cells_follow_the_strict_syntax_on_both_databases(column, cell, reason):
    cells = dict(zip(csvio.erd_header(MembershipType), GOOD_PLAN.format(n=1).split(",")))
    cells[column] = cell
    refused = refusal([(MembershipType, plans_file([",".join(cells.values())]))])
    assert [(e.row, e.column) for e in refused.errors] == [(1, column)]
    assert refused.errors[0].reason.startswith(reason)


def test_accepted_spellings_and_a_timestamp_without_offset_in_the_project_zone():
    rows = ["MT001,A,,49.9,25,1,1,yes,2024-01-01 10:00:00",
            "MT002,'=B,'',1e1,0.00,1,1,F,2024-07-01T10:00:00.5Z"]
    import_texts([(MembershipType, plans_file(rows))])
    first, second = MembershipType.objects.order_by("pk")
    assert first.is_active is True and first.monthly_fee == Decimal("49.90")
    assert first.created_date == timezone.make_aware(dt.datetime(2024, 1, 1, 10))
    assert (second.type_name, second.description, second.monthly_fee, second.is_active) == ("=B", "'", 10, False)
    assert second.created_date == dt.datetime(2024, 7, 1, 10, 0, 0, 500000, tzinfo=dt.timezone.utc)


def test_a_populated_database_is_refused_at_once_without_flush_or_upsert(tmp_path):
    build_dataset()
    call_command("export_ods", str(tmp_path))
    with pytest.raises(CommandError, match="already holds rows in membershiptypes.*--flush.*--upsert"):
        call_command("import_ods", str(tmp_path))
    with pytest.raises(ImportNotPossible):
        import_texts([(MembershipType, plans_file([GOOD_PLAN.format(n=99)]))])


def test_upsert_inserts_new_ids_updates_changed_rows_and_counts_the_same(tmp_path):
    build_dataset()
    call_command("export_ods", str(tmp_path))
    plans = tmp_path / "membershiptypes.csv"
    text = plans.read_text(encoding="utf-8")
    plans.write_text(text.replace("49.99", "59.99") + GOOD_PLAN.format(n=42) + "\r\n", encoding="utf-8", newline="")
    outcomes = {o.table: o for o in __import__("fitness.management.commands.import_ods", fromlist=["x"])
                .import_ods(str(tmp_path), upsert=True)}
    plan_outcome = outcomes["membershiptypes"]
    assert (plan_outcome.new, plan_outcome.changed) == (1, 1)
    assert plan_outcome.same == plan_outcome.rows - 2
    assert MembershipType.objects.get(pk="MT001").monthly_fee == Decimal("59.99")
    assert MembershipType.objects.filter(pk="MT042").exists()
    assert all(o.new == o.changed == 0 for table, o in outcomes.items() if table != "membershiptypes")
    # Again: nothing new, nothing changed.
    again = {o.table: o for o in __import__("fitness.management.commands.import_ods", fromlist=["x"])
             .import_ods(str(tmp_path), upsert=True)}
    assert all(o.new == o.changed == 0 and o.same == o.rows for o in again.values())


def test_preview_counts_and_shows_changed_cells_and_writes_nothing():
    build_dataset()
    buffer = io.StringIO(newline="")
    csvio.export_table(MembershipType, buffer)
    text = buffer.getvalue().replace("49.99", "59.99") + GOOD_PLAN.format(n=42) + "\r\n"
    outcome = import_texts([(MembershipType, text)], mode="preview")["membershiptypes"]
    assert (outcome.new, outcome.changed, outcome.same) == (1, 1, outcome.rows - 2)
    changed = [c for c in outcome.samples if c.kind == "changed"]
    assert [(c.id, c.cells) for c in changed] == [("MT001", [("monthlyfee", "49.99", "59.99")])]
    assert [c.id for c in outcome.samples if c.kind == "new"] == ["MT042"]
    assert MembershipType.objects.get(pk="MT001").monthly_fee == Decimal("49.99")
    assert not MembershipType.objects.filter(pk="MT042").exists()


def test_parquet_export_imports_back_exactly(tmp_path):
    pytest.importorskip("pyarrow")
    build_dataset()
    before = {m._meta.db_table: list(m.objects.order_by("pk").values_list()) for m in ods_models()}
    call_command("export_ods", str(tmp_path / "pq"), "--format", "parquet")
    call_command("import_ods", str(tmp_path / "pq"), "--flush")
    after = {m._meta.db_table: list(m.objects.order_by("pk").values_list()) for m in ods_models()}
    assert after == before


@pytest.mark.django_db(transaction=True)
def test_import_ods_owning_its_transaction_loads_alongside_and_leaves_no_work_tables(tmp_path):
    """Outside any transaction the command stages on a second connection (PostgreSQL) while COPYing into the
    table; afterwards no staging or error table is left, and one left by a killed import is swept."""
    from django.db import connection

    from fitness.management.commands.import_ods import import_ods

    build_dataset()
    before = {m._meta.db_table: list(m.objects.order_by("pk").values_list()) for m in ods_models()}
    call_command("export_ods", str(tmp_path))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what a SIGKILLed import leaves: a committed staging table
            cursor.execute("CREATE UNLOGGED TABLE import_stage_999999_0123abcd_members (x text)")
    outcomes = import_ods(str(tmp_path), flush=True)
    after = {m._meta.db_table: list(m.objects.order_by("pk").values_list()) for m in ods_models()}
    assert after == before
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    assert not [t for t in tables if t.startswith(("import_stage_", "import_errors_"))]
    if connection.vendor == "postgresql":
        assert {outcome.way for outcome in outcomes} == {"copy"}
