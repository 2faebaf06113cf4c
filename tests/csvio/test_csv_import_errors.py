"""A CSV file with bad rows imports nothing and names every bad row: file, row
number, column and reason. Also the formula-escaping rule, cell by cell."""
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from facilities.models import MemberAccess
from fitness import csvio
from fitness.core.tables import ods_models
from members.models import Member, MembershipType

from ..dataset import build_dataset
from .importing import import_texts

pytestmark = pytest.mark.django_db

PLAN_HEADER = (
    "membershiptypeid,typename,description,monthlyfee,registrationfee,duration,maxfamilymembers,isactive,createddate"
)


def errors_of(model, text, mode="insert"):
    with pytest.raises(csvio.ImportRefused) as refused:
        import_texts([(model, text)], mode=mode)
    return [(e.row, e.column, e.reason) for e in refused.value.errors]


def test_each_bad_row_is_reported_and_nothing_is_written():
    rows = [
        PLAN_HEADER,
        "MT001,Good,,49.99,25.00,1,1,true,2024-01-01T00:00:00+00:00",
        "MT002,Negative fee,,-1.00,25.00,1,1,true,2024-01-01T00:00:00+00:00",
        "MT003,Not a number,,abc,25.00,1,1,true,2024-01-01T00:00:00+00:00",
        "MT004,Bad bool and date,,9.99,0.00,1,1,maybe,yesterday",
        "MT005,Too many digits,,123456789.00,0.00,1,1,true,2024-01-01T00:00:00+00:00",
        ",Missing id,,9.99,0.00,1,1,true,2024-01-01T00:00:00+00:00",
        "MT001,Duplicate id,,9.99,0.00,1,1,true,2024-01-01T00:00:00+00:00",
        "MT008,Short row",
    ]
    errors = errors_of(MembershipType, "\r\n".join(rows) + "\r\n")
    by_row = {}
    for row, column, reason in errors:
        by_row.setdefault(row, []).append((column, reason))
    assert sorted(by_row) == [2, 3, 4, 5, 6, 7, 8]
    assert by_row[2] == [("monthlyfee", "breaks the rule membershiptypes_monthly_fee_gte_0")]
    assert by_row[3] == [("monthlyfee", "expected a number like 49.90")]
    assert [c for c, _ in by_row[4]] == ["isactive", "createddate"]
    assert by_row[5][0][0] == "monthlyfee" and "digits" in by_row[5][0][1]
    assert by_row[6][0][0] == "membershiptypeid"
    assert by_row[7] == [("membershiptypeid", "duplicate id")]
    assert by_row[8] == [("", "has 2 cells, expected 9")]
    assert MembershipType.objects.count() == 0


def test_missing_foreign_keys_and_constraint_breaks_are_named_by_column():
    build_dataset()
    before = MemberAccess.objects.count()
    text = (
        "accessid,memberid,facilityid,areaid,checkintime,checkouttime,accessmethod,duration\r\n"
        "ACC90000001,MEM999999,FAC001,AR0001,2024-03-01T10:00:00+00:00,,Key Card,\r\n"
        "ACC90000002,MEM000001,FAC001,AR0001,2024-03-01T10:00:00+00:00,2024-03-01T09:00:00+00:00,Key Card,\r\n"
        "ACC90000003,MEM000001,FAC001,AR0001,2024-03-01T10:00:00+00:00,,Teleport,\r\n"
        "ACC90000004,MEM000002,FAC002,AR0002,2024-03-02T10:00:00+00:00,,Mobile App,\r\n"
    )
    errors = errors_of(MemberAccess, text, mode="upsert")  # the dataset's rows are there: merge into them
    assert errors == [
        (1, "memberid", "no members row with this id"),
        (2, "checkouttime, checkintime", "breaks the rule memberaccess_check_out_time_after_check_in_time"),
        (3, "accessmethod", "not one of: Key Card, Mobile App, Staff Override"),
    ]
    assert MemberAccess.objects.count() == before
    assert not MemberAccess.objects.filter(pk="ACC90000004").exists()


def test_a_wrong_header_is_refused_with_the_expected_header():
    errors = errors_of(MembershipType, "membershiptypeid,typename\r\nMT001,x\r\n")
    assert len(errors) == 1 and errors[0][0] == 0
    assert "missing column(s) description" in errors[0][2] and PLAN_HEADER in errors[0][2]
    reordered = PLAN_HEADER.replace("typename,description", "description,typename")
    assert "not in ERD order" in errors_of(MembershipType, reordered + "\r\n")[0][2]


def test_a_bad_file_in_a_multi_table_import_rolls_back_the_good_files():
    good_plans = PLAN_HEADER + "\r\nMT001,Good,,49.99,25.00,1,1,true,2024-01-01T00:00:00+00:00\r\n"
    bad_members = ",".join(csvio.erd_header(Member)) + "\r\nMEM000001,only,three\r\n"
    with pytest.raises(csvio.ImportRefused) as refused:
        import_texts([(MembershipType, good_plans), (Member, bad_members)])
    assert [(e.table, e.row) for e in refused.value.errors] == [("members", 1)]
    assert "members.csv row 1" in str(refused.value)
    assert MembershipType.objects.count() == 0


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
        ("+1 555", "'+1 555"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("'quoted", "''quoted"),
        ("", "'"),
        ("plain = text", "plain = text"),
        ("Zoë", "Zoë"),
    ],
)
def test_text_cells_escape_formulas_reversibly(text, cell):
    field = MembershipType._meta.get_field("description")
    assert csvio.format_cell(field, text) == cell
    assert csvio.parse_cell(field, cell) == text


def test_numbers_are_never_escaped_and_null_is_the_empty_cell():
    fee = MembershipType._meta.get_field("monthly_fee")
    assert csvio.format_cell(fee, Decimal("-5")) == "-5.00"
    assert csvio.parse_cell(fee, "-5.00") == Decimal("-5.00")
    description = MembershipType._meta.get_field("description")
    assert csvio.format_cell(description, None) == ""
    assert csvio.parse_cell(description, "") is None


def test_import_ods_command_refuses_a_bad_directory_and_exits_non_zero(tmp_path):
    build_dataset()
    call_command("export_ods", str(tmp_path))
    plans = tmp_path / "membershiptypes.csv"
    plans.write_text(plans.read_text(encoding="utf-8").replace("49.99", "-49.99"), encoding="utf-8", newline="")
    with pytest.raises(CommandError) as refused:
        call_command("import_ods", str(tmp_path), "--flush")
    assert "membershiptypes.csv row 1, column monthlyfee: breaks the rule membershiptypes_monthly_fee_gte_0" in str(
        refused.value
    )
    # --flush ran in the refused transaction: the old data is still there.
    assert MembershipType.objects.get(pk="MT001").monthly_fee == Decimal("49.99")


def test_export_ods_then_import_ods_round_trips(tmp_path):
    build_dataset()
    call_command("export_ods", str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{m._meta.db_table}.csv" for m in ods_models())
    members_before = list(Member.objects.order_by("pk").values())
    call_command("import_ods", str(tmp_path), "--flush")
    assert list(Member.objects.order_by("pk").values()) == members_before


def test_import_ods_names_missing_files(tmp_path):
    with pytest.raises(CommandError, match="Missing CSV file"):
        call_command("import_ods", str(tmp_path))
