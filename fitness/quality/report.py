"""run_checks: run the selected rules, profile the tables, build (and save) the
result document.

Document shape (also what `check_ods --format json` prints):
    {"success": bool, "run_id": int|None, "context": {as_of, window_start, window_end, ...},
     "options": {only, skip, as_of, days},
     "statistics": {"tables", "rows", "duration", "checks_run", "checks_passed",
                    "checks_failed", "checks_errored", "violations"},
     "checks": [{"id", "table", "description", "status": "pass"|"fail"|"error",
                 "count", "sample_keys": [<=10], "details": {}, "seconds", "error"?}],
     "completeness": {table: {total_records, missing_values, blank_values, completeness_score}},
     "profile": {table: {record_count, column_count, storage_bytes, date_range,
                         numeric_stats, categorical_stats}},
     "realism": [{"id", "title", "value", "range", "unit", "status": "pass"|"warn"|"n/a", "note"}]
                (only when asked for: realism=True; see realism.py)}
"""
import time
from concurrent.futures import ThreadPoolExecutor, as_completed

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from fitness.core.dialect import Dialect
from fitness.core.interrupts import QueriesInFlight
from fitness.models import QualityRun

from . import rules  # noqa: F401  (registers every rule)
from .context import resolve_context
from .profiling import profile_ods
from .realism import run_measures
from .registry import RULES, ordered_rule_ids
from fitness.core.tables import ods_models

PASS, FAIL, ERROR = "pass", "fail", "error"
# Memory per sort and per hash table, for the one rule's transaction (SET
# LOCAL). Sorts of millions of rows (the window functions) run fastest in
# small, cache-sized runs merged afterwards (measured: 16MB sorts 1.5x faster
# than 256MB); hash joins and aggregates over millions of rows want their
# tables in memory. PostgreSQL gives hash tables work_mem x hash_mem_multiplier,
# so a small work_mem and a large multiplier serve both (512MB hash tables).
POSTGRES_SETTINGS = {"work_mem": "16MB", "hash_mem_multiplier": "32"}
# The rules are independent read-only statements, so on PostgreSQL they run on
# this many connections at once, each rule in its own transaction as when they
# run in turn; the profile runs beside them on one more. Each statement then
# runs without parallel workers of its own: the connections keep the cores busy.
POSTGRES_WORKERS = 2
CONCURRENT_SETTINGS = dict(POSTGRES_SETTINGS, max_parallel_workers_per_gather="0")
# ODS tables smaller than this are planned well enough without statistics.
STATISTICS_MIN_BYTES = 8 * 1024 * 1024


class QualityCheckError(Exception):
    """The checks cannot run at all (bad options, missing tables, no database)."""


def parse_rule_ids(value):
    """'V3, c5' -> ['V3', 'C5']; accepts a string or an iterable of ids."""
    if value is None:
        return None
    items = value.split(",") if isinstance(value, str) else value
    return [item.strip().upper() for item in items if item and item.strip()]


def select_rules(only=None, skip=None):
    """Rule ids to run, in ods-rules.md order; unknown ids are an error."""
    only, skip = parse_rule_ids(only), parse_rule_ids(skip)
    unknown = sorted((set(only or []) | set(skip or [])) - set(RULES))
    if unknown:
        raise QualityCheckError(
            f"Unknown rule id(s): {', '.join(unknown)}. Known ids: {', '.join(ordered_rule_ids())}."
        )
    selected = [rule_id for rule_id in ordered_rule_ids() if only is None or rule_id in only]
    return [rule_id for rule_id in selected if rule_id not in (skip or [])]


def ensure_ods_tables():
    """Fail clearly when the database is unreachable or not migrated."""
    try:
        existing = set(connection.introspection.table_names())
    except DatabaseError as error:
        raise QualityCheckError(f"Cannot reach the database: {error}".strip()) from error
    needed = [model._meta.db_table for model in ods_models()] + [QualityRun._meta.db_table]
    missing = [table for table in needed if table not in existing]
    if missing:
        raise QualityCheckError(
            f"The database has no table(s) {', '.join(missing)}; run `python manage.py migrate` first."
        )


def ensure_planner_statistics():
    """ANALYZE the ODS tables of any size that PostgreSQL has no column
    statistics for (bulk-loaded or imported data not analyzed since): without
    them the plans of the checks over millions of rows can go badly wrong.
    Tables with statistics are left alone, so this costs nothing on later runs."""
    dialect = Dialect.current()
    with connection.cursor() as cursor:
        tables = [model._meta.db_table for model in ods_models()]
        dialect.analyze(cursor, dialect.tables_without_statistics(cursor, tables, STATISTICS_MIN_BYTES))


def run_rule(rule, ctx, settings=POSTGRES_SETTINGS):
    """Run one rule inside a savepoint, so a failing statement does not abort the others."""
    started = time.perf_counter()
    result = {"id": rule.id, "table": rule.table, "description": rule.description}
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                ctx.dialect.set_local(cursor, settings)
            outcome = rule.check(ctx)
    except DatabaseError as error:
        result.update(status=ERROR, count=0, sample_keys=[], details={}, error=str(error).strip())
    else:
        result.update(
            status=FAIL if outcome.count else PASS,
            count=outcome.count,
            sample_keys=outcome.sample_keys,
            details=outcome.details,
        )
    result["seconds"] = round(time.perf_counter() - started, 3)
    return result


def runs_concurrently():
    """Other connections see the same data: PostgreSQL, outside any transaction
    (inside one, they would not see its uncommitted rows)."""
    return Dialect.current().is_postgres and not connection.in_atomic_block


def heaviest_first(rules):
    """The rules ordered by the planner's row estimates of the tables they check,
    largest first, so that the long checks start first and the workers finish
    together."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, GREATEST(reltuples, 0) FROM pg_class WHERE relname = ANY(%s) AND relkind = 'r'",
            [[model._meta.db_table for model in ods_models()]],
        )
        rows = dict(cursor.fetchall())

    def weight(rule):
        tables = rows if rule.table == "(all tables)" else [name.strip() for name in rule.table.split(",")]
        return sum(rows.get(table, 0) for table in tables)

    return sorted(rules, key=weight, reverse=True)


def run_rules(rules, ctx, progress=None):
    """Results of the rules, in the given order; progress gets each one as it finishes."""
    checks = []
    for rule in rules:
        checks.append(run_rule(rule, ctx))
        if progress:
            progress(checks[-1])
    return checks


def run_rules_and_profile_concurrently(rules, ctx, profile, progress=None):
    """(checks in the given order, profile_ods result), the rules spread over
    POSTGRES_WORKERS connections and the profile on one more."""
    finished = {}
    in_flight = QueriesInFlight()
    with ThreadPoolExecutor(max_workers=1) as profiler, ThreadPoolExecutor(max_workers=POSTGRES_WORKERS) as workers, \
            in_flight.cancelled_on_interrupt(profiler, workers):
        profiled = profiler.submit(in_flight.on_own_connection, profile_ods, with_profile=profile)
        running = [workers.submit(in_flight.on_own_connection, run_rule, rule, ctx, CONCURRENT_SETTINGS)
                   for rule in heaviest_first(rules)]
        for future in as_completed(running):
            result = future.result()
            finished[result["id"]] = result
            if progress:
                progress(result)
        return [finished[rule.id] for rule in rules], profiled.result()


def summarize(checks, completeness, duration):
    statuses = [check["status"] for check in checks]
    return {
        "tables": len(completeness),
        "rows": sum(entry["total_records"] for entry in completeness.values()),
        "duration": round(duration, 3),
        "checks_run": len(checks),
        "checks_passed": statuses.count(PASS),
        "checks_failed": statuses.count(FAIL),
        "checks_errored": statuses.count(ERROR),
        "violations": sum(check["count"] for check in checks),
    }


def exit_status(document):
    """0 clean, 1 violations found, 2 a check could not run."""
    if document["statistics"]["checks_errored"]:
        return 2
    return 0 if document["success"] else 1


def run_checks(only=None, skip=None, as_of=None, days=None, save=True, profile=True, progress=None,
               realism=False):
    """Run the data-quality checks on the ODS and return the result document.

    only/skip: rule ids (list or comma-separated string). as_of (date) and days
    set the window [as_of - days, as_of); see context.resolve_context for the
    defaults. save: store the run as a QualityRun. profile: include the data
    profile (completeness is always computed). progress: optional callable
    receiving each check result as it finishes. realism: also compute the
    realism measures R1-R32 (document key "realism"; they never change "success").
    Raises QualityCheckError when the checks cannot run at all.
    """
    rule_ids = select_rules(only, skip)
    ensure_ods_tables()
    ensure_planner_statistics()
    try:
        ctx = resolve_context(as_of=as_of, days=days)
    except ValueError as error:
        raise QualityCheckError(str(error)) from error
    started_at, clock = timezone.now(), time.perf_counter()
    rules = [RULES[rule_id] for rule_id in rule_ids]
    if runs_concurrently():
        checks, (completeness, profiles) = run_rules_and_profile_concurrently(rules, ctx, profile, progress)
    else:
        checks = run_rules(rules, ctx, progress)
        completeness, profiles = profile_ods(with_profile=profile)
    statistics = summarize(checks, completeness, time.perf_counter() - clock)
    document = {
        "success": statistics["checks_failed"] == 0 and statistics["checks_errored"] == 0,
        "run_id": None,
        "context": ctx.as_json(),
        "options": {
            "only": parse_rule_ids(only),
            "skip": parse_rule_ids(skip),
            "as_of": as_of.isoformat() if as_of else None,
            "days": days,
        },
        "statistics": statistics,
        "checks": checks,
        "completeness": completeness,
        "profile": profiles,
    }
    if realism:
        document["realism"] = run_measures(ctx)
    if save:
        document["run_id"] = save_run(document, started_at).pk
    return document


def save_run(document, started_at):
    statistics = document["statistics"]
    return QualityRun.objects.create(
        started_at=started_at,
        finished_at=timezone.now(),
        success=document["success"],
        checks_run=statistics["checks_run"],
        checks_failed=statistics["checks_failed"] + statistics["checks_errored"],
        violations=statistics["violations"],
        options=document["options"],
        report=document,
    )
