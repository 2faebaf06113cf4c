"""What a check run looks at: the as-of date, the window, the SQL dialect.

Window and as-of follow ods-rules.md: window = [as_of - days, as_of). When the
caller gives neither, they come from the latest seed_ods run (its
window_start .. window_end); without a seed run, as-of is today and the window
starts at the earliest event date found in the data (so it covers all data).
"""
import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone

from fitness.core.dialect import Dialect
from fitness.models import SeedRun

# Event tables and the date each row happens on; their earliest date starts an
# "all data" window. MIN over these indexed columns is an index lookup.
EARLIEST_DATE_SOURCES = (
    ("memberaccess", "checkintime", True),
    ("classinstances", "classdate", False),
    ("memberpayments", "paymentdate", False),
    ("staffschedules", "scheduledate", False),
    ("membermemberships", "startdate", False),
)


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


def earliest_event_date(dialect):
    """The first date any event in the ODS happens on, or None for an empty ODS."""
    dates = []
    with connection.cursor() as cursor:
        for table, column, is_timestamp in EARLIEST_DATE_SOURCES:
            expr = dialect.local_date(f"MIN({column})") if is_timestamp else f"MIN({column})"
            cursor.execute(f"SELECT {expr} FROM {table}")
            value = cursor.fetchone()[0]
            if value is not None:
                dates.append(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10]))
    return min(dates) if dates else None


def resolve_context(as_of=None, days=None):
    """Build the CheckContext from the options, the latest seed run, or the data."""
    dialect = Dialect.for_connection(connection)
    if days is not None and days < 1:
        raise ValueError(f"--days must be a positive number of days, got {days}")
    latest_seed = SeedRun.objects.order_by("-created_at", "-id").first() if as_of is None else None
    if latest_seed is not None:
        as_of = latest_seed.window_end
        start, source = latest_seed.window_start, "seed run"
        if days is not None:
            start, source = as_of - dt.timedelta(days=days), "seed run as-of, --days"
        return CheckContext(as_of, start, dialect, source)
    if as_of is None:
        as_of = timezone.localdate()
    if days is not None:
        return CheckContext(as_of, as_of - dt.timedelta(days=days), dialect, "options")
    start = earliest_event_date(dialect) or as_of
    return CheckContext(as_of, min(start, as_of), dialect, "all data")
