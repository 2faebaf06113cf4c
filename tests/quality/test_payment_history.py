"""Rule M5 over the whole history: the dues of billing months before the window are checked as the
window's are, and a refunded payment still is the payment of its billing date."""
import datetime as dt

from fitness.quality import run_checks
from members.models import MemberPayment

from .dataset import AS_OF, DAYS


def m5():
    report = run_checks(as_of=AS_OF, days=DAYS, save=False, profile=False, only="M5")
    (check,) = report["checks"]
    return check["count"], check["sample_keys"], check["details"]


def test_the_valid_history_passes_with_its_failure_retried_and_its_refund(valid_dataset):
    assert MemberPayment.objects.filter(status="Refunded", payment_date__lt=AS_OF - dt.timedelta(days=DAYS)).exists()
    assert m5() == (0, [], {})


def test_a_missing_history_dues_payment_fails_m5(valid_dataset):
    # MEM000002's dues of 2023-08-20, half a year before the window, in the annual period MSH00000002.
    MemberPayment.objects.get(member_id="MEM000002", payment_date=dt.date(2023, 8, 20)).delete()
    assert m5() == (1, ["MSH00000002"], {"dues missing": 1})


def test_a_history_failure_never_retried_fails_m5(valid_dataset):
    MemberPayment.objects.get(member_id="MEM000002", payment_date=dt.date(2023, 9, 23)).delete()
    failed = MemberPayment.objects.get(member_id="MEM000002", status="Failed", payment_date=dt.date(2023, 9, 20))
    assert m5() == (1, [failed.payment_id], {"failed not retried": 1})


def test_history_dues_of_the_wrong_amount_or_off_the_billing_day_fail_m5(valid_dataset):
    MemberPayment.objects.filter(member_id="MEM000003", payment_date=dt.date(2023, 6, 5)).update(
        payment_date=dt.date(2023, 6, 6))
    count, keys, details = m5()
    assert details == {"dues missing": 1, "dues unexpected": 1} and "MSH00000004" in keys
