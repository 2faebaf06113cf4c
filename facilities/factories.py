"""factory_boy factories for facilities, their areas and member visits.

Random values come from the `rng` parameter (see members.factories), drawn
with the helpers of `fitness.core.drawing`; `build()` never touches the database.
"""
import datetime as dt
from decimal import Decimal

import factory

from fitness.core import geography
from fitness.core.catalog import AREA_KINDS
from fitness.core.drawing import (
    draw_city_in,
    draw_state_phone,
    draw_street_address,
    local_datetime,
    minutes_between,
    pick,
    rand_int,
    random_date,
    time_from_minutes,
    time_of_day_minutes,
    today,
    weighted,
)
from members.factories import MemberFactory, ensure_membership_covering, id_sequence, rng_param

from .choices import AccessMethod
from .models import Facility, FacilityArea, MemberAccess

# The seed opens every club 5:00 AM - 11:00 PM; some smaller clubs keep 6-10.
OPENING_HOURS = weighted(((dt.time(5, 0), dt.time(23, 0)), 70), ((dt.time(6, 0), dt.time(22, 0)), 30))
MEMBER_AREA_KINDS = [kind for kind in AREA_KINDS if kind.member_area]
ACCESS_METHODS = weighted((AccessMethod.KEY_CARD, 70), (AccessMethod.MOBILE_APP, 25), (AccessMethod.STAFF_OVERRIDE, 5))
VISIT_LOOKBACK_DAYS = 30  # a lone visit falls in the month before as-of


def area_kinds_of_type(area_types) -> list:
    """The catalog's area kinds whose type is one of `area_types`."""
    kinds = [kind for kind in AREA_KINDS if kind.area_type in area_types]
    if not kinds:
        raise ValueError(f"The catalog has no area of type {', '.join(map(str, area_types))}")
    return kinds


def draw_start_inside_hours(rng, facility, day: dt.date, minutes: int) -> dt.datetime:
    """A local start time on `day` such that [start, start + minutes] lies inside
    the facility's opening hours (rules V2, S3)."""
    opens, closes = time_of_day_minutes(facility.open_time), time_of_day_minutes(facility.close_time)
    latest_start = closes - minutes
    if latest_start < opens:
        raise ValueError(
            f"{minutes} minutes do not fit in the opening hours of facility {facility.facility_id} "
            f"({facility.open_time:%H:%M}-{facility.close_time:%H:%M})"
        )
    return local_datetime(day, time_from_minutes(rand_int(rng, opens, latest_start)))


def draw_site(rng) -> geography.City:
    """A real city in one of the states of the project's time-zone region (rule S9)."""
    return draw_city_in(rng, pick(rng, geography.region_states()).code)


class FacilityFactory(factory.django.DjangoModelFactory):
    """A club in a real city of the project's time-zone region, named after its city as the seed names them
    ("Columbus Fitness Center"), with a zip code of that city and a phone number of its state. Pass `site=`
    (a geography.City) to place it."""

    class Meta:
        model = Facility

    class Params:
        rng = rng_param()
        hours = factory.LazyAttribute(lambda o: OPENING_HOURS.draw(o.rng))
        site = factory.LazyAttribute(lambda o: draw_site(o.rng))

    facility_id = id_sequence("facilities")
    city = factory.SelfAttribute("site.name")
    facility_name = factory.LazyAttribute(lambda o: f"{o.city} Fitness Center")
    address = factory.LazyAttribute(lambda o: draw_street_address(o.rng))
    state = factory.SelfAttribute("site.state")
    zip_code = factory.LazyAttribute(lambda o: geography.zip_code_in(o.rng, o.site))
    phone_number = factory.LazyAttribute(lambda o: draw_state_phone(o.rng, o.state))
    open_time = factory.LazyAttribute(lambda o: o.hours[0])
    close_time = factory.LazyAttribute(lambda o: o.hours[1])
    is_active = True


class FacilityAreaFactory(factory.django.DjangoModelFactory):
    """An area of one of the catalog's kinds (pass `kind=` an AreaKind to choose),
    with capacity and square footage inside that kind's ranges."""

    class Meta:
        model = FacilityArea

    class Params:
        rng = rng_param()
        kind = factory.LazyAttribute(lambda o: pick(o.rng, AREA_KINDS))

    area_id = id_sequence("facilityareas")
    facility = factory.SubFactory(FacilityFactory, rng=factory.SelfAttribute("..rng"))
    area_name = factory.SelfAttribute("kind.area_name")
    area_type = factory.SelfAttribute("kind.area_type")
    max_capacity = factory.LazyAttribute(lambda o: rand_int(o.rng, *o.kind.capacity))
    square_footage = factory.LazyAttribute(
        lambda o: Decimal(rand_int(o.rng, *o.kind.square_feet)).quantize(Decimal("0.01"))
    )
    is_active = True


class MemberAccessFactory(factory.django.DjangoModelFactory):
    """A finished visit to a member area of the visit's own facility (I3), on or
    after the member's join date, inside opening hours, with `duration` the
    minutes between check-in and check-out (V2). On create() the member gets a
    membership covering the day if they have none (V1; `with_membership=False`
    skips that)."""

    class Meta:
        model = MemberAccess
        skip_postgeneration_save = True

    class Params:
        as_of = factory.LazyFunction(today)
        rng = rng_param()
        visit_date = factory.LazyAttribute(
            lambda o: random_date(o.rng, max(o.member.join_date, o.as_of - dt.timedelta(days=VISIT_LOOKBACK_DAYS)),
                                  max(o.member.join_date, o.as_of))
        )
        stay_minutes = factory.LazyAttribute(lambda o: rand_int(o.rng, 30, 120))

    access_id = id_sequence("memberaccess")
    member = factory.SubFactory(
        MemberFactory, as_of=factory.SelfAttribute("..as_of"), rng=factory.SelfAttribute("..rng")
    )
    facility = factory.SubFactory(FacilityFactory, rng=factory.SelfAttribute("..rng"))
    area = factory.SubFactory(
        FacilityAreaFactory,
        facility=factory.SelfAttribute("..facility"),
        kind=factory.LazyAttribute(lambda area: pick(area.rng, MEMBER_AREA_KINDS)),
        rng=factory.SelfAttribute("..rng"),
    )
    check_in_time = factory.LazyAttribute(
        lambda o: draw_start_inside_hours(o.rng, o.facility, o.visit_date, o.stay_minutes)
    )
    check_out_time = factory.LazyAttribute(lambda o: o.check_in_time + dt.timedelta(minutes=o.stay_minutes))
    duration = factory.LazyAttribute(lambda o: minutes_between(o.check_in_time, o.check_out_time))
    access_method = factory.LazyAttribute(lambda o: ACCESS_METHODS.draw(o.rng))

    @factory.post_generation
    def with_membership(visit, create, extracted, rng, **kwargs):
        if create and extracted is not False:
            ensure_membership_covering(rng, visit.member, visit.check_in_time.date())

    with_membership__rng = factory.SelfAttribute("..rng")  # the hook draws from the factory's source
