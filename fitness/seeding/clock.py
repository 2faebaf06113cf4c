"""Wall-clock arithmetic for the simulation.

Everything inside a simulated day is an integer minute of the local day
(America/New_York by default). Timestamps are written as naive UTC strings
`YYYY-MM-DD HH:MM:SS`, which is what Django stores on SQLite and what
PostgreSQL reads correctly in the UTC session Django opens with USE_TZ=True.
The UTC offset is taken once per day at noon: facilities open after 05:00,
well after the 02:00 DST switch, so every minute we write shares that offset.
"""
import datetime as dt
from zoneinfo import ZoneInfo

from django.conf import settings

MINUTES_PER_DAY = 1440
# " HH:MM:00" for each minute of a UTC day, built once.
_CLOCK = [f" {m // 60:02d}:{m % 60:02d}:00" for m in range(MINUTES_PER_DAY)]
TIME_TEXT = [f"{m // 60:02d}:{m % 60:02d}:00" for m in range(MINUTES_PER_DAY + 1)]
TIME_TEXT[MINUTES_PER_DAY] = "23:59:59"
NUMBER_TEXT = [str(n) for n in range(MINUTES_PER_DAY + 1)]  # durations in minutes as text


def local_zone():
    return ZoneInfo(settings.TIME_ZONE)


class DayClock:
    """Formats local minutes of one day as UTC timestamp text."""

    __slots__ = ("day", "iso", "_dates", "_shift", "_stamps")

    def __init__(self, day: dt.date, zone=None):
        zone = zone or local_zone()
        self.day = day
        self.iso = day.isoformat()
        noon = dt.datetime.combine(day, dt.time(12), zone)
        offset = int(noon.utcoffset().total_seconds() // 60)  # -300 or -240 in New York
        self._shift = -offset + MINUTES_PER_DAY  # keeps the index non-negative
        self._dates = [(day + dt.timedelta(days=k)).isoformat() for k in (-1, 0, 1)]
        self._stamps = None

    @property
    def stamps(self) -> list[str]:
        """`ts(minute)` for every minute of the local day, for the hot loops (visits)."""
        if self._stamps is None:
            self._stamps = [self.ts(minute) for minute in range(MINUTES_PER_DAY)]
        return self._stamps

    def ts(self, minute: int) -> str:
        """Local minute of this day (may exceed 1440 by a little) -> UTC timestamp text."""
        utc = minute + self._shift
        return self._dates[utc // MINUTES_PER_DAY] + _CLOCK[utc % MINUTES_PER_DAY]


def minutes_of(time: dt.time) -> int:
    return time.hour * 60 + time.minute


def hours_text(hundredths: int) -> str:
    """Hundredths of an hour as a 2-decimal text: 750 -> '7.50'."""
    return f"{hundredths // 100}.{hundredths % 100:02d}"


def minutes_to_hundredths(minutes: int) -> int:
    """Minutes as hours rounded half-up to the hundredth (the HOURS columns' precision)."""
    return (minutes * 100 * 2 + 60) // 120
