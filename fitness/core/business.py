"""The chain's business constants and calendar rules, each stated once.

The simulation, the factories, check_ods and the warehouse all read these, so
a rule of ods-rules.md has one value wherever it is applied.

Membership periods: `enddate = startdate + duration months` (M3); the next
period starts the day after `enddate`, moved to the 1st of the next month when
that would be after the 28th, so that "+ N months" never needs month-end
clamping (SQLite and PostgreSQL disagree on Jan 31 + 1 month). A member visits
only on days start <= day < end: the end day itself is left out, so the data
holds whether a reader treats the end date as inclusive or exclusive, and a
period whose end date has come is over (Expired) on that date.
"""
import datetime as dt
from functools import lru_cache
from decimal import Decimal

from facilities.choices import AreaType
from members.choices import MembershipStatus
from staff.choices import JobTitle

# --- pay (rule S4, S5) ----------------------------------------------------------------------------

OVERTIME_MULTIPLIER = Decimal("1.5")  # overtime pay = overtime hours x hourly rate x 1.5
WEEK_REGULAR_HOURS = 40  # hours beyond 40 in an ISO week are overtime
PAY_PERIOD_DAYS = 14  # bi-weekly, Monday to the Sunday a fortnight later
PAY_PERIOD_EPOCH = dt.date(2000, 1, 3)  # a Monday: pay periods start every 14 days from it
PAY_DAY_AFTER_END = 5  # paid on the Friday after the period's closing Sunday
HOURS_PER_YEAR = 2080  # hourly rate = annual salary / 2080 hours


# Payroll withholding as a share of gross pay: FICA, federal income tax by annual pay band, state income
# tax, and health benefits for full-time staff. Higher pay withholds a larger share (realism R30).
FICA_RATE = Decimal("0.0765")
STATE_TAX_RATE = Decimal("0.04")
INCOME_TAX_BANDS = ((30000, Decimal("0.07")), (45000, Decimal("0.09")), (60000, Decimal("0.11")),
                    (None, Decimal("0.14")))
FULL_TIME_BENEFITS_RATE = Decimal("0.045")


def deduction_rate(hourly_rate: Decimal, full_time: bool) -> Decimal:
    """The share of gross pay a staff member's payroll withholds."""
    annual = hourly_rate * HOURS_PER_YEAR
    income_tax = next(rate for limit, rate in INCOME_TAX_BANDS if limit is None or annual < limit)
    return FICA_RATE + income_tax + STATE_TAX_RATE + (FULL_TIME_BENEFITS_RATE if full_time else 0)


def pay_period_start(day: dt.date) -> dt.date:
    """The first day of the pay period that holds `day`."""
    return day - dt.timedelta(days=(day - PAY_PERIOD_EPOCH).days % PAY_PERIOD_DAYS)


# --- instructor reviews (rule S7) --------------------------------------------------------------------

REVIEW_DAYS = 30  # a quarterly review covers the classes of the 30 days before its evaluation date


# --- where staff work during a shift ---------------------------------------------------------------

# The area type a role's shift is spent in; roles not named here have no single area.
AREA_TYPE_FOR_ROLE = {
    JobTitle.FRONT_DESK: AreaType.RECEPTION,
    JobTitle.LIFEGUARD: AreaType.POOL,
    JobTitle.GROUP_FITNESS_INSTRUCTOR: AreaType.STUDIO,
    JobTitle.PERSONAL_TRAINER: AreaType.WEIGHTS,
}


# --- calendar arithmetic --------------------------------------------------------------------------

def add_months(day: dt.date, months: int) -> dt.date:
    """Same day-of-month `months` later, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    if day.day <= 28:  # every month has it: no clamping (the common case: periods start by the 28th)
        return dt.date(year, month, day.day)
    last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last))


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier (Feb 29 becomes Feb 28)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


# --- membership periods (rules M2-M4) -------------------------------------------------------------

LAST_START_DAY = 28


def next_period_start(end: dt.date) -> dt.date:
    start = end + dt.timedelta(days=1)
    if start.day > LAST_START_DAY:
        start = add_months(start.replace(day=1), 1)
    return start


def first_period_start(join_date: dt.date) -> dt.date:
    if join_date.day > LAST_START_DAY:
        return add_months(join_date.replace(day=1), 1)
    return join_date


def period_has_ended(end: dt.date, as_of: dt.date) -> bool:
    """A period is over on its end date (the end day is not a membership day)."""
    return end <= as_of


def period_status_on(status: str, end: dt.date, as_of: dt.date) -> str:
    """A period's stored status on the as-of date: Active ones that ended become Expired."""
    if status == MembershipStatus.ACTIVE and period_has_ended(end, as_of):
        return MembershipStatus.EXPIRED
    return status


# --- the holidays the chain keeps (fewer visits: seed_ods; left out of V4's weekday comparison) ---------------
def nth_weekday(year: int, month: int, iso_weekday: int, n: int) -> dt.date:
    """The n-th (1-based; -1 = last) given weekday of a month."""
    if n > 0:
        first = dt.date(year, month, 1)
        return first + dt.timedelta(days=(iso_weekday - first.isoweekday()) % 7 + 7 * (n - 1))
    last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    return last - dt.timedelta(days=(last.isoweekday() - iso_weekday) % 7)


@lru_cache(maxsize=64)
def us_holidays(year: int) -> dict:
    """{date: holiday name} of the holidays that change how many people come, computed for any year."""
    thanksgiving = nth_weekday(year, 11, 4, 4)
    return {
        dt.date(year, 1, 1): "new_year",
        nth_weekday(year, 5, 1, -1): "memorial_day",
        dt.date(year, 7, 4): "independence_day",
        nth_weekday(year, 9, 1, 1): "labor_day",
        thanksgiving: "thanksgiving",
        thanksgiving + dt.timedelta(days=1): "black_friday",
        dt.date(year, 12, 24): "christmas_eve",
        dt.date(year, 12, 25): "christmas",
        dt.date(year, 12, 31): "new_years_eve",
    }
