"""What a check run looks at: the as-of date, the window, the SQL dialect.

Window and as-of follow ods-rules.md: window = [as_of - days, as_of). When the
caller gives neither, they come from the seed_ods runs of the current chain:
as-of is the latest run's window_end and the window starts at the window_start
of the run that created the chain (its create or flush run), so a check after
`seed_ods --append` covers every appended window too, not only the last one.
`--days` alone keeps the latest run's as-of and counts back from it. Without a
seed run, as-of is today (or --as-of) and the window starts at the earliest
event date found in the data (so it covers all data).
"""
import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from fitness.core.data_span import MAX_WINDOW_DAYS, earliest_event_date, refuse_far_as_of
from fitness.core.dialect import Dialect
from fitness.models import SeedRun

@dataclass(frozen=True)
class CheckContext:
    as_of: dt.date
    window_start: dt.date
    dialect: Dialect
    window_source: str  # "options", "seed run" or "all data"

    @property
    def window_end(self):
        return self.as_of

    @property
    def params(self):
        """Named SQL parameters every rule may use."""
        return {
            "as_of": self.as_of,
            "last_day": self.as_of - dt.timedelta(days=1),
            "window_start": self.window_start,
            "window_end": self.window_end,
        }

    def as_json(self):
        return {
            "as_of": self.as_of.isoformat(),
            "window_start": self.window_start.isoformat(),
            "window_end": self.window_end.isoformat(),
            "window_source": self.window_source,
            "time_zone": self.dialect.time_zone,
            "database": self.dialect.vendor,
        }



def current_chain_runs():
    """The seed runs of the chain the ODS holds now, latest first: the latest run
    and every run back to (and including) the create or flush run that started
    its chain. Runs of earlier chains (before a flush) are left out. Empty when
    seed_ods never ran."""
    runs = []
    for run in SeedRun.objects.order_by("-created_at", "-id").only("mode", "window_start", "window_end"):
        runs.append(run)
        if run.mode != "append":
            break
    return runs


def seeded_window(runs):
    """(as-of, window start) covering every window of `runs` (latest first): appends
    continue where the previous run ended, so the chain's windows join into one."""
    return runs[0].window_end, min(run.window_start for run in runs)


def resolve_context(as_of=None, days=None):
    """Build the CheckContext from the options, the current chain's seed runs, or the data."""
    dialect = Dialect.for_connection(connection)
    if days is not None and not 1 <= days <= MAX_WINDOW_DAYS:
        raise ValueError(f"--days must be between 1 and {MAX_WINDOW_DAYS:,} (ten years), got {days:,}")
    if as_of is not None:
        refuse_far_as_of(as_of, dialect)
    chain = current_chain_runs() if as_of is None else []
    if chain:
        as_of, start = seeded_window(chain)
        source = "seed run" if len(chain) == 1 else f"{len(chain)} seed runs of one chain"
        if days is not None:
            start, source = as_of - dt.timedelta(days=days), "seed run as-of, --days"
        return CheckContext(as_of, start, dialect, source)
    if as_of is None:
        as_of = timezone.localdate()
    if days is not None:
        return CheckContext(as_of, as_of - dt.timedelta(days=days), dialect, "options")
    start = earliest_event_date(dialect) or as_of
    return CheckContext(as_of, min(start, as_of), dialect, "all data")
