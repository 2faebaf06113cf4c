"""The warehouse over a seeded ODS: a first batch, then `seed_ods --append`
and an incremental batch that loads just the new days."""
import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import Sum

from classes.models import ClassEnrollment
from facilities.models import MemberAccess
from members.models import MemberPayment
from staff.models import StaffTimeTracking
from warehouse.etl.pipeline import build_warehouse
from warehouse.etl.status import warehouse_status
from warehouse.models import FactClassAttendance, FactPayment, FactStaffShift, FactVisit

FIRST_END, APPENDED_END = dt.date(2024, 3, 1), dt.date(2024, 3, 4)


def assert_reconciles():
    assert FactVisit.objects.count() == MemberAccess.objects.count()
    assert FactClassAttendance.objects.aggregate(n=Sum("is_attended"))["n"] == \
        ClassEnrollment.objects.filter(enrollment_status="Attended").count()
    assert FactPayment.objects.filter(status="Completed").aggregate(s=Sum("amount"))["s"] == \
        MemberPayment.objects.filter(status="Completed").aggregate(s=Sum("amount"))["s"]
    assert FactStaffShift.objects.aggregate(h=Sum("actual_hours"))["h"] == \
        StaffTimeTracking.objects.aggregate(h=Sum("actual_hours"))["h"]


@pytest.mark.slow
@pytest.mark.django_db
def test_incremental_load_after_seed_append():
    call_command("seed_ods", "--profile=small", "--days=5", "--seed=3", f"--end-date={FIRST_END}", verbosity=0)
    first = build_warehouse(as_of=FIRST_END)
    assert_reconciles()
    visits_before = MemberAccess.objects.count()
    loaded_before = set(FactVisit.objects.values_list("access_id", flat=True))

    call_command("seed_ods", "--append", f"--end-date={APPENDED_END}", verbosity=0)
    new_visits = MemberAccess.objects.count() - visits_before
    assert new_visits > 0
    second = build_warehouse(as_of=APPENDED_END)
    counts = second.table_counts["fact_visit"]
    assert (counts["inserted"], counts["updated"], counts["deleted"]) == (new_visits, 0, 0)
    assert second.rows_inserted < first.rows_inserted / 3  # just the new days, not a reload
    # Every visit was fingerprinted, but only the new ones, and the few old ones
    # of members whose dimension version changed, were transformed and compared.
    assert counts["checked"] == MemberAccess.objects.count()
    assert new_visits <= counts["read"] < new_visits + visits_before / 5
    new_keys = FactVisit.objects.exclude(access_id__in=loaded_before).values_list("date_key", flat=True)
    assert min(new_keys) >= int(FIRST_END.strftime("%Y%m%d"))
    assert_reconciles()

    third = build_warehouse(as_of=APPENDED_END)
    assert (third.rows_inserted, third.rows_updated, third.rows_deleted) == (0, 0, 0)
    status = warehouse_status()
    assert all(n == 0 for cols in status["orphaned"].values() for n in cols.values())
    assert status["freshness"]["latest_event_date"] == APPENDED_END - dt.timedelta(days=1)
