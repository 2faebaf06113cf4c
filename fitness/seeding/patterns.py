"""When people come: the seed's daily rhythm as tables to draw minutes from.

Weekdays peak 06-09 and 17-20, weekends 09-18 (rule V4); 70% of visits fall
in the peaks, the rest spread over the opening hours.
"""
import itertools

import numpy as np

PEAK_SHARE = 0.7
WEEKDAY_PEAKS = ((6 * 60, 9 * 60), (17 * 60, 20 * 60))
WEEKEND_PEAKS = ((9 * 60, 18 * 60),)
# Visits per member per day by persona: (weekday, weekend). Calibrated so the
# default chain (1,000 members) sees 400-800 visits a weekday, 200-400 a weekend day.
VISIT_CHANCE = {"regular": (0.95, 0.5), "casual": (0.3, 0.25), "lapsing": (0.3, 0.2)}
STAY_MINUTES = {"regular": (45, 120), "casual": (30, 90), "lapsing": (30, 75)}
HOME_SHARE = 0.7


class ArrivalTable:
    """Arrival minutes for one set of opening hours and kind of day, drawn by inverting the cumulative weights."""

    def __init__(self, open_min: int, close_min: int, weekend: bool):
        peaks = WEEKEND_PEAKS if weekend else WEEKDAY_PEAKS
        weights = []
        in_peak_minutes = sum(e - s for s, e in peaks)
        open_minutes = close_min - open_min
        for minute in range(open_min, close_min):
            peak = any(s <= minute < e for s, e in peaks)
            weights.append((PEAK_SHARE / in_peak_minutes if peak else 0) + (1 - PEAK_SHARE) / open_minutes)
        self.cumulative = np.array(list(itertools.accumulate(weights)))
        self.total = float(self.cumulative[-1])
        self.open_min = open_min

    def minutes(self, uniforms):
        """The arrival minute for each of `uniforms` (an array of draws in [0, 1))."""
        return self.open_min + np.searchsorted(self.cumulative, uniforms * self.total, side="right")


_TABLES = {}


def arrival_table(open_min, close_min, weekend) -> ArrivalTable:
    key = (open_min, close_min, weekend)
    if key not in _TABLES:
        _TABLES[key] = ArrivalTable(open_min, close_min, weekend)
    return _TABLES[key]
