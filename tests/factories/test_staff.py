"""Staff, assignments, shifts, time, payroll, certifications, reviews and
feedback: the seed's roles and pay, and rules S1-S7, C7."""
import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from classes.choices import EnrollmentStatus
from fitness.core.business import add_months
from fitness.core.catalog import CERTIFICATIONS, ROLES
from staff.choices import CertificationStatus, JobTitle, ShiftStatus, StaffStatus
from staff.factories import (
    InstructorCertificationFactory,
    InstructorFeedbackFactory,
    InstructorPerformanceFactory,
    StaffCertificationFactory,
    StaffFacilityFactory,
    StaffFactory,
    StaffPayrollFactory,
    StaffScheduleFactory,
    StaffTimeTrackingFactory,
    hourly_rate_from_salary,
    pay_stub,
)

pytestmark = pytest.mark.django_db

ROLE_BY_TITLE = {role.job_title: role for role in ROLES}
CENT = Decimal("0.01")


def test_staff_pay_follows_the_role_salary_range():
    for person in StaffFactory.build_batch(500):
        role = ROLE_BY_TITLE[person.job_title]
        assert person.department == role.department
        low, high = (hourly_rate_from_salary(salary) for salary in role.annual_salary)
        assert low <= person.hourly_rate <= high
        assert person.hourly_rate == person.hourly_rate.quantize(CENT)


def test_hourly_rate_is_salary_over_2080_to_the_cent():
    assert hourly_rate_from_salary(52000) == Decimal("25.00")
    assert hourly_rate_from_salary(35000) == Decimal("16.83")  # 16.8269...


def test_a_given_job_title_sets_department_and_pay():
    manager = StaffFactory(job_title=JobTitle.MANAGER)
    manager.full_clean()
    assert manager.department == "Management"
    assert hourly_rate_from_salary(55000) <= manager.hourly_rate <= hourly_rate_from_salary(85000)


def test_termination_date_is_set_exactly_for_terminated_staff(as_of):
    people = StaffFactory.build_batch(1500)
    for person in people:
        assert person.hire_date <= as_of  # S1
        if person.status == StaffStatus.TERMINATED:
            assert person.termination_date > person.hire_date  # S1
        else:
            assert person.termination_date is None
    assert any(p.status == StaffStatus.TERMINATED for p in people)


def test_employee_numbers_follow_the_staff_ids():
    people = StaffFactory.create_batch(3)
    assert [p.employee_number for p in people] == ["E00001", "E00002", "E00003"]
    assert people[0].email == f"{people[0].first_name.lower()}.{people[0].last_name.lower()}@fitnessods.com"


def test_an_assignment_runs_from_the_hire_date():
    assignment = StaffFacilityFactory()
    assert assignment.is_primary and assignment.start_date == assignment.staff.hire_date
    assert assignment.end_date is None and assignment.staff.status == StaffStatus.ACTIVE


@pytest.mark.parametrize("repeat", range(5))
def test_a_shift_lies_inside_opening_hours_with_its_hours(repeat, as_of):
    shift = StaffScheduleFactory()
    facility = shift.facility
    assert facility.open_time <= shift.start_time < shift.end_time <= facility.close_time  # S3
    minutes = (dt.datetime.combine(dt.date.min, shift.end_time)
               - dt.datetime.combine(dt.date.min, shift.start_time)).total_seconds() / 60
    assert shift.scheduled_hours == Decimal(minutes / 60).quantize(CENT)  # S3
    if shift.area is not None:
        assert shift.area.facility_id == shift.facility_id  # I3
    assert shift.staff.hire_date <= shift.schedule_date <= as_of
    assert shift.status == (ShiftStatus.COMPLETED if shift.schedule_date < as_of else ShiftStatus.SCHEDULED)


def test_a_front_desk_shift_is_at_reception_of_the_same_facility():
    shift = StaffScheduleFactory(staff=StaffFactory(job_title=JobTitle.FRONT_DESK, status=StaffStatus.ACTIVE))
    assert shift.area.area_name == "Reception" and shift.area.facility_id == shift.facility_id  # I3
    maintenance = StaffScheduleFactory(staff=StaffFactory(job_title=JobTitle.MAINTENANCE, status=StaffStatus.ACTIVE))
    assert maintenance.area is None


@pytest.mark.parametrize("repeat", range(5))
def test_time_tracking_belongs_to_a_completed_shift_and_adds_up(repeat):
    entry = StaffTimeTrackingFactory()
    shift = entry.schedule
    assert entry.staff_id == shift.staff_id and shift.status == ShiftStatus.COMPLETED  # S4
    start, end = timezone.localtime(entry.actual_start_time), timezone.localtime(entry.actual_end_time)
    scheduled_start = dt.datetime.combine(shift.schedule_date, shift.start_time, start.tzinfo)
    scheduled_end = dt.datetime.combine(shift.schedule_date, shift.end_time, start.tzinfo)
    assert abs(start - scheduled_start) <= dt.timedelta(minutes=15)  # S4: near the shift
    assert abs(end - scheduled_end) <= dt.timedelta(minutes=15)
    worked = Decimal((end - start).total_seconds() / 60 - entry.break_minutes) / 60
    assert entry.actual_hours == worked.quantize(CENT)  # S4
    assert entry.overtime_hours == 0


@pytest.mark.parametrize("repeat", range(10))
def test_payroll_arithmetic_is_exact_to_the_cent(repeat):
    stub = StaffPayrollFactory()
    stub.refresh_from_db()
    rate = stub.staff.hourly_rate
    assert stub.regular_pay == (stub.regular_hours * rate).quantize(CENT)  # S5
    assert stub.overtime_pay == (stub.overtime_hours * rate * Decimal("1.5")).quantize(CENT)
    assert stub.gross_pay == stub.regular_pay + stub.overtime_pay + stub.bonuses
    assert stub.net_pay == stub.gross_pay - stub.deductions
    assert stub.pay_period_start.isoweekday() == 1
    assert stub.pay_period_end - stub.pay_period_start == dt.timedelta(days=13)
    assert stub.pay_date > stub.pay_period_end


def test_pay_stub_rounds_overtime_once():
    stub = pay_stub(Decimal("80.00"), Decimal("2.25"), Decimal("16.83"), Decimal("0.00"), Decimal("0.20"))
    assert stub.regular_pay == Decimal("1346.40")
    assert stub.overtime_pay == Decimal("56.80")  # 2.25 * 16.83 * 1.5 = 56.80125
    assert stub.gross_pay == Decimal("1403.20") and stub.deductions == Decimal("280.64")
    assert stub.net_pay == Decimal("1122.56")


def test_instructor_certifications_are_the_catalog():
    rows = [InstructorCertificationFactory() for _ in CERTIFICATIONS]
    assert [(r.certification_id, r.validity_months, r.is_required) for r in rows] == [
        (c.certification_id, c.validity_months, c.is_required) for c in CERTIFICATIONS]


@pytest.mark.parametrize("repeat", range(5))
def test_certification_expiry_and_status_follow_s6(repeat, as_of):
    held = StaffCertificationFactory()
    assert held.expiry_date == add_months(held.certification_date, held.certification.validity_months)
    assert held.status == (CertificationStatus.EXPIRED if held.expiry_date < as_of else CertificationStatus.ACTIVE)


def test_an_old_certification_is_expired(as_of):
    held = StaffCertificationFactory(certification_date=as_of - dt.timedelta(days=3 * 365 + 10),
                                     certification=InstructorCertificationFactory(catalog_entry=CERTIFICATIONS[0]))
    assert held.expiry_date < as_of and held.status == CertificationStatus.EXPIRED  # CPR: 24 months


@pytest.mark.parametrize("repeat", range(5))
def test_a_review_is_by_a_manager_who_is_not_the_instructor(repeat):
    review = InstructorPerformanceFactory()
    assert review.evaluator.job_title == JobTitle.MANAGER  # S7
    assert review.evaluator_id != review.instructor_id
    assert review.instructor.job_title == JobTitle.GROUP_FITNESS_INSTRUCTOR
    scores = (review.member_satisfaction_score, review.professionalism_score, review.communication_score)
    assert all(1 <= score <= 5 for score in scores) and 0 <= review.member_retention_rate <= 100
    assert review.overall_rating == (sum(scores) / 3).quantize(CENT)
    assert review.evaluation_date >= review.instructor.hire_date


@pytest.mark.parametrize("repeat", range(5))
def test_feedback_comes_from_an_attendee_and_names_the_actual_instructor(repeat, as_of):
    feedback = InstructorFeedbackFactory()
    instance = feedback.class_instance
    assert instance.enrollments.filter(member=feedback.member, enrollment_status=EnrollmentStatus.ATTENDED).exists()
    assert feedback.instructor_id == instance.actual_instructor_id  # C7
    assert instance.class_date <= feedback.feedback_date <= max(instance.class_date, as_of)
    ratings = (feedback.teaching_quality, feedback.communication, feedback.motivation, feedback.overall_rating)
    assert all(1 <= rating <= 5 for rating in ratings)


def test_an_unknown_job_title_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown job title 'Wizard'; expected one of: Personal Trainer"):
        StaffFactory.build(job_title="Wizard")
