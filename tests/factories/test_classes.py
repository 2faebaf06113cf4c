"""Class types, schedules, instances, enrollments: the catalog and rules C1-C7."""
import datetime as dt

import pytest
from django.db.models import Q
from django.utils import timezone

from classes.choices import EnrollmentStatus, InstanceStatus
from classes.factories import (
    ClassEnrollmentFactory,
    ClassInstanceFactory,
    ClassScheduleFactory,
    ClassTypeFactory,
    suitable_area_types,
)
from classes.models import ClassType
from fitness.core.catalog import CANCELLATION_REASONS, CLASS_KINDS
from staff.choices import JobTitle
from staff.factories import StaffFactory
from staff.models import StaffCertification, StaffFacility

pytestmark = pytest.mark.django_db


def test_class_types_come_from_the_catalog_with_required_certifications():
    for kind in CLASS_KINDS:
        row = ClassTypeFactory()
        assert (row.class_type_id, row.class_name, row.duration_minutes) == (
            kind.class_type_id, kind.class_name, kind.duration_minutes)
        assert row.required_certifications == f"CERT001,{kind.specialty_certification}"
    ClassTypeFactory()
    assert ClassType.objects.count() == len(CLASS_KINDS)


def holds_valid(instructor, certification_id, day):
    return StaffCertification.objects.filter(
        staff=instructor, certification_id=certification_id, certification_date__lte=day, expiry_date__gte=day
    ).exists()


def assigned_on(staff, facility, day):
    return StaffFacility.objects.filter(staff=staff, facility=facility, start_date__lte=day).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=day)
    ).exists()


@pytest.mark.parametrize("kind", CLASS_KINDS, ids=lambda kind: kind.class_name)
def test_a_schedule_suits_its_class_and_its_instructor_is_qualified(kind, as_of):
    schedule = ClassScheduleFactory(class_type=ClassTypeFactory(catalog_entry=kind))
    assert schedule.area.facility_id == schedule.facility_id  # I3, C1
    assert schedule.area.area_type in kind.area_types  # C1
    assert schedule.max_capacity <= min(schedule.area.max_capacity, kind.max_participants)  # C1
    start, end = (dt.datetime.combine(dt.date.min, t) for t in (schedule.start_time, schedule.end_time))
    assert (end - start) == dt.timedelta(minutes=kind.duration_minutes)
    assert schedule.facility.open_time <= schedule.start_time and schedule.end_time <= schedule.facility.close_time
    assert schedule.price == kind.price
    instructor = schedule.instructor
    assert instructor.job_title == JobTitle.GROUP_FITNESS_INSTRUCTOR
    assert instructor.hire_date <= schedule.effective_date <= as_of
    for certification_id in schedule.class_type.required_certifications.split(","):  # C3
        assert holds_valid(instructor, certification_id, schedule.effective_date)
    assert assigned_on(instructor, schedule.facility, schedule.effective_date)  # C3
    assert StaffFacility.objects.filter(staff=instructor, is_primary=True).count() == 1  # S2


def test_a_second_schedule_for_the_same_instructor_adds_no_duplicate_qualifications():
    first = ClassScheduleFactory()
    before = (StaffCertification.objects.count(), StaffFacility.objects.count())
    ClassScheduleFactory(
        instructor=first.instructor, facility=first.facility, class_type=first.class_type,
        effective_date=first.effective_date,
    )
    assert (StaffCertification.objects.count(), StaffFacility.objects.count()) == before


def test_class_types_outside_the_catalog_still_get_a_suitable_area():
    aqua = ClassTypeFactory.build(class_type_id="CT900", category="Aquatic")
    assert suitable_area_types(aqua) == ("Pool",)


@pytest.mark.parametrize("repeat", range(5))
def test_an_instance_falls_on_its_weekday_and_is_held_by_the_scheduled_instructor(repeat, as_of):
    instance = ClassInstanceFactory()
    schedule = instance.schedule
    assert instance.class_date.isoweekday() == schedule.day_of_week  # C4
    assert schedule.effective_date <= instance.class_date < as_of
    assert instance.status == InstanceStatus.COMPLETED
    start, end = timezone.localtime(instance.actual_start_time), timezone.localtime(instance.actual_end_time)
    assert start.date() == instance.class_date == end.date()  # C4: actual times on that date
    assert dt.timedelta(0) <= start - dt.datetime.combine(instance.class_date, schedule.start_time, start.tzinfo) \
        <= dt.timedelta(minutes=3)
    assert instance.actual_instructor_id == schedule.instructor_id
    assert instance.actual_capacity == 0  # nobody enrolled yet (C6)


def test_a_substitute_instructor_is_qualified_on_the_class_date():
    instance = ClassInstanceFactory(actual_instructor=StaffFactory(
        job_title=JobTitle.GROUP_FITNESS_INSTRUCTOR, status="Active", hire_date=dt.date(2020, 1, 1)))
    for certification_id in instance.schedule.class_type.required_certifications.split(","):
        assert holds_valid(instance.actual_instructor, certification_id, instance.class_date)
    assert assigned_on(instance.actual_instructor, instance.schedule.facility, instance.class_date)


def test_a_cancelled_instance_has_a_reason_and_no_actual_times():
    instance = ClassInstanceFactory(cancelled=True)
    instance.full_clean()
    assert instance.status == InstanceStatus.CANCELLED
    assert instance.cancellation_reason in CANCELLATION_REASONS
    assert instance.actual_start_time is None and instance.actual_end_time is None


def test_a_future_instance_is_scheduled(as_of):
    schedule = ClassScheduleFactory(effective_date=as_of + dt.timedelta(days=3))
    instance = ClassInstanceFactory(schedule=schedule)
    assert instance.class_date >= as_of
    assert instance.status == InstanceStatus.SCHEDULED and instance.actual_start_time is None
    enrollment = ClassEnrollmentFactory(instance=instance)
    assert enrollment.enrollment_status == EnrollmentStatus.ENROLLED and enrollment.check_in_time is None


@pytest.mark.parametrize("repeat", range(5))
def test_an_attended_enrollment_brackets_the_class_and_counts_itself(repeat):
    enrollment = ClassEnrollmentFactory()
    instance = enrollment.instance
    scheduled_start = dt.datetime.combine(
        instance.class_date, instance.schedule.start_time, timezone.get_current_timezone())
    assert enrollment.enrollment_date <= scheduled_start  # C5
    assert enrollment.enrollment_status == EnrollmentStatus.ATTENDED
    assert enrollment.check_in_time <= instance.actual_start_time  # C6
    assert enrollment.check_out_time >= instance.actual_end_time
    assert enrollment.member.join_date <= enrollment.enrollment_date.date()
    assert enrollment.payment_amount == instance.schedule.price
    instance.refresh_from_db()
    assert instance.actual_capacity == 1  # C6: Completed -> number of Attended
    day = instance.class_date
    assert enrollment.member.memberships.filter(start_date__lte=day, end_date__gte=day).exists()  # V1


def test_attendance_count_follows_every_attended_enrollment():
    instance = ClassInstanceFactory()
    ClassEnrollmentFactory.create_batch(3, instance=instance)
    ClassEnrollmentFactory(instance=instance, enrollment_status=EnrollmentStatus.NO_SHOW,
                           check_in_time=None, check_out_time=None)
    instance.refresh_from_db()
    assert instance.actual_capacity == instance.enrollments.filter(
        enrollment_status=EnrollmentStatus.ATTENDED).count() == 3


def test_an_expired_schedule_has_instances_only_up_to_its_expiry(as_of):
    schedule = ClassScheduleFactory(
        effective_date=as_of - dt.timedelta(days=200), expiry_date=as_of - dt.timedelta(days=100))
    for _ in range(20):
        instance = ClassInstanceFactory.build(schedule=schedule)
        assert schedule.effective_date <= instance.class_date <= schedule.expiry_date
        assert instance.class_date.isoweekday() == schedule.day_of_week
