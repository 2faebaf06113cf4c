"""fitness.core.business: each business fact has one value, and the factories
agree with it (and so with the simulation and check_ods, which read it too).

Each factory test below fails on a disagreement the factories once had: shift
areas by area name (a nutritionist at the juice bar), a period still Active on
its end date, a pay-period anchor, pay day and overtime multiplier of their
own, a second HOURS_PER_YEAR in the catalog."""
import datetime as dt
import random
from decimal import Decimal

import pytest

from facilities.choices import AreaType
from fitness.core import business, catalog
from fitness.core.business import (
    AREA_TYPE_FOR_ROLE,
    OVERTIME_MULTIPLIER,
    PAY_DAY_AFTER_END,
    PAY_PERIOD_DAYS,
    PAY_PERIOD_EPOCH,
    add_months,
    pay_period_start,
    period_has_ended,
    period_status_on,
    years_before,
)
from fitness.core.drawing import cents
from fitness.quality.registry import RULES
from fitness.quality.rules.staff import CENT_TOLERANCE
from members.choices import MembershipStatus
from members.factories import MemberFactory, MemberMembershipFactory, MembershipTypeFactory
from staff.choices import EmploymentType, JobTitle, StaffStatus
from staff.factories import StaffFactory, StaffPayrollFactory, StaffScheduleFactory, hourly_rate_from_salary

AS_OF = dt.date(2025, 6, 30)


# --- the rules themselves -------------------------------------------------------------------------

def test_add_months_clamps_to_the_month_end():
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2023, 1, 31), 1) == dt.date(2023, 2, 28)
    assert add_months(dt.date(2024, 12, 15), 1) == dt.date(2025, 1, 15)
    assert add_months(dt.date(2024, 3, 31), -1) == dt.date(2024, 2, 29)


def test_years_before_moves_a_leap_day_to_the_28th():
    assert years_before(dt.date(2024, 2, 29), 1) == dt.date(2023, 2, 28)
    assert years_before(dt.date(2024, 6, 1), 16) == dt.date(2008, 6, 1)


def test_a_period_is_over_on_its_end_date():
    end = dt.date(2025, 6, 30)
    assert not period_has_ended(end, end - dt.timedelta(days=1))
    assert period_has_ended(end, end) and period_has_ended(end, end + dt.timedelta(days=1))
    assert period_status_on(MembershipStatus.ACTIVE, end, end) == MembershipStatus.EXPIRED
    assert period_status_on(MembershipStatus.ACTIVE, end, end - dt.timedelta(days=1)) == MembershipStatus.ACTIVE
    assert period_status_on(MembershipStatus.SUSPENDED, end, end) == MembershipStatus.SUSPENDED


def test_pay_periods_start_on_mondays_every_fortnight_from_the_epoch():
    assert PAY_PERIOD_EPOCH.isoweekday() == 1
    assert pay_period_start(dt.date(2024, 1, 1)) == dt.date(2024, 1, 1)  # the factories' old anchor is one
    day = dt.date(2025, 6, 30)
    start = pay_period_start(day)
    assert start.isoweekday() == 1 and start <= day < start + dt.timedelta(days=PAY_PERIOD_DAYS)
    assert pay_period_start(start + dt.timedelta(days=PAY_PERIOD_DAYS - 1)) == start
    assert (PAY_PERIOD_EPOCH + dt.timedelta(days=PAY_PERIOD_DAYS - 1 + PAY_DAY_AFTER_END)).isoweekday() == 5  # Friday


# --- the factories follow them --------------------------------------------------------------------

def shift_for(job_title, rng):
    staff = StaffFactory.build(job_title=job_title, status=StaffStatus.ACTIVE, as_of=AS_OF,
                               hire_date=AS_OF - dt.timedelta(days=400), rng=rng)
    return StaffScheduleFactory.build(staff=staff, as_of=AS_OF, rng=rng)


def test_a_lifeguard_shift_is_in_a_pool_area():
    rng = random.Random(1)
    for _ in range(20):
        shift = shift_for(JobTitle.LIFEGUARD, rng)
        assert shift.area.area_type == AreaType.POOL
        assert shift.area.facility is shift.facility  # I3


@pytest.mark.parametrize("job_title", JobTitle.values)
def test_a_factory_shift_is_in_an_area_of_the_type_its_role_works_in(job_title):
    """As the simulation places shifts (AREA_TYPE_FOR_ROLE); roles without one, nutritionists included,
    get no area."""
    rng = random.Random(job_title)
    for _ in range(10):
        shift = shift_for(job_title, rng)
        wanted = AREA_TYPE_FOR_ROLE.get(job_title)
        assert (shift.area.area_type if shift.area is not None else None) == wanted


def test_a_factory_period_ending_on_as_of_is_expired():
    rng, as_of = random.Random(2), dt.date(2025, 6, 15)
    monthly = MembershipTypeFactory.build(plan=catalog.MEMBERSHIP_PLANS[0], rng=rng)
    assert monthly.duration == 1
    member = MemberFactory.build(join_date=as_of - dt.timedelta(days=400), as_of=as_of, rng=rng)
    for start, expected in (
        (dt.date(2025, 5, 15), MembershipStatus.EXPIRED),  # ends on as-of: over
        (dt.date(2025, 5, 16), MembershipStatus.ACTIVE),  # ends tomorrow
        (dt.date(2025, 4, 1), MembershipStatus.EXPIRED),
    ):
        period = MemberMembershipFactory.build(
            member=member, membership_type=monthly, start_date=start, as_of=as_of, rng=rng
        )
        assert period.status == expected, (period.start_date, period.end_date)
        assert period.status == period_status_on(MembershipStatus.ACTIVE, period.end_date, as_of)


def full_time_payroll(count, seed):
    return StaffPayrollFactory.build_batch(
        count, as_of=AS_OF, staff__employment_type=EmploymentType.FULL_TIME, rng=random.Random(seed)
    )


def test_factory_overtime_pay_is_the_s5_arithmetic_with_the_business_multiplier():
    stubs = [stub for stub in full_time_payroll(80, 3) if stub.overtime_hours > 0]
    assert stubs
    for stub in stubs:
        rate = stub.staff.hourly_rate
        assert stub.overtime_pay == cents(stub.overtime_hours * rate * OVERTIME_MULTIPLIER)
        # check_ods S5, as its SQL states it
        assert abs(stub.overtime_pay - stub.overtime_hours * rate * OVERTIME_MULTIPLIER) <= Decimal(str(CENT_TOLERANCE))
        assert abs(stub.regular_pay - stub.regular_hours * rate) <= Decimal(str(CENT_TOLERANCE))
    assert f"x {OVERTIME_MULTIPLIER}" in RULES["S5"].description  # S5 reads the same constant


def test_factory_pay_periods_are_the_business_pay_periods():
    for stub in full_time_payroll(20, 4):
        assert pay_period_start(stub.pay_period_start) == stub.pay_period_start
        assert stub.pay_period_end == stub.pay_period_start + dt.timedelta(days=PAY_PERIOD_DAYS - 1)
        assert stub.pay_date == stub.pay_period_end + dt.timedelta(days=PAY_DAY_AFTER_END)
        assert stub.pay_period_end < AS_OF  # a closed period


def test_hours_per_year_is_stated_once():
    assert not hasattr(catalog, "HOURS_PER_YEAR")
    for role in catalog.ROLES:
        for salary in role.annual_salary:
            assert hourly_rate_from_salary(salary) == cents(Decimal(salary) / business.HOURS_PER_YEAR)


def test_payroll_withholding_grows_with_pay_and_full_time_benefits():
    from fitness.core.business import deduction_rate

    low, high = deduction_rate(Decimal("12.00"), False), deduction_rate(Decimal("40.00"), False)
    assert low < high
    assert deduction_rate(Decimal("12.00"), True) > low
    assert Decimal("0.15") < low < high < Decimal("0.35")
