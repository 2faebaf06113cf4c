"""Drawing values from an explicit random source: weighted tables, ints,
money, people (names, emails, phones, addresses), dates and local times.

Every function that draws takes the source as its first argument (`rng`, a
`random.Random`) and touches nothing else, so two sources never interfere and
the same seed gives the same values wherever the drawing happens. The
factories and the simulation share these helpers.

People are drawn from Faker's en_US name and address tables directly (not
through a Faker provider): the seeder draws tens of thousands of people, and
one bisect per field is ~10x faster than a provider call while drawing from
the same weighted data.
"""
import bisect
import datetime as dt
import itertools
import math
import unicodedata
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from faker.providers.address.en_US import Provider as _FakerAddress
from faker.providers.internet.en_US import Provider as _FakerInternet
from faker.providers.person.en_US import Provider as _FakerPerson

from members.choices import Gender

from . import geography
from .catalog import MEDICAL_ALERTS

CENT = Decimal("0.01")


# --- weighted drawing ----------------------------------------------------------------------------

class WeightedTable:
    """Values with relative weights, drawn with one random() and one bisect.

    `draw` returns the first value whose cumulative weight exceeds
    `rng.random() * total`: for integer weights exactly the value a loop
    subtracting the weights one by one from that point until it falls below
    zero returns (the subtractions are exact while the point stays >= 0)."""

    __slots__ = ("values", "cumulative", "total")

    def __init__(self, weighted_pairs):
        self.values = [value for value, _ in weighted_pairs]
        self.cumulative = list(itertools.accumulate(weight for _, weight in weighted_pairs))
        self.total = self.cumulative[-1]

    def draw(self, rng):
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.total)]


def weighted(*pairs) -> WeightedTable:
    """A WeightedTable from (value, weight) pairs."""
    return WeightedTable(pairs)


def rand_int(rng, low: int, high: int) -> int:
    """An int in [low, high]; one random() call, several times cheaper than randint()."""
    return low + int(rng.random() * (high - low + 1))


def pick(rng, values):
    """One element of a non-empty sequence (cheaper than rng.choice)."""
    return values[int(rng.random() * len(values))]


def draw_poisson(rng, mean: float) -> int:
    """A Poisson count with the given mean: Knuth's product of uniforms below a few hundred, a rounded normal
    above (where the two agree closely)."""
    if mean <= 0:
        return 0
    if mean > 500:
        return max(0, round(rng.gauss(mean, mean ** 0.5)))
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def cents(value) -> Decimal:
    """Money rounded once, to the cent, half up."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def random_cents(rng, low, high) -> Decimal:
    """A Decimal amount in [low, high] dollars, to the cent."""
    return Decimal(rand_int(rng, int(low * 100), int(high * 100))) / 100


# --- people ---------------------------------------------------------------------------------------

FIRST_NAMES = {
    Gender.MALE: WeightedTable(list(_FakerPerson.first_names_male.items())),
    Gender.FEMALE: WeightedTable(list(_FakerPerson.first_names_female.items())),
}
LAST_NAMES = WeightedTable(list(_FakerPerson.last_names.items()))
EMAIL_DOMAINS = _FakerInternet.free_email_domains + ("outlook.com", "icloud.com", "aol.com")
STREET_SUFFIXES = _FakerAddress.street_suffixes
ZIP_RANGES = {code: state.zip_range for code, state in geography.STATES.items()}  # {state: (lowest, highest zip)}
STATES = tuple(ZIP_RANGES)

# The seed draws gender uniformly from M/F/Other; a real chain's members are
# nearly all M or F, so Other is kept but rare.
GENDERS = weighted((Gender.MALE, 48), (Gender.FEMALE, 48), (Gender.OTHER, 4))
MEDICAL_ALERT_TABLE = WeightedTable(MEDICAL_ALERTS)  # the seed's list and weights


def draw_gender(rng) -> str:
    return GENDERS.draw(rng)


def draw_first_name(rng, gender: str) -> str:
    """An en_US first name matching the gender (either list for Other)."""
    if gender not in FIRST_NAMES:
        gender = Gender.MALE if rng.random() < 0.5 else Gender.FEMALE
    return FIRST_NAMES[gender].draw(rng)


def draw_last_name(rng) -> str:
    return LAST_NAMES.draw(rng)


def draw_full_name(rng) -> str:
    return f"{draw_first_name(rng, draw_gender(rng))} {draw_last_name(rng)}"


def draw_personal_email(rng, first_name: str, last_name: str) -> str:
    """A free-mail address built from the person's own name."""
    first, last = email_name_part(first_name), email_name_part(last_name)
    style = rand_int(rng, 0, 3)
    if style == 0:
        local = f"{first}.{last}"
    elif style == 1:
        local = f"{first}{last}{rand_int(rng, 1, 99)}"
    elif style == 2:
        local = f"{first[:1]}{last}"
    else:
        local = f"{first}.{last}{rand_int(rng, 1960, 2010)}"
    return f"{local}@{pick(rng, EMAIL_DOMAINS)}"


def email_name_part(name: str) -> str:
    """A name as it appears in an address: lower-case ASCII letters and digits
    ("Zoë O'Neil" -> "zoe", "oneil")."""
    if name.isascii() and name.isalpha():  # the common case, checked first because it is cheap
        return name.lower()
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_name.lower() if ch.isalnum()) or "member"


def draw_phone(rng, area_codes=None) -> str:
    """A valid North American number "(AAA) EEE-LLLL" with an area code from `area_codes` (default: any US
    state's): the exchange never starts with 0 or 1, is never an N11 service code nor 555 (directory and
    fictional numbers)."""
    codes = area_codes or ALL_AREA_CODES
    area = codes[int(rng.random() * len(codes))]
    exchange = rand_int(rng, 200, 999)
    while exchange % 100 == 11 or exchange == 555:
        exchange = rand_int(rng, 200, 999)
    line = rand_int(rng, 0, 9999)
    return f"({area}) {exchange}-{line:04d}"


ALL_AREA_CODES = tuple(sorted(code for codes in geography.AREA_CODES.values() for code in codes))


def draw_state_phone(rng, state: str) -> str:
    """A valid number with one of the state's area codes."""
    return draw_phone(rng, geography.AREA_CODES[state])


def member_email(rng, first_name: str, last_name: str, member_number: int) -> str:
    """A free-mail address built from the member's name and a number only this member has.

    The number is the member's number through a fixed permutation (so it looks like any number people add to
    an address, not an id), and names hold no digits: two members never share an address, however the rows
    are drawn (starting members in a process of their own, joiners one by one, appended runs)."""
    first, last = email_name_part(first_name), email_name_part(last_name)
    style = rand_int(rng, 0, 3)
    local = (f"{first}.{last}", f"{first}{last}", f"{first[:1]}{last}", f"{first}_{last}")[style]
    return f"{local}{email_number(member_number)}@{pick(rng, EMAIL_DOMAINS)}"


EMAIL_NUMBER_MODULUS, EMAIL_NUMBER_FACTOR = 99991, 7919  # a prime and a factor prime to it: a permutation


def email_number(member_number: int) -> int:
    """An injective map of member numbers: numbers below the modulus are permuted among themselves, larger
    ones are kept (and so never meet a permuted one)."""
    if 0 < member_number < EMAIL_NUMBER_MODULUS:
        return member_number * EMAIL_NUMBER_FACTOR % EMAIL_NUMBER_MODULUS
    return member_number


def draw_street_address(rng) -> str:
    building = rand_int(rng, 1, 9999)
    street = draw_last_name(rng) if rng.random() < 0.5 else draw_first_name(rng, Gender.MALE)
    address = f"{building} {street} {pick(rng, STREET_SUFFIXES)}"
    if rng.random() < 0.2:
        address += f" {'Apt.' if rng.random() < 0.8 else 'Suite'} {rand_int(rng, 100, 999)}"
    return address


def draw_city(rng, state: str | None = None) -> str:
    """A real city's name (of `state` when given)."""
    return draw_city_in(rng, state).name


def draw_city_in(rng, state: str | None = None) -> geography.City:
    """A real city (geography.City) of `state`, or of any state."""
    return pick(rng, geography.STATES[state or pick(rng, STATES)].cities)


def draw_state_and_zip(rng, state: str | None = None) -> tuple[str, str]:
    """A state abbreviation and a zip code of one of its cities."""
    city = draw_city_in(rng, state)
    return city.state, geography.zip_code_in(rng, city)


def draw_nearby_city(rng, home: geography.City, same_city_share: float = 0.55) -> geography.City:
    """Where someone using a club in `home` lives: that city, else a city of the same metro area (M9)."""
    if rng.random() < same_city_share:
        return home
    metro = geography.STATES[home.state].metros[home.metro]
    return pick(rng, metro)


def draw_medical_alert(rng) -> str | None:
    return MEDICAL_ALERT_TABLE.draw(rng)


# --- dates and local times ------------------------------------------------------------------------

def today() -> dt.date:
    """The default as-of date: today in the project's TIME_ZONE."""
    return timezone.localdate()


def random_date(rng, first: dt.date, last: dt.date) -> dt.date:
    """A date in [first, last]; `first` when the range is empty."""
    span = (last - first).days
    return first + dt.timedelta(days=rand_int(rng, 0, span)) if span > 0 else first


def local_datetime(day: dt.date, time: dt.time, tz=None) -> dt.datetime:
    """An aware datetime at wall-clock `time` on `day` in `tz` (default: the project's TIME_ZONE)."""
    return dt.datetime.combine(day, time, tzinfo=tz or timezone.get_current_timezone())


def minutes_between(start: dt.datetime, end: dt.datetime) -> int:
    return int((end - start).total_seconds() // 60)


def time_of_day_minutes(time: dt.time) -> int:
    return time.hour * 60 + time.minute


def time_from_minutes(minutes: int) -> dt.time:
    return dt.time(minutes // 60, minutes % 60)
