"""Dues that fail for good end the membership (realism R29, rule M5 (c)); new
members cancel more often than settled ones (R9)."""
import datetime as dt

import pytest

from fitness.quality.report import run_checks
from fitness.seeding.run import seed_ods
from members.models import MemberMembership, MemberPayment

END = dt.date(2025, 3, 12)

pytestmark = pytest.mark.django_db


def test_failed_dues_are_retried_or_end_the_membership():
    seed_ods(days=60, seed=12, end_date=END)
    failed = MemberPayment.objects.filter(payment_type="Monthly Dues", status="Failed",
                                          payment_date__lt=END - dt.timedelta(days=10))
    recovered = unrecovered = 0
    for payment in failed:
        retried = MemberPayment.objects.filter(
            member_id=payment.member_id, payment_type="Monthly Dues", status="Completed",
            payment_date__gt=payment.payment_date, payment_date__lte=payment.payment_date + dt.timedelta(days=10))
        if retried.exists():
            recovered += 1
            continue
        unrecovered += 1
        assert MemberMembership.objects.filter(
            member_id=payment.member_id, status="Cancelled", end_date__gt=payment.payment_date,
            end_date__lte=payment.payment_date + dt.timedelta(days=10)).exists(), payment.payment_id
    assert recovered and unrecovered
    assert 0.05 <= unrecovered / (recovered + unrecovered) <= 0.5
    report = run_checks(save=False, profile=False, only="M4,M5,V1")
    assert {c["id"]: c["count"] for c in report["checks"]} == {"M4": 0, "M5": 0, "V1": 0}


def test_only_group_exercisers_book_classes_and_they_are_about_four_in_ten():
    from classes.models import ClassEnrollment
    from fitness.seeding.members_sim import takes_classes
    from members.models import Member

    seed_ods(days=14, seed=13, profile="small", end_date=END)
    booked = set(ClassEnrollment.objects.values_list("member_id", flat=True))
    assert booked and all(takes_classes(member_id) for member_id in booked)
    members = list(Member.objects.values_list("member_id", flat=True))
    assert 0.45 <= sum(map(takes_classes, members)) / len(members) <= 0.65  # GROUP_EXERCISE_PER_MILLE: 55%
