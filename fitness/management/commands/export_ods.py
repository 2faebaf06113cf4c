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

from fitness import copy_export, csvio
from fitness.core.tables import ods_models


def export_ods(directory, report=None):
    """Write every ODS table to `directory`; returns {table: rows}."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    counts = {}
    for model in ods_models():
        path = csvio.table_path(directory, model)
        partial = path.with_name(path.name + ".tmp")
        started = time.monotonic()
        try:
            with open(partial, "wb") as fileobj:
                counts[model._meta.db_table] = copy_export.write_table_csv(model, fileobj)
            os.replace(partial, path)
        finally:
            partial.unlink(missing_ok=True)
        if report:
            report(model._meta.db_table, counts[model._meta.db_table], time.monotonic() - started)
    return counts


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
