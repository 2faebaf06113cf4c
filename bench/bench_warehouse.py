"""Benchmark of the warehouse ETL: a full build, a no-change incremental run,
then an incremental run after a small ODS change made with raw SQL (visits'
check-out times, a payment amount, a deleted visit, a member's city, a staff
member's hourly rate), and one after reverting it; printing per table the
seconds, the source rows fingerprinted (checked), staged (read) and written.

Run by hand against a seeded database (never the default `fitness` one):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/warehouse \\
        python manage.py seed_ods --profile chain --days 365 --seed 7
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/warehouse python bench/bench_warehouse.py

Options: --seed-profile P --days N  seeds first (with --flush) when given;
--full-only stops after the full build; --no-full starts from the warehouse
as it is. The small change is reverted at the end (the member's and staff
member's dimension history keeps the extra versions; the next full build
drops them).
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
from django.db import connection, transaction  # noqa: E402

from warehouse.etl.pipeline import build_warehouse  # noqa: E402

TARGET_SECONDS = 180


def print_step(name, seconds, counts):
    """One line per table, with the table's own seconds (an incremental batch
    fingerprints visits and membership periods during the dim_member step)."""
    table = name.removeprefix("load_")
    c = counts.get(table)
    if c is None:
        return
    written = f"+{c.inserted:,} ~{c.updated:,} -{c.deleted:,}"
    print(f"  {table:<28} {c.checked:>11,} checked {c.read:>11,} read {written:>22} {c.seconds:8.2f}s")


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
    parser.add_argument("--full-only", action="store_true", help="Skip the incremental runs.")
    parser.add_argument("--no-full", action="store_true", help="Skip the full build (start from the warehouse as is).")
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
    if not args.no_full:
        full_seconds, _ = timed_batch("full build", full=True)
        print(f"full build {full_seconds:.1f}s vs target {TARGET_SECONDS}s: "
              f"{'OK' if full_seconds < TARGET_SECONDS else 'TOO SLOW'} (ratio {full_seconds / TARGET_SECONDS:.2f})")
    if not args.full_only:
        noop_seconds, noop = timed_batch("incremental run, no ODS change")
        print(f"no-change run {noop_seconds:.1f}s wrote {noop.rows_inserted + noop.rows_updated + noop.rows_deleted} rows")
        revert = make_small_change()
        small_seconds, _ = timed_batch("incremental run after a small ODS change (raw SQL)")
        revert()
        revert_seconds, _ = timed_batch("incremental run after reverting it")
        print(f"small change {small_seconds:.1f}s, revert {revert_seconds:.1f}s")


def make_small_change():
    """Edit the ODS behind Django's back; return a function that undoes it."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM memberaccess")
        middle = cursor.fetchone()[0] // 2
        cursor.execute("SELECT accessid, checkouttime, duration FROM memberaccess WHERE checkouttime IS NOT NULL "
                       "ORDER BY accessid LIMIT 4 OFFSET %s", [middle])
        visits = cursor.fetchall()
        edited, deleted = visits[:3], visits[3][0]
        cursor.execute("SELECT * FROM memberaccess WHERE accessid = %s", [deleted])
        deleted_row = cursor.fetchone()
        cursor.execute("SELECT paymentid, amount FROM memberpayments WHERE status = 'Completed' "
                       "ORDER BY paymentid LIMIT 1 OFFSET 1000")
        payment = cursor.fetchone()
        cursor.execute("SELECT memberid, city FROM members ORDER BY memberid LIMIT 1 OFFSET 500")
        member = cursor.fetchone()
        cursor.execute("SELECT staffid, hourlyrate FROM staff ORDER BY staffid LIMIT 1 OFFSET 10")
        staff = cursor.fetchone()
        for access_id, check_out, duration in edited:
            cursor.execute("UPDATE memberaccess SET checkouttime = checkouttime + INTERVAL '5 minutes', "
                           "duration = duration + 5 WHERE accessid = %s", [access_id])
        cursor.execute("DELETE FROM memberaccess WHERE accessid = %s", [deleted])
        cursor.execute("UPDATE memberpayments SET amount = amount + 1 WHERE paymentid = %s", [payment[0]])
        cursor.execute("UPDATE members SET city = %s WHERE memberid = %s", [member[1] + " Heights", member[0]])
        cursor.execute("UPDATE staff SET hourlyrate = hourlyrate + 1 WHERE staffid = %s", [staff[0]])
    print(f"small change: 3 visits' check-out +5 min, visit {deleted} deleted, payment {payment[0]} +1.00, "
          f"member {member[0]} city, staff {staff[0]} rate +1.00")

    def revert():
        with transaction.atomic(), connection.cursor() as cursor:
            for access_id, check_out, duration in edited:
                cursor.execute("UPDATE memberaccess SET checkouttime = %s, duration = %s WHERE accessid = %s",
                               [check_out, duration, access_id])
            placeholders = ", ".join(["%s"] * len(deleted_row))
            cursor.execute(f"INSERT INTO memberaccess VALUES ({placeholders})", list(deleted_row))
            cursor.execute("UPDATE memberpayments SET amount = %s WHERE paymentid = %s", [payment[1], payment[0]])
            cursor.execute("UPDATE members SET city = %s WHERE memberid = %s", [member[1], member[0]])
            cursor.execute("UPDATE staff SET hourlyrate = %s WHERE staffid = %s", [staff[1], staff[0]])

    return revert


if __name__ == "__main__":
    main()
