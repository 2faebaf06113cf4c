"""factory_boy factories for members, membership plans, membership periods and
payments, plus the value drawing every domain's factories share: people
(names, emails, phones, addresses), dates and local times.

Every random value comes from `factory.random.randgen`, so after
`factory.random.reseed_random(seed)` the same sequence of `build()` calls
yields the same rows. People are drawn from Faker's en_US name and address
tables directly (not through `factory.Faker`): the seeder builds tens of
thousands of members, and one bisect per field is ~10x faster than a Faker
provider call while drawing from the same weighted data.

`build()` never touches the database; `create()` saves the row and its parents.
"""
import bisect
import calendar
import datetime as dt
import itertools
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

import factory
from django.utils import timezone
from factory.random import randgen
from faker.providers.address.en_US import Provider as _FakerAddress
from faker.providers.internet.en_US import Provider as _FakerInternet
from faker.providers.person.en_US import Provider as _FakerPerson

from fitness.core.ids import format_id
from fitness.core.catalog import MEDICAL_ALERTS, MEMBERSHIP_PLANS

from .choices import Gender, MembershipStatus, MemberStatus, PaymentMethod, PaymentStatus, PaymentType
from .models import Member, MemberMembership, MemberPayment, MembershipType

CENT = Decimal("0.01")


# --- weighted drawing ----------------------------------------------------------------------------

class WeightedTable:
    """Values with relative weights, drawn with one random() and one bisect."""

    __slots__ = ("values", "cumulative", "total")

    def __init__(self, weighted_pairs):
        self.values = [value for value, _ in weighted_pairs]
        self.cumulative = list(itertools.accumulate(weight for _, weight in weighted_pairs))
        self.total = self.cumulative[-1]

    def draw(self):
        return self.values[bisect.bisect(self.cumulative, randgen.random() * self.total)]


def rand_int(low: int, high: int) -> int:
    """An int in [low, high]; one random() call, several times cheaper than randint()."""
    return low + int(randgen.random() * (high - low + 1))


def pick(values):
    """One element of a non-empty sequence (cheaper than randgen.choice)."""
    return values[int(randgen.random() * len(values))]


def weighted(*pairs):
    """A WeightedTable from (value, weight) pairs."""
    return WeightedTable(pairs)


def cents(value) -> Decimal:
    """Money rounded once, to the cent, half up."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def random_cents(low, high) -> Decimal:
    """A Decimal amount in [low, high] dollars, to the cent."""
    return Decimal(rand_int(int(low * 100), int(high * 100))) / 100


# --- people ---------------------------------------------------------------------------------------

FIRST_NAMES = {
    Gender.MALE: WeightedTable(list(_FakerPerson.first_names_male.items())),
    Gender.FEMALE: WeightedTable(list(_FakerPerson.first_names_female.items())),
}
LAST_NAMES = WeightedTable(list(_FakerPerson.last_names.items()))
EMAIL_DOMAINS = _FakerInternet.free_email_domains + ("outlook.com", "icloud.com", "aol.com")
STREET_SUFFIXES = _FakerAddress.street_suffixes
CITY_PREFIXES = _FakerAddress.city_prefixes
CITY_SUFFIXES = _FakerAddress.city_suffixes
ZIP_RANGES = _FakerAddress.states_postcode  # {state abbreviation: (lowest zip, highest zip)}
STATES = tuple(ZIP_RANGES)

# The seed draws gender uniformly from M/F/Other; a real chain's members are
# nearly all M or F, so Other is kept but rare.
GENDERS = weighted((Gender.MALE, 48), (Gender.FEMALE, 48), (Gender.OTHER, 4))
MEDICAL_ALERT_TABLE = WeightedTable(MEDICAL_ALERTS)  # the seed's list and weights


def draw_gender() -> str:
    return GENDERS.draw()


def draw_first_name(gender: str) -> str:
    """An en_US first name matching the gender (either list for Other)."""
    if gender not in FIRST_NAMES:
        gender = Gender.MALE if randgen.random() < 0.5 else Gender.FEMALE
    return FIRST_NAMES[gender].draw()


def draw_last_name() -> str:
    return LAST_NAMES.draw()


def draw_full_name() -> str:
    return f"{draw_first_name(draw_gender())} {draw_last_name()}"


def draw_personal_email(first_name: str, last_name: str) -> str:
    """A free-mail address built from the person's own name."""
    first, last = email_name_part(first_name), email_name_part(last_name)
    style = rand_int(0, 3)
    if style == 0:
        local = f"{first}.{last}"
    elif style == 1:
        local = f"{first}{last}{rand_int(1, 99)}"
    elif style == 2:
        local = f"{first[:1]}{last}"
    else:
        local = f"{first}.{last}{rand_int(1960, 2010)}"
    return f"{local}@{pick(EMAIL_DOMAINS)}"


def email_name_part(name: str) -> str:
    """A name as it appears in an address: lower-case ASCII letters and digits
    ("Zoë O'Neil" -> "zoe", "oneil")."""
    if name.isascii() and name.isalpha():  # the common case, checked first because it is cheap
        return name.lower()
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_name.lower() if ch.isalnum()) or "member"


def draw_phone() -> str:
    """A North American number: area code and exchange never start with 0 or 1."""
    area = rand_int(201, 989)
    exchange = rand_int(200, 999)
    line = rand_int(0, 9999)
    return f"({area}) {exchange}-{line:04d}"


def draw_street_address() -> str:
    building = rand_int(1, 9999)
    street = draw_last_name() if randgen.random() < 0.5 else draw_first_name(Gender.MALE)
    address = f"{building} {street} {pick(STREET_SUFFIXES)}"
    if randgen.random() < 0.2:
        address += f" {'Apt.' if randgen.random() < 0.8 else 'Suite'} {rand_int(100, 999)}"
    return address


def draw_city() -> str:
    """A city name in Faker's en_US styles ("Lake Andrewton", "Port Mary", "Smithville")."""
    style = rand_int(0, 3)
    if style == 0:
        return f"{pick(CITY_PREFIXES)} {draw_first_name(Gender.FEMALE)}{pick(CITY_SUFFIXES)}"
    if style == 1:
        return f"{pick(CITY_PREFIXES)} {draw_first_name(Gender.MALE)}"
    if style == 2:
        return f"{draw_first_name(Gender.FEMALE)}{pick(CITY_SUFFIXES)}"
    return f"{draw_last_name()}{pick(CITY_SUFFIXES)}"


def draw_state_and_zip(state: str | None = None) -> tuple[str, str]:
    """A state abbreviation and a zip code inside that state's range."""
    state = state or pick(STATES)
    low, high = ZIP_RANGES[state]
    return state, f"{rand_int(low, high):05d}"


def draw_medical_alert() -> str | None:
    return MEDICAL_ALERT_TABLE.draw()


# --- dates and local times ------------------------------------------------------------------------

def today() -> dt.date:
    """The default as-of date: today in the project's TIME_ZONE."""
    return timezone.localdate()


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus whole months; a day past the target month's end lands on its last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def years_before(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` earlier (Feb 29 becomes Feb 28)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def random_date(first: dt.date, last: dt.date) -> dt.date:
    """A date in [first, last]; `first` when the range is empty."""
    span = (last - first).days
    return first + dt.timedelta(days=rand_int(0, span)) if span > 0 else first


def local_datetime(day: dt.date, time: dt.time, tz=None) -> dt.datetime:
    """An aware datetime at wall-clock `time` on `day` in `tz` (default: the project's TIME_ZONE)."""
    return dt.datetime.combine(day, time, tzinfo=tz or timezone.get_current_timezone())


def minutes_between(start: dt.datetime, end: dt.datetime) -> int:
    return int((end - start).total_seconds() // 60)


def time_of_day_minutes(time: dt.time) -> int:
    return time.hour * 60 + time.minute


def time_from_minutes(minutes: int) -> dt.time:
    return dt.time(minutes // 60, minutes % 60)


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


def draw_member_status(join_date: dt.date, as_of: dt.date) -> str:
    tenure_days = (as_of - join_date).days
    for limit, table in STATUS_BY_TENURE:
        if limit is None or tenure_days < limit:
            return table.draw()


def draw_date_of_birth(join_date: dt.date, as_of: dt.date) -> dt.date:
    """At least 16 on the join date (M1) and at most 80 on as-of."""
    latest = years_before(join_date, MINIMUM_AGE)
    earliest = years_before(as_of, MAXIMUM_AGE + 1) + dt.timedelta(days=1)
    return random_date(earliest, latest)


def fill_member_fields(fields: dict) -> dict:
    """Draw every member column the caller did not give, in dependency order
    (names before the email built from them, join date before birth date)."""
    tz = timezone.get_current_timezone()
    as_of = fields.pop("as_of", None) or dt.datetime.now(tz).date()
    if "gender" not in fields:
        fields["gender"] = draw_gender()
    if "first_name" not in fields:
        fields["first_name"] = draw_first_name(fields["gender"])
    if "last_name" not in fields:
        fields["last_name"] = draw_last_name()
    first_name, last_name = fields["first_name"], fields["last_name"]
    if "email" not in fields:
        fields["email"] = draw_personal_email(first_name, last_name)
    if "phone" not in fields:
        fields["phone"] = draw_phone()
    if "address" not in fields:
        fields["address"] = draw_street_address()
    if "city" not in fields:
        fields["city"] = draw_city()
    if "state" not in fields or "zip_code" not in fields:
        state, zip_code = draw_state_and_zip(fields.get("state"))
        fields.setdefault("state", state)
        fields.setdefault("zip_code", zip_code)
    if "emergency_contact" not in fields:
        # Half the time a relative sharing the member's last name.
        contact_last = last_name if randgen.random() < 0.5 else draw_last_name()
        fields["emergency_contact"] = f"{draw_first_name(draw_gender())} {contact_last}"
    if "emergency_phone" not in fields:
        fields["emergency_phone"] = draw_phone()
    if "medical_alerts" not in fields:
        fields["medical_alerts"] = draw_medical_alert()
    join_date = fields.get("join_date")
    if join_date is None:
        join_date = fields["join_date"] = random_date(years_before(as_of, JOIN_WINDOW_YEARS), as_of)
    if "date_of_birth" not in fields:
        fields["date_of_birth"] = draw_date_of_birth(join_date, max(as_of, join_date))
    if "member_status" not in fields:
        fields["member_status"] = draw_member_status(join_date, as_of)
    if "last_modified" not in fields:
        fields["last_modified"] = local_datetime(join_date, time_from_minutes(rand_int(6 * 60, 21 * 60)), tz)
    return fields


class PlainBuildMixin:
    """For lean factories, whose only declaration is the id sequence and whose
    other columns are drawn in one pass by `_adjust_kwargs`: a build() given
    only plain values goes straight to the model, skipping factory_boy's
    declaration machinery (about half the cost of a member row, more with
    keywords). It takes the same sequence number and makes the same draws, so
    the row is identical either way; anything else (create(), declarations as
    keywords, use as a SubFactory) takes the normal path."""

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
    in one pass by `fill_member_fields`, unless given (MemberFactory(join_date=...)
    works as usual, and the email follows a given name). Per-field declarations
    cost ~5-10 us each in factory_boy, which the seeder's 50,000 members feel.
    """

    class Meta:
        model = Member

    _id_field, _id_table = "member_id", "members"
    member_id = id_sequence("members")

    @classmethod
    def _adjust_kwargs(cls, **kwargs):
        return fill_member_fields(kwargs)


# --- membership periods and payments --------------------------------------------------------------

def membership_status_on(end_date: dt.date, as_of: dt.date) -> str:
    return MembershipStatus.EXPIRED if end_date < as_of else MembershipStatus.ACTIVE


class MemberMembershipFactory(factory.django.DjangoModelFactory):
    """One membership period starting on or after the member's join date (M2),
    ending `duration` months later (M3); Active unless it ended before as-of."""

    class Meta:
        model = MemberMembership

    class Params:
        as_of = factory.LazyFunction(today)

    membership_id = id_sequence("membermemberships")
    member = factory.SubFactory(MemberFactory, as_of=factory.SelfAttribute("..as_of"))
    membership_type = factory.SubFactory(MembershipTypeFactory)
    start_date = factory.LazyAttribute(lambda o: random_date(o.member.join_date, max(o.member.join_date, o.as_of)))
    end_date = factory.LazyAttribute(lambda o: add_months(o.start_date, o.membership_type.duration))
    status = factory.LazyAttribute(lambda o: membership_status_on(o.end_date, o.as_of))
    auto_renew = factory.LazyFunction(lambda: randgen.random() < 0.6)


PAYMENT_METHODS = weighted((PaymentMethod.CREDIT_CARD, 70), (PaymentMethod.BANK_TRANSFER, 25), (PaymentMethod.CASH, 5))
PAYMENT_STATUSES = weighted(
    (PaymentStatus.COMPLETED, 92), (PaymentStatus.FAILED, 5), (PaymentStatus.PENDING, 2), (PaymentStatus.REFUNDED, 1)
)
LATE_FEES = (Decimal("10.00"), Decimal("15.00"))
CLASS_FEES = (Decimal("10.00"), Decimal("12.00"), Decimal("15.00"))  # the catalog's paid drop-in classes


def payment_amount(payment_type: str, plan) -> Decimal:
    """What a payment of this type costs on this plan (always > 0, M6)."""
    if payment_type == PaymentType.REGISTRATION:
        return plan.registration_fee
    if payment_type == PaymentType.MONTHLY_DUES:
        return plan.monthly_fee
    if payment_type == PaymentType.CLASS_FEE:
        return pick(CLASS_FEES)
    return pick(LATE_FEES)


class MemberPaymentFactory(factory.django.DjangoModelFactory):
    """A payment on or after the member's join date (M6). By default monthly
    dues of a popular plan; pass `plan=` or `payment_type=` to change what is
    paid (a Registration payment uses a plan that charges one)."""

    class Meta:
        model = MemberPayment

    class Params:
        as_of = factory.LazyFunction(today)
        plan = factory.LazyAttribute(
            lambda o: PLAN_BY_ID["MT001"] if o.payment_type == PaymentType.REGISTRATION
            else PLANS_BY_POPULARITY.draw()
        )

    payment_id = id_sequence("memberpayments")
    member = factory.SubFactory(MemberFactory, as_of=factory.SelfAttribute("..as_of"))
    payment_date = factory.LazyAttribute(lambda o: random_date(o.member.join_date, max(o.member.join_date, o.as_of)))
    payment_type = PaymentType.MONTHLY_DUES
    amount = factory.LazyAttribute(lambda o: payment_amount(o.payment_type, o.plan))
    payment_method = factory.LazyFunction(PAYMENT_METHODS.draw)
    status = factory.LazyFunction(PAYMENT_STATUSES.draw)


def ensure_membership_covering(member, day: dt.date) -> None:
    """Give a member a monthly Individual period covering `day` (rule V1) if no
    period covers it and a new one would not overlap theirs (M2). Queries and
    writes, so only for create(): a lone visit or class then has an eligible
    member; the seeder's simulation keeps memberships itself."""
    periods = member.memberships.all()
    if periods.filter(start_date__lte=day, end_date__gte=day).exists():
        return
    start = max(member.join_date, day - dt.timedelta(days=rand_int(0, 27)))
    plan = MembershipTypeFactory(plan=PLAN_BY_ID["MT001"])
    end = add_months(start, plan.duration)
    if periods.filter(start_date__lte=end, end_date__gte=start).exists():
        return
    MemberMembershipFactory(member=member, membership_type=plan, start_date=start)
