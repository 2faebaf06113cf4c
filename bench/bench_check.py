"""Benchmark check_ods on whatever the database given by DATABASE_URL holds.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> python bench/bench_check.py [--no-profile] [--only V3,C5]

Prints seconds per check (slowest first), the profile/completeness time, the
total and rows per second. Nothing is saved (save=False). On PostgreSQL the
checks run several at a time beside the profile, so their seconds overlap and
add up to more than the total.
"""
import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fitness.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from fitness.quality import run_checks  # noqa: E402
from fitness.quality.report import POSTGRES_WORKERS, runs_concurrently  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-profile", action="store_true", help="Skip the data profile section.")
    parser.add_argument("--only", help="Comma-separated rule ids.")
    options = parser.parse_args()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh planner statistics, as after a real load
    started = time.perf_counter()
    document = run_checks(only=options.only, save=False, profile=not options.no_profile)
    total = time.perf_counter() - started
    checks = sorted(document["checks"], key=lambda check: -check["seconds"])
    stats = document["statistics"]
    print(f"database: {connection.vendor}, {stats['rows']:,} rows in {stats['tables']} tables, "
          f"window {document['context']['window_start']} .. {document['context']['window_end']}")
    print(f"{'rule':<5} {'seconds':>8} {'status':<6} {'count':>9}")
    for check in checks:
        print(f"{check['id']:<5} {check['seconds']:>8.2f} {check['status']:<6} {check['count']:>9}")
    rules_seconds = sum(check["seconds"] for check in checks)
    if runs_concurrently():
        print(f"rules total        {rules_seconds:8.2f} s  (sum; {POSTGRES_WORKERS} at a time, beside the profile)")
    else:
        print(f"rules total        {rules_seconds:8.2f} s")
        print(f"completeness+profile {total - rules_seconds:6.2f} s")
    print(f"total              {total:8.2f} s  ({stats['rows'] / total:,.0f} rows/s)")
    print("result:", "PASS" if document["success"] else f"FAIL ({stats['checks_failed']} rules, {stats['violations']} violations)")


if __name__ == "__main__":
    main()
