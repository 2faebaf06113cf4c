"""One ETL batch: dimensions, then facts, then the aggregates, in one
transaction. A failure rolls everything back; only the etl_batch row that
records the failure survives (it is written outside that transaction).

On PostgreSQL the batch reads the ODS in one snapshot (REPEATABLE READ): an
incremental batch fingerprints the ODS and loads from it in separate
statements, and both must see the same rows (SQLite transactions do already).
Once committed, the tables the batch wrote are vacuumed and analysed
(PostgreSQL), so that the dashboard and the views read them at full speed
right away, autovacuum or not."""
import datetime as dt
import time

from django.db import connection, transaction
from django.utils import timezone

from fitness.core.dialect import Dialect

from ..models import EtlBatch
from .aggregates import AGGREGATE_STEPS, AGGREGATE_TABLES, MEMBER_COHORTS, STATE_TABLE, note_equipment_types
from .dimensions import DIMENSION_STEPS
from .facts import FACT_STEPS, start_touch_logs
from .statements import LoadContext, drop_temp_tables, start_change_log

STEPS = [*DIMENSION_STEPS, *FACT_STEPS, *AGGREGATE_STEPS]

# Cleared by --full, children first. dim_date and dim_time_of_day are pure
# calendars and stay.
REBUILT_TABLES = [
    *AGGREGATE_TABLES, MEMBER_COHORTS, STATE_TABLE,
    "fact_visit", "fact_class_session", "fact_class_attendance", "fact_payment", "fact_membership_period",
    "fact_equipment_usage", "fact_equipment_maintenance", "fact_staff_shift", "fact_payroll",
    "fact_instructor_feedback", "fact_staff_certification",
    "dim_member", "dim_membership_type", "dim_staff", "dim_facility", "dim_area", "dim_class_type",
    "dim_equipment", "dim_certification", "etl_source_digest", "etl_member_visits",
]


class WarehouseBuildError(Exception):
    """A batch failed; the warehouse is unchanged. Carries the failed batch."""

    def __init__(self, batch, cause):
        super().__init__(f"ETL batch {batch.id} failed and was rolled back: {cause}")
        self.batch = batch


def local_today():
    return timezone.localdate()


def clear_warehouse(ctx):
    ctx.dialect.empty_tables(ctx.cursor, REBUILT_TABLES)


def prepare_batch(ctx):
    """Temp tables every incremental batch writes to: the dimension change
    log and what the facts touched for the aggregates; and the equipment
    types as they were before the dimensions load."""
    if not ctx.full:
        start_change_log(ctx)
        start_touch_logs(ctx)
        note_equipment_types(ctx)


def tune_session(ctx):
    # Big hash joins, sorts and index builds in memory rather than on disk, for this transaction only.
    ctx.dialect.set_local(ctx.cursor, {"work_mem": "256MB", "maintenance_work_mem": "512MB"})


ABANDONED = "abandoned: its process ended (killed) before the batch finished; nothing of it was committed"


def close_abandoned_batches():
    """Mark failed the batches still "running" from a build that was killed outright (SIGKILL leaves it no
    chance to say so). Call it holding the writer lock: then no build can be running. Returns how many."""
    return EtlBatch.objects.filter(status=EtlBatch.Status.RUNNING).update(
        status=EtlBatch.Status.FAILED, error=ABANDONED, finished_at=timezone.now())


def build_warehouse(full=False, as_of=None, steps=None, progress=None):
    """Run one batch and return its EtlBatch row.

    full: empty the warehouse and load everything (otherwise only differences).
    as_of: effective date of SCD 2 changes the ODS does not date itself
        (fees, staff rate/title/status); default today (local).
    steps: the load steps (tests inject failures here).
    progress: optional callable(step_name, seconds, counts_dict) after each step.
    """
    as_of = as_of or local_today()
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of)
    batch = EtlBatch.objects.create(mode="full" if full else "incremental", as_of=as_of, started_at=timezone.now())
    ctx = None
    try:
        dialect = Dialect.for_connection(connection)
        dialect.install_functions(connection)
        outermost = not connection.in_atomic_block
        with transaction.atomic():
            with connection.cursor() as cursor:
                if outermost:
                    dialect.read_one_snapshot(cursor)
                ctx = LoadContext(cursor=cursor, dialect=dialect, batch_id=batch.id, as_of=as_of, full=full)
                tune_session(ctx)
                prepare_batch(ctx)
                if full:
                    clear_warehouse(ctx)
                for step in steps if steps is not None else STEPS:
                    started = time.perf_counter()
                    step(ctx)
                    if progress:
                        progress(step.__name__, time.perf_counter() - started, ctx.counts)
                drop_temp_tables(ctx)
    except (Exception, KeyboardInterrupt) as exc:
        if ctx is not None:
            cleanup_after_failure(ctx)
        batch.status = EtlBatch.Status.FAILED
        batch.error = f"{type(exc).__name__}: {exc}" if str(exc) else "interrupted (Ctrl-C or SIGTERM)"
        batch.finished_at = timezone.now()
        batch.save()
        if isinstance(exc, KeyboardInterrupt):
            raise
        raise WarehouseBuildError(batch, exc) from exc
    try:
        # VACUUM cannot run inside a transaction (nor inside a caller's: a test's). The batch is committed:
        # an interrupted vacuum loses nothing, and the batch is recorded as the success it is.
        if outermost:
            started = time.perf_counter()
            vacuum_written_tables(ctx)
            if progress:
                progress("vacuum_analyze", time.perf_counter() - started, ctx.counts)
    finally:
        record_success(batch, ctx.counts)
    return batch


# Written along with the tables whose rows the batch counts.
BOOKKEEPING_TABLES = ["etl_source_digest", "etl_member_visits", MEMBER_COHORTS, STATE_TABLE]
# A full build analyses every table it refills as it goes (facts and aggregates in insert_all, the
# dimensions in analyze_dimensions); not these.
LOADED_WITHOUT_ANALYZE = ["dim_date", "dim_time_of_day", "etl_source_digest", STATE_TABLE]
ANALYZE_SHARE = 0.1  # autovacuum's default analyze_scale_factor


def vacuum_written_tables(ctx):
    """VACUUM the tables the batch wrote (PostgreSQL: sets the visibility map,
    so counts and index-only scans read no heap pages, with or without
    autovacuum) and ANALYZE those whose statistics it made stale: after a
    full build the few it did not analyse while loading, after an
    incremental batch those it changed by a tenth or more (as autovacuum
    would). Nothing on SQLite."""
    d = ctx.dialect
    with connection.cursor() as cursor:
        if ctx.full:
            d.vacuum(cursor, ["dim_date", "dim_time_of_day", *REBUILT_TABLES])
            d.analyze(cursor, LOADED_WITHOUT_ANALYZE)
            return
        changed = {table: c.inserted + c.updated + c.deleted for table, c in ctx.counts.items()}
        written = [table for table, rows in changed.items() if rows]
        if not written:
            return
        d.vacuum(cursor, [*written, *BOOKKEEPING_TABLES])
        stale = []
        for table in written:
            estimate = d.estimated_count(cursor, table)
            if estimate is None or changed[table] >= ANALYZE_SHARE * estimate:
                stale.append(table)
        d.analyze(cursor, stale)


def cleanup_after_failure(ctx):
    """Temp tables created before the failure were rolled back with it on
    PostgreSQL and SQLite; drop any survivor so the next batch starts clean."""
    try:
        with connection.cursor() as cursor:
            for name in ctx.temp_tables:
                cursor.execute(f"DROP TABLE IF EXISTS {name}")
    except Exception:  # the connection itself may be broken; the next batch drops them anyway
        pass


def record_success(batch, counts):
    batch.table_counts = {table: c.as_dict() for table, c in counts.items()}
    batch.rows_read = sum(c.read for c in counts.values())  # rows staged; `checked` (fingerprinted) is per table
    batch.rows_inserted = sum(c.inserted for c in counts.values())
    batch.rows_updated = sum(c.updated for c in counts.values())
    batch.rows_deleted = sum(c.deleted for c in counts.values())
    batch.status = EtlBatch.Status.SUCCEEDED
    batch.finished_at = timezone.now()
    batch.save()
