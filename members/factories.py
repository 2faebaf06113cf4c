"""factory_boy factories for members, membership plans, membership periods and
payments, plus the factory plumbing every domain's factories share: id
sequences, the random source parameter and the lean build path.

Every factory takes the random source it draws from as the `rng` parameter
(a `random.Random`), passes it down to its SubFactories, and draws every value
from it with the helpers of `fitness.core.drawing`. The default is factory_boy's
`factory.random.randgen`, so after `factory.random.reseed_random(seed)` the
same sequence of `build()` calls yields the same rows; pass `rng=` to draw
from a source of your own, untouched by anything else.

`build()` never touches the database; `create()` saves the row and its parents.
"""
import datetime as dt
import random
from decimal import Decimal

import factory
import factory.random
from django.utils import timezone

from fitness.core import geography
from fitness.core.business import add_months, period_status_on, years_before
from fitness.core.catalog import MEMBERSHIP_PLANS
from fitness.core.drawing import (
    WeightedTable,
    draw_city_in,
    draw_first_name,
    draw_gender,
    draw_last_name,
    draw_medical_alert,
    draw_nearby_city,
    draw_personal_email,
    draw_phone,
    draw_state_phone,
    draw_street_address,
    member_email,
    local_datetime,
    pick,
    rand_int,
    random_date,
    time_from_minutes,
    today,
    weighted,
)
from fitness.core.ids import ID_FORMATS, format_id

from .choices import MembershipStatus, MemberStatus, PaymentMethod, PaymentStatus, PaymentType
from .models import Member, MemberMembership, MemberPayment, MembershipType


# --- the random source ----------------------------------------------------------------------------

def default_rng() -> random.Random:
    """The source a factory draws from when not given `rng=`: factory_boy's own,
    which `factory.random.reseed_random(seed)` reseeds."""
    return factory.random.randgen


def rng_param() -> factory.LazyFunction:
    """The `rng` parameter of a factory_boy factory (`class Params: rng = rng_param()`)."""
    return factory.LazyFunction(default_rng)


# --- ids ------------------------------------------------------------------------------------------

def sequence_id(table: str, sequence: int) -> str:
    """The id a factory's sequence number n stands for: the table's (n + 1)th id."""
    return format_id(table, sequence + 1)


def id_sequence(table: str) -> factory.Sequence:
    """A primary-key declaration drawing ids from the registry (MEM000001, MEM000002, ...)."""
    return factory.Sequence(lambda n: sequence_id(table, n))


# --- membership plans -----------------------------------------------------------------------------

PLAN_BY_ID = {plan.membership_type_id: plan for plan in MEMBERSHIP_PLANS}
PLANS_BY_POPULARITY = WeightedTable([(plan, plan.popularity) for plan in MEMBERSHIP_PLANS])
PRICE_LIST_DATE = dt.datetime(2019, 1, 1, 9, 0, tzinfo=dt.timezone.utc)  # when the catalog plans were created


class MembershipTypeFactory(factory.django.DjangoModelFactory):
    """A plan from the seed's price table. Successive calls walk MT001..MT007
    and wrap; pass `plan=` (a catalog MembershipPlan) to pick one. Creating a
    plan that exists returns the stored row (get_or_create on the id)."""

    class Meta:
        model = MembershipType
        django_get_or_create = ("membership_type_id",)

    class Params:
        plan = factory.Sequence(lambda n: MEMBERSHIP_PLANS[n % len(MEMBERSHIP_PLANS)])
        rng = rng_param()  # draws nothing: the plan is the catalog's

    membership_type_id = factory.SelfAttribute("plan.membership_type_id")
    type_name = factory.SelfAttribute("plan.type_name")
    description = factory.SelfAttribute("plan.description")
    monthly_fee = factory.SelfAttribute("plan.monthly_fee")
    registration_fee = factory.SelfAttribute("plan.registration_fee")
    duration = factory.SelfAttribute("plan.duration_months")
    max_family_members = factory.SelfAttribute("plan.max_family_members")
    is_active = True
    created_date = PRICE_LIST_DATE


# --- members --------------------------------------------------------------------------------------

# The seed's member status weights by tenure (Active, Suspended, Cancelled).
STATUS_BY_TENURE = (
    (30, weighted((MemberStatus.ACTIVE, 90), (MemberStatus.SUSPENDED, 5), (MemberStatus.CANCELLED, 5))),
    (365, weighted((MemberStatus.ACTIVE, 80), (MemberStatus.SUSPENDED, 15), (MemberStatus.CANCELLED, 5))),
    (None, weighted((MemberStatus.ACTIVE, 70), (MemberStatus.SUSPENDED, 20), (MemberStatus.CANCELLED, 10))),
)
JOIN_WINDOW_YEARS = 3  # the seed's join dates: within three years of as-of
MINIMUM_AGE, MAXIMUM_AGE = 16, 80  # rule M1 and the seed's age range
# Age on joining, by band: clubs sign up young adults most, and fewer people with every decade after 35
# (IHRSA: about half of members are under 35, a tenth 65 and over; realism R28). The oldest joiner is 77,
# so a factory member (joined within three years of as-of) is at most 80 on as-of.
JOIN_AGE_BANDS = WeightedTable([
    ((16, 17), 3), ((18, 24), 21), ((25, 34), 26), ((35, 44), 18), ((45, 54), 13), ((55, 64), 10), ((65, 77), 9),
])
SENIOR_FAMILY_FACTOR = YOUNG_FAMILY_FACTOR = 0.3  # few family plans bought by teenagers or by people past 65


def draw_member_status(rng, join_date: dt.date, as_of: dt.date) -> str:
    tenure_days = (as_of - join_date).days
    for limit, table in STATUS_BY_TENURE:
        if limit is None or tenure_days < limit:
            return table.draw(rng)


def draw_date_of_birth(rng, join_date: dt.date, as_of: dt.date | None = None) -> dt.date:
    """A birth date for someone joining on `join_date`, aged by the club's join-age bands (at least 16, M1).
    `as_of` is kept for callers of the former signature; the bands keep a factory member at most 80 on it."""
    return birth_date_for_age(rng, join_date, draw_join_age(rng))


def draw_join_age(rng) -> int:
    """Whole years of age on joining (JOIN_AGE_BANDS)."""
    low, high = JOIN_AGE_BANDS.draw(rng)
    return rand_int(rng, low, high)


def birth_date_for_age(rng, day: dt.date, age: int) -> dt.date:
    """A birth date that makes someone exactly `age` years old on `day`."""
    earliest = years_before(day, age + 1) + dt.timedelta(days=1)
    return random_date(rng, earliest, years_before(day, age))


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Whole years of age on `day`; a Feb 29 birthday comes on Feb 28 in other years (as M1 and M8 count)."""
    return day.year - birth_date.year - ((day.month, day.day) < birthday_in(birth_date, day.year))


def birthday_in(birth_date: dt.date, year: int) -> tuple:
    """(month, day) of the birthday in `year`: Feb 29 is Feb 28 outside leap years."""
    try:
        dt.date(year, birth_date.month, birth_date.day)
        return birth_date.month, birth_date.day
    except ValueError:
        return 2, 28


def plan_fits_age(plan, age: int) -> bool:
    """Whether someone `age` years old may hold the plan (rule M8: its age_range, both ends inclusive)."""
    if plan.age_range is None:
        return True
    low, high = plan.age_range
    return (low is None or age >= low) and (high is None or age <= high)


def plan_weights_for_age(age: int) -> WeightedTable:
    """The catalog plans someone of `age` may hold, weighted for them: an age-limited plan they qualify for
    is as popular with them as all open plans together (most students and seniors take the cheaper rate),
    family plans rarely go to teenagers or to people past 65."""
    open_plans = [plan for plan in MEMBERSHIP_PLANS if plan.age_range is None]
    open_total = sum(plan.popularity for plan in open_plans)
    pairs = []
    for plan in MEMBERSHIP_PLANS:
        if not plan_fits_age(plan, age):
            continue
        weight = open_total if plan.age_range is not None else plan.popularity
        if plan.max_family_members > 1 and (age < 18 or age >= 65):
            weight *= YOUNG_FAMILY_FACTOR if age < 18 else SENIOR_FAMILY_FACTOR
        pairs.append((plan, weight))
    return WeightedTable(pairs)


PLANS_BY_AGE = {age: plan_weights_for_age(age) for age in range(MINIMUM_AGE, 121)}


def draw_plan_for_age(rng, age: int):
    """A catalog MembershipPlan that fits someone of `age` (M8), by the popularity it has at that age."""
    return PLANS_BY_AGE[min(max(age, MINIMUM_AGE), 120)].draw(rng)


def adult_plan_for(plan):
    """The plan a member moves to when they outgrow an age-limited one: the open plan of the same length
    and household size (a student turning 26 renews on Individual Monthly)."""
    return next(p for p in MEMBERSHIP_PLANS if p.age_range is None and p.duration_months == plan.duration_months
                and p.max_family_members == plan.max_family_members)


def fill_member_fields(rng, fields: dict) -> dict:
    """Draw from `rng` every member column the caller did not give, in dependency
    order (names before the email built from them, join date before birth date)."""
    tz = timezone.get_current_timezone()
    as_of = fields.pop("as_of", None) or dt.datetime.now(tz).date()
    if "gender" not in fields:
        fields["gender"] = draw_gender(rng)
    if "first_name" not in fields:
        fields["first_name"] = draw_first_name(rng, fields["gender"])
    if "last_name" not in fields:
        fields["last_name"] = draw_last_name(rng)
    first_name, last_name = fields["first_name"], fields["last_name"]
    if "email" not in fields:
        fields["email"] = draw_member_email(rng, first_name, last_name, fields.get("member_id"))
    # Home: near the member's club (`home_city`, a geography.City; else a city of the project's region).
    home_city = fields.pop("home_city", None) or draw_city_in(rng, pick(rng, geography.region_states()).code)
    lives_in = draw_nearby_city(rng, home_city)
    state = fields.setdefault("state", lives_in.state)
    if "phone" not in fields:
        fields["phone"] = draw_state_phone(rng, state) if state in geography.STATES else draw_phone(rng)
    if "address" not in fields:
        fields["address"] = draw_street_address(rng)
    if "city" not in fields:
        fields["city"] = lives_in.name
    if "zip_code" not in fields:
        fields["zip_code"] = geography.zip_code_in(rng, lives_in if lives_in.state == state else
                                                   draw_city_in(rng, state))
    if "emergency_contact" not in fields:
        # Half the time a relative sharing the member's last name.
        contact_last = last_name if rng.random() < 0.5 else draw_last_name(rng)
        fields["emergency_contact"] = f"{draw_first_name(rng, draw_gender(rng))} {contact_last}"
    if "emergency_phone" not in fields:
        fields["emergency_phone"] = draw_emergency_phone(rng, state)
    if "medical_alerts" not in fields:
        fields["medical_alerts"] = draw_medical_alert(rng)
    join_date = fields.get("join_date")
    if join_date is None:
        join_date = fields["join_date"] = random_date(rng, years_before(as_of, JOIN_WINDOW_YEARS), as_of)
    if "date_of_birth" not in fields:
        fields["date_of_birth"] = draw_date_of_birth(rng, join_date, max(as_of, join_date))
    if "member_status" not in fields:
        fields["member_status"] = draw_member_status(rng, join_date, as_of)
    if "last_modified" not in fields:
        fields["last_modified"] = local_datetime(join_date, time_from_minutes(rand_int(rng, 6 * 60, 21 * 60)), tz)
    return fields


EMERGENCY_CONTACT_NEARBY = 0.85  # the contact lives in the member's state; the rest elsewhere in the region


def draw_emergency_phone(rng, state: str) -> str:
    """A valid number, with an area code of the member's state mostly, else of another state of the region."""
    if state not in geography.STATES:
        return draw_phone(rng)
    if rng.random() < EMERGENCY_CONTACT_NEARBY:
        return draw_state_phone(rng, state)
    return draw_state_phone(rng, pick(rng, geography.region_states()).code)


def draw_member_email(rng, first_name: str, last_name: str, member_id: str | None) -> str:
    """A unique address derived from the member's number when the id is known (see drawing.member_email)."""
    if member_id and ID_FORMATS["members"].pattern.match(member_id):
        return member_email(rng, first_name, last_name, ID_FORMATS["members"].number(member_id))
    return draw_personal_email(rng, first_name, last_name)


class PlainBuildMixin:
    """For lean factories, whose only declaration is the id sequence and whose
    other columns are drawn in one pass by `_adjust_kwargs`: a build() given
    only plain values goes straight to the model, skipping factory_boy's
    declaration machinery (about half the cost of a member row, more with
    keywords). It takes the same sequence number and makes the same draws, so
    the row is identical either way; anything else (create(), declarations as
    keywords, use as a SubFactory) takes the normal path.

    The random source is a plain keyword here (not a declaration), which
    `_adjust_kwargs` pops: `rng=` (default `default_rng()`)."""

    _id_field: str  # the primary key column the sequence fills (underscored: not a declaration)
    _id_table: str  # its table in the id registry

    @classmethod
    def _generate(cls, strategy, params):
        if strategy != factory.enums.BUILD_STRATEGY or not all_plain_values(params):
            return super()._generate(strategy, params)
        fields = dict(params)
        sequence = cls._meta.next_sequence()  # taken even when the id is given, as factory_boy does
        fields.setdefault(cls._id_field, sequence_id(cls._id_table, sequence))
        return cls._meta.model(**cls._adjust_kwargs(**fields))


def all_plain_values(params: dict) -> bool:
    """No factory declarations and no SubFactory-style `a__b` keys among the keywords."""
    return not any(
        "__" in name or isinstance(value, factory.declarations.BaseDeclaration) for name, value in params.items()
    )


class MemberFactory(PlainBuildMixin, factory.django.DjangoModelFactory):
    """A member with a realistic en_US identity, joined within three years of
    `as_of` (keyword, default today) and 16-80 years old.

    Lean on purpose: only the id is a declaration; every other column is drawn
    in one pass by `fill_member_fields` from `rng` (keyword, default
    `default_rng()`), unless given (MemberFactory(join_date=...) works as usual,
    and the email follows a given name). Per-field declarations cost ~5-10 us
    each in factory_boy, which the seeder's 50,000 members feel.
    """

    class Meta:
        model = Member

    _id_field, _id_table = "member_id", "members"
    member_id = id_sequence("members")

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        rng = kwargs.pop("rng", None)
        return fill_member_fields(default_rng() if rng is None else rng, kwargs)


# --- membership periods and payments --------------------------------------------------------------

def membership_status_on(end_date: dt.date, as_of: dt.date) -> str:
    """Active, or Expired once the end date has come (the chain's rule, `period_status_on`)."""
    return period_status_on(MembershipStatus.ACTIVE, end_date, as_of)


class MemberMembershipFactory(factory.django.DjangoModelFactory):
    """One membership period starting on or after the member's join date (M2),
    on a plan fitting the member's age then (M8), ending `duration` months
    later (M3); Active unless it has ended by as-of (a period is over on its
    end date)."""

    class Meta:
        model = MemberMembership

    class Params:
        as_of = factory.LazyFunction(today)
        rng = rng_param()

    membership_id = id_sequence("membermemberships")
    member = factory.SubFactory(
        MemberFactory, as_of=factory.SelfAttribute("..as_of"), rng=factory.SelfAttribute("..rng")
    )
    start_date = factory.LazyAttribute(
        lambda o: random_date(o.rng, o.member.join_date, max(o.member.join_date, o.as_of))
    )
    # A plan the member may hold at the start (M8): drawn for their age then.
    membership_type = factory.SubFactory(
        MembershipTypeFactory, rng=factory.SelfAttribute("..rng"),
        plan=factory.LazyAttribute(lambda t: draw_plan_for_age(
            t.factory_parent.rng, age_on(t.factory_parent.member.date_of_birth, t.factory_parent.start_date))),
    )
    end_date = factory.LazyAttribute(lambda o: add_months(o.start_date, o.membership_type.duration))
    status = factory.LazyAttribute(lambda o: membership_status_on(o.end_date, o.as_of))
    auto_renew = factory.LazyAttribute(lambda o: o.rng.random() < 0.6)


PAYMENT_METHODS = weighted((PaymentMethod.CREDIT_CARD, 70), (PaymentMethod.BANK_TRANSFER, 25), (PaymentMethod.CASH, 5))
PAYMENT_STATUSES = weighted(
    (PaymentStatus.COMPLETED, 92), (PaymentStatus.FAILED, 5), (PaymentStatus.PENDING, 2), (PaymentStatus.REFUNDED, 1)
)
LATE_FEES = (Decimal("10.00"), Decimal("15.00"))
CLASS_FEES = (Decimal("10.00"), Decimal("12.00"), Decimal("15.00"))  # the catalog's paid drop-in classes


def payment_amount(rng, payment_type: str, plan) -> Decimal:
    """What a payment of this type costs on this plan (always > 0, M6)."""
    if payment_type == PaymentType.REGISTRATION:
        return plan.registration_fee
    if payment_type == PaymentType.MONTHLY_DUES:
        return plan.monthly_fee
    if payment_type == PaymentType.CLASS_FEE:
        return pick(rng, CLASS_FEES)
    return pick(rng, LATE_FEES)


class MemberPaymentFactory(factory.django.DjangoModelFactory):
    """A payment on or after the member's join date (M6). By default monthly
    dues of a popular plan; pass `plan=` or `payment_type=` to change what is
    paid (a Registration payment uses a plan that charges one)."""

    class Meta:
        model = MemberPayment

    class Params:
        as_of = factory.LazyFunction(today)
        rng = rng_param()
        plan = factory.LazyAttribute(
            lambda o: PLAN_BY_ID["MT001"] if o.payment_type == PaymentType.REGISTRATION
            else PLANS_BY_POPULARITY.draw(o.rng)
        )

    payment_id = id_sequence("memberpayments")
    member = factory.SubFactory(
        MemberFactory, as_of=factory.SelfAttribute("..as_of"), rng=factory.SelfAttribute("..rng")
    )
    payment_date = factory.LazyAttribute(
        lambda o: random_date(o.rng, o.member.join_date, max(o.member.join_date, o.as_of))
    )
    payment_type = PaymentType.MONTHLY_DUES
    amount = factory.LazyAttribute(lambda o: payment_amount(o.rng, o.payment_type, o.plan))
    payment_method = factory.LazyAttribute(lambda o: PAYMENT_METHODS.draw(o.rng))
    status = factory.LazyAttribute(lambda o: PAYMENT_STATUSES.draw(o.rng))


def ensure_membership_covering(rng, member, day: dt.date) -> None:
    """Give a member a monthly Individual period covering `day` (rule V1) if no
    period covers it and a new one would not overlap theirs (M2). Queries and
    writes, so only for create(): a lone visit or class then has an eligible
    member; the seeder's simulation keeps memberships itself."""
    periods = member.memberships.all()
    if periods.filter(start_date__lte=day, end_date__gte=day).exists():
        return
    start = max(member.join_date, day - dt.timedelta(days=rand_int(rng, 0, 27)))
    plan = MembershipTypeFactory(plan=PLAN_BY_ID["MT001"], rng=rng)
    end = add_months(start, plan.duration)
    if periods.filter(start_date__lte=end, end_date__gte=start).exists():
        return
    MemberMembershipFactory(member=member, membership_type=plan, start_date=start, rng=rng)
