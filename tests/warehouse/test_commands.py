"""build_warehouse and ods_report as users run them."""
import csv
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from warehouse.analytics import VIEWS
from warehouse.models import EtlBatch


def run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_build_warehouse_prints_progress_and_summary(small_ods):
    output = run("build_warehouse", "--as-of", "2024-03-15")
    assert "fact_visit" in output and "rows/s" in output
    assert "succeeded" in output
    again = run("build_warehouse", "--as-of", "2024-03-15")
    assert "inserted 0, updated 0, deleted 0" in again
    assert EtlBatch.objects.filter(status="succeeded").count() == 2


def test_build_warehouse_full_and_status(small_ods):
    run("build_warehouse", "--full", "--as-of", "2024-03-15")
    status = run("build_warehouse", "--status")
    assert "full" in status and "Orphaned fact rows: 0" in status
    assert "latest event date 2024-03-12" in status


def test_a_build_closes_the_batch_a_killed_build_left_running(small_ods):
    killed = EtlBatch.objects.create(mode="full", as_of="2024-03-15", started_at=timezone.now())
    output = run("build_warehouse", "--as-of", "2024-03-15")
    assert "Marked 1 batch(es) failed that a killed build had left running." in output
    killed.refresh_from_db()
    assert killed.status == "failed" and killed.error.startswith("abandoned") and killed.finished_at
    assert not EtlBatch.objects.filter(status="running").exists()


def test_bad_as_of_is_a_clear_error(small_ods):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("build_warehouse", "--as-of", "15/03/2024")


def test_ods_report_all_as_table(built):
    output = run("ods_report")
    for name in VIEWS:
        assert f"== {name} (" in output


def test_ods_report_csv_and_json(built):
    rows = list(csv.DictReader(io.StringIO(run("ods_report", "class_fill_rates", "--format", "csv"))))
    assert rows[0]["class_type_id"] == "CT001" and rows[0]["fill_rate_pct"] == "15.00"
    data = json.loads(run("ods_report", "revenue_by_month", "instructor_effectiveness", "--format", "json"))
    assert sorted(data) == ["instructor_effectiveness", "revenue_by_month"]
    assert data["instructor_effectiveness"][0]["avg_overall_rating"] == "4.50"


def test_ods_report_unknown_name(built):
    with pytest.raises(CommandError, match="Unknown report 'nope'"):
        call_command("ods_report", "nope")
