"""Import the 23 ODS tables from a directory written by `export_ods` (CSV or Parquet), all-or-nothing.

    python manage.py import_ods DIR            # into an empty database (refused at once if it holds data)
    python manage.py import_ods DIR --flush    # replace the data (in the same transaction)
    python manage.py import_ods DIR --upsert   # add new ids, update changed rows, leave the same alone

The contract (`fitness/csvio.py`): headers exactly the ERD's (checked for all files before any row is
read), every cell and row checked, one transaction; a refused import writes nothing, lists its first 100
problems with file, row, column and reason, counts all of them per column and reason, and exits 1.
On PostgreSQL each file is COPYed into a staging table and checked set-based (`fitness/table_import.py`).
"""
import time
from contextlib import ExitStack
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from fitness.core.interrupts import exit_interrupted
from fitness.core.writer_lock import exclusive
from fitness import csvio
from fitness.core.tables import ods_models
from fitness.import_sources import CsvSource, RowsSource
from fitness.table_import import ImportNotPossible, import_tables


def detect_format(directory):
    directory = Path(directory)
    first = ods_models()[0]._meta.db_table
    if (directory / f"{first}.csv").exists():
        return "csv"
    if (directory / first).is_dir():
        return "parquet"
    return "csv"  # and the missing files are named


def missing_inputs(directory, fmt):
    directory = Path(directory)
    if fmt == "csv":
        paths = [csvio.table_path(directory, model) for model in ods_models()]
        return [str(path) for path in paths if not path.is_file()]
    paths = [directory / model._meta.db_table for model in ods_models()]
    return [str(path) for path in paths if not path.is_dir()]


def open_sources(directory, fmt, files):
    """A source per ODS table, parents first; CSV files are closed by the `files` ExitStack."""
    if fmt == "csv":
        return [files.enter_context(_closing(CsvSource.from_path(model, csvio.table_path(directory, model))))
                for model in ods_models()]
    from fitness import parquetio

    sources = []
    for model in ods_models():
        try:
            columns = parquetio.parquet_columns(directory, model)
        except parquetio.ParquetFormatError as error:
            raise CommandError(str(error)) from None
        sources.append(RowsSource(model, columns, lambda model=model: parquetio.parquet_rows(directory, model),
                                  name=f"{model._meta.db_table}/ (Parquet)",
                                  batches=lambda model=model: parquetio.parquet_batches(directory, model)))
    return sources


class _closing:
    def __init__(self, source):
        self.source = source

    def __enter__(self):
        return self.source

    def __exit__(self, *exc):
        self.source.close()


def import_ods(directory, *, fmt=None, flush=False, upsert=False, progress=None):
    """Import the 23 tables from `directory`; returns [TableOutcome]. Raises CommandError for a missing
    input, ImportNotPossible for a populated target, csvio.ImportRefused for bad files."""
    fmt = fmt or detect_format(directory)
    missing = missing_inputs(directory, fmt)
    if missing:
        raise CommandError(f"Missing {'CSV file' if fmt == 'csv' else 'Parquet dataset'}(s): {', '.join(missing)}")
    with ExitStack() as files:
        sources = open_sources(directory, fmt, files)
        return import_tables(sources, mode="upsert" if upsert else "insert", flush=flush, progress=progress)


class Command(BaseCommand):
    help = "Import the 23 ODS tables from an export_ods directory (CSV or Parquet), all-or-nothing."

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--format", choices=["csv", "parquet"], help="default: what the directory holds")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--flush", action="store_true", help="Empty the ODS tables first (same transaction).")
        mode.add_argument("--upsert", action="store_true",
                          help="Keep existing rows: insert new ids, update changed rows.")

    @exclusive("import_ods")
    def handle(self, *args, directory, format, flush, upsert, **options):
        started = time.monotonic()

        def progress(outcome):
            rate = outcome.rows / outcome.seconds if outcome.seconds else 0
            changes = f"  {outcome.new:,} new, {outcome.changed:,} changed, {outcome.same:,} same" if upsert else ""
            self.stderr.write(f"  {outcome.table:<26} {outcome.rows:>10,} rows  {rate:>10,.0f} rows/s{changes}")

        try:
            outcomes = import_ods(directory, fmt=format, flush=flush, upsert=upsert, progress=progress)
        except csvio.ImportRefused as refused:
            raise CommandError(refused.summary()) from None
        except ImportNotPossible as error:
            raise CommandError(str(error)) from None
        except KeyboardInterrupt:
            # One transaction, rolled back on the way out; its queries cancelled in the server.
            exit_interrupted(self.stderr, "nothing was imported.")
        rows = sum(outcome.rows for outcome in outcomes)
        seconds = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(
            f"Imported {len(outcomes)} tables, {rows:,} rows from {directory} in {seconds:.1f}s "
            f"({rows / max(seconds, 1e-9):,.0f} rows/s)"
        ))
