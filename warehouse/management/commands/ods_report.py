"""ods_report: print analytics views as a table, CSV or JSON."""
from django.core.management.base import BaseCommand, CommandError

from warehouse.reports import FORMATS, REPORT_NAMES, UnknownReport, render, run_report


class Command(BaseCommand):
    help = "Print analytics reports (all of them without a name): " + ", ".join(REPORT_NAMES) + "."

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", metavar="NAME", help="Report (view) names; default: all.")
        parser.add_argument("--format", choices=FORMATS, default="table")

    def handle(self, *args, names, format, **options):
        try:
            reports = [run_report(name) for name in (names or REPORT_NAMES)]
        except UnknownReport as exc:
            raise CommandError(str(exc))
        self.stdout.write(render(reports, format), ending="")
