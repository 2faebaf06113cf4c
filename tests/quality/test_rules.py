"""Every rule of ods-rules.md: the valid dataset passes all of them, and the same
dataset with exactly one row changed to break one rule fails that rule, naming
the offending key, and no other rule."""
import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from classes.models import ClassEnrollment, ClassInstance, ClassSchedule, ClassType
from equipment.models import Equipment, EquipmentMaintenance, EquipmentUsage
from facilities.models import Facility, FacilityArea, MemberAccess
from fitness.core.business import add_months
from fitness.quality import RULES, run_checks
from members.models import Member, MemberMembership, MemberPayment, MembershipType
from staff.models import (
    InstructorFeedback,
    InstructorPerformance,
    Staff,
    StaffCertification,
    StaffFacility,
    StaffPayroll,
    StaffSchedule,
    StaffTimeTracking,
)

from .dataset import AS_OF, DAYS, local


def check(**options):
    return run_checks(as_of=AS_OF, days=DAYS, save=False, profile=False, **options)


def failing(document):
    return {c["id"]: c for c in document["checks"] if c["status"] != "pass"}


def set_fields(model, pk, **values):
    assert model.objects.filter(pk=pk).update(**values) == 1


# --- one break per rule: (rule id, function(undo, allow_check_violation), key the check must name)
def orphan_maintenance(undo, allow):
    set_fields(EquipmentMaintenance, "MNT000001", equipment_id="EQ09999")
    undo(lambda: set_fields(EquipmentMaintenance, "MNT000001", equipment_id="EQ00001"))


def malformed_id(undo, allow):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE equipmentmaintenance SET maintenanceid = 'MNT1' WHERE maintenanceid = 'MNT000001'")


def visit_in_other_facilitys_area(undo, allow):
    set_fields(MemberAccess, "ACC00000001", area_id="AR0004")


def member_too_young(undo, allow):
    set_fields(Member, "MEM000001", date_of_birth=dt.date(2010, 1, 1))


def period_overlapping_another(undo, allow):
    """A month on MT001 inside MEM000002's annual period, its dues paid (a period before joindate would
    break M5 or M6 as well: its billing dates call for payments before joining)."""
    MemberMembership.objects.create(membership_id="MSH00000009", member_id="MEM000002", membership_type_id="MT001",
                                    start_date=dt.date(2024, 1, 25), end_date=dt.date(2024, 2, 25), status="Expired")
    MemberPayment.objects.create(payment_id="PAY00000098", member_id="MEM000002", payment_date=dt.date(2024, 1, 25),
                                 amount=Decimal("49.99"), payment_type="Monthly Dues", payment_method="Credit Card",
                                 status="Completed")


def period_one_day_long(undo, allow):
    set_fields(MemberMembership, "MSH00000003", end_date=dt.date(2024, 2, 6))


def status_says_active(undo, allow):
    set_fields(Member, "MEM000003", member_status="Active")


def registration_fee_wrong(undo, allow):
    set_fields(MemberPayment, "PAY00000001", amount=Decimal("20.00"))


def joined_before_first_period(undo, allow):
    set_fields(Member, "MEM000002", join_date=dt.date(2023, 6, 19))  # the first period starts a day later


def senior_plan_under_65(undo, allow):
    set_fields(Member, "MEM000003", date_of_birth=dt.date(1960, 3, 3))  # 63 when the senior period began


def payment_before_joining(undo, allow):
    set_fields(MemberPayment, "PAY00000005", payment_date=dt.date(2022, 12, 1))


def visit_without_membership(undo, allow):
    set_fields(MemberAccess, "ACC00000003", member_id="MEM000003")


def visit_duration_wrong(undo, allow):
    set_fields(MemberAccess, "ACC00000003", duration=61)


def visits_overlap(undo, allow):
    set_fields(MemberAccess, "ACC00000003", member_id="MEM000001", check_in_time=local(2024, 2, 20, 18, 30),
               check_out_time=local(2024, 2, 20, 19), duration=30)


def weekday_visit_off_peak(undo, allow):
    set_fields(MemberAccess, "ACC00000001", check_in_time=local(2024, 2, 19, 12), check_out_time=local(2024, 2, 19, 13))


def session_outside_visits(undo, allow):
    set_fields(EquipmentUsage, "USG00000001", member_id="MEM000002")


def sessions_overlap(undo, allow):
    set_fields(EquipmentUsage, "USG00000002", start_time=local(2024, 2, 20, 18, 30), duration_minutes=35)


def area_over_capacity(undo, allow):
    # The front desk (capacity 1) holds ACC00000005 until 17:01 while ACC00000006 arrives at 17:00.
    set_fields(MemberAccess, "ACC00000005", check_out_time=local(2024, 2, 22, 17, 1), duration=61)


def attended_after_checking_out(undo, allow):
    # The visit around the class ends at 11:30 (C6 still holds: 20 minutes after the class).
    set_fields(ClassEnrollment, "ENR00000001", check_out_time=local(2024, 2, 24, 11, 35))


def negative_cost(undo, allow):
    allow("equipmentmaintenance", "equipmentmaintenance_cost_gte_0")
    set_fields(EquipmentMaintenance, "MNT000001", cost=Decimal("-5.00"))


def schedule_over_type_capacity(undo, allow):
    set_fields(ClassSchedule, "SCH0001", max_capacity=25)


def schedules_collide(undo, allow):
    set_fields(ClassSchedule, "SCH0002", day_of_week=6, start_time=dt.time(10, 30), end_time=dt.time(11, 30))


def certification_requirement_lapsed(undo, allow):
    set_fields(ClassType, "CT001", required_certifications="CERT001,CERT005,CERT002")


def occurrence_without_instance(undo, allow):
    set_fields(ClassInstance, "INS0000001", class_date=dt.date(2024, 2, 10))


def enrolled_after_start(undo, allow):
    set_fields(ClassEnrollment, "ENR00000003", enrollment_date=local(2024, 3, 2, 11))


def cancelled_without_reason(undo, allow):
    set_fields(ClassInstance, "INS0000001", cancellation_reason="")


def feedback_before_class(undo, allow):
    set_fields(InstructorFeedback, "FBK0000001", feedback_date=dt.date(2024, 2, 23))


def hired_after_as_of(undo, allow):
    set_fields(Staff, "STF0002", hire_date=dt.date(2024, 3, 5))


def no_primary_assignment(undo, allow):
    set_fields(StaffFacility, "ASG00002", is_primary=False)


def shift_at_unassigned_facility(undo, allow):
    set_fields(StaffSchedule, "SHF0000001", facility_id="FAC002")


def clocked_in_far_too_early(undo, allow):
    set_fields(StaffTimeTracking, "TTR0000001", actual_start_time=local(2024, 2, 12, 5, 55))


def payroll_hours_wrong(undo, allow):
    set_fields(StaffPayroll, "PRL000001", regular_hours=Decimal("16.00"))


def certification_marked_expired(undo, allow):
    set_fields(StaffCertification, "SCR00001", status="Expired")


def review_counts_wrong(undo, allow):
    set_fields(InstructorPerformance, "PRF00001", classes_per_month=2)


def maintenance_by_stranger(undo, allow):
    set_fields(EquipmentMaintenance, "MNT000001", technician_name="Sam")


def member_phone_fictional(undo, allow):
    set_fields(Member, "MEM000002", phone="(413) 555-0123")


def member_living_away_from_home(undo, allow):
    # A consistent New York address (S9 holds), far from the Springfield club they use.
    set_fields(Member, "MEM000002", state="NY", zip_code="10001", phone="(212) 736-0002")


BREAKS = [
    ("I1", orphan_maintenance, "equipmentmaintenance.equipmentid:MNT000001"),
    ("I2", malformed_id, "equipmentmaintenance:MNT1"),
    ("I3", visit_in_other_facilitys_area, "ACC00000001"),
    ("M1", member_too_young, "MEM000001"),
    ("M2", period_overlapping_another, "MSH00000009"),
    ("M3", period_one_day_long, "MSH00000003"),
    ("M4", status_says_active, "MEM000003"),
    ("M5", registration_fee_wrong, "PAY00000001"),
    ("M6", payment_before_joining, "PAY00000005"),
    ("M7", joined_before_first_period, "MEM000002"),
    ("M8", senior_plan_under_65, "MSH00000003"),
    ("M9", member_living_away_from_home, "MEM000002"),
    ("V1", visit_without_membership, "ACC00000003"),
    ("V2", visit_duration_wrong, "ACC00000003"),
    ("V3", visits_overlap, "ACC00000003"),
    ("V4", weekday_visit_off_peak, "weekday_peak_share=0.40"),
    ("V5", session_outside_visits, "USG00000001"),
    ("V6", sessions_overlap, "USG00000002"),
    ("V7", negative_cost, "MNT000001"),
    ("V8", area_over_capacity, "AR0003"),
    ("V9", attended_after_checking_out, "ENR00000001"),
    ("C1", schedule_over_type_capacity, "SCH0001"),
    ("C2", schedules_collide, "SCH0002"),
    ("C3", certification_requirement_lapsed, "INS0000002"),
    ("C4", occurrence_without_instance, "SCH0001@2024-02-17"),
    ("C5", enrolled_after_start, "ENR00000003"),
    ("C6", cancelled_without_reason, "INS0000001"),
    ("C7", feedback_before_class, "FBK0000001"),
    ("S1", hired_after_as_of, "STF0002"),
    ("S2", no_primary_assignment, "STF0002"),
    ("S3", shift_at_unassigned_facility, "SHF0000001"),
    ("S4", clocked_in_far_too_early, "TTR0000001"),
    ("S5", payroll_hours_wrong, "PRL000001"),
    ("S6", certification_marked_expired, "SCR00001"),
    ("S7", review_counts_wrong, "PRF00001"),
    ("S8", maintenance_by_stranger, "MNT000001"),
    ("S9", member_phone_fictional, "MEM000002"),
]


def test_every_rule_has_a_break_test():
    assert sorted(rule_id for rule_id, _, _ in BREAKS) == sorted(RULES)


def test_valid_dataset_passes_every_rule(valid_dataset):
    document = check()
    assert failing(document) == {}
    assert document["success"] is True
    assert document["statistics"]["checks_run"] == len(RULES)
    assert document["statistics"]["rows"] > 23  # every table has rows


@pytest.mark.parametrize("rule_id,break_rule,key", BREAKS, ids=[rule_id for rule_id, _, _ in BREAKS])
def test_breaking_one_row_fails_exactly_that_rule(valid_dataset, undo, allow_check_violation, rule_id, break_rule, key):
    break_rule(undo, allow_check_violation)
    failed = failing(check())
    assert set(failed) == {rule_id}, {r: (c["count"], c["sample_keys"]) for r, c in failed.items()}
    assert failed[rule_id]["status"] == "fail"
    assert failed[rule_id]["count"] >= 1
    assert key in failed[rule_id]["sample_keys"]


def failing_rules():
    return {rule_id: sorted(c["sample_keys"]) for rule_id, c in failing(check()).items()}


# --- M7: the first period, on the day the plans allow -------------------------------------------------------
def add_member(member_id, joined, status, periods=(), **fields):
    """A member with no visits, their periods (type, start, end, status) and the payments M5 asks of them:
    the registration fee on the first period's start, the dues of each billing date before as-of."""
    values = dict(first_name="Kim", last_name=member_id, email=f"{member_id}@example.com", phone="(413) 739-0404",
                  date_of_birth=dt.date(1980, 4, 4), gender="M", address="4 Oak St", city="Springfield",
                  state="MA", zip_code="01104", join_date=joined, member_status=status)
    Member.objects.create(member_id=member_id, **dict(values, **fields))
    payments = []
    for number, (type_id, start, end, period_status) in enumerate(periods, start=10):
        MemberMembership.objects.create(membership_id=f"MSH{number:08d}", member_id=member_id,
                                        membership_type_id=type_id, start_date=start, end_date=end,
                                        status=period_status)
        plan = MembershipType.objects.get(pk=type_id)
        if number == 10 and plan.registration_fee > 0:
            payments.append((start, plan.registration_fee, "Registration"))
        payments += [(add_months(start, k), plan.monthly_fee, "Monthly Dues") for k in range(plan.duration)
                     if add_months(start, k) < min(end, AS_OF)]
    for number, (day, amount, kind) in enumerate(payments, start=100):
        MemberPayment.objects.create(payment_id=f"PAY{number:08d}", member_id=member_id, payment_date=day,
                                     amount=amount, payment_type=kind, payment_method="Credit Card",
                                     status="Completed")


@pytest.mark.parametrize("joined,periods,status,fails", [
    # Joined on the 30th: the first period starts on the 1st of the next month.
    (dt.date(2024, 1, 30), [("MT001", dt.date(2024, 2, 1), dt.date(2024, 3, 1), "Expired")], "Expired", False),
    (dt.date(2024, 1, 30), [("MT001", dt.date(2024, 2, 2), dt.date(2024, 3, 2), "Active")], "Active", True),
    # Joined on the last simulated day: the first period starts on as-of, and must be there.
    (dt.date(2024, 2, 29), [("MT001", dt.date(2024, 3, 1), dt.date(2024, 4, 1), "Active")], "Active", False),
    (dt.date(2024, 2, 29), [], "Cancelled", True),
    # Expired without ever having held a period.
    (dt.date(2024, 2, 20), [], "Expired", True),
], ids=["late-join-on-the-1st", "late-join-a-day-off", "join-on-last-day", "join-on-last-day-no-period",
        "expired-without-period"])
def test_first_period_starts_on_the_day_the_plans_allow(valid_dataset, joined, periods, status, fails):
    add_member("MEM000004", joined, status, periods)
    assert failing_rules() == ({"M7": ["MEM000004"]} if fails else {})


# --- M8: plans with an age limit ---------------------------------------------------------------------------
def add_plan_holder(type_id, born):
    """A member who joined on 2024-02-01 (before the window) on plan `type_id`, born on `born`."""
    add_member("MEM000004", dt.date(2024, 2, 1), "Expired",
               [(type_id, dt.date(2024, 2, 1), dt.date(2024, 3, 1), "Expired")], date_of_birth=born)


@pytest.mark.parametrize("born,fails", [
    (dt.date(1959, 2, 1), False),  # 65 on the start date
    (dt.date(1959, 2, 2), True),  # 64 on the start date, 65 the next day
    (dt.date(1930, 1, 31), False),
], ids=["65-that-day", "64-until-the-next-day", "94"])
def test_senior_plan_from_the_65th_birthday(valid_dataset, born, fails):
    add_plan_holder("MT004", born)
    assert failing_rules() == ({"M8": ["MSH00000010"]} if fails else {})


@pytest.mark.parametrize("born,fails", [
    (dt.date(2008, 2, 1), False),  # 16 on the start date
    (dt.date(1998, 2, 2), False),  # 25, 26 the next day
    (dt.date(1998, 2, 1), True),  # 26 on the start date
    (dt.date(1970, 5, 5), True),
], ids=["16", "25-until-the-next-day", "26-that-day", "53"])
def test_student_plan_from_16_to_25(valid_dataset, born, fails):
    MembershipType.objects.create(
        membership_type_id="MT003", type_name="Student Monthly", monthly_fee=Decimal("29.99"),
        registration_fee=Decimal("15.00"), duration=1)
    add_plan_holder("MT003", born)
    assert failing_rules() == ({"M8": ["MSH00000010"]} if fails else {})


# --- S8: who maintains a machine, and what the work can be ----------------------------------------------------
@pytest.mark.parametrize("technician,day,fails", [
    ("Robin Hayes", dt.date(2024, 2, 5), False),  # the facility's maintenance staff
    ("Pentair Pool Service", dt.date(2024, 2, 5), False),  # an outside vendor of the catalog
    ("Robin Hayes", dt.date(2021, 12, 1), True),  # before the assignment to the facility began
    ("Lee STF0002", dt.date(2024, 2, 5), True),  # the manager, not maintenance staff
    ("pentair pool service", dt.date(2024, 2, 5), True),  # not a vendor's name as the catalog writes it
], ids=["own-staff", "vendor", "before-assignment", "not-maintenance-staff", "vendor-misspelt"])
def test_maintenance_by_the_facilitys_staff_or_a_vendor(valid_dataset, technician, day, fails):
    set_fields(EquipmentMaintenance, "MNT000001", technician_name=technician, maintenance_date=day)
    assert failing_rules() == ({"S8": ["MNT000001"]} if fails else {})


def test_maintenance_staff_at_another_facility_does_not_count(valid_dataset):
    set_fields(StaffFacility, "ASG00004", facility_id="FAC002")
    assert failing_rules() == {"S8": ["MNT000001"]}


@pytest.mark.parametrize("equipment_type,kind,parts,fails", [
    ("Mirrors", "Part Replacement", "Mirror panel", False),
    ("Mirrors", "Inspection", None, False),
    ("Mirrors", "Repair", None, True),  # a mirror is replaced, not repaired
    ("Mirrors", "Part Replacement", "Drive motor", True),  # no motor on a mirror
    ("Yoga Mats", "Part Replacement", "Yoga mats,Console board", True),
    ("Treadmill", "Repair", "Drive belt,Motor brushes", False),
    ("Treadmill", "Repair", "Brake pad", True),  # a spin bike's part
    ("Treadmill", "Inspection", "Drive belt", True),  # an inspection replaces nothing
    ("Treadmill", "Part Replacement", "", True),  # a replacement names its part
    ("Hot Tub", "Repair", "Heater", False),  # a type the catalog does not know: only the technician is checked
], ids=["mirror-panel", "mirror-inspection", "mirror-repair", "mirror-motor", "mat-console", "treadmill-belt",
        "treadmill-brake-pad", "inspection-with-parts", "replacement-without-parts", "unknown-type"])
def test_maintenance_work_fits_the_equipment_type(valid_dataset, equipment_type, kind, parts, fails):
    Equipment.objects.create(
        equipment_id="EQ00002", facility_id="FAC001", area_id="AR0001", equipment_name=f"{equipment_type} 1",
        equipment_type=equipment_type, brand="Brand", model_name="M", serial_number="SN-2",
        purchase_date=dt.date(2022, 1, 10), purchase_price=Decimal("500.00"),
        warranty_expiry=dt.date(2025, 1, 10), status="Active")
    EquipmentMaintenance.objects.create(
        maintenance_id="MNT000003", equipment_id="EQ00002", maintenance_date=dt.date(2024, 2, 6),
        maintenance_type=kind, technician_name="Robin Hayes", cost=Decimal("50.00"), parts_replaced=parts,
        next_maintenance_date=dt.date(2024, 5, 6))
    assert failing_rules() == ({"S8": ["MNT000003"]} if fails else {})


# --- S9: where the chain and its members are ---------------------------------------------------------------
@pytest.mark.parametrize("model,pk,values,offenders", [
    (Facility, "FAC002", {"state": "IL"}, ["FAC002"]),  # Illinois is on Central time
    (Facility, "FAC002", {"zip_code": "62702"}, ["FAC002"]),  # an Illinois zip code
    (Facility, "FAC001", {"phone_number": "555-0100"}, ["FAC001"]),  # no area code
    # A member in another state than their home facility is M9's (its break test), not S9's.
    (Member, "MEM000003", {"state": "NY", "zip_code": "10001", "phone": "(212) 736-0003"}, []),  # never visits
    (Member, "MEM000002", {"zip_code": "0110"}, ["MEM000002"]),
    (Member, "MEM000002", {"phone": "(212) 736-0002"}, ["MEM000002"]),  # a New York area code
    (Member, "MEM000002", {"phone": "(411) 736-0002"}, ["MEM000002"]),  # N11 area code
    (Member, "MEM000002", {"phone": "(413) 911-0002"}, ["MEM000002"]),  # N11 exchange
    (Member, "MEM000002", {"phone": "(413) 136-0002"}, ["MEM000002"]),  # exchange starting with 1
    (Member, "MEM000002", {"phone": "413-736-0002"}, ["MEM000002"]),  # not the stored form
    (Member, "MEM000002", {"phone": "(413) 555-0199"}, ["MEM000002"]),  # 555-01xx
    (Member, "MEM000002", {"phone": "(413) 555-0200"}, []),  # other 555 numbers are real
    (Member, "MEM000002", {"emergency_phone": "(413) 555-0100"}, ["MEM000002"]),
    (Member, "MEM000002", {"emergency_phone": "(212) 736-0002"}, []),  # a relative may live elsewhere
    (Member, "MEM000003", {"email": "Mem000002@EXAMPLE.com"}, ["MEM000002", "MEM000003"]),
    (Staff, "STF0002", {"phone": "(911) 736-0002"}, ["STF0002"]),
], ids=["facility-out-of-region", "facility-zip", "facility-phone", "member-without-visits", "member-zip",
        "member-phone-other-state", "n11-area-code", "n11-exchange", "exchange-1xx", "phone-form", "555-01xx",
        "555-other", "emergency-phone-invalid", "emergency-phone-other-state", "email-shared", "staff-phone"])
def test_chain_geography(valid_dataset, model, pk, values, offenders):
    set_fields(model, pk, **values)
    assert failing_rules() == ({"S9": offenders} if offenders else {})


def failing_rule(rule_id, days=DAYS):
    """The sorted sample keys of `rule_id`, run alone over the last `days` days ([] when it passes)."""
    document = run_checks(as_of=AS_OF, days=days, only=[rule_id], save=False, profile=False)
    (result,) = document["checks"]
    assert result["status"] in ("pass", "fail"), result
    return sorted(result["sample_keys"])


def add_visit(access_id, member_id, facility_id, area_id, start, end=None):
    end = end or start + dt.timedelta(hours=1)
    MemberAccess.objects.create(access_id=access_id, member_id=member_id, facility_id=facility_id, area_id=area_id,
                                check_in_time=start, check_out_time=end, access_method="Key Card",
                                duration=int((end - start).total_seconds() // 60))


# --- V8: nobody in an area beyond its capacity ---------------------------------------------------------------
def studio_for_one():
    FacilityArea.objects.filter(pk="AR0001").update(max_capacity=1)
    ClassSchedule.objects.filter(area_id="AR0001").update(max_capacity=1)  # C1: within the area's


def test_class_attendee_checked_in_to_the_class_area_counts_once(valid_dataset):
    studio_for_one()  # ACC00000004 (the studio, 10:00-11:30) and ENR00000001 (10:05-11:20) are one person
    assert failing_rules() == {}


@pytest.mark.parametrize("arrival,offenders", [
    (local(2024, 2, 24, 11, 20), []),  # arrives as the attendee leaves: departures first
    (local(2024, 2, 24, 11, 19), ["AR0001"]),
], ids=["arrives-as-the-attendee-leaves", "arrives-a-minute-before"])
def test_class_attendee_without_a_check_in_to_the_class_area_counts(valid_dataset, arrival, offenders):
    studio_for_one()
    set_fields(MemberAccess, "ACC00000004", area_id="AR0002")  # checked in to the Cardio Zone, then went to class
    add_visit("ACC00000007", "MEM000001", "FAC001", "AR0001", arrival, local(2024, 2, 24, 12))
    assert failing_rule("V8") == offenders  # (a weekend visit more upsets V4's weekday lead)


def test_visit_without_check_out_is_not_counted(valid_dataset):
    # Counted until a day later, it would still hold the one-person front desk when ACC00000006 arrives.
    set_fields(MemberAccess, "ACC00000005", check_out_time=None, duration=None)
    assert failing_rules() == {}


# --- V9: attending and using equipment inside a check-in -----------------------------------------------------
@pytest.mark.parametrize("visit_end,failures", [
    (local(2024, 2, 24, 11, 30), {"C6": ["ENR00000001"]}),
    (local(2024, 2, 24, 11, 10), {"C6": ["ENR00000001"], "V9": ["ENR00000001"]}),  # the class ends at 11:15
], ids=["visit-around-the-class", "visit-ends-before-the-class"])
def test_attendance_without_times_of_its_own_is_the_class_time(valid_dataset, visit_end, failures):
    set_fields(ClassEnrollment, "ENR00000001", check_in_time=None, check_out_time=None)  # C6 wants them
    set_fields(MemberAccess, "ACC00000004", check_out_time=visit_end,
               duration=int((visit_end - local(2024, 2, 24, 10)).total_seconds() // 60))
    assert failing_rules() == failures


def test_attendance_inside_a_visit_without_check_out(valid_dataset):
    set_fields(MemberAccess, "ACC00000004", check_out_time=None, duration=None)  # an open visit has no end, as V5
    assert failing_rules() == {}


@pytest.mark.parametrize("model,pk,values,offenders", [
    (FacilityArea, "AR0003", {"area_type": "Locker Room"}, []),  # the other general area
    (FacilityArea, "AR0003", {"area_type": "Juice Bar"}, ["USG00000003"]),
    (FacilityArea, "AR0003", {"area_type": "Cardio"}, ["USG00000003"]),  # a cardio area, not the treadmill's
    (MemberAccess, "ACC00000002", {"area_id": "AR0001"}, ["USG00000001", "USG00000002"]),  # the studio
    (Equipment, "EQ00001", {"area_id": "AR0001"}, ["USG00000001", "USG00000002"]),  # the treadmill moved
], ids=["locker-room", "juice-bar", "other-area", "visit-to-another-area", "equipment-in-another-area"])
def test_equipment_used_in_its_area_or_from_a_general_area(valid_dataset, model, pk, values, offenders):
    set_fields(model, pk, **values)
    assert failing_rules() == ({"V9": offenders} if offenders else {})


# --- M9: a member uses a few facilities a year ----------------------------------------------------------------
def add_facility(number):
    """FACnnn in Springfield with a Cardio Zone; returns (facilityid, areaid)."""
    facility_id, area_id = f"FAC{number:03d}", f"AR{number + 10:04d}"
    Facility.objects.create(
        facility_id=facility_id, facility_name=f"Club {number}", address=f"{number} Main St", city="Springfield",
        state="MA", zip_code="01103", phone_number=f"(413) 736-21{number:02d}", open_time=dt.time(6),
        close_time=dt.time(22))
    FacilityArea.objects.create(area_id=area_id, facility_id=facility_id, area_name="Cardio Zone", area_type="Cardio",
                                max_capacity=40, square_footage=Decimal("1500.00"))
    return facility_id, area_id


# MEM000002 checks in at FAC001 in the window; these are visits to FAC002, FAC003, ... in turn.
TRAVEL = [local(2024, 2, 26, 7), local(2024, 2, 27, 7), local(2024, 2, 28, 7), local(2024, 2, 29, 7),
          local(2024, 2, 16, 7), local(2024, 2, 19, 19)]


@pytest.mark.parametrize("days,visits,offenders", [
    (DAYS, TRAVEL[:5], []),
    (DAYS, TRAVEL, ["MEM000002"]),
    # A 400-day window has two years: [2023-01-26, 2024-01-26) and [2024-01-26, 2024-03-01).
    (400, TRAVEL[:2] + [local(2023, 12, day, 7) for day in (4, 5, 6, 7)], []),
    (400, TRAVEL[:5] + [local(2024, 1, 25, 23, 30)], []),  # local date 2024-01-25 (04:30 UTC on the 26th)
    (400, TRAVEL[:5] + [local(2024, 1, 26, 0, 30)], ["MEM000002"]),
], ids=["six-facilities", "seven-facilities", "seven-over-two-years", "seventh-the-evening-before",
        "seventh-just-after-midnight"])
def test_a_member_uses_at_most_six_facilities_a_year(valid_dataset, days, visits, offenders):
    for number, start in enumerate(visits, start=2):
        facility_id, area_id = ("FAC002", "AR0004") if number == 2 else add_facility(number)
        add_visit(f"ACC{100 + number:08d}", "MEM000002", facility_id, area_id, start)
    assert failing_rule("M9", days=days) == offenders
