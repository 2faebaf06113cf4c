"""Benchmark of the warehouse ETL: a full build, then a no-change incremental
run, printing seconds per step and rows/s.

Run by hand against a seeded database (never the default `fitness` one):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/warehouse \\
        python manage.py seed_ods --profile chain --days 365 --seed 7
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/warehouse python bench/bench_warehouse.py

Options: --seed-profile P --days N  seeds first (with --flush) when given.
The issue's target: a full build of the chain profile for 365 days under
3 minutes on PostgreSQL.
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

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from warehouse.etl.pipeline import build_warehouse  # noqa: E402

TARGET_SECONDS = 180


def print_step(name, seconds, counts):
    table = name.removeprefix("load_")
    c = counts.get(table)
    if c is None:
        return
    rate = c.read / seconds if seconds > 0 else 0
    print(f"  {table:<28} {c.read:>11,} rows read {c.inserted:>11,} inserted {seconds:8.2f}s {rate:>12,.0f} rows/s")


def timed_batch(label, **kwargs):
    print(f"{label}:")
    started = time.perf_counter()
    batch = build_warehouse(progress=print_step, **kwargs)
    seconds = time.perf_counter() - started
    print(f"  => {seconds:.1f}s, read {batch.rows_read:,}, inserted {batch.rows_inserted:,}, "
          f"updated {batch.rows_updated:,}, deleted {batch.rows_deleted:,}"
          f" ({batch.rows_read / seconds:,.0f} rows read/s)")
    return seconds, batch


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed-profile", help="Seed this profile first (replaces the ODS data).")
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--full-only", action="store_true", help="Skip the no-change incremental run.")
    args = parser.parse_args()
    settings_db = connection.settings_dict
    print(f"database: {connection.vendor} {settings_db.get('NAME')}")
    if settings_db.get("NAME") in ("fitness",) or str(settings_db.get("NAME", "")).endswith("fitness.sqlite3"):
        sys.exit("Refusing to benchmark on the shared default database; set DATABASE_URL.")
    if args.seed_profile:
        started = time.perf_counter()
        call_command("seed_ods", f"--profile={args.seed_profile}", f"--days={args.days}", f"--seed={args.seed}",
                     "--flush", verbosity=0)
        print(f"seeded {args.seed_profile} x {args.days} days in {time.perf_counter() - started:.1f}s")
    full_seconds, _ = timed_batch("full build", full=True)
    print(f"full build {full_seconds:.1f}s vs target {TARGET_SECONDS}s: "
          f"{'OK' if full_seconds < TARGET_SECONDS else 'TOO SLOW'} (ratio {full_seconds / TARGET_SECONDS:.2f})")
    if not args.full_only:
        noop_seconds, noop = timed_batch("incremental run, no ODS change")
        print(f"no-change run {noop_seconds:.1f}s wrote {noop.rows_inserted + noop.rows_updated + noop.rows_deleted} rows")


if __name__ == "__main__":
    main()
