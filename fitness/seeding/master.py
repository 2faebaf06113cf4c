"""Master data of a simulated chain, built in memory with the factories.

Plans, certifications and class types come from the catalog (through their
factories); facilities, areas, equipment, members and staff are drawn by the
factories' `build()` (reseeded from the run's seed, never touching the
database) with the simulation deciding the parts that must fit together:
which areas each facility has, how many machines, who works where, which
instructor holds which certification. Rows are kept as model instances here
and turned into text rows by `rows.instance_rows` when loaded. Starting
members are planned here (id, join date, home facility, birth date, plan: what
the simulation and the row must agree on) and their rows drawn apart.

The chain lies in the states of the project's time-zone region
(`fitness.core.geography`): its facilities cluster in a few states and their
metro areas, as chains grow; members live near their home facility.

The chain grew over MEMBER_HISTORY_YEARS: its first club opened then, the
others later, faster in later years, the newest a year or more before the
window (`draw_openings`; kept on FacilitySim, as the facilities table has no
such column). Nothing at a club precedes its opening: members join a club
open on their join day (more a day the more clubs were open, `JoinCalendar`),
staff are hired and machines bought since it opened, and class schedules take
effect after their instructor's hiring.

The factories draw from sources passed to them (`rng=`), never from factory_boy's
shared one: the master rows from `factory_rng`, the starting members' rows from
a source of their own, each joiner's from the caller's.
"""
import bisect
import datetime as dt
import itertools
import random
from dataclasses import dataclass, field

from classes.factories import ClassTypeFactory
from equipment.factories import EquipmentFactory, PURCHASE_WINDOW_YEARS
from facilities.factories import FacilityAreaFactory, FacilityFactory
from fitness.core import catalog, geography
from fitness.core.business import first_period_start, years_before
from fitness.core.drawing import WeightedTable, random_date
from fitness.core.ids import format_id
from members.factories import (
    MemberFactory, MembershipTypeFactory, birth_date_for_age, draw_join_age, draw_plan_for_age,
)
from staff.choices import JobTitle, StaffStatus
from staff.factories import InstructorCertificationFactory, StaffFactory

from .clock import minutes_of
from .members_sim import RECENT_JOIN_YEARS, join_day_weight
from .rows import instance_rows

MEMBER_HISTORY_YEARS = 10  # the chain's first club opened this long before the window; members joined since
STAFF_HISTORY_YEARS = 5
NEWEST_CLUB_DAYS = 365  # the newest club has been open at least this long when the window starts
AREA_KIND_BY_NAME = {kind.area_name: kind for kind in catalog.AREA_KINDS}
OPTIONAL_AREA_NAMES = [k.area_name for k in catalog.AREA_KINDS if k.area_name not in catalog.CORE_AREA_NAMES]
# Machines per usable type in one facility, for the default chain's member density.
MACHINES_PER_TYPE = {
    "Treadmill": (6, 10), "Elliptical": (4, 6), "Stationary Bike": (3, 5), "Rowing Machine": (2, 4),
    "Bench Press": (3, 5), "Squat Rack": (2, 4), "Cable Machine": (2, 3), "Leg Press": (2, 3), "Spin Bikes": (12, 20),
}
# Roles every facility needs before the rest are shared out by the seed's head-count shares.
CORE_STAFF = (
    JobTitle.MANAGER, JobTitle.FRONT_DESK, JobTitle.FRONT_DESK, JobTitle.MAINTENANCE,
    JobTitle.GROUP_FITNESS_INSTRUCTOR, JobTitle.GROUP_FITNESS_INSTRUCTOR, JobTitle.PERSONAL_TRAINER,
)
# The seed's head-count shares, for the staff beyond every facility's core roles.
ROLE_SHARES = WeightedTable([(role.job_title, role.share) for role in catalog.ROLES])


@dataclass
class FacilitySim:
    index: int
    row: object
    open_min: int
    close_min: int
    areas: list = field(default_factory=list)  # FacilityArea instances
    member_area_ids: list = field(default_factory=list)
    area_id_by_type: dict = field(default_factory=dict)  # AreaType -> [area ids]
    machines_by_type: dict = field(default_factory=dict)  # usable equipment type -> [machine index]
    staff: list = field(default_factory=list)  # staff indexes with primary assignment here
    site: object = None  # geography.City the facility stands in
    machines: list = field(default_factory=list)  # every equipment index here, fixtures included
    technicians: list = field(default_factory=list)  # "First Last" of the active Maintenance staff here
    # The day the club opened. No column holds it: it shows through the data, as nothing at the club (equipment
    # bought, staff hired, members joining, classes scheduled) precedes it. Facilities open in index order.
    opened: dt.date = dt.date.min

    @property
    def id(self):
        return self.row.facility_id


@dataclass
class Master:
    plans: list
    certifications: list
    class_types: list
    facilities: list  # FacilitySim
    equipment: list  # Equipment instances
    members: list  # PlannedMember (their rows: starting_member_rows)
    staff: list  # Staff instances


def rng_date(rng, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, max(0, (last - first).days)))


def build_reference_rows(factory_rng):
    plans = [MembershipTypeFactory.build(plan=plan, rng=factory_rng) for plan in catalog.MEMBERSHIP_PLANS]
    certifications = [
        InstructorCertificationFactory.build(catalog_entry=c, rng=factory_rng) for c in catalog.CERTIFICATIONS
    ]
    class_types = [ClassTypeFactory.build(catalog_entry=k, rng=factory_rng) for k in catalog.CLASS_KINDS]
    return plans, certifications, class_types


# Parts of town that tell two clubs of one city apart.
DISTRICTS = ("Downtown", "North", "South", "East", "West", "Uptown", "Midtown", "Riverside")


def chain_state_count(facility_count: int, region_size: int) -> int:
    """How many states a chain of this size spans: one for a few clubs, about five for fifty."""
    return max(1, min(region_size, round((facility_count ** 0.5) * 0.7)))


def place_facilities(count, rng, states=None) -> list:
    """A geography.City for each facility. A chain grows out of a few states of its region (the populous ones
    more likely) and enters a state with a cluster: each state gets two clubs (one when the chain is too
    small) before the rest go by population, so members have a club near home besides their own (M9). In a
    state, clubs go to its metro areas by their size, to a city of the metro that has none yet while there is
    one."""
    states = list(states or geography.region_states())
    by_population = WeightedTable([(state, state.population) for state in states])
    chosen = []
    while len(chosen) < chain_state_count(count, len(states)):
        state = by_population.draw(rng)
        if state not in chosen:
            chosen.append(state)
    chosen_by_population = WeightedTable([(state, state.population) for state in chosen])
    used, sites = set(), []
    per_state = 2 if count >= 2 * len(chosen) else 1
    for index in range(count):
        state = chosen[index % len(chosen)] if index < per_state * len(chosen) else chosen_by_population.draw(rng)
        metro = WeightedTable([(m, len(m)) for m in state.metros]).draw(rng)
        free = [city for city in metro if city not in used]
        city = (free or metro)[int(rng.random() * len(free or metro))]
        used.add(city)
        sites.append(city)
    return sites


def facility_name(city, earlier_sites) -> str:
    """"<City> Fitness Center", with a part of town once the city has a club already."""
    clubs_before = sum(1 for site in earlier_sites if site == city)
    if clubs_before == 0:
        return f"{city.name} Fitness Center"
    return f"{city.name} {DISTRICTS[(clubs_before - 1) % len(DISTRICTS)]} Fitness Center"


def draw_openings(count, rng, window_start: dt.date) -> list[dt.date]:
    """The day each club opened, in index order: the first MEMBER_HISTORY_YEARS before the window, the newest
    at least NEWEST_CLUB_DAYS before it, the rest in between, more of them in later years, as a growing chain
    opens clubs faster (the k-th of the later openings at the square root of a uniform share of the span,
    stratified so that they keep their order)."""
    first = window_start - dt.timedelta(days=365 * MEMBER_HISTORY_YEARS)
    span = (window_start - dt.timedelta(days=NEWEST_CLUB_DAYS) - first).days
    later = count - 1
    return [first] + [first + dt.timedelta(days=round(span * ((k + rng.random()) / later) ** 0.5))
                      for k in range(later)]


# A club is built for its members: areas at FULL_SIZE_MEMBERS members (joined in the last four years) or more
# take the catalog's capacities; a smaller club's rooms are smaller in proportion, down to ROOM_FLOOR people
# (a studio still holds a class) but never below the catalog's own size for a room that small (a racquetball
# court is a court). So a small chain's busiest areas fill as a club's do at its peak (realism R32).
FULL_SIZE_MEMBERS = 1000
ROOM_FLOOR = 12


def size_to_club(area, members_per_club: float):
    """Scale a drawn area's capacity and floor space to a club of `members_per_club`."""
    share = min(1.0, members_per_club / FULL_SIZE_MEMBERS)
    drawn = area.max_capacity
    capacity = max(round(drawn * share), min(drawn, ROOM_FLOOR))
    if capacity != drawn:
        area.max_capacity = capacity
        area.square_footage = (area.square_footage * capacity / drawn).quantize(area.square_footage)
    return area


def build_facilities(count, rng, purchased_by: dt.date, factory_rng, members_per_club=FULL_SIZE_MEMBERS):
    """Facilities with the core areas plus a draw of the optional ones, and their equipment, each facility
    with its opening day (`draw_openings`: `purchased_by` is the window's first day), its machines bought
    since it opened (within the factory's purchase window). The structure is drawn from `rng`, the rows' own
    values by the factories from `factory_rng`."""
    facilities, equipment = [], []
    area_number = 0
    sites = place_facilities(count, rng)
    openings = draw_openings(count, rng, purchased_by)
    bought_since = years_before(purchased_by, PURCHASE_WINDOW_YEARS)
    for index in range(count):
        row = FacilityFactory.build(facility_id=format_id("facilities", index + 1), site=sites[index],
                                    facility_name=facility_name(sites[index], sites[:index]), rng=factory_rng)
        sim = FacilitySim(index, row, minutes_of(row.open_time), minutes_of(row.close_time), site=sites[index],
                          opened=openings[index])
        first_purchase = max(bought_since, sim.opened)
        names = list(catalog.CORE_AREA_NAMES) + [n for n in OPTIONAL_AREA_NAMES if rng.random() < 0.5]
        if index == 0 and "Pool Area" not in names:
            names.append("Pool Area")  # at least one pool in every chain, for aqua classes and lifeguards
        if index == 0 and "Spin Room" not in names:
            names.append("Spin Room")
        for name in sorted(names, key=list(AREA_KIND_BY_NAME).index):
            area_number += 1
            kind = AREA_KIND_BY_NAME[name]
            area = size_to_club(FacilityAreaFactory.build(
                area_id=format_id("facilityareas", area_number), facility=row, kind=kind, rng=factory_rng
            ), members_per_club)
            sim.areas.append(area)
            sim.area_id_by_type.setdefault(kind.area_type, []).append(area.area_id)
            if kind.member_area:
                sim.member_area_ids.append(area.area_id)
            for equipment_type in catalog.EQUIPMENT_BY_AREA.get(name, ()):
                usable = equipment_type in catalog.USABLE_EQUIPMENT_TYPES
                units = rng.randint(*MACHINES_PER_TYPE[equipment_type]) if usable else 1
                for _ in range(units):
                    machine = EquipmentFactory.build(
                        equipment_id=format_id("equipment", len(equipment) + 1),
                        facility=row, area=area, equipment_type=equipment_type, usable=usable, as_of=purchased_by,
                        purchase_date=random_date(factory_rng, first_purchase, purchased_by), rng=factory_rng,
                    )
                    if usable:
                        sim.machines_by_type.setdefault(equipment_type, []).append(len(equipment))
                    sim.machines.append(len(equipment))
                    equipment.append(machine)
        facilities.append(sim)
    return facilities, equipment


class JoinCalendar:
    """The days members joined on before the window, weighted as the window's joins are (January's
    resolutions, a summer lull, busy Mondays: members_sim.join_day_weight) times the clubs open that day, as a
    growing chain signs up more members with every club it opens. Only days whose first period starts before
    `last` (a join on the 29th-31st starts on the 1st), so every starting member holds one (rule M7). One
    draw per join: a search of the cumulative weights."""

    def __init__(self, facilities, first: dt.date, last: dt.date):
        openings = sorted(f.opened.toordinal() for f in facilities)
        self.first = first.toordinal()
        weights = []
        for ordinal in range(self.first, last.toordinal() + 1):
            day = dt.date.fromordinal(ordinal)
            clubs = bisect.bisect_right(openings, ordinal)
            weights.append(clubs * join_day_weight(day) if first_period_start(day) <= last else 0.0)
        self.cumulative = list(itertools.accumulate(weights))

    def draw(self, rng) -> dt.date:
        index = bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[-1])
        return dt.date.fromordinal(self.first + min(index, len(self.cumulative) - 1))

    def share_since(self, day: dt.date) -> float:
        """The share of the joins that fall on or after `day`."""
        before = self.cumulative[day.toordinal() - self.first - 1] if day.toordinal() > self.first else 0.0
        return 1 - before / self.cumulative[-1]


@dataclass(slots=True)
class PlannedMember:
    """A member as both the simulation and their row need them: who, when they joined, their home facility
    (and its city, where they live near), their birth date and the plan they join on (one that fits their age,
    rule M8). The rest of their row (names, contacts, ...) is drawn apart: by `starting_member_rows` off the
    simulation's path (in a process of its own on large runs), by `new_member` for joiners."""

    member_id: str
    join_date: dt.date
    home: int = 0  # index of the home facility
    home_city: object = None  # geography.City of the home facility
    birth_date: dt.date | None = None
    plan: str = "MT001"  # membership type id of the first period


def plan_member(member_id, join_date: dt.date, facilities, rng) -> PlannedMember:
    """A joiner's plan: a home club among those open on `join_date` (facilities open in index order), an age
    on joining by the club's age bands, and a plan for that age."""
    open_clubs = max(1, bisect.bisect_right(facilities, join_date, key=opening_day))
    home = int(rng.random() * open_clubs)
    age = draw_join_age(rng)
    birth_date = birth_date_for_age(rng, join_date, age)
    plan = draw_plan_for_age(rng, age)
    return PlannedMember(member_id, join_date, home, facilities[home].site, birth_date, plan.membership_type_id)


def opening_day(facility) -> dt.date:
    return facility.opened


def build_members(count, rng, window_start: dt.date, facilities):
    """Members who joined since the chain's first club opened (MEMBER_HISTORY_YEARS before the window), on
    the days of a JoinCalendar, each at a club open on the day: about `count` (the profile's members) in the
    RECENT_JOIN_YEARS before the window, as many as the window goes on signing up (members_sim.daily_joins),
    and the earlier years' joiners besides, fewer a year the fewer clubs were open."""
    first = min(f.opened for f in facilities)
    calendar = JoinCalendar(facilities, first, window_start - dt.timedelta(days=1))
    recent = calendar.share_since(window_start - dt.timedelta(days=365 * RECENT_JOIN_YEARS))
    return [plan_member(format_id("members", number), calendar.draw(rng), facilities, rng)
            for number in range(1, round(count / recent) + 1)]


def starting_member_rows(planned, as_of: dt.date, seed) -> list[tuple]:
    """The planned members' rows (status 'Active' until the run knows theirs), drawn by the factory from a
    source of their own: the same rows wherever and whenever this runs."""
    rng = random.Random(f"{seed}:members")
    return instance_rows([member_instance(m, as_of, rng) for m in planned])


def new_member(planned: PlannedMember, as_of, rng):
    """The row of a member joining in the window, their details drawn from `rng`."""
    return member_instance(planned, as_of, rng)


def member_instance(planned: PlannedMember, as_of, rng):
    """The member's row: birth date as planned, living near their home facility (rule M9, S9)."""
    extra = {"home_city": planned.home_city} if planned.home_city is not None else {}
    if planned.birth_date is not None:
        extra["date_of_birth"] = planned.birth_date
    return MemberFactory.build(
        member_id=planned.member_id, join_date=planned.join_date, as_of=as_of, member_status="Active",
        last_modified=dt.datetime.combine(planned.join_date, dt.time(12), dt.timezone.utc), rng=rng, **extra,
    )


def build_staff(profile, facilities, rng, window_start: dt.date, as_of: dt.date, factory_rng):
    """Staff with role-based pay: every facility gets the core roles, the rest
    follow the seed's head-count shares, each hired since their facility opened.
    A few left before the window. Who works where is drawn from `rng`, the rows'
    own values by the factory from `factory_rng`."""
    titles = []
    for facility in facilities:
        for title in CORE_STAFF:
            titles.append((title, facility.index))
        if facility.area_id_by_type.get("Pool"):
            titles.append((JobTitle.LIFEGUARD, facility.index))
    core_count = len(titles)  # every facility's core roles (lifeguards of pools among them): they stay
    while len(titles) < profile.staff:
        title = ROLE_SHARES.draw(rng)
        if title == JobTitle.LIFEGUARD:
            pools = [f.index for f in facilities if f.area_id_by_type.get("Pool")]
            titles.append((title, rng.choice(pools)))
        else:
            titles.append((title, rng.randrange(len(facilities))))
    staff = []
    hire_first = window_start - dt.timedelta(days=365 * STAFF_HISTORY_YEARS)
    for number, (title, facility_index) in enumerate(titles, start=1):
        # Hired within STAFF_HISTORY_YEARS, never before their club opened.
        hire_date = rng_date(rng, max(hire_first, facilities[facility_index].opened),
                             window_start - dt.timedelta(days=30))
        core = number <= core_count or title == JobTitle.LIFEGUARD
        terminated = not core and rng.random() < 0.05
        status = StaffStatus.TERMINATED if terminated else StaffStatus.ACTIVE
        termination = rng_date(rng, hire_date + dt.timedelta(days=1), window_start - dt.timedelta(days=1)) if terminated else None
        member = StaffFactory.build(
            staff_id=format_id("staff", number), job_title=title, hire_date=hire_date, status=status,
            termination_date=termination, as_of=as_of, home_state=facilities[facility_index].row.state,
            rng=factory_rng,
        )
        member.facility_index = facility_index
        if not terminated:
            facilities[facility_index].staff.append(number - 1)
            if title == JobTitle.MAINTENANCE:  # who services the facility's machines (rule S8)
                facilities[facility_index].technicians.append(f"{member.first_name} {member.last_name}")
        staff.append(member)
    return staff


def build_master(profile, rng, window_start: dt.date, as_of: dt.date, factory_rng: random.Random) -> Master:
    """The chain's master data: its structure drawn from `rng`, the factories' values from `factory_rng`."""
    plans, certifications, class_types = build_reference_rows(factory_rng)
    facilities, equipment = build_facilities(profile.facilities, rng, window_start, factory_rng,
                                             members_per_club=profile.members / profile.facilities)
    members = build_members(profile.members, rng, window_start, facilities)
    staff = build_staff(profile, facilities, rng, window_start, as_of, factory_rng)
    return Master(plans, certifications, class_types, facilities, equipment, members, staff)
