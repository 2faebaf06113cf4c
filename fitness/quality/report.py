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
                         numeric_stats, categorical_stats}}}
"""
import time

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from fitness.models import QualityRun

from . import rules  # noqa: F401  (registers every rule)
from .context import resolve_context
from .profiling import profile_ods
from .registry import RULES, ordered_rule_ids
from .rules.integrity import ods_models

PASS, FAIL, ERROR = "pass", "fail", "error"
# Hash joins and sorts over millions of visits stay in memory instead of spilling
# to disk; SET LOCAL lasts for the one rule's transaction only.
POSTGRES_WORK_MEM = "256MB"


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


def run_rule(rule, ctx):
    """Run one rule inside a savepoint, so a failing statement does not abort the others."""
    started = time.perf_counter()
    result = {"id": rule.id, "table": rule.table, "description": rule.description}
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL work_mem = '{POSTGRES_WORK_MEM}'")
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


def run_checks(only=None, skip=None, as_of=None, days=None, save=True, profile=True, progress=None):
    """Run the data-quality checks on the ODS and return the result document.

    only/skip: rule ids (list or comma-separated string). as_of (date) and days
    set the window [as_of - days, as_of); see context.resolve_context for the
    defaults. save: store the run as a QualityRun. profile: include the data
    profile (completeness is always computed). progress: optional callable
    receiving each check result as it finishes.
    Raises QualityCheckError when the checks cannot run at all.
    """
    rule_ids = select_rules(only, skip)
    ensure_ods_tables()
    try:
        ctx = resolve_context(as_of=as_of, days=days)
    except ValueError as error:
        raise QualityCheckError(str(error)) from error
    started_at, clock = timezone.now(), time.perf_counter()
    checks = []
    for rule_id in rule_ids:
        checks.append(run_rule(RULES[rule_id], ctx))
        if progress:
            progress(checks[-1])
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
