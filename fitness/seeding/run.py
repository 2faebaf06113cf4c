"""seed_ods: resolve the run, simulate it into the ODS in one transaction, report.

`seed_ods(...)` is the function; the management command is a thin shell over
it, and `engine.Simulation` does the simulating. A new chain is a pure
function of (seed, profile, end date, days); `--append` rebuilds it in memory
and continues from the snapshot stored in the latest SeedRun.
"""
import datetime as dt
import random
import time
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from fitness.core.data_span import MAX_WINDOW_DAYS
from fitness.core.dialect import Dialect
from fitness.core.tables import LOAD_ORDER, models_by_table
from fitness.copy_export import export_directory
from fitness.models import SeedRun

from .engine import RunPlan, Simulation
from .loader import Loader
from .profiles import resolve_profile
from .snapshot import SnapshotError

# Seeds are stored in a bigint column: refuse one it cannot hold before simulating anything.
MAX_SEED = 2**63 - 1
# Ten years a run: a chain year takes about 75 s; a hundred thousand days would run for hours.
MAX_DAYS = MAX_WINDOW_DAYS
# The simulated history reaches ten years before the window, and its calendar rules assume the Gregorian
# calendar of modern payroll and holidays: end dates from 1970 to 2200.
EARLIEST_END_DATE, LATEST_END_DATE = dt.date(1970, 1, 1), dt.date(2200, 12, 31)


class SeedError(Exception):
    """A run that cannot start; the message says why and what to do."""


@dataclass(frozen=True)
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
    run_id: int
    seed_given: bool = True
    stream_seconds: dict | None = None
    rebuild_seconds: float = 0.0

    @property
    def total_rows(self):
        return sum(self.rows.values())


def tables_with_rows():
    return [table for table, model in models_by_table().items() if model.objects.exists()]


DEFAULT_DAYS = 30


def flush_ods():
    """Delete every ODS row (children first) and the seed runs that described them."""
    with connection.cursor() as cursor:
        Dialect.current().empty_tables(cursor, [*reversed(LOAD_ORDER), SeedRun._meta.db_table])


def seed_ods(*, days=None, seed=None, end_date=None, profile="default", members=None, facilities=None, staff=None,
             flush=False, append=False, csv_dir=None, progress=False, err=None) -> SeedResult:
    started = time.perf_counter()
    plan = plan_run(days=days, seed=seed, end_date=end_date, profile=profile,
                    members=members, facilities=facilities, staff=staff, flush=flush, append=append)
    with transaction.atomic():
        if flush:
            flush_ods()
        # A new chain fills empty tables: the loader's bulk path applies.
        loader = Loader(connection, bulk=plan.previous is None)
        try:
            outcome = Simulation(plan, loader, progress=progress, err=err).run()
        except SnapshotError as error:
            raise SeedError(str(error)) from None
    # Analysed inside the transaction already; VACUUM cannot run in one (nor inside a caller's: a test's).
    # Interrupting it loses nothing.
    if not connection.in_atomic_block:
        with connection.cursor() as cursor:
            Dialect.current().vacuum(cursor, LOAD_ORDER)
    if csv_dir:
        write_csv(csv_dir)
    total_seconds = time.perf_counter() - started
    SeedRun.objects.filter(pk=outcome.run_id).update(seconds=total_seconds)
    return SeedResult(
        seed=plan.seed, profile=plan.profile, window_start=plan.window_start, window_end=plan.as_of, mode=plan.mode,
        rows=outcome.rows, seconds=outcome.seconds, total_seconds=total_seconds, peak_rss_mb=outcome.peak_rss_mb,
        run_id=outcome.run_id, seed_given=seed is not None, stream_seconds=outcome.stream_seconds,
        rebuild_seconds=outcome.rebuild_seconds,
    )


def plan_run(*, days, seed, end_date, profile, members, facilities, staff, flush, append) -> RunPlan:
    """The run the options ask for, or SeedError saying why it cannot start (nothing is changed).

    A new chain's window is the `days` (default 30) before `end_date` (default today); an append's starts
    where the last run ended and runs `days` more, or to `end_date` (default today)."""
    if flush and append:
        raise SeedError("--flush and --append exclude each other: replace the data or continue it, not both.")
    if days is not None and not 1 <= days <= MAX_DAYS:
        raise SeedError(f"--days must be between 1 and {MAX_DAYS:,} (ten years), got {days:,}.")
    if end_date is not None and not EARLIEST_END_DATE <= end_date <= LATEST_END_DATE:
        raise SeedError(f"--end-date must be between {EARLIEST_END_DATE} and {LATEST_END_DATE}, got {end_date}.")
    if seed is not None and abs(seed) > MAX_SEED:
        raise SeedError(f"--seed must be between -{MAX_SEED} and {MAX_SEED}, got {seed}.")
    if append:
        return plan_append(days, end_date)
    days = DEFAULT_DAYS if days is None else days
    end_date = end_date or timezone.localdate()
    chain_profile = resolve_profile(profile, facilities=facilities, members=members, staff=staff)
    occupied = [] if flush else tables_with_rows()
    if occupied:
        raise SeedError(
            "The ODS already holds data (" + ", ".join(occupied) + "). Nothing was changed. "
            "Use --flush to replace it or --append to continue the same chain."
        )
    return RunPlan(
        mode="flush" if flush else "create",
        seed=random.SystemRandom().randrange(1, 2**31) if seed is None else seed,
        profile=chain_profile, window_start=end_date - dt.timedelta(days=days), as_of=end_date,
    )


def plan_append(days, end_date) -> RunPlan:
    previous = SeedRun.objects.order_by("-created_at", "-id").first()
    if previous is None:
        raise SeedError("--append needs a previous seed_ods run to continue, and there is none. "
                        "Run seed_ods without --append first.")
    if days is not None:
        following = previous.window_end + dt.timedelta(days=days)
        if end_date is not None and end_date != following:
            raise SeedError(f"--append continues from {previous.window_end}: {days} more days end on {following}, "
                            f"not on --end-date {end_date}. Give one of --days and --end-date.")
        end_date = following
    end_date = end_date or timezone.localdate()
    if end_date <= previous.window_end:
        raise SeedError(f"--append continues from {previous.window_end}; --end-date must be after it "
                        f"(got {end_date}).")
    profile = resolve_profile(previous.profile, **{k: previous.parameters[k] for k in ("facilities", "members", "staff")})
    return RunPlan(mode="append", seed=previous.seed, profile=profile, window_start=previous.window_end,
                   as_of=end_date, previous=previous)


def write_csv(directory):
    """The seeded tables as export_ods writes them (COPY on PostgreSQL, each file complete or absent)."""
    export_directory(directory)


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

