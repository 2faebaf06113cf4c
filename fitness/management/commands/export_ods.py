"""Export all 23 ODS tables as CSV files, one per table, into a directory.

    python manage.py export_ods DIR                    # DIR/<table>.csv
    python manage.py export_ods DIR --format parquet   # DIR/<table>/[month=YYYY-MM/]part-0.parquet (fitness.parquetio)

Writes DIR/<erd table>.csv in the ODS CSV format (fitness.csvio), through
fitness.copy_export: COPY on PostgreSQL, csvio's Python writer elsewhere (the
same bytes). Each file is written under a temporary name and renamed when
complete, so a failed run never leaves a half-written file behind.
"""
import os
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fitness import copy_export


def export_ods(directory, report=None):
    """Write every ODS table to `directory`; returns {table: rows}."""
    return copy_export.export_directory(directory, report)


def writable_directory(directory):
    """Create `directory` if need be; a one-line CommandError before any work when it cannot be."""
    path = Path(directory)
    if path.exists() and not path.is_dir():
        raise CommandError(f"{directory} exists and is not a directory.")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(f"Cannot create {directory}: {error.strerror}.") from None
    if not os.access(path, os.W_OK):
        raise CommandError(f"Cannot write into {directory}: permission denied.")


class Command(BaseCommand):
    help = "Export the 23 ODS tables to DIR/<table>.csv (header = ERD columns) or as Parquet."

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--format", choices=["csv", "parquet"], default="csv",
                            help="csv (default) or parquet: a hive-partitioned dataset for Spark, Trino, DuckDB")

    def handle(self, *args, directory, format, **options):
        def report(table, rows, seconds):
            rate = rows / seconds if seconds > 0 else 0
            self.stdout.write(f"  {table:<26} {rows:>10,} rows  {rate:>10,.0f} rows/s")

        writable_directory(directory)
        started = time.monotonic()
        if format == "parquet":
            from fitness import parquetio

            try:
                counts = parquetio.export_parquet(directory, report)
            except parquetio.ParquetExportError as error:
                raise CommandError(str(error)) from None
        else:
            counts = export_ods(directory, report)
        self.stdout.write(self.style.SUCCESS(
            f"Exported {len(counts)} tables, {sum(counts.values()):,} rows to {directory} "
            f"in {time.monotonic() - started:.1f}s"
        ))
