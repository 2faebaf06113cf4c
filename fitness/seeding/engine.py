"""The simulation behind seed_ods: a chain's start (new or resumed), its days, its finish.

    profile -> master data (Chain) -> day streams (Simulation.simulate_day) -> loader

`Simulation.run()` is the whole run in named steps: open the chain (build it,
or rebuild it and restore an earlier run's snapshot), start the streams (and
the forked helpers of large runs), simulate each day of the window, finish
(write the members, wait for the helpers, rebuild the keys, store the
snapshot). Every stream draws from a random source of its own, derived from
the seed and the window, and passed in explicitly: the same seed gives the same
rows, in one process or several, on SQLite or PostgreSQL.
"""
import contextlib
import datetime as dt
import random
import sys
import time
from dataclasses import dataclass

import numpy as np
import psutil
from django.db import connection
from django.utils import timezone

from fitness.core.business import first_period_start, next_period_start
from fitness.core.ids import format_id
from fitness.core.tables import LOAD_ORDER
from fitness.models import SeedRun
from members.models import Member

from . import forked
from .classes_sim import ClassStream, build_timetable, schedule_row
from .clock import DayClock
from .forked import Background, fork_pays
from .master import build_master, new_member, plan_member, starting_member_rows
from .members_sim import MembershipStream, daily_joins, eligible_indexes, new_member_sim, takes_classes
from .progress import Progress
from .reviews_sim import ReviewBook, draw_instructor_records
from .rows import instance_rows
from .snapshot import ChainSnapshot, dump_snapshot, load_snapshot
from .staff_sim import (
    StaffStream, assignment_rows, certification_chain, certification_row, draw_pattern,
    extend_chain, starting_certifications,
)
from .state import Counters, Sink
from .visit_worker import InlineVisits, VisitWorker, worker_wanted
from .visits_sim import (
    PREVENTIVE_EVERY_DAYS, Comers, MachineSim, VisitRoster, VisitStream, class_day_pull, member_area_index,
)

STREAMS = {
    "master": ("membershiptypes", "instructorcertifications", "classtypes", "facilities", "facilityareas",
               "equipment", "members", "staff", "stafffacilities", "staffcertifications", "classschedules"),
    "memberships": ("membermemberships", "memberpayments"),
    "visits": ("memberaccess", "equipmentusage", "equipmentmaintenance"),
    "classes": ("classinstances", "classenrollments", "instructorfeedback"),
    "staff": ("staffschedules", "stafftimetracking", "staffpayroll", "instructorperformance"),
}


@dataclass(frozen=True)
class RunPlan:
    """What one seed_ods run simulates, resolved and checked before anything is written."""

    mode: str  # "create", "flush" or "append"
    seed: int
    profile: object  # profiles.Profile
    window_start: dt.date
    as_of: dt.date
    previous: SeedRun | None = None  # the run an append continues

    @property
    def days(self) -> int:
        return (self.as_of - self.window_start).days


@dataclass(frozen=True)
class SimulationOutcome:
    """What the simulation produced: rows and seconds per table, and the SeedRun it recorded."""

    rows: dict
    seconds: dict
    stream_seconds: dict
    rebuild_seconds: float
    peak_rss_mb: float
    run_id: int


class RandomSources:
    """The run's random sources, each derived from the seed by name, so that adding a draw to one stream
    leaves every other stream's rows as they were."""

    def __init__(self, seed, window_start: dt.date):
        self.seed, self.window = seed, window_start.isoformat()

    def structure(self) -> random.Random:
        """The chain's structure and its starting members' plans (rebuilt identically on append)."""
        return random.Random(self.seed)

    def master_rows(self) -> random.Random:
        """The factories' draws for the master rows (facilities, areas, equipment, staff)."""
        return random.Random(self.seed)

    def days(self) -> random.Random:
        """Memberships, classes and staff over this window."""
        return random.Random(f"{self.seed}:{self.window}")

    def joiners(self) -> random.Random:
        """The personal details of members who join during this window."""
        return random.Random(f"{self.seed}:{self.window}")

    def visits(self) -> random.Random:
        """Visits and equipment sessions (their own, so a worker process gives the same rows)."""
        return random.Random(f"{self.seed}:{self.window}:visits")

    def instructors(self) -> random.Random:
        """Each instructor's record: how members rate them, how full their classes are (rebuilt on append)."""
        return random.Random(f"{self.seed}:instructors")

    def comers(self) -> np.random.Generator:
        """Who comes on each day of this window (drawn in the main process, see visits_sim.Comers)."""
        return np.random.default_rng(random.Random(f"{self.seed}:{self.window}:comers").getrandbits(128))

    def payroll_history(self) -> random.Random:
        """The hours and payroll before a new chain's first day (and the bonuses of the pay period open on it)."""
        return random.Random(f"{self.seed}:payroll history")

    def review_history(self) -> random.Random:
        """The reviews before a new chain's first day."""
        return random.Random(f"{self.seed}:reviews")


class Chain:
    """Structure and starting state of one simulated chain: a pure function of its arguments."""

    def __init__(self, sources: RandomSources, profile, chain_start: dt.date, first_as_of: dt.date):
        self.profile, self.chain_start, self.first_as_of = profile, chain_start, first_as_of
        rng = self.rng = sources.structure()
        self.master = build_master(profile, rng, chain_start, first_as_of, factory_rng=sources.master_rows())
        self.member_sims = [
            new_member_sim(m, rng) for m in self.master.members
        ]
        self.certs = [starting_certifications(s, rng) for s in self.master.staff]
        self.structure_counters = Counters()
        self.schedules, self.instructor_slots = build_timetable(
            self.master, self.certs, rng, chain_start, self.structure_counters
        )
        self.patterns = [draw_pattern(s, rng, i) for i, s in enumerate(self.master.staff)]
        self.instructor_records = draw_instructor_records(self.master.staff, self.schedules, sources.instructors())
        self.machines = [
            MachineSim(e.equipment_id, e.equipment_type, None,
                       chain_start.toordinal() + rng.randrange(PREVENTIVE_EVERY_DAYS) if e.status == "Active" else 10**9)
            for e in self.master.equipment
        ]


class Simulation:
    """One run of the simulation into `loader`, step by step (see the module docstring)."""

    def __init__(self, plan: RunPlan, loader, *, progress: bool, err=None):
        self.plan, self.loader = plan, loader
        self.sources = RandomSources(plan.seed, plan.window_start)
        self.bar = Progress(STREAMS, enabled=progress, stream=err or sys.stderr, total_days=plan.days)
        self.sink = Sink(loader, on_flush=self.bar.refresh)
        self.stream_seconds = dict.fromkeys(STREAMS, 0.0)
        self.clocks = {}
        self.new_members = []
        self.starting_members = None

    def run(self) -> SimulationOutcome:
        with contextlib.ExitStack() as cleanup:  # on success or failure: stop the COPY thread and any helper
            cleanup.callback(self.loader.close)
            started = time.perf_counter()
            if self.plan.previous is None:
                self.open_new_chain()
            else:
                self.resume_chain(load_snapshot(self.plan.previous.state, str(self.plan.previous)))
            # Both forks before the first rows go to the loader, whose thread starts then, and before the
            # members' histories, whose rows (millions on a large chain) go to the loader as they come.
            self.visits = self.visit_feed()
            cleanup.callback(self.visits.close)
            self.visits.start()
            if self.plan.previous is None:
                self.starting_members = self.member_rows_beside()
                cleanup.callback(self.starting_members.close)
            self.start_memberships()
            self.stream_seconds["master"] += time.perf_counter() - started
            self.sink.flush()
            self.start_day_streams()
            day = self.plan.window_start
            while day < self.plan.as_of:
                self.simulate_day(day)
                day += dt.timedelta(days=1)
            return self.finish()

    # -- opening the chain ----------------------------------------------------------------------
    def open_new_chain(self):
        plan = self.plan
        chain = self.chain = Chain(self.sources, plan.profile, plan.window_start, plan.as_of)
        self.counters = Counters(chain.structure_counters.numbers)
        self.cert_ends = write_master(chain, self.sink, self.counters, plan.as_of, chain.rng)
        self.staff_hours, self.review_months = {}, {}
        self.member_sims = chain.member_sims
        self.earlier_statuses = {}

    def resume_chain(self, snapshot: ChainSnapshot):
        plan = self.plan
        chain = self.chain = Chain(self.sources, plan.profile, snapshot.chain_start, snapshot.first_as_of)
        self.counters = Counters(snapshot.counters)
        self.member_sims = snapshot.members
        for machine, (next_preventive, out_until) in zip(chain.machines, snapshot.machines, strict=True):
            machine.next_preventive, machine.out_until = next_preventive, out_until
        self.staff_hours, self.review_months = snapshot.staff_hours, snapshot.review_months
        self.cert_ends = snapshot.cert_ends
        self.earlier_statuses = snapshot.member_statuses

    def start_memberships(self):
        """Every carried member's periods up to the window, then the window's own draws."""
        plan = self.plan
        self.day_rng = self.sources.days()
        self.joiner_rng = self.sources.joiners()
        if plan.previous is None:
            # A new chain's history before the window comes from the structure's source.
            self.memberships = MembershipStream(self.counters, self.chain.rng, plan.window_start, plan.as_of,
                                                self.sink)
            for member in self.member_sims:
                self.memberships.history(member)
                self.sink.maybe_flush()
        else:
            extend_certifications(self.chain, self.cert_ends, self.counters, self.day_rng, plan.as_of, self.sink)
            self.memberships = MembershipStream(self.counters, self.day_rng, plan.window_start, plan.as_of,
                                                self.sink)
            for member in self.member_sims:
                restore_member(self.memberships, member, plan.window_start, plan.as_of)
        self.memberships.rng = self.day_rng
        self.pass_on_tapering()

    def pass_on_tapering(self):
        """Tell who comes (Comers) about the members who will cancel, foreseen since it last heard."""
        tapering = self.memberships.tapering
        if tapering:
            self.comers.taper_off([self.positions[m.id] for m in tapering], tapering)
            tapering.clear()

    def visit_feed(self):
        """The visit stream, in a forked worker on large PostgreSQL runs, else in this process; and who comes
        each day (drawn here, see visits_sim.Comers)."""
        stream = VisitStream(self.chain.master.facilities, self.chain.machines, self.counters, self.sources.visits(),
                             self.sink)
        roster = VisitRoster(self.member_sims)
        self.comers = Comers(roster, self.sources.comers(), takes_classes,
                             class_day_pull(len(self.chain.master.facilities), self.chain.schedules),
                             self.member_sims)
        self.positions = {member.id: position for position, member in enumerate(self.member_sims)}
        if worker_wanted(self.loader, len(self.member_sims), self.plan.days):
            return VisitWorker(stream, roster, self.loader, self.sink)
        return InlineVisits(stream, roster)

    def member_rows_beside(self) -> Background:
        """The starting members' rows, drawn in a forked process on large runs (else when asked for)."""
        members = self.chain.master.members
        fork = fork_pays(self.loader, len(members), forked.MEMBER_ROWS_MIN_MEMBERS)
        return Background(starting_member_rows, members, self.plan.as_of, self.plan.seed, fork=fork,
                          name="member rows")

    def start_day_streams(self):
        plan, chain = self.plan, self.chain
        self.reviews = ReviewBook(chain.master, chain.instructor_records, self.counters, self.day_rng, self.sink,
                                  self.review_months)
        if plan.previous is None:
            ReviewBook(chain.master, chain.instructor_records, self.counters, self.sources.review_history(),
                       self.sink).history(before=chain.chain_start)
        self.classes = ClassStream(chain.schedules, chain.instructor_slots, chain.master.facilities,
                                   chain.master.staff, chain.certs, self.counters, self.day_rng, self.sink, plan.as_of,
                                   self.reviews, self.member_sims, member_area_index(chain.master.facilities))
        self.staff = StaffStream(chain.master, chain.patterns, self.counters, self.day_rng, self.sink,
                                 chain.chain_start, self.staff_hours, self.sources.payroll_history())
        self.counters.numbers.setdefault("members", len(chain.master.members))

    # -- one day --------------------------------------------------------------------------------
    def simulate_day(self, day: dt.date):
        ordinal = day.toordinal()
        clock = self.clock_for(ordinal)
        t0 = time.perf_counter()
        joined = self.join_new_members(day)
        self.comers.extend(joined)
        self.memberships.simulate_day(day)
        self.pass_on_tapering()
        comers = self.comers.draw(day, eligible_indexes(self.member_sims, ordinal))
        t1 = time.perf_counter()
        # Classes first: their attendees are some of the day's comers, who come for the class.
        class_visits = self.classes.simulate_day(day, clock, self.clock_for, self.class_goers_by_facility(comers))
        t2 = time.perf_counter()
        self.visits.day(day, clock, comers, joined, class_visits)
        t3 = time.perf_counter()
        self.staff.simulate_day(day, clock)
        self.reviews.review_day(day)
        t4 = time.perf_counter()
        # A visit worker reports its own seconds; sending it the day is the main process's share.
        for name, seconds in (("memberships", t1 - t0), ("classes", t2 - t1), ("staff", t4 - t3)):
            self.stream_seconds[name] += seconds
        self.stream_seconds["visits"] = self.visits.seconds
        self.clocks.pop(ordinal - 8, None)
        self.bar.day_done(self.sink, self.stream_seconds)
        self.sink.maybe_flush()

    def clock_for(self, ordinal) -> DayClock:
        clock = self.clocks.get(ordinal)
        if clock is None:
            clock = self.clocks[ordinal] = DayClock(dt.date.fromordinal(ordinal))
        return clock

    def join_new_members(self, day: dt.date) -> list:
        """The day's sign-ups (members_sim.daily_joins), on the calendar from their first period on.

        Nobody joins on a day whose first period would start on or after as-of (a join on the 29th-31st starts
        on the 1st): this run could not write that period, and a member must not show without one (M7). The
        next run's window starts there and has its own joins."""
        if first_period_start(day) >= self.plan.as_of:
            return []
        joined = []
        for _ in range(daily_joins(self.day_rng, self.plan.profile.members, day)):
            number = self.counters.numbers["members"] + 1
            self.counters.numbers["members"] = number
            planned = plan_member(format_id("members", number), day, self.chain.master.facilities, self.day_rng)
            self.new_members.append(new_member(planned, self.plan.as_of, self.joiner_rng))
            sim = new_member_sim(planned, self.day_rng)
            self.positions[sim.id] = len(self.member_sims)
            self.member_sims.append(sim)
            joined.append(sim)
            self.memberships.history(sim)
        return joined

    def class_goers_by_facility(self, comers) -> list:
        """Today's comers who take classes (their positions in member_sims), by home facility: class
        enrollments come from them."""
        by_facility = [[] for _ in self.chain.master.facilities]
        for index in comers[self.comers.takes[comers]].tolist():  # Comers holds takes_classes by position
            by_facility[self.member_sims[index].home].append(index)
        return by_facility

    # -- the finish -----------------------------------------------------------------------------
    def finish(self) -> SimulationOutcome:
        plan = self.plan
        statuses = self.memberships.finish(self.member_sims)
        starting_rows = self.starting_members.result() if self.starting_members else []
        write_members(starting_rows, self.new_members, statuses, self.sink)
        self.sink.flush()
        self.visits.finish()
        self.stream_seconds["visits"] = self.visits.seconds
        self.loader.finish()
        if plan.previous is not None:
            update_changed_statuses(self.earlier_statuses, statuses, self.memberships.status_updates, plan.as_of)
        self.bar.close()
        rows = {table: self.loader.rows.get(table, 0) for table in LOAD_ORDER}
        peak = peak_rss_mb()
        snapshot = ChainSnapshot(
            chain_start=self.chain.chain_start, first_as_of=self.chain.first_as_of, counters=self.counters.numbers,
            members=self.member_sims, machines=[[m.next_preventive, m.out_until] for m in self.chain.machines],
            staff_hours=self.staff_hours, review_months=self.reviews.months, cert_ends=self.cert_ends,
            member_statuses=statuses,
        )
        run = SeedRun.objects.create(
            mode=plan.mode, seed=plan.seed, profile=plan.profile.name, parameters=plan.profile.as_json(),
            window_start=plan.window_start, window_end=plan.as_of, state=dump_snapshot(snapshot), row_counts=rows,
            seconds=0, peak_rss_mb=peak,
        )
        return SimulationOutcome(rows, share_seconds(self.loader, self.stream_seconds), dict(self.stream_seconds),
                                 self.loader.rebuild_seconds, peak, run.pk)


# --- steps shared by the phases above ---------------------------------------------------------------

def write_master(chain, sink, counters, as_of, rng):
    master = chain.master
    sink.extend("membershiptypes", instance_rows(master.plans), free_text=True)
    sink.extend("instructorcertifications", instance_rows(master.certifications), free_text=True)
    sink.extend("classtypes", instance_rows(master.class_types), free_text=True)
    sink.extend("facilities", instance_rows([f.row for f in master.facilities]), free_text=True)
    sink.extend("facilityareas", instance_rows([a for f in master.facilities for a in f.areas]), free_text=True)
    sink.extend("equipment", instance_rows(master.equipment), free_text=True)
    sink.extend("staff", instance_rows(master.staff), free_text=True)
    sink.extend("stafffacilities", assignment_rows(master, counters, rng))
    sink.extend("classschedules", [schedule_row(s, master.staff) for s in chain.schedules])
    cert_ends = {}
    for index, held in enumerate(chain.certs):
        staff = master.staff[index]
        for cert_id in sorted(held):
            for certified, expiry in certification_chain(staff, cert_id, rng, as_of.toordinal()):
                sink.add("staffcertifications",
                         certification_row(counters, staff.staff_id, cert_id, certified, expiry, as_of, rng))
            cert_ends[f"{index},{cert_id}"] = [certified.toordinal(), expiry.toordinal()]
    return cert_ends


def restore_member(memberships, member, window_start, as_of):
    """Put a member carried over from the previous run back on the calendar."""
    if member.stopped:
        return
    if member.period_id is None:
        start = first_period_start(dt.date.fromordinal(member.join))
        memberships.starts.setdefault(max(start.toordinal(), window_start.toordinal()), []).append(member)
        return
    memberships.schedule_bills(member, window_start.toordinal(), as_of.toordinal())
    following = next_period_start(dt.date.fromordinal(member.end)).toordinal()
    memberships.starts.setdefault(max(following, window_start.toordinal()), []).append(member)


MEMBER_COLUMNS = [f.attname for f in Member._meta.concrete_fields]
MEMBER_ID_AT, MEMBER_STATUS_AT = MEMBER_COLUMNS.index("member_id"), MEMBER_COLUMNS.index("member_status")


def write_members(starting_rows, new_members, statuses, sink):
    """Member rows (the starting members', on a new chain, and those who joined in the window), carrying their
    as-of status."""
    rows = starting_rows + instance_rows(new_members)
    sink.extend("members", [with_status(row, statuses) for row in rows], free_text=True)


def with_status(row, statuses):
    return row[:MEMBER_STATUS_AT] + (statuses[row[MEMBER_ID_AT]],) + row[MEMBER_STATUS_AT + 1:]


def extend_certifications(chain, cert_ends, counters, rng, as_of, sink):
    """Renew certifications that would lapse before the new as-of."""
    for key, (certified, expiry) in cert_ends.items():
        index, cert_id = key.split(",")
        if expiry > as_of.toordinal():
            continue
        staff = chain.master.staff[int(index)]
        start = dt.date.fromordinal(expiry) - dt.timedelta(days=rng.randint(1, 30))
        for certified_on, expires in extend_chain(start, cert_id, rng, as_of.toordinal()):
            sink.add("staffcertifications",
                     certification_row(counters, staff.staff_id, cert_id, certified_on, expires, as_of, rng))
            cert_ends[key] = [certified_on.toordinal(), expires.toordinal()]


def update_changed_statuses(earlier, statuses, membership_updates, as_of):
    """On append: rows written earlier whose status the new as-of changes."""
    # The change is recorded on the new as-of date (local midnight), so that whoever dates member changes
    # from lastmodified (the warehouse's SCD 2) sees it when it happened, not at joining.
    recorded = timezone.make_aware(dt.datetime.combine(as_of, dt.time()))
    changed = [(status, recorded, member_id) for member_id, status in statuses.items()
               if member_id in earlier and earlier[member_id] != status]
    with connection.cursor() as cursor:
        cursor.executemany("UPDATE members SET memberstatus = %s, lastmodified = %s WHERE memberid = %s", changed)
        cursor.executemany("UPDATE membermemberships SET status = %s, enddate = %s WHERE membershipid = %s",
                           membership_updates)
        cursor.execute("UPDATE staffcertifications SET status = 'Expired' WHERE expirydate < %s AND status <> 'Expired'",
                       [as_of])


def share_seconds(loader, stream_seconds):
    """Seconds per table: its load time plus its share of its stream's generation time."""
    seconds = {}
    for stream, tables in STREAMS.items():
        rows = sum(loader.rows.get(t, 0) for t in tables) or 1
        for table in tables:
            seconds[table] = loader.seconds.get(table, 0.0) + stream_seconds[stream] * loader.rows.get(table, 0) / rows
    return seconds


def peak_rss_mb() -> float:
    """Peak resident memory of this process plus its largest child (the visit worker, when there is one)."""
    try:
        import resource

        return sum(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
    except ImportError:  # pragma: no cover - Windows
        return psutil.Process().memory_info().rss / 2**20
