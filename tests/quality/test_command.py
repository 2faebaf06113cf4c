"""check_ods as a command: JSON document schema, table output, --only/--skip,
exit status 0 / 1 / 2, saved runs."""
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from fitness.models import QualityRun
from fitness.quality.registry import RULES, ordered_rule_ids
from members.models import Member

from .dataset import AS_OF, DAYS

WINDOW = ["--as-of", AS_OF.isoformat(), "--days", str(DAYS)]
CHECK_KEYS = {"id", "table", "description", "status", "count", "sample_keys", "details", "seconds"}


def run_command(*args):
    """(exit status, stdout) of check_ods."""
    out = StringIO()
    try:
        call_command("check_ods", *args, stdout=out, stderr=StringIO())
    except SystemExit as exit_:
        return exit_.code, out.getvalue()
    return 0, out.getvalue()


def test_json_document_of_a_clean_ods(valid_dataset):
    status, output = run_command("--format", "json", *WINDOW)
    document = json.loads(output)
    assert status == 0
    assert document["success"] is True
    assert document["context"]["as_of"] == "2024-03-01"
    assert document["context"]["window_start"] == "2024-02-16"
    assert set(document["statistics"]) >= {"tables", "rows", "duration", "checks_run", "checks_failed", "violations"}
    assert document["statistics"]["tables"] == 23
    assert [check["id"] for check in document["checks"]][:4] == ["I1", "I2", "I3", "M1"]
    for check in document["checks"]:
        assert CHECK_KEYS <= set(check)
        assert check["status"] == "pass" and check["count"] == 0 and check["sample_keys"] == []
        assert check["description"]
    members = document["completeness"]["members"]
    assert members["total_records"] == 3
    # emergencycontact, emergencyphone and medicalalerts are empty for all 3 members: 9 of 3 x 17 cells.
    assert members["missing_values"]["emergencycontact"] == 3
    assert members["completeness_score"] == round((51 - 9) / 51 * 100, 2)
    profile = document["profile"]["memberaccess"]
    assert profile["record_count"] == 6
    assert profile["numeric_stats"]["duration"] == {"min": 60, "max": 90, "mean": "70.0000"}
    assert profile["categorical_stats"]["accessmethod"] == [{"value": "Key Card", "count": 6}]
    assert profile["date_range"]["checkintime"]["min"].startswith("2024-02-19")


def test_violations_exit_1_and_are_reported(valid_dataset):
    Member.objects.filter(pk="MEM000003").update(member_status="Active")
    status, output = run_command("--format", "json", *WINDOW)
    document = json.loads(output)
    assert status == 1
    assert document["success"] is False
    m4 = next(check for check in document["checks"] if check["id"] == "M4")
    assert (m4["status"], m4["count"], m4["sample_keys"]) == ("fail", 1, ["MEM000003"])
    assert document["statistics"]["checks_failed"] == 1 and document["statistics"]["violations"] == 1


def test_table_output_names_rule_and_key(valid_dataset):
    Member.objects.filter(pk="MEM000003").update(member_status="Active")
    status, output = run_command(*WINDOW, "--only", "M4,M1")
    assert status == 1
    lines = output.splitlines()
    assert any(line.startswith("M4 ") and "FAIL" in line and "MEM000003" in line for line in lines)
    assert any(line.startswith("M1 ") and " ok " in line for line in lines)
    assert "FAIL: 1 passed, 1 failed" in output


def test_only_and_skip_choose_rules(valid_dataset):
    _, output = run_command("--format", "json", *WINDOW, "--only", "v3, C5")
    assert [check["id"] for check in json.loads(output)["checks"]] == ["V3", "C5"]
    _, output = run_command("--format", "json", *WINDOW, "--skip", "I1,S7")
    ids = [check["id"] for check in json.loads(output)["checks"]]
    assert len(ids) == len(RULES) - 2 and "I1" not in ids and "S7" not in ids


@pytest.mark.parametrize("args", [["--only", "V3,X9"], ["--skip", "Q1"], ["--as-of", "2024-13-01"], ["--days", "0"]])
def test_bad_options_exit_2(db, args):
    with pytest.raises(CommandError) as error:
        call_command("check_ods", *args, stdout=StringIO(), stderr=StringIO())
    assert error.value.returncode == 2


@pytest.mark.parametrize("as_of", ["9999-12-31", "1990-01-01"])
def test_an_as_of_far_from_the_data_is_refused_at_once(valid_dataset, as_of):
    """Bounded work: such a window holds no event and would scan everything (10+ minutes at chain scale)."""
    with pytest.raises(CommandError) as error:
        call_command("check_ods", "--as-of", as_of, stdout=StringIO(), stderr=StringIO())
    assert error.value.returncode == 2
    assert f"--as-of {as_of} is more than a year from the data" in str(error.value)


def test_missing_tables_exit_2(db):
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE instructorfeedback")
    with pytest.raises(CommandError) as error:
        call_command("check_ods", stdout=StringIO(), stderr=StringIO())
    assert error.value.returncode == 2
    assert "instructorfeedback" in str(error.value)


def test_each_run_is_saved_unless_no_save(valid_dataset):
    Member.objects.filter(pk="MEM000003").update(member_status="Active")
    run_command(*WINDOW, "--format", "json")
    run = QualityRun.objects.get()
    assert (run.success, run.checks_run, run.checks_failed, run.violations) == (False, len(RULES), 1, 1)
    assert run.report["checks"][ordered_rule_ids().index("V1")]["id"] == "V1"
    assert run.options["days"] == DAYS
    run_command(*WINDOW, "--no-save")
    assert QualityRun.objects.count() == 1
