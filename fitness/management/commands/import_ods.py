"""Import all 23 ODS tables from a directory of CSV files, all-or-nothing.

    python manage.py import_ods DIR [--flush]

Reads DIR/<erd table>.csv (as written by export_ods or seed_ods --csv-dir),
parents before children, in one transaction. Every row is checked (cell
syntax, field rules, foreign keys, check constraints, duplicate ids); if any
row of any file is bad, nothing is written, each bad row is listed with file,
row number, column and reason, and the command exits non-zero. --flush empties
the 23 tables first (in the same transaction, so a refused import keeps the
old data).
"""
import time
from contextlib import ExitStack

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from fitness import csvio
from fitness.core.tables import ods_models

SHOWN_ERRORS = 50


def missing_files(directory):
    paths = [csvio.table_path(directory, model) for model in ods_models()]
    return [str(path) for path in paths if not path.exists()]


def import_ods(directory, flush=False, progress=None):
    """Import the 23 tables from `directory`; returns {table: rows}. Raises
    CommandError for missing files and csvio.CsvImportError for bad rows."""
    missing = missing_files(directory)
    if missing:
        raise CommandError(f"Missing CSV file(s): {', '.join(missing)}")
    models = ods_models()
    with transaction.atomic(), ExitStack() as files:
        if flush:
            for model in reversed(models):
                model._default_manager.all().delete()
        sources = [
            (model, files.enter_context(open(csvio.table_path(directory, model), encoding="utf-8-sig", newline="")))
            for model in models
        ]
        return csvio.import_tables(sources, progress=progress)


class Command(BaseCommand):
    help = "Import the 23 ODS tables from DIR/<table>.csv, all-or-nothing."

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--flush", action="store_true", help="Empty the ODS tables first (same transaction).")

    def handle(self, *args, directory, flush, **options):
        started = time.monotonic()

        def progress(table, rows):
            rate = rows / max(time.monotonic() - started, 1e-6)
            self.stderr.write(f"  {table:<26} {rows:>10,} rows read  ({rate:,.0f} rows/s overall)")

        try:
            counts = import_ods(directory, flush=flush, progress=progress)
        except csvio.CsvImportError as error:
            raise CommandError(error.summary(limit=SHOWN_ERRORS)) from None
        self.stdout.write(self.style.SUCCESS(
            f"Imported {len(counts)} tables, {sum(counts.values()):,} rows from {directory} "
            f"in {time.monotonic() - started:.1f}s"
        ))
