"""Batches: totals reconcile with the ODS, re-runs change nothing, --full
rebuilds the same warehouse, a failed batch leaves no trace."""
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import Sum

from classes.models import ClassEnrollment
from facilities.models import Facility, MemberAccess
from members.models import MemberPayment
from staff.models import StaffPayroll, StaffTimeTracking
from warehouse.etl import pipeline
from warehouse.etl.pipeline import WarehouseBuildError, build_warehouse
from warehouse.etl.status import warehouse_status
from warehouse.models import (
    AggFacilityDaily,
    DimFacility,
    DimMember,
    EtlBatch,
    FactClassAttendance,
    FactPayment,
    FactPayroll,
    FactStaffShift,
    FactVisit,
)

from .dataset import AS_OF, add_visit, D

WAREHOUSE_MODELS = [FactVisit, FactClassAttendance, FactPayment, FactStaffShift, FactPayroll, AggFacilityDaily,
                    DimMember, DimFacility]


def snapshot():
    """Everything a batch could have written, as comparable values."""
    return {model.__name__: sorted(model.objects.values_list(), key=str) for model in WAREHOUSE_MODELS}


def test_totals_reconcile_with_the_ods(built):
    assert built.status == EtlBatch.Status.SUCCEEDED
    assert FactVisit.objects.count() == MemberAccess.objects.count() == 6
    attended = ClassEnrollment.objects.filter(enrollment_status="Attended").count()
    assert FactClassAttendance.objects.aggregate(n=Sum("is_attended"))["n"] == attended == 3
    ods_revenue = MemberPayment.objects.filter(status="Completed").aggregate(s=Sum("amount"))["s"]
    dw_revenue = FactPayment.objects.filter(status="Completed").aggregate(s=Sum("amount"))["s"]
    assert dw_revenue == ods_revenue == Decimal("290.00")
    assert FactStaffShift.objects.aggregate(h=Sum("actual_hours"))["h"] == \
        StaffTimeTracking.objects.aggregate(h=Sum("actual_hours"))["h"] == Decimal("12.00")
    for field in ("gross_pay", "net_pay", "regular_hours", "overtime_hours"):
        assert FactPayroll.objects.aggregate(v=Sum(field))["v"] == StaffPayroll.objects.aggregate(v=Sum(field))["v"]
    # The daily aggregate adds up to the same totals.
    agg = AggFacilityDaily.objects.aggregate(visits=Sum("visits"), revenue=Sum("revenue"), hours=Sum("labor_hours"),
                                             cost=Sum("labor_cost"), attended=Sum("class_attendance"))
    assert agg == {"visits": 6, "revenue": Decimal("290.00"), "hours": Decimal("12.00"),
                   "cost": Decimal("231.25"), "attended": 3}


def test_facts_are_filed_under_local_date_and_hour(built):
    # V5 checks in at 20:30 New York time on 2024-03-05, which is 01:30 UTC on 03-06.
    v5 = FactVisit.objects.get(access_id="V5")
    assert (v5.date_key, v5.time_key, v5.check_out_hour) == (20240305, 20, 21)
    # V4 is after the DST switch (UTC-4), V1 before it (UTC-5): both 07:xx local.
    assert FactVisit.objects.get(access_id="V4").time_key == 7
    assert FactVisit.objects.get(access_id="V1").time_key == 7


def test_shift_cost_pays_overtime_at_time_and_a_half(built):
    assert FactStaffShift.objects.get(schedule_id="SS1").labor_cost == Decimal("118.75")  # 4 x 25 + 0.5 x 37.5
    assert FactStaffShift.objects.get(schedule_id="SS2").labor_cost == Decimal("112.50")
    absent = FactStaffShift.objects.get(schedule_id="SS3")
    assert (absent.actual_hours, absent.labor_cost, absent.time_entries) == (Decimal("0"), Decimal("0"), 0)


def test_daily_aggregate_row(built):
    north = DimFacility.objects.get(facility_id="FAC001").facility_key
    row = AggFacilityDaily.objects.get(date_key=20240304, facility_key=north)
    assert (row.visits, row.unique_members, row.peak_hourly_occupancy) == (2, 2, 2)  # V1 and V3 overlap at 08:xx
    assert (row.class_sessions, row.class_attendance, row.class_capacity) == (1, 2, 10)
    assert row.class_fill_rate == Decimal("0.2000")
    assert (row.labor_hours, row.labor_cost, row.revenue) == (Decimal("12.00"), Decimal("231.25"), Decimal("0"))


def test_second_run_without_ods_change_writes_nothing(built):
    before = snapshot()
    again = build_warehouse(as_of=AS_OF)
    assert (again.rows_inserted, again.rows_updated, again.rows_deleted) == (0, 0, 0)
    assert again.rows_read > 0
    assert all(c["inserted"] == c["updated"] == c["deleted"] == 0 for c in again.table_counts.values())
    assert snapshot() == before


def test_incremental_run_loads_only_the_change(built):
    add_visit("V7", "MEM1", "FAC001", "AR001", D(2024, 3, 13), (18, 0), (19, 0))
    MemberAccess.objects.filter(access_id="V4").delete()  # MEM1 keeps FAC001 as home: payments unchanged
    batch = build_warehouse(as_of=AS_OF)
    counts = batch.table_counts["fact_visit"]
    assert (counts["inserted"], counts["updated"], counts["deleted"]) == (1, 0, 1)
    assert batch.table_counts["fact_payment"] == {**batch.table_counts["fact_payment"], "inserted": 0, "updated": 0}
    assert set(FactVisit.objects.values_list("access_id", flat=True)) == {"V1", "V2", "V3", "V5", "V6", "V7"}
    # The aggregate follows: the new day appears, the day that lost its only visit keeps its class.
    north = DimFacility.objects.get(facility_id="FAC001").facility_key
    assert AggFacilityDaily.objects.get(date_key=20240313, facility_key=north).visits == 1
    march_11 = AggFacilityDaily.objects.get(date_key=20240311, facility_key=north)
    assert (march_11.visits, march_11.class_sessions) == (0, 1)
    assert AggFacilityDaily.objects.aggregate(v=Sum("visits"))["v"] == 6


def test_full_rebuild_gives_the_same_facts(built):
    def facts():
        return sorted(FactVisit.objects.values_list("access_id", "date_key", "time_key", "duration_minutes"))

    before = facts()
    rebuilt = build_warehouse(full=True, as_of=AS_OF)
    assert rebuilt.mode == "full" and rebuilt.rows_inserted > 0
    assert facts() == before
    assert FactPayment.objects.filter(status="Completed").aggregate(s=Sum("amount"))["s"] == Decimal("290.00")


def test_a_batch_failing_half_way_leaves_no_trace(built):
    before = snapshot()
    add_visit("V7", "MEM1", "FAC001", "AR001", D(2024, 3, 13), (18, 0), (19, 0))
    Facility.objects.filter(facility_id="FAC001").update(facility_name="North Plaza")

    def explode(ctx):
        raise RuntimeError("disk full (injected)")

    half = len(pipeline.STEPS) // 2
    steps = [*pipeline.STEPS[:half + 2], explode, *pipeline.STEPS[half + 2:]]
    assert "load_fact_visit" in [s.__name__ for s in steps[:half + 2]]  # facts were already written
    with pytest.raises(WarehouseBuildError, match="disk full"):
        build_warehouse(as_of=AS_OF, steps=steps)

    assert snapshot() == before
    failed = EtlBatch.objects.order_by("-id").first()
    assert failed.status == EtlBatch.Status.FAILED and "disk full" in failed.error
    assert failed.rows_inserted == 0
    # The next good batch applies both changes.
    build_warehouse(as_of=AS_OF)
    assert FactVisit.objects.filter(access_id="V7").exists()
    assert DimFacility.objects.get(facility_id="FAC001").facility_name == "North Plaza"


def test_status_reports_batches_freshness_and_no_orphans(built):
    status = warehouse_status()
    assert status["batches"][0].id == built.id
    assert status["freshness"]["latest_event_date"] == D(2024, 3, 12)
    assert all(n == 0 for cols in status["orphaned"].values() for n in cols.values())
    fact_models = [m for m in apps.get_app_config("warehouse").get_models() if m._meta.db_table.startswith("fact_")]
    assert len(fact_models) == 11
    assert status["fact_rows_by_batch"] == {built.id: sum(m.objects.count() for m in fact_models)}
    # A fact whose member vanished from the dimension is an orphan.
    FactVisit.objects.filter(access_id="V1").update(member_key=9999)
    assert warehouse_status()["orphaned"]["fact_visit"]["member_key"] == 1


def test_a_failed_full_rebuild_restores_the_previous_warehouse(built):
    before = snapshot()

    def explode(ctx):
        raise RuntimeError("killed after the facts (injected)")

    with pytest.raises(WarehouseBuildError, match="killed"):
        build_warehouse(full=True, as_of=AS_OF, steps=[*pipeline.STEPS[:-1], explode])
    assert snapshot() == before
    # The natural-key constraint dropped for the bulk load is back: a duplicate is refused.
    visit = FactVisit.objects.get(access_id="V1")
    visit.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        visit.save()
