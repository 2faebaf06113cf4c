"""Facilities, areas and visits: the seed's layout and rules I3, V1, V2."""
import datetime as dt

import pytest
from django.utils import timezone

from facilities.factories import FacilityAreaFactory, FacilityFactory, MemberAccessFactory
from fitness.core.catalog import AREA_KINDS

pytestmark = pytest.mark.django_db

KIND_BY_NAME = {kind.area_name: kind for kind in AREA_KINDS}


def test_facilities_keep_the_seed_opening_hours():
    hours = {(f.open_time, f.close_time) for f in FacilityFactory.build_batch(200)}
    assert hours == {(dt.time(5), dt.time(23)), (dt.time(6), dt.time(22))}


def test_facility_is_named_after_its_city():
    facility = FacilityFactory()
    assert facility.facility_name == f"{facility.city} Fitness Center"


def test_areas_take_name_type_and_ranges_from_their_catalog_kind():
    for area in FacilityAreaFactory.build_batch(200):
        kind = KIND_BY_NAME[area.area_name]
        assert area.area_type == kind.area_type
        assert kind.capacity[0] <= area.max_capacity <= kind.capacity[1]
        assert kind.square_feet[0] <= area.square_footage <= kind.square_feet[1]


def test_an_area_can_be_asked_for_by_kind():
    pool = FacilityAreaFactory(kind=KIND_BY_NAME["Pool Area"])
    assert (pool.area_name, pool.area_type) == ("Pool Area", "Pool")


def local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)


@pytest.mark.parametrize("repeat", range(5))
def test_a_visit_is_in_its_own_facility_within_opening_hours(repeat, as_of):
    visit = MemberAccessFactory()
    assert visit.area.facility_id == visit.facility_id  # I3
    assert KIND_BY_NAME[visit.area.area_name].member_area
    check_in, check_out = local(visit.check_in_time), local(visit.check_out_time)
    assert check_in.date() == check_out.date()
    assert visit.facility.open_time <= check_in.time() < check_out.time() <= visit.facility.close_time  # V2
    assert visit.duration == (check_out - check_in).total_seconds() // 60 > 0  # V2
    assert visit.member.join_date <= check_in.date() <= as_of


def test_a_visit_gives_the_member_a_covering_membership():
    visit = MemberAccessFactory()
    day = local(visit.check_in_time).date()
    assert visit.member.memberships.filter(start_date__lte=day, end_date__gte=day).count() == 1  # V1


def test_a_second_visit_does_not_add_an_overlapping_membership():
    first = MemberAccessFactory()
    MemberAccessFactory(member=first.member)
    periods = list(first.member.memberships.order_by("start_date"))
    for earlier, later in zip(periods, periods[1:]):
        assert later.start_date > earlier.end_date  # M2


def test_a_visit_to_a_facility_with_late_hours_stays_inside_them():
    facility = FacilityFactory(open_time=dt.time(9), close_time=dt.time(11))
    for _ in range(20):
        visit = MemberAccessFactory.build(facility=facility)
        assert dt.time(9) <= local(visit.check_in_time).time()
        assert local(visit.check_out_time).time() <= dt.time(11)
