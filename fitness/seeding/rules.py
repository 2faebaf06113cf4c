"""The few date conventions the simulation shares with check_ods, in one place.

Membership periods: `enddate = startdate + duration months` (M3); the next
period starts the day after `enddate`, moved to the 1st of the next month when
that would be after the 28th, so that "+ N months" never needs month-end
clamping (SQLite and PostgreSQL disagree on Jan 31 + 1 month). A member visits
only on days start <= day < end: the end day itself is left out, so the data
holds whether a reader treats the end date as inclusive or exclusive.
"""
import datetime as dt

from .clock import add_months

LAST_START_DAY = 28


def next_period_start(end: dt.date) -> dt.date:
    start = end + dt.timedelta(days=1)
    if start.day > LAST_START_DAY:
        start = add_months(start.replace(day=1), 1)
    return start


def first_period_start(join_date: dt.date) -> dt.date:
    if join_date.day > LAST_START_DAY:
        return add_months(join_date.replace(day=1), 1)
    return join_date


def period_status_on(status: str, end: dt.date, as_of: dt.date) -> str:
    """A period's stored status on the as-of date: Active ones that ended become Expired."""
    if status == "Active" and end <= as_of:
        return "Expired"
    return status


def member_status_on(periods_status: str | None, covers_as_of: bool, last_status: str | None) -> str:
    """members.memberstatus (M4): Active exactly when an Active period covers as-of."""
    if covers_as_of and periods_status in ("Active", "Suspended", "Cancelled"):
        return periods_status
    return "Cancelled" if last_status == "Cancelled" else "Expired"
