"""check_ods: data-quality and integrity report of the ODS.

Exit status: 0 clean, 1 violations found, 2 the checks could not run (unknown
rule id, bad option, database unreachable, tables missing, a check erroring).
"""
import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from fitness.management.arguments import date_argument
from fitness.quality import QualityCheckError, exit_status, run_checks
from fitness.quality.formatting import format_report


class Command(BaseCommand):
    help = (
        "Check the ODS: completeness, referential integrity, every business rule of ods-rules.md "
        "(I1-I3, M1-M6, V1-V7, C1-C7, S1-S7) and a data profile. "
        "Exit 0 clean, 1 violations, 2 could not run."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["table", "json"], default="table", help="Output format.")
        parser.add_argument("--only", help="Comma-separated rule ids to run, e.g. V3,C5.")
        parser.add_argument("--skip", help="Comma-separated rule ids to leave out.")
        parser.add_argument("--as-of", dest="as_of", type=date_argument("--as-of", parser, returncode=2),
                            help="As-of date YYYY-MM-DD (default: latest seed run, or today).")
        parser.add_argument("--days", type=int, help="Window length in days before the as-of date.")
        parser.add_argument("--no-save", action="store_true", help="Do not store the run as a QualityRun.")
        parser.add_argument("--no-profile", action="store_true", help="Leave out the data profile section.")

    def handle(self, *args, **options):
        show_progress = options["verbosity"] >= 1 and options["format"] == "table"
        try:
            document = run_checks(
                only=options["only"],
                skip=options["skip"],
                as_of=options["as_of"],
                days=options["days"],
                save=not options["no_save"],
                profile=not options["no_profile"],
                progress=self.report_progress if show_progress else None,
            )
        except QualityCheckError as error:
            raise CommandError(str(error), returncode=2)
        except DatabaseError as error:
            raise CommandError(f"The checks could not run: {error}".strip(), returncode=2)
        if options["format"] == "json":
            self.stdout.write(json.dumps(document, indent=2, default=str))
        else:
            self.stdout.write(format_report(document))
        status = exit_status(document)
        if status:
            sys.exit(status)

    def report_progress(self, check):
        """One line per finished check on stderr, so stdout stays the report."""
        self.stderr.write(f"  {check['id']:<4} {check['status']:<5} {check['count']:>8}  {check['seconds']:.2f} s")
