"""Benchmark seed_ods (run by hand, not in CI).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/bench_seed.py [--days 365] [--profile chain]

Replaces the ODS data in that database (--flush) with the chain profile over
--days, then prints total rows, seconds, rows/s and peak RSS, and in the same
run the ratio to (a) a raw COPY of the very same rows into bare unindexed
tables (regular tables, WAL-logged like the ODS's), alone and plus the seed's
own rebuild of keys and indexes, and (b) factory_boy create() on a sample.
"""
import argparse
import datetime as dt
import io
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fitness.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from fitness.seeding.run import seed_ods, summary_lines  # noqa: E402
from fitness.seeding.tables import LOAD_ORDER  # noqa: E402


def raw_copy_seconds():
    """Seconds to COPY every seeded row into bare copies of the tables (no keys, no indexes)."""
    total = 0.0
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        for table in LOAD_ORDER:
            buffer = io.BytesIO()
            with raw.copy(f"COPY {table} TO STDOUT") as copy:
                for chunk in copy:
                    buffer.write(chunk)
            # A regular (WAL-logged) table, as the ODS's are; the rollback below drops it.
            raw.execute(f"CREATE TABLE bare_{table} (LIKE {table})")
            started = time.perf_counter()
            with raw.copy(f"COPY bare_{table} FROM STDIN") as copy:
                copy.write(buffer.getvalue())
            total += time.perf_counter() - started
        transaction.set_rollback(True)
    return total


def factory_rows_per_second(sample=200):
    from facilities.factories import MemberAccessFactory
    from fitness.seeding.run import flush_ods

    with transaction.atomic():  # on an emptied ODS (factory ids start at 1), rolled back after
        flush_ods()
        started = time.perf_counter()
        for _ in range(sample):
            MemberAccessFactory.create()
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return sample / seconds


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--profile", default="chain")
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--end-date", type=dt.date.fromisoformat, default=dt.date(2025, 1, 1))
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench_seed needs PostgreSQL: set DATABASE_URL=postgres://...")
    result = seed_ods(days=args.days, seed=args.seed, end_date=args.end_date, profile=args.profile, flush=True,
                      progress=sys.stderr.isatty(), err=sys.stderr)
    print("\n".join(summary_lines(result)))
    rate = result.total_rows / result.total_seconds
    copy_seconds = raw_copy_seconds()
    factory_rate = factory_rows_per_second()
    print(f"\nseed_ods {args.profile} {args.days} days: {result.total_rows:,} rows in {result.total_seconds:.1f} s "
          f"= {rate:,.0f} rows/s, peak RSS {result.peak_rss_mb:,.0f} MB")
    print(f"raw COPY of the same rows into bare tables: {copy_seconds:.1f} s "
          f"({result.total_rows / copy_seconds:,.0f} rows/s); seed_ods takes {result.total_seconds / copy_seconds:.1f}x")
    rebuild = result.rebuild_seconds
    print(f"  without its final rebuild of keys, indexes and statistics ({rebuild:.1f} s): "
          f"{result.total_seconds - rebuild:.1f} s, {(result.total_seconds - rebuild) / copy_seconds:.1f}x raw COPY")
    print(f"  raw COPY plus that same rebuild: {copy_seconds + rebuild:.1f} s; "
          f"seed_ods takes {result.total_seconds / (copy_seconds + rebuild):.1f}x")
    print(f"factory_boy create(): {factory_rate:,.0f} rows/s; seed_ods is {rate / factory_rate:,.0f}x faster")


if __name__ == "__main__":
    main()
