"""Check-ins, equipment sessions and maintenance, one day at a time.

Each eligible member (V1) may visit once a day (so never two visits at once,
V3), with a chance from their own visit rate and the day (weekday, season,
holiday), at a minute of the day's smooth hour curve, staying a log-normal
time that ends by closing (V2, V4); mostly at their home facility, sometimes
at a club near home, rarely anywhere (patterns.py holds the figures). A visit
in an area with machines may work out on 1-3 of that area's machines, one
after the other inside the visit (V5), each machine free at that time and in
service (V6). Maintenance takes machines out of service for the day (repairs:
two).

Class-goers come too: the class stream books them and hands over their class
visits, which are written with the day's other check-ins (into the class's
area, no machines). A member with a class visit makes no other visit that day
(V3); walk-ins keep out of an area while its class-goers' places would be
needed (V8: check-ins plus class-goers within the area's capacity).
"""
import bisect
import datetime as dt
import heapq
import itertools

import numpy as np

from fitness.core import catalog

from .clock import NUMBER_TEXT
from .patterns import (
    AREA_VISIT_WEIGHT, LAPSING_FADE_DAYS, LAPSING_FLOOR, MAX_DAILY_CHANCE, ROAM_BUCKETS, SECONDARY_SHARE,
    SESSIONS_BY_AREA, STAY_MEDIAN, TAPER_DAYS, TAPER_FACTOR, TAPER_GRACE_DAYS, TRAVEL_CLUBS, TRAVEL_SHARE,
    UNIT_POPULARITY, arrival_table, day_factor, secondary_table, session_length, stay_minutes, travel_table,
    weekend_like,
)

ACCESS_METHODS = ("Key Card",) * 14 + ("Mobile App",) * 5 + ("Staff Override",)
PERSONA_CODES = {persona: code for code, persona in enumerate(STAY_MEDIAN)}
LAPSING = PERSONA_CODES["lapsing"]
STAY_MEDIANS = np.array([STAY_MEDIAN[p] for p in PERSONA_CODES], dtype=float)  # by persona code
SHORTEST_SESSION = 5  # minutes; a session cut shorter by the end of the visit is not logged
PREVENTIVE_EVERY_DAYS = 90
REPAIR_CHANCE = 0.0015  # per machine members use, per day
FIXTURE_WEAR = 0.3  # fixtures (mirrors, mats, sound, pool gear) need fixing about a third as often
MAINTENANCE_COST = {  # dollars, (min, max)
    "Preventive": (60, 250), "Repair": (120, 900), "Inspection": (0, 80), "Part Replacement": (30, 600),
}
# Share of each kind of work the facility's own Maintenance staff do; the rest goes to a vendor that services
# the type (catalog.VENDORS_BY_EQUIPMENT_TYPE), when there is one (rule S8).
IN_HOUSE_SHARE = {"Preventive": 0.8, "Inspection": 0.9, "Repair": 0.45, "Part Replacement": 0.6}
REPAIR_WITHOUT_PARTS = 0.3  # a fault fixed by adjusting, tightening or re-seating
SERVICE_WORK = {  # what a scheduled service does, by equipment type
    **dict.fromkeys(("Treadmill", "Elliptical", "Stationary Bike", "Spin Bikes"),
                    "Scheduled service: cleaned, lubricated and calibrated"),
    "Rowing Machine": "Scheduled service: chain cleaned and oiled, seat rollers and monitor checked",
    **dict.fromkeys(("Bench Press", "Squat Rack", "Cable Machine", "Leg Press"),
                    "Scheduled service: cables, pins and upholstery checked, frame bolts tightened"),
    "Dumbbells": "Scheduled service: heads and handles checked, rack cleaned",
    "Sound System": "Scheduled service: speakers, amplifier and microphones tested",
    "Lane Dividers": "Scheduled service: ropes and floats checked, reels cleaned",
    "Pool Vacuum": "Scheduled service: brushes, filter and motor checked",
}
INSPECTION_WORK = "Safety inspection, no defects found"


class Upkeep:
    """What maintaining one machine involves: the work it gets on schedule and when faulty, the parts it has,
    who may do it (the facility's Maintenance staff, vendors for its type) and how fast it wears."""

    __slots__ = ("scheduled", "fault", "parts", "technicians", "vendors", "wear", "service")

    def __init__(self, equipment_type, technicians):
        kinds = catalog.MAINTENANCE_TYPES_BY_EQUIPMENT_TYPE[equipment_type]
        self.scheduled = "Preventive" if "Preventive" in kinds else "Inspection"
        self.fault = "Repair" if "Repair" in kinds else "Part Replacement"
        self.parts = catalog.PARTS_BY_EQUIPMENT_TYPE[equipment_type]
        self.technicians = tuple(technicians)
        self.vendors = catalog.VENDORS_BY_EQUIPMENT_TYPE.get(equipment_type, ())
        self.wear = REPAIR_CHANCE * (1 if equipment_type in catalog.USABLE_EQUIPMENT_TYPES else FIXTURE_WEAR)
        self.service = SERVICE_WORK.get(equipment_type, INSPECTION_WORK)


def machine_upkeep(facilities, machines) -> list:
    """An Upkeep per machine (in `machines` order), from the facilities' machines and technicians."""
    technicians_of = {}
    for facility in facilities:
        for index in facility.machines:
            technicians_of[index] = facility.technicians
    return [Upkeep(machine.type, technicians_of.get(index, ())) for index, machine in enumerate(machines)]


class MachineSim:
    __slots__ = ("id", "type", "facility", "next_preventive", "out_until")

    def __init__(self, equipment_id, equipment_type, facility, next_preventive, out_until=0):
        self.id, self.type, self.facility = equipment_id, equipment_type, facility
        self.next_preventive, self.out_until = next_preventive, out_until


def arrival_groups(facilities, weekend):
    """[(ArrivalTable, facility indexes using it)]: facilities with the same opening hours share one."""
    groups = {}
    for f in facilities:
        groups.setdefault((f.open_min, f.close_min), []).append(f.index)
    return [(arrival_table(open_min, close_min, weekend), np.array(indexes, dtype=np.int32))
            for (open_min, close_min), indexes in groups.items()]


def roster_entry(member):
    """What the visit stream keeps of a member (MemberSim or alike): (id, persona, home facility, join ordinal,
    visits per week, roam draw)."""
    return (member.id, member.persona, member.home, member.join, member.visit_rate, member.roam)


class VisitRoster:
    """The members as the visit stream reads them, in the run's member order: ids, and persona codes, home
    facilities, join days, visit rates, roam buckets and home leads as numpy columns (grown in place as members
    join). A member's home lead is their visits at home minus their visits elsewhere in this run: the stream
    keeps it >= 1 once they have been elsewhere, so home stays the club they visit most (S9 and V4 find a
    member's home that way)."""

    DTYPES = (np.int8, np.int32, np.int32, np.float64, np.int16, np.int32)

    def __init__(self, members=()):
        self.ids = []
        self._columns = [np.empty(0, dtype=dtype) for dtype in self.DTYPES]
        self.extend([roster_entry(m) for m in members])

    def extend(self, members):
        """Append roster_entry tuples."""
        if not members:
            return
        size, grown = len(self.ids), len(self.ids) + len(members)
        if grown > len(self._columns[0]):
            capacity = max(grown, 2 * len(self._columns[0]))
            self._columns = [np.resize(column, capacity) for column in self._columns]
        persona, home, join, rate, roam, lead = self._columns
        for position, (member_id, kind, home_index, joined, visit_rate, roam_draw) in enumerate(members, start=size):
            self.ids.append(member_id)
            persona[position] = PERSONA_CODES[kind]
            home[position] = home_index
            join[position] = joined
            rate[position] = visit_rate
            roam[position] = min(int(roam_draw * ROAM_BUCKETS), ROAM_BUCKETS - 1)
            lead[position] = 0

    def columns(self):
        """(persona code, home, join, visits per week, roam bucket, home lead) arrays of every member so far
        (views: the stream updates the home leads in place)."""
        size = len(self.ids)
        return tuple(column[:size] for column in self._columns)


class Comers:
    """Who comes today: each eligible member (V1) with the chance their visit rate and the day give. Drawn in
    the main process, before the classes, whose attendees are some of today's comers (so that classes take
    a share of the visits rather than adding to them), with a generator of its own.

    Members who take classes plan their week around their club's timetable: their chance is higher on the
    days with classes at home and lower on the others, the same over the week (`pull`, by facility and ISO
    weekday: class_day_pull)."""

    def __init__(self, roster, generator, takes_classes, pull, members):
        self.roster, self.generator = roster, generator  # the roster holds `members` (MemberSims) already
        self.takes_classes, self.pull = takes_classes, pull
        self.takes = np.zeros(0, dtype=bool)
        self.taper = np.zeros(0, dtype=np.int64)  # the day (ordinal) each member starts tapering off
        self.grow(members)

    def extend(self, members):
        """Add the day's joiners (MemberSims) to the roster."""
        self.roster.extend([roster_entry(m) for m in members])
        self.grow(members)

    def grow(self, members):
        self.takes = np.concatenate((self.takes, np.array([self.takes_classes(m.id) for m in members], dtype=bool)))
        self.taper = np.concatenate((self.taper, np.array([taper_day(m) for m in members], dtype=np.int64)))

    def taper_off(self, positions, members):
        """Members (at `positions`) who will cancel: they come less from their taper_from on."""
        self.taper[positions] = [taper_day(m) for m in members]

    def draw(self, day: dt.date, eligible) -> np.ndarray:
        """Positions (int32) of the members who come on `day` among the eligible positions."""
        eligible = np.asarray(eligible, dtype=np.int32)
        persona, home, join, rate, _roam, _lead = self.roster.columns()
        chance = visit_chances(day, eligible, persona, join, rate)
        pulled = self.takes[eligible]
        chance[pulled] = np.minimum(chance[pulled] * self.pull[home[eligible[pulled]], day.isoweekday()],
                                    MAX_DAILY_CHANCE)
        since = day.toordinal() - self.taper[eligible]
        chance[(since >= 0) & (since < TAPER_DAYS + TAPER_GRACE_DAYS)] *= TAPER_FACTOR
        return eligible[self.generator.random(len(eligible)) < chance]


# How much more likely a class-goer is to come on their club's busiest class day than on a day without classes.
CLASS_DAY_BOOST = 0.4


def class_day_pull(facility_count: int, schedules) -> np.ndarray:
    """(facility, ISO weekday) -> factor on a class-goer's chance of coming: 1 + CLASS_DAY_BOOST x the day's
    class places / the club's busiest class day's, scaled to a mean of 1 over the week (so the member comes as
    often as before, more of it on class days; 1 everywhere at a club without classes)."""
    places = np.zeros((facility_count, 8))
    for schedule in schedules:
        places[schedule.facility, schedule.dow] += schedule.capacity
    busiest = places[:, 1:].max(axis=1, keepdims=True)
    boost = 1 + CLASS_DAY_BOOST * np.divide(places[:, 1:], busiest, out=np.zeros((facility_count, 7)),
                                            where=busiest > 0)
    pull = np.ones((facility_count, 8))
    pull[:, 1:] = boost / boost.mean(axis=1, keepdims=True)
    return pull


NO_TAPER = 10**9


def taper_day(member) -> int:
    return NO_TAPER if member.taper_from is None else member.taper_from


def visit_chances(day, eligible, persona, join, rate):
    """Each eligible member's chance of coming today: their weekly rate spread over the week as the day's
    weekday, season and holiday say; a lapsing member's fades the longer they have been a member."""
    chance = rate[eligible] * (day_factor(day) / 7)
    lapsing = persona[eligible] == LAPSING
    fade = 1 - (day.toordinal() - join[eligible[lapsing]]) / LAPSING_FADE_DAYS
    chance[lapsing] *= np.maximum(LAPSING_FLOOR, fade)
    return np.minimum(chance, MAX_DAILY_CHANCE)


class AreaSessions:
    """How visits logged to one area use its machines: the chance of any session, the cumulative chances of
    1, 2 or 3 sessions, and the area's machine types with their cumulative pull (units x popularity)."""

    __slots__ = ("chance", "counts", "types", "pulls")

    def __init__(self, area_name, machines_by_type):
        chance, count_chances = SESSIONS_BY_AREA.get(area_name, (0.0, (1.0,)))
        self.types = [t for t in catalog.EQUIPMENT_BY_AREA.get(area_name, ()) if machines_by_type.get(t)]
        self.chance = chance if self.types else 0.0
        self.counts = list(itertools.accumulate(count_chances))
        self.pulls = list(itertools.accumulate(len(machines_by_type[t]) * UNIT_POPULARITY[t] for t in self.types))

    def session_count(self, uniform) -> int:
        return 1 + min(bisect.bisect_right(self.counts, uniform), len(self.counts) - 1)

    def machine_type(self, uniform) -> str:
        return self.types[bisect.bisect_right(self.pulls, uniform * self.pulls[-1])]


def overflow_areas(facilities):
    """(capacity of each member area, in the stream's area order; for each, the other member areas of its
    facility, roomiest first): where a visitor goes when the area they came for is full (V8)."""
    capacities, overflow, offset = [], [], 0
    for facility in facilities:
        capacity_of = {area.area_id: area.max_capacity for area in facility.areas}
        local = [capacity_of[area_id] for area_id in facility.member_area_ids]
        roomiest = sorted(range(len(local)), key=lambda k: (-local[k], k))
        capacities.extend(local)
        overflow.extend([offset + k for k in roomiest if k != own] for own in range(len(local)))
        offset += len(local)
    return capacities, overflow


def member_area_index(facilities) -> dict:
    """Area id -> its number in the visit stream's area order (the member areas, facility by facility)."""
    return {area_id: number for number, area_id in enumerate(a for f in facilities for a in f.member_area_ids)}


class ClassPlaces:
    """Where and when the day's class-goers are in the club: per area, their arrival and departure minutes,
    sorted, so that `during(area, start, end)` counts those present at some time in [start, end) by two
    bisections."""

    def __init__(self, areas: int, booked):
        self.arrivals = [[] for _ in range(areas)]
        self.departures = [[] for _ in range(areas)]
        for _member, _facility, area, arrive, leave in booked:
            self.arrivals[area].append(arrive)
            self.departures[area].append(leave)
        for column in (*self.arrivals, *self.departures):
            column.sort()

    def during(self, area, start, end) -> int:
        # Present at some moment of [start, end): arrived before `end`, less those who left by `start` (who
        # arrived before it too).
        arrivals = self.arrivals[area]
        if not arrivals:
            return 0
        return bisect.bisect_left(arrivals, end) - bisect.bisect_right(self.departures[area], start)


def area_plans(facilities):
    """(names of the member areas in the stream's area order, cumulative visit weights keyed facility + share,
    AreaSessions per area): a visit at facility f with draw u lands in area searchsorted(weights, f + u)."""
    names, weights, sessions = [], [], []
    for facility in facilities:
        name_of = {area.area_id: area.area_name for area in facility.areas}
        local = [name_of[area_id] for area_id in facility.member_area_ids]
        shares = np.cumsum([AREA_VISIT_WEIGHT.get(name, 1) for name in local], dtype=float)
        shares /= shares[-1]
        shares[-1] = 1.0
        weights.extend(facility.index + shares)
        names.extend(local)
        sessions.extend(AreaSessions(name, facility.machines_by_type) for name in local)
    return names, np.array(weights), sessions


def maintenance_work(upkeep, kind, rng):
    """(description, part replaced or None) of one job of `kind` on a machine with this upkeep."""
    if kind == "Preventive":
        return upkeep.service, None
    if kind == "Inspection":
        return INSPECTION_WORK, None
    if kind == "Repair" and rng.random() < REPAIR_WITHOUT_PARTS:
        return "Reported fault fixed: adjusted and tested", None
    part = upkeep.parts[rng.randrange(len(upkeep.parts))]
    if kind == "Repair":
        return f"Reported fault fixed: {part.lower()} replaced", part
    return f"Worn {part.lower()} replaced", part


def technician(upkeep, kind, rng) -> str:
    """Who signs the job: one of the facility's Maintenance staff, or a vendor servicing the type."""
    in_house = upkeep.technicians and (not upkeep.vendors or rng.random() < IN_HOUSE_SHARE[kind])
    names = upkeep.technicians if in_house else upkeep.vendors
    return names[rng.randrange(len(names))]


class VisitStream:
    """Writes memberaccess, equipmentusage and equipmentmaintenance."""

    def __init__(self, facilities, machines, counters, rng, sink):
        self.facilities, self.machines = facilities, machines
        self.counters, self.rng, self.sink = counters, rng, sink
        # The day's draws come from numpy, seeded from `rng`; sessions and maintenance from `rng` itself.
        self.generator = np.random.default_rng(rng.getrandbits(128))
        self.facility_count = len(facilities)
        self.facility_ids = [f.id for f in facilities]
        self.close_minutes = np.array([f.close_min for f in facilities], dtype=np.int32)
        self.area_ids = [area for f in facilities for area in f.member_area_ids]
        self.area_names, self.area_weights, self.area_sessions = area_plans(facilities)
        self.session_chance = [plan.chance for plan in self.area_sessions]
        self.area_capacity, self.overflow = overflow_areas(facilities)
        self.arrival_groups = [arrival_groups(facilities, weekend) for weekend in (False, True)]
        # Each home club's secondary clubs by roam bucket (patterns.secondary_table).
        self.secondaries = secondary_table(facilities)
        self.travels = travel_table(len(facilities))  # and the clubs they travel to (patterns.travel_table)
        self.upkeep = machine_upkeep(facilities, machines)  # per machine: who maintains it and how (maintain)
        # What a NULL column holds in the rows: None, or COPY's own "\\N" when a visit worker writes COPY text
        # (rows without None take the fast path of loader.copy_text).
        self.null = None
        self.usage_id = counters.format_of("equipmentusage")
        self.usage_number = 0  # numbered here during a day, kept in the counters between days

    # -- maintenance -----------------------------------------------------------------------------
    def maintain(self, day: dt.date, clock):
        """Scheduled service on time, the odd fault; returns nothing, marks machines out. The work fits the
        machine's type and is signed by the facility's Maintenance staff or a vendor for the type (S8)."""
        ordinal, rng = day.toordinal(), self.rng
        for machine, upkeep in zip(self.machines, self.upkeep):
            kind = None
            if machine.next_preventive <= ordinal:
                kind, machine.next_preventive = upkeep.scheduled, ordinal + PREVENTIVE_EVERY_DAYS
                machine.out_until = max(machine.out_until, ordinal)
            elif rng.random() < upkeep.wear:
                kind = upkeep.fault
                machine.out_until = max(machine.out_until, ordinal + rng.randint(0, 1))
            if kind is not None:
                low, high = MAINTENANCE_COST[kind]
                cost = rng.randint(low * 100, high * 100)
                description, part = maintenance_work(upkeep, kind, rng)
                self.sink.add("equipmentmaintenance", (
                    self.counters.next("equipmentmaintenance"), machine.id, day.isoformat(), kind,
                    technician(upkeep, kind, rng), description, f"{cost // 100}.{cost % 100:02d}",
                    part if part is not None else self.null,
                    (day + dt.timedelta(days=PREVENTIVE_EVERY_DAYS)).isoformat(),
                ))

    # -- visits ----------------------------------------------------------------------------------
    def simulate_day(self, day: dt.date, clock, roster, comers, booked):
        """Visits of the day by the roster's members at positions `comers` (int32 array: Comers.draw), those of
        them with a class visit in `booked` (int32 rows: member position, facility, area number, arrival and
        departure minute) coming for the class. Where the others go, when and for how long is drawn for the
        whole day at once (numpy); the rows and the machine sessions, which depend on each other in check-in
        order, one visit at a time."""
        ordinal, weekend = day.toordinal(), int(weekend_like(day))
        draw = self.generator.random
        persona, home, _join, _rate, roam, lead = roster.columns()
        who = comers[~np.isin(comers, booked[:, 0])] if len(booked) else comers
        count = len(who)
        where_draw, pick_draw, arrival_draw, area_draw, method_draw, session_draw = draw((6, count))
        stay_normal = self.generator.standard_normal(count)
        where = self.facilities_visited(home[who], roam[who], lead[who], where_draw, pick_draw)
        lead[who] += np.where(where == home[who], 1, -1)
        start = self.arrival_minutes(where, arrival_draw, weekend)
        # A stay that would outlast the club ends at closing (arrivals stop a quarter of an hour before it).
        stay = np.minimum(stay_minutes(STAY_MEDIANS[persona[who]], stay_normal), self.close_minutes[where] - start)
        area = np.searchsorted(self.area_weights, where + area_draw, side="right")
        lead[booked[:, 0]] += 1  # classes are at home
        walk_in = np.ones(count + len(booked), dtype=bool)
        walk_in[count:] = False
        who, start, where, area = (np.concatenate((column, booked[:, k]))
                                   for column, k in ((who, 0), (start, 3), (where, 1), (area, 2)))
        stay = np.concatenate((stay, booked[:, 4] - booked[:, 3]))
        method_draw = np.concatenate((method_draw, draw(len(booked))))
        order = np.lexsort((who, start))  # by arrival, then member (ids follow roster order): check-in order
        columns = (start[order].tolist(), who[order].tolist(), stay[order].tolist(), where[order].tolist(),
                   area[order].tolist(), (method_draw[order] * len(ACCESS_METHODS)).astype(np.int32).tolist(),
                   walk_in[order].tolist(), np.concatenate((session_draw, np.ones(len(booked))))[order].tolist())
        self.write_visits(ordinal, clock, roster.ids, columns, lead, home, ClassPlaces(len(self.area_ids), booked))

    def facilities_visited(self, home, roam, lead, where_draw, pick_draw):
        """The club of each visit: a travel visit to one of the member's travel clubs (rare), one of their clubs
        near home (for members who have any), else home. A member goes elsewhere only with a home lead of 2 or
        more, so that home stays ahead of every other club."""
        first = self.secondaries[home, roam, 0]
        chosen = self.secondaries[home, roam, (pick_draw * 2).astype(np.int32)]
        secondary = np.where(chosen < 0, first, chosen)  # a member with one other club uses it
        travel = self.travels[home, roam, (pick_draw * TRAVEL_CLUBS).astype(np.int32)]
        may_roam = lead >= 2
        travelling = (where_draw < TRAVEL_SHARE) & may_roam
        near = (where_draw < TRAVEL_SHARE + SECONDARY_SHARE) & (first >= 0) & may_roam
        return np.where(travelling, travel, np.where(near, secondary, home)).astype(np.int32)

    def arrival_minutes(self, where, arrival_draw, weekend):
        """Arrival minute of each visit from its facility's peak-weighted table."""
        start = np.empty(len(where), dtype=np.int32)
        for table, facilities in self.arrival_groups[weekend]:
            chosen = np.isin(where, facilities) if len(self.arrival_groups[weekend]) > 1 else slice(None)
            start[chosen] = table.minutes(arrival_draw[chosen])
        return start

    def write_visits(self, ordinal, clock, member_ids, columns, lead, home, class_places):
        facilities = self.facilities
        busy = {}  # machine index -> [(start, end)] today
        free_after = {}  # machine index -> end of its latest session today
        out_of_service = {i for i, m in enumerate(self.machines) if m.out_until >= ordinal}
        stamps = clock.stamps
        access_rows, usage_rows = [], []
        add_access = access_rows.append
        access_id, number = self.counters.format_of("memberaccess"), self.counters.numbers.get("memberaccess", 0)
        facility_ids, area_ids = self.facility_ids, self.area_ids
        self.usage_number = self.counters.numbers.get("equipmentusage", 0)
        present = [[] for _ in area_ids]  # by area: check-out minutes of the visitors inside (a heap)
        session_chance = self.session_chance
        for start, member, stay, where, area, method, walk_in, session_draw in zip(*columns):
            if walk_in:
                area = self.area_with_room(area, start, start + stay, present, class_places)
                if area is None:  # the club is full: they come another day (and their home lead is as before)
                    lead[member] += -1 if where == home[member] else 1
                    continue
            number += 1
            member_id = member_ids[member]
            add_access((
                access_id % number, member_id, facility_ids[where], area_ids[area], stamps[start],
                stamps[start + stay], ACCESS_METHODS[method], NUMBER_TEXT[stay],
            ))
            if session_draw < session_chance[area]:
                self.sessions(facilities[where], self.area_sessions[area], member_id, start, start + stay, busy,
                              free_after, out_of_service, stamps, usage_rows)
        self.counters.numbers["memberaccess"] = number
        self.counters.numbers["equipmentusage"] = self.usage_number
        self.sink.extend("memberaccess", access_rows)
        self.sink.extend("equipmentusage", usage_rows)

    def area_with_room(self, area, start, end, present, class_places):
        """The walk-in's area, or when it is full the roomiest other member area of the club with room; None
        when every one is full. The walk-in is counted in until `end`.

        V8: walk-ins present (this one included) plus the class-goers in the area at some moment of the
        visit stay within its maxcapacity. Checked at each walk-in's arrival that bounds the area at every
        moment: the walk-ins present at any moment were all present at the latest one's arrival, and the
        class-goers present then at some moment of that one's visit."""
        for candidate in (area, *self.overflow[area]):
            inside = present[candidate]
            while inside and inside[0] <= start:
                heapq.heappop(inside)
            if len(inside) + class_places.during(candidate, start, end) < self.area_capacity[candidate]:
                heapq.heappush(inside, end)
                return candidate
        return None

    def sessions(self, facility, plan, member_id, visit_start, visit_end, busy, free_after, out_of_service, stamps,
                 rows):
        """1-3 sessions back to back inside the visit on machines of the visit's area (`plan`: AreaSessions),
        each on a free machine, each as long as its type's workouts run (cut at the end of the visit)."""
        random = self.rng.random
        at = visit_start + 3 + int(random() * 8)
        count = plan.session_count(random())
        for number in range(count):
            kind = plan.machine_type(random())
            length = min(session_length(kind, self.rng), visit_end - 2 - at)
            if length < SHORTEST_SESSION:
                return
            end = at + length
            machine = self.free_machine(facility.machines_by_type[kind], at, end, busy, free_after, out_of_service)
            if machine is not None:
                busy.setdefault(machine, []).append((at, end))
                if end > free_after.get(machine, 0):
                    free_after[machine] = end
                usage = "Warmup" if number == 0 and count > 1 else "Cooldown" if number == 2 else "Workout"
                self.usage_number += 1
                rows.append((
                    self.usage_id % self.usage_number, self.machines[machine].id, member_id, stamps[at],
                    stamps[end], NUMBER_TEXT[length], usage, self.null,
                ))
            at = end + 1 + int(random() * 5)

    def free_machine(self, candidates, start, end, busy, free_after, out_of_service):
        """A machine of `candidates` in service and idle over [start, end), tried from a random offset."""
        offset = int(self.rng.random() * len(candidates))
        for k in range(len(candidates)):
            machine = candidates[(offset + k) % len(candidates)]
            if machine in out_of_service:
                continue
            # Visits come in arrival order, so most machines are idle after their last session already.
            if free_after.get(machine, 0) <= start or all(end <= s or e <= start for s, e in busy[machine]):
                return machine
        return None
