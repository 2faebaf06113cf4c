"""Check-ins, equipment sessions and maintenance, one day at a time.

Each eligible member (V1) may visit once a day (so never two visits at once,
V3), at a peak-weighted minute inside opening hours (V2, V4), mostly at their
home facility. About 30% of visits work out on 1-3 machines, one after the
other inside the visit (V5), each machine free at that time and in service
(V6). Maintenance takes machines out of service for the day (repairs: two).
"""
import datetime as dt
import itertools

import numpy as np

from fitness.core import catalog

from .clock import NUMBER_TEXT
from .patterns import HOME_SHARE, STAY_MINUTES, VISIT_CHANCE, arrival_table

ACCESS_METHODS = ("Key Card",) * 14 + ("Mobile App",) * 5 + ("Staff Override",)
SESSION_SHARE = 0.3
PERSONA_CODES = {persona: code for code, persona in enumerate(VISIT_CHANCE)}
LAPSING = PERSONA_CODES["lapsing"]
# By persona code: visit chance on a weekday [0] and a weekend day [1]; shortest stay and the span above it.
VISIT_CHANCES = [np.array([VISIT_CHANCE[p][weekend] for p in PERSONA_CODES]) for weekend in (0, 1)]
STAY_LOW = np.array([STAY_MINUTES[p][0] for p in PERSONA_CODES], dtype=np.int32)
STAY_SPAN = np.array([STAY_MINUTES[p][1] - STAY_MINUTES[p][0] + 1 for p in PERSONA_CODES], dtype=np.int32)
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
    """What the visit stream keeps of a member (MemberSim or alike): (id, persona, home facility, join ordinal)."""
    return (member.id, member.persona, member.home, member.join)


class VisitRoster:
    """The members as the visit stream reads them, in the run's member order: ids, and persona codes, home
    facilities and join days as numpy columns (grown in place as members join)."""

    def __init__(self, members=()):
        self.ids = []
        self._columns = [np.empty(0, dtype=np.int8), np.empty(0, dtype=np.int32), np.empty(0, dtype=np.int32)]
        self.extend([roster_entry(m) for m in members])

    def extend(self, members):
        """Append (id, persona, home facility index, join ordinal) tuples."""
        if not members:
            return
        size, grown = len(self.ids), len(self.ids) + len(members)
        if grown > len(self._columns[0]):
            capacity = max(grown, 2 * len(self._columns[0]))
            self._columns = [np.resize(column, capacity) for column in self._columns]
        for position, (member_id, persona, home, join) in enumerate(members, start=size):
            self.ids.append(member_id)
            self._columns[0][position] = PERSONA_CODES[persona]
            self._columns[1][position] = home
            self._columns[2][position] = join

    def columns(self):
        """(persona code, home, join) arrays of every member so far."""
        size = len(self.ids)
        return tuple(column[:size] for column in self._columns)


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
        self.area_counts = np.array([len(f.member_area_ids) for f in facilities], dtype=np.int32)
        self.area_offsets = np.array(list(itertools.accumulate((len(f.member_area_ids) for f in facilities),
                                                              initial=0))[:-1], dtype=np.int32)
        self.arrival_groups = [arrival_groups(facilities, weekend) for weekend in (False, True)]
        # Each facility's usable machines by type, as machine indexes.
        self.machine_types = [sorted(f.machines_by_type) for f in facilities]
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
    def simulate_day(self, day: dt.date, clock, roster, eligible):
        """Visits of the day by the roster's members at positions `eligible` (int32 array), the ones eligible
        today (V1). Who comes, where, when and for how long is drawn for the whole day at once (numpy); the
        rows and the machine sessions, which depend on each other in check-in order, one visit at a time."""
        ordinal, weekend = day.toordinal(), int(day.isoweekday() >= 6)
        draw = self.generator.random
        persona, home, join = roster.columns()
        eligible_persona = persona[eligible]
        chance = VISIT_CHANCES[weekend][eligible_persona]
        lapsing = eligible_persona == LAPSING  # tapering off the longer they have been members
        chance[lapsing] *= np.maximum(0.15, 1 - (ordinal - join[eligible[lapsing]]) / 540)
        who = eligible[draw(len(eligible)) < chance]
        count = len(who)
        persona = persona[who]
        at_home, away, stay_draw, arrival_draw, area_draw, method_draw, session_draw = draw((7, count))
        where = np.where(at_home < HOME_SHARE, home[who], (away * self.facility_count).astype(np.int32))
        stay = STAY_LOW[persona] + (stay_draw * STAY_SPAN[persona]).astype(np.int32)
        start = self.arrival_minutes(where, arrival_draw, weekend)
        start = np.minimum(start, self.close_minutes[where] - stay)
        area = self.area_offsets[where] + (area_draw * self.area_counts[where]).astype(np.int32)
        order = np.lexsort((who, start))  # by arrival, then member (ids follow roster order): check-in order
        columns = (start[order].tolist(), who[order].tolist(), stay[order].tolist(), where[order].tolist(),
                   area[order].tolist(), (method_draw[order] * len(ACCESS_METHODS)).astype(np.int32).tolist(),
                   (session_draw[order] < SESSION_SHARE).tolist())
        self.write_visits(ordinal, clock, roster.ids, columns)

    def arrival_minutes(self, where, arrival_draw, weekend):
        """Arrival minute of each visit from its facility's peak-weighted table."""
        start = np.empty(len(where), dtype=np.int32)
        for table, facilities in self.arrival_groups[weekend]:
            chosen = np.isin(where, facilities) if len(self.arrival_groups[weekend]) > 1 else slice(None)
            start[chosen] = table.minutes(arrival_draw[chosen])
        return start

    def write_visits(self, ordinal, clock, member_ids, columns):
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
        for start, member, stay, where, area, method, session in zip(*columns):
            number += 1
            member_id = member_ids[member]
            add_access((
                access_id % number, member_id, facility_ids[where], area_ids[area], stamps[start],
                stamps[start + stay], ACCESS_METHODS[method], NUMBER_TEXT[stay],
            ))
            if session:
                self.sessions(facilities[where], member_id, start, start + stay, busy, free_after, out_of_service,
                              stamps, usage_rows)
        self.counters.numbers["memberaccess"] = number
        self.counters.numbers["equipmentusage"] = self.usage_number
        self.sink.extend("memberaccess", access_rows)
        self.sink.extend("equipmentusage", usage_rows)

    def sessions(self, facility, member_id, visit_start, visit_end, busy, free_after, out_of_service, stamps, rows):
        """1-3 machine sessions back to back inside the visit, each on a free machine."""
        random = self.rng.random
        types = self.machine_types[facility.index]
        at = visit_start + 3 + int(random() * 8)
        count = 1 + int(random() * 3)
        for number in range(count):
            length = 10 + int(random() * 31)
            if at + length > visit_end - 2:
                return
            kind = types[int(random() * len(types))]
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
