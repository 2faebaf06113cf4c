"""build_warehouse: load the star schema from the ODS (incremental by
default, --full to rebuild) or show monitoring figures (--status)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from fitness.core.data_span import refuse_far_as_of
from fitness.core.dialect import Dialect
from fitness.core.interrupts import exit_interrupted
from fitness.core.writer_lock import exclusive
from fitness.management.arguments import date_argument
from warehouse.etl.pipeline import WarehouseBuildError, build_warehouse, close_abandoned_batches
from warehouse.etl.status import warehouse_status


class Command(BaseCommand):
    help = "Load the warehouse from the ODS in one transaction (only what changed since the last batch)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Empty the warehouse and rebuild it from the ODS.")
        parser.add_argument("--as-of", type=date_argument("--as-of", parser), default=None,
                            help="Effective date of undated SCD 2 changes (fees, staff rate/title/status). "
                                 "Default: today.")
        parser.add_argument("--status", action="store_true",
                            help="Show recent batches, rows per batch, freshness and orphaned facts; load nothing.")

    def handle(self, *args, full, as_of, status, **options):
        if status:
            self.print_status(warehouse_status())
            return
        if as_of is not None:
            try:
                refuse_far_as_of(as_of, Dialect.for_connection(connection))
            except ValueError as error:
                raise CommandError(str(error)) from None
        self.build(full=full, as_of=as_of)

    @exclusive("build_warehouse")
    def build(self, *, full, as_of):
        abandoned = close_abandoned_batches()
        if abandoned:
            self.stdout.write(f"Marked {abandoned} batch(es) failed that a killed build had left running.")
        self.stdout.write(f"Building the warehouse ({'full rebuild' if full else 'incremental'}) ...")
        try:
            batch = build_warehouse(full=full, as_of=as_of, progress=self.print_progress)
        except WarehouseBuildError as exc:
            raise CommandError(f"{exc}\nNothing was changed in the warehouse; see `build_warehouse --status`.")
        except KeyboardInterrupt:
            # Its queries were cancelled in the server and its transaction rolled back (or, when the
            # interrupt came during the vacuum after the commit, the batch stands): --status says which.
            exit_interrupted(self.stderr, "see `build_warehouse --status` for what the batch did.")
        seconds = (batch.finished_at - batch.started_at).total_seconds()
        self.stdout.write(self.style.SUCCESS(
            f"Batch {batch.id} succeeded in {seconds:.1f}s: read {batch.rows_read:,}, inserted {batch.rows_inserted:,}, "
            f"updated {batch.rows_updated:,}, deleted {batch.rows_deleted:,} rows."
        ))

    def print_progress(self, step, seconds, counts):
        if step == "vacuum_analyze":  # after the commit, of the tables the batch wrote (PostgreSQL)
            self.stdout.write(f"  {'vacuum, analyze':<28} {seconds:.2f}s")
            return
        table = step.removeprefix("load_")
        c = counts.get(table)
        if c is None:
            return
        # The table's own seconds: an incremental batch checks visits and
        # membership periods for changes during the dim_member step.
        seconds = c.seconds
        rate = f"{c.read / seconds:,.0f} rows/s" if seconds > 0 else ""
        checked = f"  (checked {c.checked:,})" if c.checked else ""
        self.stdout.write(
            f"  {table:<28} read {c.read:>10,}  +{c.inserted:<10,} ~{c.updated:<8,} -{c.deleted:<6,} {seconds:7.2f}s  {rate}"
            f"{checked}"
        )

    def print_status(self, status):
        w = self.stdout.write
        w("Recent ETL batches:")
        w(f"  {'id':>5} {'mode':<12} {'status':<10} {'started':<20} {'seconds':>8} {'read':>10} {'inserted':>10} "
          f"{'updated':>9} {'deleted':>8}")
        for b in status["batches"]:
            seconds = f"{(b.finished_at - b.started_at).total_seconds():.1f}" if b.finished_at else "-"
            w(f"  {b.id:>5} {b.mode:<12} {b.status:<10} {b.started_at:%Y-%m-%d %H:%M:%S} {seconds:>8} "
              f"{b.rows_read:>10,} {b.rows_inserted:>10,} {b.rows_updated:>9,} {b.rows_deleted:>8,}")
            if b.error:
                w(f"        error: {b.error}")
        w("Fact rows by the batch that last wrote them:")
        for batch_id, rows in status["fact_rows_by_batch"].items():
            w(f"  batch {batch_id}: {rows:,}")
        fresh = status["freshness"]
        w(f"Freshness: latest event date {fresh['latest_event_date'] or '-'}"
          + (f" ({fresh['days_old']} days before today)" if fresh["days_old"] is not None else ""))
        orphans = {f"{fact}.{col}": n for fact, cols in status["orphaned"].items() for col, n in cols.items() if n}
        total = sum(orphans.values())
        w(f"Orphaned fact rows: {total}" + ("" if not total else " " + ", ".join(f"{k}={v}" for k, v in orphans.items())))
        unknown = status["unknown_references"]
        w("Facts on the unknown (-1) row: " + (", ".join(f"{k}={v}" for k, v in unknown.items()) if unknown else "0"))
