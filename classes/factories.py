"""factory_boy factories for class types, weekly schedules, dated instances and
enrollments.

Random values come from the `rng` parameter (see members.factories), drawn
with the helpers of `fitness.core.drawing`; `build()` never touches the database. Rows that
rule C3 ties to other tables (the instructor's certifications and facility
assignment) are added by post-generation hooks on create() only.
"""
import datetime as dt
from decimal import Decimal

import factory

from facilities.choices import AreaType
from facilities.factories import FacilityAreaFactory, FacilityFactory, area_kinds_of_type
from fitness.core.catalog import CANCELLATION_REASONS, CLASS_KINDS, STUDIO_OR_GYM, required_certifications
from fitness.core.business import years_before
from fitness.core.drawing import (
    local_datetime,
    pick,
    rand_int,
    random_date,
    time_from_minutes,
    time_of_day_minutes,
    today,
)
from members.factories import MemberFactory, ensure_membership_covering, id_sequence, rng_param
from staff.choices import JobTitle
from staff.factories import employee, ensure_qualified

from .choices import ClassCategory, EnrollmentStatus, InstanceStatus
from .models import ClassEnrollment, ClassInstance, ClassSchedule, ClassType

CLASS_KIND_BY_ID = {kind.class_type_id: kind for kind in CLASS_KINDS}


class ClassTypeFactory(factory.django.DjangoModelFactory):
    """A class from the catalog with its required certifications (CPR/AED plus
    the specialty). Successive calls walk CT001..CT015 and wrap; pass
    `catalog_entry=` (a catalog ClassKind) to pick one. Creating one that
    exists returns the stored row (get_or_create on the id)."""

    class Meta:
        model = ClassType
        django_get_or_create = ("class_type_id",)

    class Params:
        catalog_entry = factory.Sequence(lambda n: CLASS_KINDS[n % len(CLASS_KINDS)])
        rng = rng_param()  # draws nothing: the class is the catalog's

    class_type_id = factory.SelfAttribute("catalog_entry.class_type_id")
    class_name = factory.SelfAttribute("catalog_entry.class_name")
    category = factory.SelfAttribute("catalog_entry.category")
    description = factory.SelfAttribute("catalog_entry.description")
    duration_minutes = factory.SelfAttribute("catalog_entry.duration_minutes")
    max_participants = factory.SelfAttribute("catalog_entry.max_participants")
    required_certifications = factory.LazyAttribute(lambda o: required_certifications(o.catalog_entry))
    is_active = True


# --- weekly schedules -----------------------------------------------------------------------------

AREA_TYPES_BY_CATEGORY = {ClassCategory.AQUATIC: (AreaType.POOL,), ClassCategory.CYCLING: (AreaType.SPIN_ROOM,)}
SCHEDULE_HISTORY_DAYS = 365  # a lone schedule took effect within the year before as-of ...
SCHEDULE_MIN_AGE_DAYS = 28  # ... and at least four weeks before it, so it has past occurrences


def suitable_area_types(class_type) -> tuple:
    """Where a class may be held (C1): the catalog's areas for catalog classes,
    else pool for aquatic, spin room for cycling, studio or court for the rest."""
    kind = CLASS_KIND_BY_ID.get(class_type.class_type_id)
    if kind is not None:
        return kind.area_types
    return AREA_TYPES_BY_CATEGORY.get(class_type.category, STUDIO_OR_GYM)


def drop_in_price(class_type) -> Decimal:
    """The catalog's drop-in price (0.00 = included in membership)."""
    kind = CLASS_KIND_BY_ID.get(class_type.class_type_id)
    return kind.price if kind is not None else Decimal("0.00")


def draw_class_start(rng, facility, duration_minutes: int) -> dt.time:
    """A start on the quarter hour, at least an hour after opening, ending before closing."""
    first = time_of_day_minutes(facility.open_time) + 60
    last = time_of_day_minutes(facility.close_time) - duration_minutes
    if last < first:
        raise ValueError(f"A {duration_minutes}-minute class does not fit in the hours of {facility.facility_id}")
    return time_from_minutes(first + 15 * rand_int(rng, 0, (last - first) // 15))


def add_minutes(time: dt.time, minutes: int) -> dt.time:
    return time_from_minutes(time_of_day_minutes(time) + minutes)


class ClassScheduleFactory(factory.django.DjangoModelFactory):
    """A weekly slot in an area of the schedule's facility that suits the class
    (C1), capacity within both the area's and the class's, taught by a group
    fitness instructor hired before it took effect; on create() the instructor
    also gets the class's required certifications and an assignment to the
    facility if missing (C3; `qualify_instructor=False` skips that)."""

    class Meta:
        model = ClassSchedule
        skip_postgeneration_save = True

    class Params:
        as_of = factory.LazyFunction(today)
        rng = rng_param()

    schedule_id = id_sequence("classschedules")
    class_type = factory.SubFactory(ClassTypeFactory, rng=factory.SelfAttribute("..rng"))
    facility = factory.SubFactory(FacilityFactory, rng=factory.SelfAttribute("..rng"))
    area = factory.SubFactory(
        FacilityAreaFactory,
        facility=factory.SelfAttribute("..facility"),
        kind=factory.LazyAttribute(
            lambda area: pick(area.rng, area_kinds_of_type(suitable_area_types(area.factory_parent.class_type)))
        ),
        rng=factory.SelfAttribute("..rng"),
    )
    instructor = employee(JobTitle.GROUP_FITNESS_INSTRUCTOR)
    day_of_week = factory.LazyAttribute(lambda o: rand_int(o.rng, 1, 7))
    start_time = factory.LazyAttribute(lambda o: draw_class_start(o.rng, o.facility, o.class_type.duration_minutes))
    end_time = factory.LazyAttribute(lambda o: add_minutes(o.start_time, o.class_type.duration_minutes))
    max_capacity = factory.LazyAttribute(lambda o: min(o.area.max_capacity, o.class_type.max_participants))
    price = factory.LazyAttribute(lambda o: drop_in_price(o.class_type))
    effective_date = factory.LazyAttribute(
        lambda o: random_date(
            o.rng,
            max(o.instructor.hire_date, o.as_of - dt.timedelta(days=SCHEDULE_HISTORY_DAYS)),
            max(o.instructor.hire_date, o.as_of - dt.timedelta(days=SCHEDULE_MIN_AGE_DAYS)),
        )
    )
    expiry_date = None
    is_active = True

    @factory.post_generation
    def qualify_instructor(schedule, create, extracted, rng, **kwargs):
        if create and extracted is not False:
            ensure_qualified(rng, schedule.instructor, schedule.class_type, schedule.facility, schedule.effective_date)

    qualify_instructor__rng = factory.SelfAttribute("..rng")  # the hook draws from the factory's source


# --- dated instances ------------------------------------------------------------------------------

def occurrence_on_or_after(day: dt.date, day_of_week: int) -> dt.date:
    """The first date on or after `day` falling on `day_of_week` (1 = Monday ... 7 = Sunday)."""
    return day + dt.timedelta(days=(day_of_week - day.isoweekday()) % 7)


def occurrence_on_or_before(day: dt.date, day_of_week: int) -> dt.date:
    """The last date on or before `day` falling on `day_of_week`."""
    return day - dt.timedelta(days=(day.isoweekday() - day_of_week) % 7)


def draw_past_occurrence(rng, schedule, as_of: dt.date) -> dt.date:
    """A date of the schedule's weekday between its effective date and the day
    before as-of (C4); its first occurrence when none is past yet."""
    first = occurrence_on_or_after(schedule.effective_date, schedule.day_of_week)
    last = occurrence_on_or_before(as_of - dt.timedelta(days=1), schedule.day_of_week)
    if schedule.expiry_date is not None:
        last = min(last, occurrence_on_or_before(schedule.expiry_date, schedule.day_of_week))
    if last < first:
        return first
    return first + dt.timedelta(weeks=rand_int(rng, 0, (last - first).days // 7))


def instance_status(class_date: dt.date, as_of: dt.date) -> str:
    return InstanceStatus.COMPLETED if class_date < as_of else InstanceStatus.SCHEDULED


def class_start(instance) -> dt.datetime:
    """The scheduled local start of an instance."""
    return local_datetime(instance.class_date, instance.schedule.start_time)


def actual_start(o):
    """A held class starts on its date, up to a few minutes late (C4); others have no actual times."""
    if o.status != InstanceStatus.COMPLETED:
        return None
    return local_datetime(o.class_date, o.schedule.start_time) + dt.timedelta(minutes=o.late_minutes)


def actual_end(o):
    if o.actual_start_time is None:
        return None
    length = time_of_day_minutes(o.schedule.end_time) - time_of_day_minutes(o.schedule.start_time)
    return o.actual_start_time + dt.timedelta(minutes=length)


class ClassInstanceFactory(factory.django.DjangoModelFactory):
    """One occurrence of a schedule on its weekday (C4), taught by the schedule's
    instructor: Completed with actual times when the date is before as-of (no
    attendance yet: enrollments count themselves in), Scheduled otherwise. The
    `cancelled` trait gives a cancelled class with a catalog reason (C6)."""

    class Meta:
        model = ClassInstance
        skip_postgeneration_save = True

    class Params:
        as_of = factory.LazyFunction(today)
        rng = rng_param()
        late_minutes = factory.LazyAttribute(lambda o: rand_int(o.rng, 0, 3))
        cancelled = factory.Trait(
            status=InstanceStatus.CANCELLED,
            cancellation_reason=factory.LazyAttribute(lambda o: pick(o.rng, CANCELLATION_REASONS)),
        )

    instance_id = id_sequence("classinstances")
    schedule = factory.SubFactory(
        ClassScheduleFactory, as_of=factory.SelfAttribute("..as_of"), rng=factory.SelfAttribute("..rng")
    )
    class_date = factory.LazyAttribute(lambda o: draw_past_occurrence(o.rng, o.schedule, o.as_of))
    status = factory.LazyAttribute(lambda o: instance_status(o.class_date, o.as_of))
    actual_start_time = factory.LazyAttribute(actual_start)
    actual_end_time = factory.LazyAttribute(actual_end)
    actual_instructor = factory.SelfAttribute("schedule.instructor")
    actual_capacity = 0
    cancellation_reason = None

    @factory.post_generation
    def qualify_instructor(instance, create, extracted, rng, **kwargs):
        """A substitute must be qualified too (C3), on the class date."""
        if create and extracted is not False and instance.actual_instructor is not None:
            schedule = instance.schedule
            ensure_qualified(
                rng, instance.actual_instructor, schedule.class_type, schedule.facility, instance.class_date
            )

    qualify_instructor__rng = factory.SelfAttribute("..rng")  # the hook draws from the factory's source


# --- enrollments ----------------------------------------------------------------------------------

ENROLLMENT_STATUS_BY_INSTANCE = {
    InstanceStatus.COMPLETED: EnrollmentStatus.ATTENDED,
    InstanceStatus.SCHEDULED: EnrollmentStatus.ENROLLED,
    InstanceStatus.CANCELLED: EnrollmentStatus.CANCELLED,
}
MAX_BOOKING_LEAD_HOURS = 7 * 24


def attended_check_in(o):
    if o.enrollment_status != EnrollmentStatus.ATTENDED:
        return None
    start = o.instance.actual_start_time or class_start(o.instance)
    return start - dt.timedelta(minutes=o.early_minutes)


def attended_check_out(o):
    if o.check_in_time is None:
        return None
    end = o.instance.actual_end_time or local_datetime(o.instance.class_date, o.instance.schedule.end_time)
    return end + dt.timedelta(minutes=o.linger_minutes)


class ClassEnrollmentFactory(factory.django.DjangoModelFactory):
    """A booking made up to a week before the class starts (C5) by a member who
    had joined by then, paying the drop-in price. For a held class the member
    attended (checked in before the start, out after the end); for a future
    one is Enrolled; for a cancelled one Cancelled. On create() an Attended
    enrollment adds itself to the instance's `actualcapacity` (C6) and the
    member gets a membership covering the class day if they have none (V1;
    `with_membership=False` skips that)."""

    class Meta:
        model = ClassEnrollment
        skip_postgeneration_save = True

    class Params:
        as_of = factory.LazyFunction(today)
        rng = rng_param()
        lead_hours = factory.LazyAttribute(lambda o: rand_int(o.rng, 2, MAX_BOOKING_LEAD_HOURS))
        early_minutes = factory.LazyAttribute(lambda o: rand_int(o.rng, 0, 10))
        linger_minutes = factory.LazyAttribute(lambda o: rand_int(o.rng, 0, 10))

    enrollment_id = id_sequence("classenrollments")
    instance = factory.SubFactory(
        ClassInstanceFactory, as_of=factory.SelfAttribute("..as_of"), rng=factory.SelfAttribute("..rng")
    )
    enrollment_date = factory.LazyAttribute(lambda o: class_start(o.instance) - dt.timedelta(hours=o.lead_hours))
    member = factory.SubFactory(
        MemberFactory,
        join_date=factory.LazyAttribute(
            lambda m: random_date(
                m.rng,
                years_before(m.factory_parent.enrollment_date.date(), 3),
                m.factory_parent.enrollment_date.date(),
            )
        ),
        as_of=factory.SelfAttribute("..as_of"),
        rng=factory.SelfAttribute("..rng"),
    )
    enrollment_status = factory.LazyAttribute(lambda o: ENROLLMENT_STATUS_BY_INSTANCE[o.instance.status])
    payment_amount = factory.SelfAttribute("instance.schedule.price")
    check_in_time = factory.LazyAttribute(attended_check_in)
    check_out_time = factory.LazyAttribute(attended_check_out)

    @factory.post_generation
    def count_attendance(enrollment, create, extracted, **kwargs):
        if create and enrollment.enrollment_status == EnrollmentStatus.ATTENDED:
            instance = enrollment.instance
            if instance.status == InstanceStatus.COMPLETED:
                instance.actual_capacity += 1
                instance.save(update_fields=["actual_capacity"])

    @factory.post_generation
    def with_membership(enrollment, create, extracted, rng, **kwargs):
        if create and extracted is not False:
            ensure_membership_covering(rng, enrollment.member, enrollment.instance.class_date)

    with_membership__rng = factory.SelfAttribute("..rng")  # the hook draws from the factory's source
