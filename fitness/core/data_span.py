"""The span of dates the ODS's events cover, and the as-of dates a command may be given against it.

A command's as-of date far from every event asks for empty windows over the whole ODS (or dates the
database cannot store): such a date is refused before any work.
"""
import datetime as dt

from django.db import connection

# The longest window a command simulates or checks: ten years.
MAX_WINDOW_DAYS = 3660

# Event tables and the date each row happens on; their earliest date starts an
# "all data" window. MIN over these indexed columns is an index lookup.
EARLIEST_DATE_SOURCES = (
    ("memberaccess", "checkintime", True),
    ("classinstances", "classdate", False),
    ("memberpayments", "paymentdate", False),
    ("staffschedules", "scheduledate", False),
    ("membermemberships", "startdate", False),
)


def earliest_event_date(dialect, extreme="MIN"):
    """The first date any event in the ODS happens on (the last with extreme="MAX"), or None for an empty
    ODS. Each is one probe of an indexed column."""
    dates = []
    with connection.cursor() as cursor:
        for table, column, is_timestamp in EARLIEST_DATE_SOURCES:
            expr = dialect.local_date(f"{extreme}({column})") if is_timestamp else f"{extreme}({column})"
            cursor.execute(f"SELECT {expr} FROM {table}")
            value = cursor.fetchone()[0]
            if value is not None:
                dates.append(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10]))
    if not dates:
        return None
    return min(dates) if extreme == "MIN" else max(dates)


# An --as-of further than this from every event checks an empty window over the whole ODS: bounded work.
AS_OF_MARGIN = dt.timedelta(days=366)


def refuse_far_as_of(as_of, dialect, option="--as-of"):
    """ValueError when `as_of` lies more than AS_OF_MARGIN outside the dates the ODS's events span."""
    first, last = earliest_event_date(dialect), earliest_event_date(dialect, "MAX")
    if first is None:
        return
    if not first - AS_OF_MARGIN <= as_of <= last + AS_OF_MARGIN:
        raise ValueError(f"{option} {as_of} is more than a year from the data ({first} .. {last}): "
                         "give a date within a year of it.")
