"""Members, plans, membership periods and payments: the seed's values and rules M1-M6."""
import datetime as dt
from decimal import Decimal

import pytest

from fitness.core import geography
from fitness.core.business import add_months, years_before
from fitness.core.catalog import MEDICAL_ALERTS, MEMBERSHIP_PLANS
from fitness.core.drawing import ZIP_RANGES
from fitness.core.ids import ID_FORMATS
from members.choices import Gender, MembershipStatus, MemberStatus, PaymentType
from members.factories import (
    PLAN_BY_ID,
    MemberFactory,
    MemberMembershipFactory,
    MemberPaymentFactory,
    MembershipTypeFactory,
    plan_fits_age,
)
from members.factories import age_on as age_as_rules_count  # Feb 29 birthdays as M8 counts them
from members.models import MembershipType

pytestmark = pytest.mark.django_db


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def test_members_are_16_to_80_and_at_least_16_on_joining(as_of):
    members = MemberFactory.build_batch(1000)
    for member in members:
        assert age_on(member.date_of_birth, member.join_date) >= 16  # M1
        assert 16 <= age_on(member.date_of_birth, as_of) <= 80
        assert years_before(as_of, 3) <= member.join_date <= as_of  # M1: joined by as-of
    ages = [age_on(m.date_of_birth, as_of) for m in members]
    assert min(ages) < 25 and max(ages) > 70  # the whole range is used


def test_member_identity_is_consistent():
    for member in MemberFactory.build_batch(300):
        assert member.last_name.lower() in member.email or member.first_name.lower() in member.email
        low, high = ZIP_RANGES[member.state]
        assert low <= int(member.zip_code) <= high
        assert member.gender in Gender.values
        assert member.medical_alerts in {alert for alert, _ in MEDICAL_ALERTS}
        assert member.member_status in MemberStatus.values
        assert ID_FORMATS["members"].pattern.match(member.member_id)


def test_members_live_in_the_region_with_their_states_numbers_and_emails_of_their_own():
    """S9 for factory members: a real city of a state of the TIME_ZONE region, a zip of that city, phones with
    the state's area codes (the emergency contact mostly nearby), one email per member."""
    region = {state.code for state in geography.region_states()}
    members = MemberFactory.build_batch(1000)
    for member in members:
        city = geography.city_named(member.state, member.city)
        assert member.state in region and city is not None
        assert int(member.zip_code[:3]) in city.zip_prefixes
        assert int(member.phone[1:4]) in geography.AREA_CODES[member.state]
    nearby = sum(int(m.emergency_phone[1:4]) in geography.AREA_CODES[m.state] for m in members) / len(members)
    assert 0.8 < nearby < 1
    assert len({m.email for m in members}) == len(members)


def test_a_period_is_on_a_plan_that_fits_the_members_age(as_of):
    for _ in range(40):
        period = MemberMembershipFactory()
        plan = PLAN_BY_ID[period.membership_type.membership_type_id]
        assert plan_fits_age(plan, age_as_rules_count(period.member.date_of_birth, period.start_date))  # M8


def test_medical_alerts_follow_the_seed_weights():
    alerts = [m.medical_alerts for m in MemberFactory.build_batch(4000)]
    share_without = alerts.count(None) / len(alerts)
    assert 0.66 < share_without < 0.74  # the seed: 70% none


def test_given_values_are_kept_and_the_email_follows_the_given_name(as_of):
    member = MemberFactory(first_name="Zoë", last_name="O'Neil", join_date=as_of, member_status=MemberStatus.ACTIVE)
    member.full_clean()
    assert (member.first_name, member.join_date, member.member_status) == ("Zoë", as_of, MemberStatus.ACTIVE)
    assert "zoe" in member.email or "oneil" in member.email
    assert age_on(member.date_of_birth, as_of) >= 16


def test_as_of_moves_the_join_window():
    past = dt.date(2021, 3, 1)
    for member in MemberFactory.build_batch(50, as_of=past):
        assert years_before(past, 3) <= member.join_date <= past


def test_membership_types_are_the_catalog_plans_in_order():
    plans = [MembershipTypeFactory() for _ in MEMBERSHIP_PLANS]
    for row, plan in zip(plans, MEMBERSHIP_PLANS):
        assert (row.membership_type_id, row.type_name, row.monthly_fee, row.registration_fee, row.duration) == (
            plan.membership_type_id, plan.type_name, plan.monthly_fee, plan.registration_fee, plan.duration_months)
    MembershipTypeFactory()  # wraps to MT001 again: reused, not a duplicate
    assert MembershipType.objects.count() == len(MEMBERSHIP_PLANS)


def test_membership_period_follows_m2_and_m3(as_of):
    annual = MembershipTypeFactory(plan=MEMBERSHIP_PLANS[5])
    for _ in range(10):
        period = MemberMembershipFactory(membership_type=annual)
        assert period.start_date >= period.member.join_date  # M2
        assert period.end_date == add_months(period.start_date, 12)  # M3
        expected = MembershipStatus.EXPIRED if period.end_date <= as_of else MembershipStatus.ACTIVE  # over on its end date
        assert period.status == expected


def test_add_months_keeps_month_ends_in_the_month():
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2023, 1, 31), 1) == dt.date(2023, 2, 28)
    assert add_months(dt.date(2024, 11, 15), 12) == dt.date(2025, 11, 15)
    assert add_months(dt.date(2024, 12, 5), 1) == dt.date(2025, 1, 5)


@pytest.mark.parametrize("payment_type", PaymentType.values)
def test_payments_are_positive_and_after_joining(payment_type):
    payment = MemberPaymentFactory(payment_type=payment_type)
    payment.full_clean()
    assert payment.amount > 0  # M6
    assert payment.payment_date >= payment.member.join_date  # M6
    assert payment.amount == payment.amount.quantize(Decimal("0.01"))


def test_dues_and_registration_use_the_plan_prices():
    plan = MEMBERSHIP_PLANS[1]
    dues = MemberPaymentFactory.build(plan=plan)
    registration = MemberPaymentFactory.build(plan=plan, payment_type=PaymentType.REGISTRATION)
    assert (dues.amount, registration.amount) == (plan.monthly_fee, plan.registration_fee)
