"""Every rule of ods-rules.md: the valid dataset passes all of them, and the same
dataset with exactly one row changed to break one rule fails that rule, naming
the offending key, and no other rule."""
import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from classes.models import ClassEnrollment, ClassInstance, ClassSchedule, ClassType
from equipment.models import EquipmentMaintenance, EquipmentUsage
from facilities.models import MemberAccess
from fitness.quality import RULES, run_checks
from members.models import Member, MemberMembership, MemberPayment
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
    set_fields(Member, "MEM000003", date_of_birth=dt.date(2010, 1, 1))


def period_before_joining(undo, allow):
    set_fields(MemberMembership, "MSH00000003", start_date=dt.date(2022, 12, 5), end_date=dt.date(2023, 1, 5))


def period_one_day_long(undo, allow):
    set_fields(MemberMembership, "MSH00000003", end_date=dt.date(2024, 2, 6))


def status_says_active(undo, allow):
    set_fields(Member, "MEM000003", member_status="Active")


def registration_fee_wrong(undo, allow):
    set_fields(MemberPayment, "PAY00000001", amount=Decimal("20.00"))


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


BREAKS = [
    ("I1", orphan_maintenance, "equipmentmaintenance.equipmentid:MNT000001"),
    ("I2", malformed_id, "equipmentmaintenance:MNT1"),
    ("I3", visit_in_other_facilitys_area, "ACC00000001"),
    ("M1", member_too_young, "MEM000003"),
    ("M2", period_before_joining, "MSH00000003"),
    ("M3", period_one_day_long, "MSH00000003"),
    ("M4", status_says_active, "MEM000003"),
    ("M5", registration_fee_wrong, "PAY00000001"),
    ("M6", payment_before_joining, "PAY00000005"),
    ("V1", visit_without_membership, "ACC00000003"),
    ("V2", visit_duration_wrong, "ACC00000003"),
    ("V3", visits_overlap, "ACC00000003"),
    ("V4", weekday_visit_off_peak, "weekday_peak_share=0.33"),
    ("V5", session_outside_visits, "USG00000001"),
    ("V6", sessions_overlap, "USG00000002"),
    ("V7", negative_cost, "MNT000001"),
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
]


def test_every_rule_has_a_break_test():
    assert sorted(rule_id for rule_id, _, _ in BREAKS) == sorted(RULES)


def test_valid_dataset_passes_every_rule(valid_dataset):
    document = check()
    assert failing(document) == {}
    assert document["success"] is True
    assert document["statistics"]["checks_run"] == 30
    assert document["statistics"]["rows"] > 23  # every table has rows


@pytest.mark.parametrize("rule_id,break_rule,key", BREAKS, ids=[rule_id for rule_id, _, _ in BREAKS])
def test_breaking_one_row_fails_exactly_that_rule(valid_dataset, undo, allow_check_violation, rule_id, break_rule, key):
    break_rule(undo, allow_check_violation)
    failed = failing(check())
    assert set(failed) == {rule_id}, {r: (c["count"], c["sample_keys"]) for r, c in failed.items()}
    assert failed[rule_id]["status"] == "fail"
    assert failed[rule_id]["count"] >= 1
    assert key in failed[rule_id]["sample_keys"]
