"""Benchmark seed_ods (run by hand, not in CI).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python bench/bench_seed.py [--days 365] [--profile chain] [--keyed-copy]

Replaces the ODS data in that database (--flush) with the chain profile over
--days, then prints total rows, seconds, rows/s and peak RSS, and in the same
run the ratio to (a) a raw COPY of the very same rows into bare unindexed
tables (regular tables, WAL-logged like the ODS's), alone and plus the seed's
own rebuild of keys and indexes, and with --keyed-copy into tables with the
keys in place, and (b) factory_boy create() on a sample.
"""
import argparse
import datetime as dt
import io
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fitness.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from fitness.seeding.run import seed_ods, summary_lines  # noqa: E402
from fitness.core.tables import LOAD_ORDER  # noqa: E402


def seeded_copy_text():
    """{table: every seeded row of it as COPY text}."""
    data = {}
    with connection.cursor() as cursor:
        for table in LOAD_ORDER:
            buffer = io.BytesIO()
            with cursor.cursor.copy(f"COPY {table} TO STDOUT") as copy:
                for chunk in copy:
                    buffer.write(chunk)
            data[table] = buffer.getvalue()
    return data


def raw_copy_seconds(data, keyed=False):
    """Seconds to COPY the seeded rows into copies of the tables: bare (no keys, no indexes), or `keyed` (the
    ODS's primary keys, indexes and CHECKs, and its foreign keys checked row by row as COPY goes)."""
    total = 0.0
    with transaction.atomic(), connection.cursor() as cursor:
        raw = cursor.cursor
        for table in LOAD_ORDER:
            # Regular (WAL-logged) tables, as the ODS's are; the rollback below drops them.
            raw.execute(f"CREATE TABLE copy_{table} (LIKE {table}{' INCLUDING ALL' if keyed else ''})")
            if keyed:
                for definition in foreign_keys(raw, table):
                    raw.execute(f"ALTER TABLE copy_{table} ADD {definition}")
        for table in LOAD_ORDER:  # parents first
            started = time.perf_counter()
            with raw.copy(f"COPY copy_{table} FROM STDIN") as copy:
                copy.write(data[table])
            total += time.perf_counter() - started
        transaction.set_rollback(True)
    return total


def foreign_keys(raw, table):
    """The table's foreign keys, re-pointed at the copies and checked at once (not deferred to a commit that
    never comes)."""
    raw.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'f'",
                [table])
    return [re.sub(r"REFERENCES (\w+)\(", r"REFERENCES copy_\1(", definition).replace(" INITIALLY DEFERRED", "")
            for (definition,) in raw.fetchall()]


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
    parser.add_argument("--keyed-copy", action="store_true",
                        help="also time COPY into tables with the keys in place (slow: minutes on the chain profile)")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("bench_seed needs PostgreSQL: set DATABASE_URL=postgres://...")
    result = seed_ods(days=args.days, seed=args.seed, end_date=args.end_date, profile=args.profile, flush=True,
                      progress=sys.stderr.isatty(), err=sys.stderr)
    print("\n".join(summary_lines(result)))
    rate = result.total_rows / result.total_seconds
    data = seeded_copy_text()
    copy_seconds = raw_copy_seconds(data)
    keyed_seconds = raw_copy_seconds(data, keyed=True) if args.keyed_copy else None
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
    if keyed_seconds:
        print(f"COPY of the same rows into tables with the ODS keys, indexes and checks in place: {keyed_seconds:.1f} s "
              f"({result.total_rows / keyed_seconds:,.0f} rows/s); seed_ods takes {result.total_seconds / keyed_seconds:.2f}x")
    print(f"factory_boy create(): {factory_rate:,.0f} rows/s; seed_ods is {rate / factory_rate:,.0f}x faster")


if __name__ == "__main__":
    main()
