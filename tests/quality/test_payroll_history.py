"""S4 and S5 before the time tracking begins: payroll of pay periods that
ended before the first shift date of the data (history) is checked for its own
arithmetic and plausibility, the pay period open on that date holds at least
the tracked hours, and the ISO week open on that date may carry overtime from
hours worked before it.

The valid dataset's time tracking begins on Monday 2024-02-12 (STF0002, two
shifts, 15.67 h); its payroll PRL000001 covers 2024-02-05 .. 2024-02-18, the
period open on that day, at 40.00 an hour."""
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from fitness.core.business import OVERTIME_MULTIPLIER
from fitness.quality import run_checks
from staff.models import StaffPayroll, StaffSchedule, StaffTimeTracking

from .dataset import AS_OF, DAYS

RATE = Decimal("40.00")  # STF0002's hourly rate


def failures(rule_id):
    """(count, sample keys) of one rule on the valid dataset as changed by the test."""
    document = run_checks(as_of=AS_OF, days=DAYS, save=False, profile=False, only=rule_id)
    (check,) = document["checks"]
    assert check["status"] != "error", check.get("error")
    return check["count"], check["sample_keys"]


def cents(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), ROUND_HALF_UP)


def history_payroll(payroll_id, start, regular, overtime="0.00", bonuses="0.00", regular_pay=None):
    """A pay period of STF0002 whose amounts add up (deductions 20% of gross; the regular pay as given)."""
    regular, overtime, bonuses = Decimal(regular), Decimal(overtime), Decimal(bonuses)
    regular_pay = cents(regular * RATE) if regular_pay is None else Decimal(regular_pay)
    overtime_pay = cents(overtime * RATE * OVERTIME_MULTIPLIER)
    gross = regular_pay + overtime_pay + bonuses
    deductions = cents(gross * Decimal("0.2"))
    return StaffPayroll.objects.create(
        payroll_id=payroll_id, staff_id="STF0002", pay_period_start=start,
        pay_period_end=start + dt.timedelta(days=13), regular_hours=regular, overtime_hours=overtime,
        regular_pay=regular_pay, overtime_pay=overtime_pay, bonuses=bonuses, deductions=deductions,
        gross_pay=gross, net_pay=gross - deductions, pay_date=start + dt.timedelta(days=18),
    )


def test_history_payroll_needs_no_time_entries(valid_dataset):
    history_payroll("PRL000002", dt.date(2024, 1, 8), "80.00", "3.25", bonuses="50.00")
    history_payroll("PRL000003", dt.date(2024, 1, 22), "76.40")
    assert failures("S5") == (0, [])


def test_history_payroll_must_add_up(valid_dataset):
    history_payroll("PRL000002", dt.date(2024, 1, 22), "76.40", regular_pay="3000.00")  # 76.40 x 40 = 3056
    assert failures("S5") == (1, ["PRL000002"])


def test_history_payroll_must_be_plausible(valid_dataset):
    history_payroll("PRL000002", dt.date(2023, 12, 25), "85.00")  # more than two 40-hour weeks of regular hours
    history_payroll("PRL000003", dt.date(2024, 1, 8), "30.00", "2.00")  # overtime before a full 40-hour week
    history_payroll("PRL000004", dt.date(2024, 1, 22), "76.00")
    assert failures("S5") == (2, ["PRL000002", "PRL000003"])


def test_history_payroll_periods_never_overlap(valid_dataset):
    history_payroll("PRL000002", dt.date(2024, 1, 8), "76.40")
    history_payroll("PRL000003", dt.date(2024, 1, 15), "76.40")
    assert failures("S5") == (1, ["PRL000003"])


def repay_prl000001(regular_hours):
    """PRL000001 for `regular_hours`, its amounts adding up again."""
    regular_pay = cents(Decimal(regular_hours) * RATE)
    StaffPayroll.objects.filter(pk="PRL000001").update(
        regular_hours=Decimal(regular_hours), regular_pay=regular_pay, gross_pay=regular_pay,
        net_pay=regular_pay - Decimal("100.00"))


def test_the_period_open_when_tracking_begins_holds_at_least_the_tracked_hours(valid_dataset):
    repay_prl000001("55.67")  # 40 hours in the week before the 12th, 15.67 tracked
    assert failures("S5") == (0, [])
    repay_prl000001("10.00")  # fewer than the 15.67 tracked
    assert failures("S5") == (1, ["PRL000001"])


def test_periods_after_tracking_begins_match_the_time_entries(valid_dataset):
    history_payroll("PRL000002", dt.date(2024, 2, 19), "8.00")  # nobody tracked a shift from the 19th
    assert failures("S5") == (1, ["PRL000002"])


def test_the_week_open_when_tracking_begins_may_carry_earlier_overtime(valid_dataset):
    # Tracking now begins on Tuesday 2024-02-13: its week began on the 12th, before the data.
    StaffTimeTracking.objects.filter(pk="TTR0000001").delete()
    StaffSchedule.objects.filter(pk="SHF0000001").delete()
    assert failures("S4") == (0, [])
    StaffTimeTracking.objects.filter(pk="TTR0000002").update(overtime_hours=Decimal("2.00"))  # 38+ h before
    assert failures("S4") == (0, [])
    StaffTimeTracking.objects.filter(pk="TTR0000002").update(overtime_hours=Decimal("8.00"))  # more than worked
    assert failures("S4") == (1, ["STF0002/2024-02-12"])


def test_a_week_inside_the_tracking_has_exactly_its_overtime(valid_dataset):
    StaffTimeTracking.objects.filter(pk="TTR0000002").update(overtime_hours=Decimal("2.00"))
    assert failures("S4") == (1, ["STF0002/2024-02-12"])
