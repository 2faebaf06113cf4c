"""Check-ins, equipment sessions and maintenance, one day at a time.

Each eligible member (V1) may visit once a day (so never two visits at once,
V3), at a peak-weighted minute inside opening hours (V2, V4), mostly at their
home facility. About 30% of visits work out on 1-3 machines, one after the
other inside the visit (V5), each machine free at that time and in service
(V6). Maintenance takes machines out of service for the day (repairs: two).
"""
import datetime as dt

from .clock import NUMBER_TEXT
from .patterns import HOME_SHARE, STAY_MINUTES, VISIT_CHANCE, arrival_table

ACCESS_METHODS = ("Key Card",) * 14 + ("Mobile App",) * 5 + ("Staff Override",)
SESSION_SHARE = 0.3
PREVENTIVE_EVERY_DAYS = 90
REPAIR_CHANCE = 0.0015  # per machine per day
MAINTENANCE_COST = {"Preventive": (60, 250), "Repair": (120, 900), "Inspection": (0, 80)}
TECHNICIANS = ("Alex Rivera", "Jordan Lee", "Sam Patel", "Chris Novak", "Taylor Brooks", "Morgan Diaz")
PARTS = ("Drive belt", "Console board", "Pedal assembly", "Cable and pulley", "Seat cushion", "Motor brushes")


class MachineSim:
    __slots__ = ("id", "type", "facility", "next_preventive", "out_until")

    def __init__(self, equipment_id, equipment_type, facility, next_preventive, out_until=0):
        self.id, self.type, self.facility = equipment_id, equipment_type, facility
        self.next_preventive, self.out_until = next_preventive, out_until

    def as_state(self):
        return [self.id, self.type, self.facility, self.next_preventive, self.out_until]


def stay_bounds(persona):
    return STAY_MINUTES[persona]


class VisitStream:
    """Writes memberaccess, equipmentusage and equipmentmaintenance."""

    def __init__(self, facilities, machines, counters, rng, sink):
        self.facilities, self.machines = facilities, machines
        self.counters, self.rng, self.sink = counters, rng, sink
        # Each facility's usable machines by type, as machine indexes.
        self.machine_types = [sorted(f.machines_by_type) for f in facilities]

    # -- maintenance -----------------------------------------------------------------------------
    def maintain(self, day: dt.date, clock):
        """Preventive service on schedule, the odd repair; returns nothing, marks machines out."""
        ordinal, rng = day.toordinal(), self.rng
        for machine in self.machines:
            kind = None
            if machine.next_preventive <= ordinal:
                kind, machine.next_preventive = "Preventive", ordinal + PREVENTIVE_EVERY_DAYS
                machine.out_until = max(machine.out_until, ordinal)
            elif rng.random() < REPAIR_CHANCE:
                kind = "Repair"
                machine.out_until = max(machine.out_until, ordinal + rng.randint(0, 1))
            if kind is not None:
                low, high = MAINTENANCE_COST[kind]
                cost = rng.randint(low * 100, high * 100)
                self.sink.add("equipmentmaintenance", (
                    self.counters.next("equipmentmaintenance"), machine.id, day.isoformat(), kind,
                    TECHNICIANS[rng.randrange(len(TECHNICIANS))],
                    "Scheduled service and safety check" if kind == "Preventive" else "Reported fault repaired",
                    f"{cost // 100}.{cost % 100:02d}", rng.choice(PARTS) if kind == "Repair" else None,
                    (day + dt.timedelta(days=PREVENTIVE_EVERY_DAYS)).isoformat(),
                ))

    # -- visits ----------------------------------------------------------------------------------
    def simulate_day(self, day: dt.date, clock, members):
        """Visits of the day by `members`, the ones eligible today (V1)."""
        ordinal, rng = day.toordinal(), self.rng
        random, weekend = rng.random, day.isoweekday() >= 6
        facilities = self.facilities
        n_fac = len(facilities)
        arrivals = [arrival_table(f.open_min, f.close_min, weekend).draw for f in facilities]
        chances = {persona: chance[weekend] for persona, chance in VISIT_CHANCE.items()}
        stays = {persona: (low, high - low + 1) for persona, (low, high) in STAY_MINUTES.items()}
        visits = []
        for member in members:
            persona = member.persona
            chance = chances[persona]
            if persona == "lapsing":  # tapering off the longer they have been members
                chance *= max(0.15, 1 - (ordinal - member.join) / 540)
            if random() >= chance:
                continue
            where = member.home if n_fac == 1 or random() < HOME_SHARE else int(random() * n_fac)
            low, span = stays[persona]
            stay = low + int(random() * span)
            start = arrivals[where](random)
            close = facilities[where].close_min
            if start + stay > close:
                start = close - stay
            visits.append((start, member.id, stay, where))
        visits.sort()  # by arrival, then member id: the day's check-in order
        busy = {}  # machine index -> [(start, end)] today
        free_after = {}  # machine index -> end of its latest session today
        out_of_service = {i for i, m in enumerate(self.machines) if m.out_until >= ordinal}
        stamps = clock.stamps
        access_rows, usage_rows = [], []
        add_access = access_rows.append
        access_id, number = self.counters.format_of("memberaccess"), self.counters.numbers.get("memberaccess", 0)
        for start, member_id, stay, where in visits:
            facility = facilities[where]
            area = facility.member_area_ids[int(random() * len(facility.member_area_ids))]
            number += 1
            add_access((
                access_id % number, member_id, facility.id, area, stamps[start], stamps[start + stay],
                ACCESS_METHODS[int(random() * 20)], NUMBER_TEXT[stay],
            ))
            if random() < SESSION_SHARE:
                self.sessions(facility, member_id, start, start + stay, busy, free_after, out_of_service, stamps,
                              usage_rows)
        self.counters.numbers["memberaccess"] = number
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
                rows.append((
                    self.counters.next("equipmentusage"), self.machines[machine].id, member_id, stamps[at],
                    stamps[end], NUMBER_TEXT[length], usage, None,
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
