"""Slowly changing dimensions: type 2 history for members, membership types
and staff (facts before and after a change point at the right version),
type 1 overwrite, type 0 never changes."""
from decimal import Decimal

from classes.models import ClassType
from facilities.models import Facility, FacilityArea
from members.models import Member, MemberPayment, MembershipType
from staff.models import InstructorCertification, Staff
from warehouse.etl.pipeline import build_warehouse
from warehouse.models import (
    DimCertification,
    DimClassType,
    DimFacility,
    DimMember,
    DimMembershipType,
    DimStaff,
    FactMembershipPeriod,
    FactPayment,
    FactStaffShift,
    FactVisit,
)

from .conftest import view
from .dataset import AS_OF, D, add_payment, add_period, add_shift, add_visit, local

OPEN = D(9999, 12, 31)


def versions(model, **natural_key):
    return list(model.objects.filter(**natural_key).order_by("effective_date"))


def test_first_load_keeps_membership_type_history_from_the_periods(built):
    old, new = versions(DimMember, member_id="MEM1")
    assert (old.membership_type_id, old.effective_date, old.expiration_date, old.is_current) == \
        ("MT001", D(2024, 1, 10), D(2024, 3, 10), False)
    assert (new.membership_type_id, new.effective_date, new.expiration_date, new.is_current) == \
        ("MT002", D(2024, 3, 10), OPEN, True)
    # Visit on 03-04 (Basic) and on 03-11 (Premium); payment on the switch day is already Premium.
    assert FactVisit.objects.get(access_id="V1").member_key == old.member_key
    assert FactVisit.objects.get(access_id="V4").member_key == new.member_key
    premium = DimMembershipType.objects.get(membership_type_id="MT002").membership_type_key
    assert FactPayment.objects.get(payment_id="PAY5").membership_type_key == premium


def test_membership_type_change_closes_the_version_and_opens_a_new_one(built):
    add_period("MS7", "MEM3", "MT001", D(2024, 4, 5), D(2024, 5, 5))
    add_visit("V8", "MEM3", "FAC002", "AR003", D(2024, 4, 8), (18, 0), (18, 30))
    batch = build_warehouse(as_of=AS_OF)
    assert batch.table_counts["dim_member"]["inserted"] == 1
    assert batch.table_counts["dim_member"]["updated"] == 1
    old, new = versions(DimMember, member_id="MEM3")
    assert (old.membership_type_id, old.expiration_date, old.is_current) == ("MT002", D(2024, 4, 5), False)
    assert (new.membership_type_id, new.effective_date, new.expiration_date, new.is_current) == \
        ("MT001", D(2024, 4, 5), OPEN, True)
    assert FactVisit.objects.get(access_id="V3").member_key == old.member_key  # loaded before, still old
    assert FactVisit.objects.get(access_id="V8").member_key == new.member_key
    assert FactMembershipPeriod.objects.get(membership_id="MS7").member_key == new.member_key


def test_member_status_change_dates_from_last_modified(built):
    Member.objects.filter(member_id="MEM1").update(city="Shelbyville", last_modified=local(D(2024, 3, 20), 10))
    build_warehouse(as_of=AS_OF)
    history = versions(DimMember, member_id="MEM1")
    assert [(v.membership_type_id, v.city, v.effective_date, v.is_current) for v in history] == [
        ("MT001", "Springfield", D(2024, 1, 10), False),
        ("MT002", "Springfield", D(2024, 3, 10), False),
        ("MT002", "Shelbyville", D(2024, 3, 20), True),
    ]
    assert history[1].expiration_date == D(2024, 3, 20)


def test_fee_change_is_a_new_membership_type_version(built):
    MembershipType.objects.filter(membership_type_id="MT001").update(monthly_fee=Decimal("35.00"))
    add_payment("PAY10", "MEM2", D(2024, 3, 20), "35.00")
    build_warehouse(as_of=AS_OF)
    old, new = versions(DimMembershipType, membership_type_id="MT001")
    assert (old.monthly_fee, old.expiration_date, old.is_current) == (Decimal("30.00"), AS_OF, False)
    assert (new.monthly_fee, new.effective_date, new.is_current) == (Decimal("35.00"), AS_OF, True)
    assert FactPayment.objects.get(payment_id="PAY6").membership_type_key == old.membership_type_key
    assert FactPayment.objects.get(payment_id="PAY10").membership_type_key == new.membership_type_key
    # Reports group versions of one type together.
    march = view("revenue_by_month", month="2024-03", membership_type_id="MT001")
    assert [r["revenue"] for r in march] == [Decimal("35.00")]


def test_staff_rate_change_costs_later_shifts_at_the_new_rate(built):
    Staff.objects.filter(staff_id="STF2").update(hourly_rate=Decimal("18.00"))
    add_shift("SS4", "STF2", "FAC001", D(2024, 3, 16), 6, 10, "4.00", tracked=("4.00", "0.00", 0))
    build_warehouse(as_of=AS_OF)
    old, new = versions(DimStaff, staff_id="STF2")
    assert (old.hourly_rate, old.expiration_date, old.is_current) == (Decimal("15.00"), AS_OF, False)
    assert (new.hourly_rate, new.effective_date, new.is_current) == (Decimal("18.00"), AS_OF, True)
    before, after = FactStaffShift.objects.get(schedule_id="SS2"), FactStaffShift.objects.get(schedule_id="SS4")
    assert (before.staff_key, before.labor_cost) == (old.staff_key, Decimal("112.50"))
    assert (after.staff_key, after.labor_cost) == (new.staff_key, Decimal("72.00"))


def test_two_changes_on_one_day_make_one_version(built):
    Staff.objects.filter(staff_id="STF2").update(hourly_rate=Decimal("18.00"))
    build_warehouse(as_of=AS_OF)
    Staff.objects.filter(staff_id="STF2").update(hourly_rate=Decimal("19.00"))
    build_warehouse(as_of=AS_OF)
    assert [(v.hourly_rate, v.is_current) for v in versions(DimStaff, staff_id="STF2")] == [
        (Decimal("15.00"), False), (Decimal("19.00"), True)]


def test_scd1_overwrites_in_place(built):
    key_before = DimFacility.objects.get(facility_id="FAC001").facility_key
    Facility.objects.filter(facility_id="FAC001").update(facility_name="North Plaza")
    FacilityArea.objects.filter(area_id="AR001").update(max_capacity=30)
    ClassType.objects.filter(class_type_id="CT001").update(class_name="Hatha Yoga")
    batch = build_warehouse(as_of=AS_OF)
    north = DimFacility.objects.get(facility_id="FAC001")
    assert (north.facility_key, north.facility_name, north.total_capacity) == (key_before, "North Plaza", 40)
    assert DimFacility.objects.filter(facility_id="FAC001").count() == 1
    assert batch.table_counts["dim_facility"]["updated"] == 1
    assert DimClassType.objects.get(class_type_id="CT001").class_name == "Hatha Yoga"
    assert {r["facility_name"] for r in view("peak_usage_analysis", facility_id="FAC001")} == {"North Plaza"}


def test_scd0_certification_never_changes(built):
    InstructorCertification.objects.filter(certification_id="CERT001").update(certification_name="Renamed")
    batch = build_warehouse(as_of=AS_OF)
    assert DimCertification.objects.get(certification_id="CERT001").certification_name == "Yoga Alliance RYT"
    assert batch.table_counts["dim_certification"]["updated"] == 0


def test_unknown_member_row_exists_and_catches_nothing_on_clean_data(built):
    unknown = DimMember.objects.get(member_key=-1)
    assert unknown.member_id == "UNKNOWN" and unknown.is_current
    assert not FactVisit.objects.filter(member_key=-1).exists()
    # A payment dated before the member's first version cannot find one: it lands on the unknown row.
    MemberPayment.objects.create(payment_id="PAY0", member_id="MEM3", payment_date=D(2023, 12, 1),
                                 amount=Decimal("5.00"), payment_type="Late Fee", payment_method="Cash",
                                 status="Completed")
    build_warehouse(as_of=AS_OF)
    assert FactPayment.objects.get(payment_id="PAY0").member_key == -1
