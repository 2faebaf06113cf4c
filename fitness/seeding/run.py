"""seed_ods orchestration: resolve the run, build the chain, simulate day by
day, load everything in one transaction, report.

`seed_ods(...)` is the function; the management command is a thin shell
over it. The chain's structure (facilities, equipment, staff, timetable) is a
pure function of (seed, profile, first window start, first as-of), so
`--append` rebuilds it in memory and continues from the dynamic state stored
in the latest SeedRun (members, machines, hours, counters).
"""
import contextlib
import datetime as dt
import random
import sys
import time
from dataclasses import dataclass, field

import psutil
from django.db import connection, transaction
from django.utils import timezone

from fitness.models import SeedRun
from members.models import Member

from .classes_sim import ClassStream, build_timetable, schedule_row
from fitness.core.business import first_period_start, next_period_start

from .clock import DayClock
from .loader import Loader
from . import forked
from .forked import Background, fork_pays
from .master import build_master, starting_member_rows
from .members_sim import MemberSim, MembershipStream, eligible_indexes, new_member_sim
from .profiles import resolve_profile
from .staff_sim import (
    ReviewBook, StaffStream, assignment_rows, certification_chain, certification_row, draw_pattern,
    extend_chain, starting_certifications,
)
from .state import Counters, Sink
from fitness.core.tables import LOAD_ORDER, models_by_table
from .visit_worker import InlineVisits, VisitWorker, worker_wanted
from .visits_sim import PREVENTIVE_EVERY_DAYS, MachineSim, VisitStream
from .progress import Progress
from .rows import instance_rows

STREAMS = {
    "master": ("membershiptypes", "instructorcertifications", "classtypes", "facilities", "facilityareas",
               "equipment", "members", "staff", "stafffacilities", "staffcertifications", "classschedules"),
    "memberships": ("membermemberships", "memberpayments"),
    "visits": ("memberaccess", "equipmentusage", "equipmentmaintenance"),
    "classes": ("classinstances", "classenrollments", "instructorfeedback"),
    "staff": ("staffschedules", "stafftimetracking", "staffpayroll", "instructorperformance"),
}


class SeedError(Exception):
    """A run that cannot start; the message says why and what to do."""


@dataclass
class SeedResult:
    seed: int
    profile: object
    window_start: dt.date
    window_end: dt.date
    mode: str
    rows: dict
    seconds: dict
    total_seconds: float
    peak_rss_mb: float
    seed_given: bool = True
    stream_seconds: dict = field(default_factory=dict)
    rebuild_seconds: float = 0.0

    @property
    def total_rows(self):
        return sum(self.rows.values())


def tables_with_rows():
    return [table for table, model in models_by_table().items() if model.objects.exists()]


def flush_ods():
    """Delete every ODS row (children first) and the seed runs that described them."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Deferred foreign-key checks still pending in this transaction would block TRUNCATE.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {', '.join(LOAD_ORDER)}, ods_seed_run")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        return
    with connection.cursor() as cursor:
        for table in reversed(LOAD_ORDER):
            cursor.execute(f"DELETE FROM {table}")
    SeedRun.objects.all().delete()


# --- the chain ---------------------------------------------------------------------------------

class Chain:
    """Structure and state of one simulated chain."""

    def __init__(self, seed, profile, chain_start: dt.date, first_as_of: dt.date):
        self.seed, self.profile = seed, profile
        self.chain_start, self.first_as_of = chain_start, first_as_of
        rng = self.rng = random.Random(seed)
        self.master = build_master(profile, rng, chain_start, first_as_of, factory_seed=seed)
        self.member_sims = [
            new_member_sim(m.member_id, m.join_date, profile.facilities, rng) for m in self.master.members
        ]
        self.certs = [starting_certifications(s, rng) for s in self.master.staff]
        self.structure_counters = Counters()
        self.schedules, self.instructor_slots = build_timetable(
            self.master, self.certs, rng, chain_start, self.structure_counters
        )
        self.patterns = [draw_pattern(s, rng, i) for i, s in enumerate(self.master.staff)]
        self.machines = [
            MachineSim(e.equipment_id, e.equipment_type, None,
                       chain_start.toordinal() + rng.randrange(PREVENTIVE_EVERY_DAYS) if e.status == "Active" else 10**9)
            for e in self.master.equipment
        ]


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


# --- the run -----------------------------------------------------------------------------------

def seed_ods(*, days=30, seed=None, end_date=None, profile="default", members=None, facilities=None, staff=None,
             flush=False, append=False, csv_dir=None, progress=False, err=None):
    started = time.perf_counter()
    if flush and append:
        raise SeedError("--flush and --append exclude each other: replace the data or continue it, not both.")
    if days < 1:
        raise SeedError(f"--days must be at least 1, got {days}.")
    seed_given = seed is not None
    end_date = end_date or timezone.localdate()
    previous = None
    if append:
        previous = SeedRun.objects.order_by("-created_at", "-id").first()
        if previous is None:
            raise SeedError("--append needs a previous seed_ods run to continue, and there is none. "
                            "Run seed_ods without --append first.")
        if end_date <= previous.window_end:
            raise SeedError(f"--append continues from {previous.window_end}; --end-date must be after it "
                            f"(got {end_date}).")
        seed = previous.seed
        chain_profile = resolve_profile(**{k: previous.parameters[k] for k in ("facilities", "members", "staff")},
                                        name=previous.profile)
        window_start = previous.window_end
        mode = "append"
    else:
        chain_profile = resolve_profile(profile, facilities=facilities, members=members, staff=staff)
        if seed is None:
            seed = random.SystemRandom().randrange(1, 2**31)
        window_start = end_date - dt.timedelta(days=days)
        mode = "flush" if flush else "create"
        occupied = tables_with_rows()
        if occupied and not flush:
            raise SeedError(
                "The ODS already holds data (" + ", ".join(occupied) + "). Nothing was changed. "
                "Use --flush to replace it or --append to continue the same chain."
            )
    with transaction.atomic():
        if flush:
            flush_ods()
        result = simulate(mode, seed, chain_profile, window_start, end_date, previous, progress, err)
    if csv_dir:
        write_csv(csv_dir)
    result.total_seconds = time.perf_counter() - started
    result.seed_given = seed_given
    SeedRun.objects.filter(pk=result.run_id).update(seconds=result.total_seconds)
    return result


def simulate(mode, seed, profile, window_start, as_of, previous, progress, err):
    # A new chain fills empty tables: the loader's bulk path applies.
    loader = Loader(connection, bulk=previous is None)
    with contextlib.ExitStack() as cleanup:  # on success or failure: stop the COPY thread and any worker
        cleanup.callback(loader.close)
        return simulate_into(loader, cleanup, mode, seed, profile, window_start, as_of, previous, progress, err)


def simulate_into(loader, cleanup, mode, seed, profile, window_start, as_of, previous, progress, err):
    bar = Progress(STREAMS, enabled=progress, stream=err or sys.stderr,
                   total_days=(as_of - window_start).days)
    sink = Sink(loader, on_flush=bar.refresh)
    stream_seconds = dict.fromkeys(STREAMS, 0.0)
    tick = time.perf_counter()
    if previous is None:
        chain = Chain(seed, profile, window_start, as_of)
        counters = Counters(chain.structure_counters.numbers)
        rng = chain.rng
        cert_ends = write_master(chain, sink, counters, as_of, rng)
        accumulators, review_months = {}, {}
        member_sims = chain.member_sims
    else:
        state = previous.state
        chain = Chain(seed, profile, dt.date.fromisoformat(state["chain_start"]),
                      dt.date.fromisoformat(state["first_as_of"]))
        counters = Counters(state["counters"])
        member_sims = [MemberSim.from_state(values) for values in state["members"]]
        for machine, values in zip(chain.machines, state["machines"]):
            machine.next_preventive, machine.out_until = values
        accumulators = {int(k): v for k, v in state["staff_hours"].items()}
        review_months = state["review_months"]
        cert_ends = state["cert_ends"]
    day_rng = random.Random(f"{seed}:{window_start.isoformat()}")
    import factory.random
    factory.random.reseed_random(f"{seed}:{window_start.isoformat()}")
    if previous is not None:
        extend_certifications(chain, cert_ends, counters, day_rng, as_of, sink)
    memberships = MembershipStream(counters, day_rng if previous else chain.rng, window_start, as_of, sink)
    if previous is None:
        for member in member_sims:
            memberships.history(member)
    else:
        for member in member_sims:
            restore_member(memberships, member, window_start, as_of)
    memberships.rng = day_rng
    # Visits draw from a generator of their own, so they come out the same in this process or in a worker.
    visit_rng = random.Random(f"{seed}:{window_start.isoformat()}:visits")
    visit_stream = VisitStream(chain.master.facilities, chain.machines, counters, visit_rng, sink)
    if worker_wanted(loader, len(member_sims), (as_of - window_start).days):
        visits = VisitWorker(visit_stream, member_sims, loader, sink)
    else:
        visits = InlineVisits(visit_stream, member_sims)
    cleanup.callback(visits.close)
    # Both forks before the first rows go to the loader, whose thread starts then.
    visits.start()
    starting_members = None
    if previous is None:
        fork = fork_pays(loader, len(chain.master.members), forked.MEMBER_ROWS_MIN_MEMBERS)
        starting_members = Background(starting_member_rows, chain.master.members, as_of, seed, fork=fork,
                                      name="member rows")
        cleanup.callback(starting_members.close)
    stream_seconds["master"] += time.perf_counter() - tick
    sink.flush()

    reviews = ReviewBook(chain.master, counters, day_rng, sink, review_months)
    classes = ClassStream(chain.schedules, chain.instructor_slots, chain.master.facilities, chain.master.staff,
                          chain.certs, counters, day_rng, sink, as_of, reviews)
    staff_stream = StaffStream(chain.master, chain.patterns, counters, day_rng, sink, chain.chain_start, accumulators)
    clocks = {}

    def clock_for(ordinal):
        clock = clocks.get(ordinal)
        if clock is None:
            clock = clocks[ordinal] = DayClock(dt.date.fromordinal(ordinal))
        return clock

    new_member_number = counters.numbers.get("members", len(chain.master.members))
    counters.numbers["members"] = new_member_number
    new_members = []
    day = window_start
    while day < as_of:
        ordinal = day.toordinal()
        clock = clock_for(ordinal)
        t0 = time.perf_counter()
        joined = []
        for member in join_new_members(day, profile, day_rng, counters, as_of):
            new_members.append(member)
            sim = new_member_sim(member.member_id, member.join_date, profile.facilities, day_rng)
            member_sims.append(sim)
            joined.append(sim)
            memberships.history(sim)
        memberships.simulate_day(day)
        eligible = eligible_indexes(member_sims, ordinal)
        t1 = time.perf_counter()
        visits.day(day, clock, eligible, joined)
        t2 = time.perf_counter()
        eligible_by_facility = [[] for _ in chain.master.facilities]
        for index in eligible:
            member = member_sims[index]
            eligible_by_facility[member.home].append(member.id)
        classes.simulate_day(day, clock, clock_for, eligible_by_facility)
        t3 = time.perf_counter()
        staff_stream.simulate_day(day, clock)
        reviews.review_day(day)
        t4 = time.perf_counter()
        # A visit worker reports its own seconds; sending it the day is the main process's share.
        for name, seconds in (("memberships", t1 - t0), ("classes", t3 - t2), ("staff", t4 - t3)):
            stream_seconds[name] += seconds
        stream_seconds["visits"] = visits.seconds
        clocks.pop(ordinal - 8, None)
        bar.day_done(sink, stream_seconds)
        sink.maybe_flush()
        day += dt.timedelta(days=1)

    statuses = memberships.finish(member_sims)
    finish_members(starting_members.result() if starting_members else [], new_members, statuses, sink)
    sink.flush()
    visits.finish()
    stream_seconds["visits"] = visits.seconds
    loader.finish()
    if previous is not None:
        update_changed_statuses(previous, statuses, memberships.status_updates, as_of)
    bar.close()
    rows = {table: loader.rows.get(table, 0) for table in LOAD_ORDER}
    seconds = share_seconds(loader, sink, stream_seconds)
    peak = peak_rss_mb()
    state = {
        "chain_start": chain.chain_start.isoformat(), "first_as_of": chain.first_as_of.isoformat(),
        "counters": counters.numbers, "members": [m.as_state() for m in member_sims],
        "machines": [[m.next_preventive, m.out_until] for m in chain.machines],
        "staff_hours": {str(k): v for k, v in accumulators.items()}, "review_months": reviews.months,
        "cert_ends": cert_ends, "member_statuses": statuses,
    }
    run = SeedRun.objects.create(
        mode=mode, seed=seed, profile=profile.name, parameters=profile.as_json(), window_start=window_start,
        window_end=as_of, state=state, row_counts=rows, seconds=0, peak_rss_mb=peak,
    )
    result = SeedResult(seed, profile, window_start, as_of, mode, rows, seconds, 0.0, peak,
                        stream_seconds=stream_seconds, rebuild_seconds=loader.rebuild_seconds)
    result.run_id = run.pk
    return result


def join_new_members(day, profile, rng, counters, as_of):
    """New sign-ups of the day (January's resolutions triple them)."""
    from .master import new_member
    from .members_sim import DAILY_JOIN_RATE

    expected = profile.members * DAILY_JOIN_RATE * (3 if day.month == 1 else 1)
    count = int(expected) + (rng.random() < expected - int(expected))
    joined = []
    for _ in range(count):
        number = counters.numbers["members"] + 1
        counters.numbers["members"] = number
        joined.append(new_member(number, day, as_of))
    return joined


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


def finish_members(starting_rows, new_members, statuses, sink):
    """Member rows (the starting members', on a new chain, and those who joined in the window), carrying their
    as-of status."""
    rows = starting_rows + instance_rows(new_members)
    sink.extend("members", [with_status(row, statuses) for row in rows], free_text=True)


MEMBER_COLUMNS = [f.attname for f in Member._meta.concrete_fields]
MEMBER_ID_AT, MEMBER_STATUS_AT = MEMBER_COLUMNS.index("member_id"), MEMBER_COLUMNS.index("member_status")


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


def update_changed_statuses(previous, statuses, membership_updates, as_of):
    """On append: rows written earlier whose status the new as-of changes."""
    earlier = previous.state.get("member_statuses", {})
    # The change is recorded on the new as-of date (local midnight), so that whoever dates member changes
    # from lastmodified (the warehouse's SCD 2) sees it when it happened, not at joining.
    recorded = timezone.make_aware(dt.datetime.combine(as_of, dt.time()))
    changed = [(status, recorded, member_id) for member_id, status in statuses.items()
               if member_id in earlier and earlier[member_id] != status]
    with connection.cursor() as cursor:
        cursor.executemany("UPDATE members SET memberstatus = %s, lastmodified = %s WHERE memberid = %s", changed)
        cursor.executemany("UPDATE membermemberships SET status = %s WHERE membershipid = %s", membership_updates)
        cursor.execute("UPDATE staffcertifications SET status = 'Expired' WHERE expirydate < %s AND status <> 'Expired'",
                       [as_of])


def share_seconds(loader, sink, stream_seconds):
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


def write_csv(directory):
    from pathlib import Path

    from fitness.csvio import export_table

    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    for table, model in models_by_table().items():
        with open(path / f"{table}.csv", "w", newline="", encoding="utf-8") as handle:
            export_table(model, handle)


def summary_lines(result) -> list[str]:
    lines = [f"{'table':<26}{'rows':>12}{'seconds':>10}{'rows/s':>12}"]
    for table in LOAD_ORDER:
        rows = result.rows.get(table, 0)
        seconds = result.seconds.get(table, 0.0)
        rate = rows / seconds if seconds else 0
        lines.append(f"{table:<26}{rows:>12,}{seconds:>10.2f}{rate:>12,.0f}")
    total = result.total_rows
    lines.append(f"{'total':<26}{total:>12,}{result.total_seconds:>10.2f}{total / result.total_seconds:>12,.0f}")
    if result.rebuild_seconds:
        lines.append(f"keys, indexes and planner statistics: {result.rebuild_seconds:.2f} s")
    lines.append(f"peak memory: {result.peak_rss_mb:,.0f} MB")
    return lines
