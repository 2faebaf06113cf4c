"""check_ods: data-quality and integrity report of the ODS.

Exit status: 0 clean, 1 violations found (or, with --strict, a realism
measure warning), 2 the checks could not run (unknown rule id, bad option,
database unreachable, tables missing, a check erroring).
"""
import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from fitness.core.interrupts import exit_interrupted, sigterm_as_ctrl_c
from fitness.management.arguments import date_argument
from fitness.quality import QualityCheckError, exit_status, run_checks
from fitness.quality.formatting import format_report
from fitness.quality.realism import realism_warnings


class Command(BaseCommand):
    help = (
        "Check the ODS: completeness, referential integrity, every business rule of ods-rules.md "
        "(I1-I3, M1-M9, V1-V9, C1-C7, S1-S9) and a data profile; with --realism also the realism "
        "measures R1-R32 of realism.md. Exit 0 clean, 1 violations (or realism warnings with --strict), "
        "2 could not run."
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
        parser.add_argument("--realism", action="store_true",
                            help="Also compute the realism measures R1-R32 (value, range, pass/warn/n/a).")
        parser.add_argument("--realism-only", dest="realism_only", action="store_true",
                            help="Only the realism measures: no rules, no data profile.")
        parser.add_argument("--strict", action="store_true",
                            help="Compute the realism measures (as --realism) and exit 1 when one warns "
                                 "(without --strict, warnings leave the exit status alone).")

    def handle(self, *args, **options):
        show_progress = options["verbosity"] >= 1 and options["format"] == "table"
        realism_only = options["realism_only"]
        if realism_only and (options["only"] or options["skip"]):
            raise CommandError("--realism-only runs no rules: leave out --only and --skip.", returncode=2)
        try:
            with sigterm_as_ctrl_c():
                document = self.run_checks(options, realism_only, show_progress)
        except QualityCheckError as error:
            raise CommandError(str(error), returncode=2)
        except DatabaseError as error:
            raise CommandError(f"The checks could not run: {error}".strip(), returncode=2)
        except KeyboardInterrupt:
            # The checks' queries were cancelled in the server; the run is saved only when it completes.
            exit_interrupted(self.stderr, "no run was saved.")
        if options["format"] == "json":
            self.stdout.write(json.dumps(document, indent=2, default=str))
        else:
            self.stdout.write(format_report(document))
        status = exit_status(document)
        if not status and options["strict"] and realism_warnings(document.get("realism", [])):
            status = 1
        if status:
            sys.exit(status)

    def run_checks(self, options, realism_only, show_progress):
        return run_checks(
            only=[] if realism_only else options["only"],
            skip=options["skip"],
            as_of=options["as_of"],
            days=options["days"],
            save=not options["no_save"],
            profile=not options["no_profile"] and not realism_only,
            progress=self.report_progress if show_progress else None,
            realism=options["realism"] or realism_only or options["strict"],
        )

    def report_progress(self, check):
        """One line per finished check on stderr, so stdout stays the report."""
        self.stderr.write(f"  {check['id']:<4} {check['status']:<5} {check['count']:>8}  {check['seconds']:.2f} s")
