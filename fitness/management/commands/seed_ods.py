"""seed_ods: simulate the fitness chain day by day and load it (see fitness.seeding.run)."""
import sys

from django.core.management.base import BaseCommand, CommandError

from fitness.core.interrupts import exit_interrupted
from fitness.core.writer_lock import exclusive
from fitness.management.arguments import date_argument
from fitness.seeding.profiles import PROFILES
from fitness.seeding.run import SeedError, seed_ods, summary_lines


class Command(BaseCommand):
    help = "Seed the ODS with a coherent, deterministic simulation of the chain over the last N days."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int,
                            help="Days to simulate (default 30; with --append, days after the last run's end).")
        parser.add_argument("--seed", type=int, help="Random seed (printed when not given).")
        parser.add_argument("--end-date", type=date_argument("--end-date", parser),
                            help="As-of date YYYY-MM-DD, exclusive end of the window (default today).")
        parser.add_argument("--profile", choices=list(PROFILES), default="default")
        parser.add_argument("--members", type=int)
        parser.add_argument("--facilities", type=int)
        parser.add_argument("--staff", type=int)
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--flush", action="store_true", help="Replace the ODS data already there.")
        mode.add_argument("--append", action="store_true",
                          help="Continue the last seeded chain for --days, or to --end-date (default today).")
        parser.add_argument("--csv-dir", help="Also write the 23 tables as CSV files into this directory.")
        parser.add_argument("--progress", action="store_true", help="Show progress bars even when not on a terminal.")

    @exclusive("seed_ods")
    def handle(self, *args, **options):
        try:
            result = seed_ods(
                days=options["days"], seed=options["seed"], end_date=options["end_date"], profile=options["profile"],
                members=options["members"], facilities=options["facilities"], staff=options["staff"],
                flush=options["flush"], append=options["append"], csv_dir=options["csv_dir"],
                progress=options["progress"] or sys.stderr.isatty(), err=sys.stderr,
            )
        except (SeedError, ValueError) as error:
            raise CommandError(str(error)) from error
        except KeyboardInterrupt:
            # The seed is one transaction, rolled back on the way out; its helper processes are ended.
            exit_interrupted(self.stderr, "nothing was changed.")
        if not result.seed_given:
            self.stdout.write(f"seed: {result.seed} (pass --seed {result.seed} to repeat this run)")
        self.stdout.write(
            f"{result.mode}: {result.profile.name} chain, {result.window_start} .. {result.window_end} (exclusive)"
        )
        for line in summary_lines(result):
            self.stdout.write(line)
