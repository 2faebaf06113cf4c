"""factory_boy factories for staff, their facility assignments, shifts, time
entries and payroll, and for instructor certifications, reviews and feedback.

Random values come from the `rng` parameter (see members.factories), drawn
with the helpers of `fitness.core.drawing`; `build()` never touches the
database. Money is Decimal, rounded once to the cent. Pay periods, overtime,
the hours in a paid year and where each role works follow
`fitness.core.business`, as the simulation and check_ods do.
"""
import datetime as dt
from decimal import Decimal
from typing import NamedTuple

import factory
from django.db.models import Q
from django.utils import timezone

from facilities.factories import FacilityAreaFactory, FacilityFactory, area_kinds_of_type
from fitness.core.business import (
    AREA_TYPE_FOR_ROLE,
    HOURS_PER_YEAR,
    OVERTIME_MULTIPLIER,
    PAY_DAY_AFTER_END,
    PAY_PERIOD_DAYS,
    add_months,
    pay_period_start,
    years_before,
)
from fitness.core import geography
from fitness.core.catalog import CERTIFICATIONS, ROLES
from fitness.core.drawing import (
    WeightedTable,
    cents,
    draw_first_name,
    draw_gender,
    draw_last_name,
    draw_state_phone,
    email_name_part,
    local_datetime,
    minutes_between,
    pick,
    rand_int,
    random_cents,
    random_date,
    time_from_minutes,
    time_of_day_minutes,
    today,
    weighted,
)
from fitness.core.ids import ID_FORMATS
from members.factories import PlainBuildMixin, default_rng, id_sequence, rng_param

from .choices import CertificationStatus, EmploymentType, JobTitle, ShiftStatus, ShiftType, StaffStatus
from .models import (
    InstructorCertification,
    InstructorFeedback,
    InstructorPerformance,
    Staff,
    StaffCertification,
    StaffFacility,
    StaffPayroll,
    StaffSchedule,
    StaffTimeTracking,
)

STAFF_EMAIL_DOMAIN = "fitnessods.com"  # the chain's own mail domain
HIRE_WINDOW_YEARS = 5  # the seed hires within five years of as-of
SEASONED_DAYS = 90  # staff on shifts, classes and payroll were hired at least this long before as-of
ROLE_BY_TITLE = {role.job_title: role for role in ROLES}
ROLE_TABLE = WeightedTable([(role, role.share) for role in ROLES])
# The seed's status weights.
STAFF_STATUSES = weighted((StaffStatus.ACTIVE, 85), (StaffStatus.ON_LEAVE, 10), (StaffStatus.TERMINATED, 5))


# --- certifications (reference data) --------------------------------------------------------------

CERTIFICATION_BY_ID = {cert.certification_id: cert for cert in CERTIFICATIONS}


class InstructorCertificationFactory(factory.django.DjangoModelFactory):
    """A certification from the catalog. Successive calls walk CERT001..CERT015
    and wrap; pass `catalog_entry=` (a catalog Certification) to pick one.
    Creating one that exists returns the stored row (get_or_create on the id)."""

    class Meta:
        model = InstructorCertification
        django_get_or_create = ("certification_id",)

    class Params:
        catalog_entry = factory.Sequence(lambda n: CERTIFICATIONS[n % len(CERTIFICATIONS)])
        rng = rng_param()  # draws nothing: the certification is the catalog's

    certification_id = factory.SelfAttribute("catalog_entry.certification_id")
    certification_name = factory.SelfAttribute("catalog_entry.certification_name")
    issuing_organization = factory.SelfAttribute("catalog_entry.issuing_organization")
    description = factory.SelfAttribute("catalog_entry.description")
    validity_months = factory.SelfAttribute("catalog_entry.validity_months")
    is_required = factory.SelfAttribute("catalog_entry.is_required")


# --- staff ----------------------------------------------------------------------------------------

def hourly_rate_from_salary(annual_salary: int) -> Decimal:
    """The seed's pay rule: hourly rate = annual salary / HOURS_PER_YEAR (2080), to the cent."""
    return cents(Decimal(annual_salary) / HOURS_PER_YEAR)


def role_for(job_title: str):
    """The catalog role of a job title (its department and salary range)."""
    try:
        return ROLE_BY_TITLE[job_title]
    except KeyError:
        raise ValueError(
            f"Unknown job title {job_title!r}; expected one of: {', '.join(ROLE_BY_TITLE)}"
        ) from None


def draw_employment_type(rng, role) -> str:
    """Full-time at the role's share; the rest part-time, or contract for personal trainers."""
    if rng.random() < role.full_time_share:
        return EmploymentType.FULL_TIME
    return EmploymentType.CONTRACT if role.job_title == JobTitle.PERSONAL_TRAINER else EmploymentType.PART_TIME


def employee_number_for(staff_id: str) -> str:
    """E + the staff id's number (STF0042 -> E00042): unique exactly when the ids are."""
    try:
        return f"E{ID_FORMATS['staff'].number(staff_id):05d}"
    except ValueError:
        return f"E-{staff_id}"


def staff_email(first_name: str, last_name: str) -> str:
    return f"{email_name_part(first_name)}.{email_name_part(last_name)}@{STAFF_EMAIL_DOMAIN}"


def fill_staff_fields(rng, fields: dict) -> dict:
    """Draw from `rng` every staff column the caller did not give, in dependency order:
    the role (from a given job title, else by the seed's head-count shares)
    before department, employment type and pay; hire date before status and
    termination date (S1: a date exactly when Terminated, after hiring)."""
    as_of = fields.pop("as_of", None) or timezone.localdate()
    role = role_for(fields["job_title"]) if "job_title" in fields else ROLE_TABLE.draw(rng)
    fields.setdefault("job_title", role.job_title)
    if "department" not in fields:
        fields["department"] = role.department
    if "employment_type" not in fields:
        fields["employment_type"] = draw_employment_type(rng, role)
    if "hourly_rate" not in fields:
        fields["hourly_rate"] = hourly_rate_from_salary(rand_int(rng, *role.annual_salary))
    if "first_name" not in fields:
        fields["first_name"] = draw_first_name(rng, draw_gender(rng))
    if "last_name" not in fields:
        fields["last_name"] = draw_last_name(rng)
    if "email" not in fields:
        fields["email"] = staff_email(fields["first_name"], fields["last_name"])
    # Staff live where they work: a number of their facility's state (`home_state`, else any of the region).
    home_state = fields.pop("home_state", None) or pick(rng, geography.region_states()).code
    if "phone" not in fields:
        fields["phone"] = draw_state_phone(rng, home_state)
    if "employee_number" not in fields:
        fields["employee_number"] = employee_number_for(fields["staff_id"])
    hire_date = fields.get("hire_date")
    if hire_date is None:
        hire_date = fields["hire_date"] = random_date(rng, years_before(as_of, HIRE_WINDOW_YEARS), as_of)
    if "status" not in fields:
        status = STAFF_STATUSES.draw(rng)
        # Nobody is hired and let go on the same day.
        fields["status"] = StaffStatus.ACTIVE if status == StaffStatus.TERMINATED and hire_date >= as_of else status
    if "termination_date" not in fields:
        fields["termination_date"] = (
            random_date(rng, hire_date + dt.timedelta(days=1), max(as_of, hire_date + dt.timedelta(days=1)))
            if fields["status"] == StaffStatus.TERMINATED else None
        )
    return fields


class StaffFactory(PlainBuildMixin, factory.django.DjangoModelFactory):
    """An employee in one of the seed's roles, paid from the role's salary range
    (hourly = salary / 2080), hired within five years of `as_of` (keyword,
    default today). Pass `job_title=` for a given role; the department and pay
    follow it.

    Lean like MemberFactory: the id is the only declaration, the rest is drawn
    in one pass by `fill_staff_fields` from `rng` (keyword, default
    `default_rng()`) unless given.
    """

    class Meta:
        model = Staff

    _id_field, _id_table = "staff_id", "staff"
    staff_id = id_sequence("staff")

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        rng = kwargs.pop("rng", None)
        return fill_staff_fields(default_rng() if rng is None else rng, kwargs)


def employee(job_title=None, **extra):
    """A SubFactory for an active employee (optionally of one job title) hired
    between five years and three months before the parent's `as_of`, for rows
    that need someone already at work: shifts, classes, payroll, reviews."""
    if job_title is not None:
        extra["job_title"] = job_title
    return factory.SubFactory(
        StaffFactory,
        status=StaffStatus.ACTIVE,
        as_of=factory.SelfAttribute("..as_of"),
        rng=factory.SelfAttribute("..rng"),
        hire_date=factory.LazyAttribute(
            lambda staff: random_date(
                staff.rng,
                years_before(staff.factory_parent.as_of, HIRE_WINDOW_YEARS),
                staff.factory_parent.as_of - dt.timedelta(days=SEASONED_DAYS),
            )
        ),
        **extra,
    )


class StaffFacilityFactory(factory.django.DjangoModelFactory):
    """A primary assignment from the hire date, open-ended while the employee
    works (ended on the termination date otherwise)."""

    class Meta:
        model = StaffFacility

    class Params:
        as_of = factory.LazyFunction(today)
        rng = rng_param()

    assignment_id = id_sequence("stafffacilities")
    staff = employee()
    facility = factory.SubFactory(FacilityFactory, rng=factory.SelfAttribute("..rng"))
    is_primary = True
    start_date = factory.SelfAttribute("staff.hire_date")
    end_date = factory.SelfAttribute("staff.termination_date")


# --- staff certifications -------------------------------------------------------------------------

def certification_status_on(expiry_date: dt.date, as_of: dt.date) -> str:
    """S6: Expired exactly when the expiry date is before as-of."""
    return CertificationStatus.EXPIRED if expiry_date < as_of else CertificationStatus.ACTIVE


def certification_number(rng, certification_id: str) -> str:
    return f"{certification_id}-{rand_int(rng, 100000, 999999)}"


class StaffCertificationFactory(factory.django.DjangoModelFactory):
    """An instructor's certificate, earned between two years before hiring and
    as-of; expiry = certification date + the certification's validity months,
    status by expiry (S6)."""

    class Meta:
        model = StaffCertification

    class Params:
        as_of = factory.LazyFunction(today)
        rng = rng_param()

    staff_certification_id = id_sequence("staffcertifications")
    staff = employee(JobTitle.GROUP_FITNESS_INSTRUCTOR)
    certification = factory.SubFactory(InstructorCertificationFactory, rng=factory.SelfAttribute("..rng"))
    certification_date = factory.LazyAttribute(
        lambda o: random_date(o.rng, years_before(o.staff.hire_date, 2), max(o.staff.hire_date, o.as_of))
    )
    expiry_date = factory.LazyAttribute(lambda o: add_months(o.certification_date, o.certification.validity_months))
    certification_number = factory.LazyAttribute(
        lambda o: certification_number(o.rng, o.certification.certification_id)
    )
    status = factory.LazyAttribute(lambda o: certification_status_on(o.expiry_date, o.as_of))



def required_certification_ids(class_type) -> list[str]:
    """The ids in a class type's comma-separated `requiredcertifications`."""
    return [part.strip() for part in (class_type.required_certifications or "").split(",") if part.strip()]


def ensure_qualified(rng, instructor, class_type, facility, on_date: dt.date) -> None:
    """Give an instructor what rule C3 asks to teach `class_type` at `facility`
    on `on_date`, where it is missing: every required certification valid that
    day (certified up to six months before) and an assignment to the facility
    covering the day (primary unless another open primary assignment exists).
    Queries and writes, so only for create(); build() leaves it to the caller."""
    for certification_id in required_certification_ids(class_type):
        if certification_id in CERTIFICATION_BY_ID:
            certification = InstructorCertificationFactory(catalog_entry=CERTIFICATION_BY_ID[certification_id], rng=rng)
        else:
            certification = InstructorCertification.objects.get(pk=certification_id)
        holds_valid = StaffCertification.objects.filter(
            staff=instructor, certification=certification, certification_date__lte=on_date, expiry_date__gte=on_date
        ).exists()
        if not holds_valid:
            StaffCertificationFactory(
                staff=instructor,
                certification=certification,
                certification_date=random_date(rng, on_date - dt.timedelta(days=180), on_date),
                rng=rng,
            )
    covering = StaffFacility.objects.filter(staff=instructor, facility=facility, start_date__lte=on_date).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on_date)
    )
    if not covering.exists():
        has_primary = StaffFacility.objects.filter(staff=instructor, is_primary=True, end_date__isnull=True).exists()
        StaffFacilityFactory(
            staff=instructor,
            facility=facility,
            is_primary=not has_primary,
            start_date=min(instructor.hire_date, on_date),
            end_date=None,
            rng=rng,
        )


# --- shifts and time tracking ---------------------------------------------------------------------

SHIFT_LENGTH_HOURS = (4, 6, 8)
SHIFT_LOOKBACK_DAYS = 14
LONG_SHIFT_HOURS = 6  # shifts this long or longer include an unpaid 30-minute break


def hours_between(start_minutes: int, end_minutes: int) -> Decimal:
    return cents(Decimal(end_minutes - start_minutes) / 60)


def shift_type_at(start: dt.time) -> str:
    if start.hour < 11:
        return ShiftType.MORNING
    return ShiftType.AFTERNOON if start.hour < 15 else ShiftType.EVENING


def draw_shift_start(rng, facility, shift_hours: int) -> dt.time:
    """A start on the half hour such that the whole shift lies inside opening hours (S3)."""
    opens, closes = time_of_day_minutes(facility.open_time), time_of_day_minutes(facility.close_time)
    latest = closes - shift_hours * 60
    if latest < opens:
        raise ValueError(f"A {shift_hours}-hour shift does not fit in the opening hours of {facility.facility_id}")
    return time_from_minutes(opens + 30 * rand_int(rng, 0, (latest - opens) // 30))


def status_of_shift(schedule_date: dt.date, as_of: dt.date) -> str:
    return ShiftStatus.COMPLETED if schedule_date < as_of else ShiftStatus.SCHEDULED


class StaffScheduleFactory(factory.django.DjangoModelFactory):
    """A shift of 4, 6 or 8 hours inside the facility's opening hours (S3), in
    an area of the type the employee's role works in (`AREA_TYPE_FOR_ROLE`, of
    the shift's own facility, I3; none for the other roles),
    within two weeks before as-of (Completed) or on as-of (Scheduled);
    `scheduledhours` = end - start."""

    class Meta:
        model = StaffSchedule

    class Params:
        as_of = factory.LazyFunction(today)
        rng = rng_param()
        shift_hours = factory.LazyAttribute(lambda o: pick(o.rng, SHIFT_LENGTH_HOURS))
        area_type = factory.LazyAttribute(lambda o: AREA_TYPE_FOR_ROLE.get(o.staff.job_title))

    schedule_id = id_sequence("staffschedules")
    staff = employee()
    facility = factory.SubFactory(FacilityFactory, rng=factory.SelfAttribute("..rng"))
    area = factory.Maybe(
        "area_type",
        yes_declaration=factory.SubFactory(
            FacilityAreaFactory,
            facility=factory.SelfAttribute("..facility"),
            kind=factory.LazyAttribute(
                lambda area: pick(area.rng, area_kinds_of_type((area.factory_parent.area_type,)))
            ),
            rng=factory.SelfAttribute("..rng"),
        ),
        no_declaration=None,
    )
    schedule_date = factory.LazyAttribute(
        lambda o: random_date(
            o.rng, max(o.staff.hire_date, o.as_of - dt.timedelta(days=SHIFT_LOOKBACK_DAYS)), o.as_of
        )
    )
    start_time = factory.LazyAttribute(lambda o: draw_shift_start(o.rng, o.facility, o.shift_hours))
    end_time = factory.LazyAttribute(
        lambda o: time_from_minutes(time_of_day_minutes(o.start_time) + o.shift_hours * 60)
    )
    scheduled_hours = factory.LazyAttribute(
        lambda o: hours_between(time_of_day_minutes(o.start_time), time_of_day_minutes(o.end_time))
    )
    shift_type = factory.LazyAttribute(lambda o: shift_type_at(o.start_time))
    status = factory.LazyAttribute(lambda o: status_of_shift(o.schedule_date, o.as_of))


def worked_hours(start: dt.datetime, end: dt.datetime, break_minutes: int) -> Decimal:
    """S4: actual hours = end - start - break, to the hundredth of an hour."""
    return cents(Decimal(minutes_between(start, end) - break_minutes) / 60)


class StaffTimeTrackingFactory(factory.django.DjangoModelFactory):
    """Clock-in and clock-out near a completed shift of the same employee (S4),
    a 30-minute break on long shifts, `actualhours` = end - start - break. A
    single shift never passes 40 hours in its week, so no overtime."""

    class Meta:
        model = StaffTimeTracking

    class Params:
        as_of = factory.LazyFunction(today)
        rng = rng_param()
        start_offset_minutes = factory.LazyAttribute(lambda o: rand_int(o.rng, -10, 5))  # negative: clocked in early
        end_offset_minutes = factory.LazyAttribute(lambda o: rand_int(o.rng, -5, 15))

    time_tracking_id = id_sequence("stafftimetracking")
    schedule = factory.SubFactory(
        StaffScheduleFactory,
        as_of=factory.SelfAttribute("..as_of"),
        rng=factory.SelfAttribute("..rng"),
        schedule_date=factory.LazyAttribute(
            lambda shift: random_date(
                shift.rng,
                max(shift.staff.hire_date, shift.as_of - dt.timedelta(days=SHIFT_LOOKBACK_DAYS)),
                shift.as_of - dt.timedelta(days=1),
            )
        ),
    )
    staff = factory.SelfAttribute("schedule.staff")
    actual_start_time = factory.LazyAttribute(
        lambda o: local_datetime(o.schedule.schedule_date, o.schedule.start_time)
        + dt.timedelta(minutes=o.start_offset_minutes)
    )
    actual_end_time = factory.LazyAttribute(
        lambda o: local_datetime(o.schedule.schedule_date, o.schedule.end_time)
        + dt.timedelta(minutes=o.end_offset_minutes)
    )
    break_minutes = factory.LazyAttribute(lambda o: 30 if o.schedule.scheduled_hours >= LONG_SHIFT_HOURS else 0)
    actual_hours = factory.LazyAttribute(
        lambda o: worked_hours(o.actual_start_time, o.actual_end_time, o.break_minutes)
    )
    overtime_hours = Decimal("0.00")
    notes = factory.LazyAttribute(lambda o: "Clocked in late" if o.start_offset_minutes > 0 else None)


# --- payroll --------------------------------------------------------------------------------------

def pay_period_start_before(as_of: dt.date, periods_back: int) -> dt.date:
    """The start of the bi-weekly period `periods_back` periods before the one containing as-of."""
    return pay_period_start(as_of) - dt.timedelta(days=PAY_PERIOD_DAYS * periods_back)


def draw_regular_hours(rng, employment_type: str) -> Decimal:
    """Hours in a two-week period, in quarter hours: about 80 full-time, 20-50 otherwise."""
    if employment_type == EmploymentType.FULL_TIME:
        return cents(pick(rng, (72, 76, 80, 80, 80)))
    return cents(Decimal(rand_int(rng, 80, 200)) / 4)


def draw_overtime_hours(rng, employment_type: str) -> Decimal:
    if employment_type == EmploymentType.FULL_TIME and rng.random() < 0.25:
        return cents(Decimal(rand_int(rng, 1, 32)) / 4)
    return Decimal("0.00")


def regular_pay(hours: Decimal, rate: Decimal) -> Decimal:
    """S5: regular pay = regular hours x hourly rate, to the cent."""
    return cents(hours * rate)


def overtime_pay(hours: Decimal, rate: Decimal) -> Decimal:
    """S5: overtime pay = overtime hours x hourly rate x OVERTIME_MULTIPLIER (1.5), to the cent."""
    return cents(hours * rate * OVERTIME_MULTIPLIER)


class PayStub(NamedTuple):
    regular_hours: Decimal
    overtime_hours: Decimal
    regular_pay: Decimal
    overtime_pay: Decimal
    bonuses: Decimal
    gross_pay: Decimal
    deductions: Decimal
    net_pay: Decimal


def pay_stub(regular_hours, overtime_hours, hourly_rate, bonuses, deduction_rate) -> PayStub:
    """The S5 arithmetic, each amount rounded once to the cent: gross = regular
    + overtime + bonuses, deductions = a share of gross, net = gross - deductions."""
    regular, overtime = regular_pay(regular_hours, hourly_rate), overtime_pay(overtime_hours, hourly_rate)
    gross = regular + overtime + bonuses
    deductions = cents(gross * deduction_rate)
    return PayStub(regular_hours, overtime_hours, regular, overtime, bonuses, gross, deductions, gross - deductions)


def draw_pay_stub(rng, staff) -> PayStub:
    """A realistic two-week stub for the employee, exact in cents (S5)."""
    return pay_stub(
        draw_regular_hours(rng, staff.employment_type),
        draw_overtime_hours(rng, staff.employment_type),
        staff.hourly_rate,
        random_cents(rng, 50, 250) if rng.random() < 0.1 else Decimal("0.00"),
        Decimal(rand_int(rng, 18, 30)) / 100,
    )


class StaffPayrollFactory(factory.django.DjangoModelFactory):
    """A bi-weekly pay stub (Monday..Sunday two weeks later, paid the Friday
    after) from one of the last four closed periods, with the S5 arithmetic to
    the cent: regular and overtime pay from the employee's hourly rate, gross =
    regular + overtime + bonuses, net = gross - deductions (18-30% of gross).
    The amounts come from one `stub` (pass `stub=pay_stub(...)` to choose them)."""

    class Meta:
        model = StaffPayroll

    class Params:
        as_of = factory.LazyFunction(today)
        rng = rng_param()
        periods_back = factory.LazyAttribute(lambda o: rand_int(o.rng, 1, 4))
        stub = factory.LazyAttribute(lambda o: draw_pay_stub(o.rng, o.staff))

    payroll_id = id_sequence("staffpayroll")
    staff = employee()
    pay_period_start = factory.LazyAttribute(lambda o: pay_period_start_before(o.as_of, o.periods_back))
    pay_period_end = factory.LazyAttribute(lambda o: o.pay_period_start + dt.timedelta(days=PAY_PERIOD_DAYS - 1))
    regular_hours = factory.SelfAttribute("stub.regular_hours")
    overtime_hours = factory.SelfAttribute("stub.overtime_hours")
    regular_pay = factory.SelfAttribute("stub.regular_pay")
    overtime_pay = factory.SelfAttribute("stub.overtime_pay")
    bonuses = factory.SelfAttribute("stub.bonuses")
    gross_pay = factory.SelfAttribute("stub.gross_pay")
    deductions = factory.SelfAttribute("stub.deductions")
    net_pay = factory.SelfAttribute("stub.net_pay")
    pay_date = factory.LazyAttribute(lambda o: o.pay_period_end + dt.timedelta(days=PAY_DAY_AFTER_END))


# --- instructor reviews and feedback --------------------------------------------------------------

REVIEW_COMMENTS = {
    5: "Outstanding instructor; classes are full and members ask for more.",
    4: "Strong, reliable instructor with consistently good feedback.",
    3: "Meets expectations; room to grow in member engagement.",
    2: "Below expectations; attendance and feedback need attention.",
    1: "Serious concerns raised; improvement plan agreed.",
}
REVIEW_GOALS = (
    "Grow average attendance by 10%.",
    "Complete one new specialty certification.",
    "Mentor a newly hired instructor.",
    "Add a weekend class to the schedule.",
    "Improve on-time class starts.",
)


def random_score(rng, low: str = "3.00", high: str = "5.00") -> Decimal:
    return Decimal(rand_int(rng, int(Decimal(low) * 100), int(Decimal(high) * 100))) / 100


class InstructorPerformanceFactory(factory.django.DjangoModelFactory):
    """A review of a group fitness instructor by a Manager (never the instructor
    himself, S7), with scores in their ranges (1-5, retention 0-100%) and the
    overall rating the mean of the three scores. The seeder computes classes,
    attendance and satisfaction from real instances; alone these are plausible
    draws."""

    class Meta:
        model = InstructorPerformance

    class Params:
        as_of = factory.LazyFunction(today)
        rng = rng_param()

    performance_id = id_sequence("instructorperformance")
    instructor = employee(JobTitle.GROUP_FITNESS_INSTRUCTOR)
    evaluator = employee(JobTitle.MANAGER)
    evaluation_date = factory.LazyAttribute(
        lambda o: random_date(o.rng, max(o.instructor.hire_date + dt.timedelta(days=SEASONED_DAYS // 2),
                                         o.as_of - dt.timedelta(days=90)), o.as_of)
    )
    classes_per_month = factory.LazyAttribute(lambda o: rand_int(o.rng, 8, 24))
    average_attendance = factory.LazyAttribute(lambda o: random_score(o.rng, "8.00", "20.00"))
    member_retention_rate = factory.LazyAttribute(lambda o: random_score(o.rng, "60.00", "95.00"))
    member_satisfaction_score = factory.LazyAttribute(lambda o: random_score(o.rng))
    professionalism_score = factory.LazyAttribute(lambda o: random_score(o.rng))
    communication_score = factory.LazyAttribute(lambda o: random_score(o.rng))
    overall_rating = factory.LazyAttribute(
        lambda o: cents((o.member_satisfaction_score + o.professionalism_score + o.communication_score) / 3)
    )
    comments = factory.LazyAttribute(lambda o: REVIEW_COMMENTS[int(o.overall_rating.to_integral_value())])
    goals_for_next_period = factory.LazyAttribute(lambda o: pick(o.rng, REVIEW_GOALS))


OVERALL_RATINGS = weighted((5, 45), (4, 35), (3, 12), (2, 5), (1, 3))
FEEDBACK_COMMENTS = {
    5: ("Best class of my week!", "Great energy and clear cues.", "Loved it, will be back."),
    4: ("Good workout, a bit crowded.", "Solid class, music could be louder."),
    3: ("Okay class.", "Pace was uneven."),
    2: ("Hard to follow the instructions.", "Started late."),
    1: ("Disappointing, instructor seemed distracted.",),
}
FEEDBACK_DELAY_DAYS = 3


def rating_near(rng, overall: int) -> int:
    """A sub-rating within one point of the overall rating, kept in 1-5 (C7)."""
    return min(5, max(1, overall + rand_int(rng, -1, 1)))


class InstructorFeedbackFactory(factory.django.DjangoModelFactory):
    """Feedback from a member who attended the instance (an Attended enrollment,
    pass `enrollment=` to reuse one), naming the instance's actual instructor,
    dated on or up to three days after the class, ratings 1-5 (C7)."""

    class Meta:
        model = InstructorFeedback

    class Params:
        as_of = factory.LazyFunction(today)
        rng = rng_param()
        enrollment = factory.SubFactory(
            "classes.factories.ClassEnrollmentFactory",
            as_of=factory.SelfAttribute("..as_of"),
            rng=factory.SelfAttribute("..rng"),
        )

    feedback_id = id_sequence("instructorfeedback")
    member = factory.SelfAttribute("enrollment.member")
    class_instance = factory.SelfAttribute("enrollment.instance")
    instructor = factory.SelfAttribute("class_instance.actual_instructor")
    feedback_date = factory.LazyAttribute(
        lambda o: random_date(
            o.rng,
            o.class_instance.class_date,
            max(o.class_instance.class_date,
                min(o.as_of, o.class_instance.class_date + dt.timedelta(days=FEEDBACK_DELAY_DAYS))),
        )
    )
    overall_rating = factory.LazyAttribute(lambda o: OVERALL_RATINGS.draw(o.rng))
    teaching_quality = factory.LazyAttribute(lambda o: rating_near(o.rng, o.overall_rating))
    communication = factory.LazyAttribute(lambda o: rating_near(o.rng, o.overall_rating))
    motivation = factory.LazyAttribute(lambda o: rating_near(o.rng, o.overall_rating))
    comments = factory.LazyAttribute(
        lambda o: pick(o.rng, FEEDBACK_COMMENTS[o.overall_rating]) if o.rng.random() < 0.6 else None
    )
    is_anonymous = factory.LazyAttribute(lambda o: o.rng.random() < 0.2)
