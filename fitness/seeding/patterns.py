"""When, how often, how long and where members come: the visit stream's habits as plain numbers and functions.

The figures follow the realism measures (spec/realism.md):
- how often (R1-R3): each member has a visit rate (visits per week) drawn once; about a third are
  "sleepers" who pay and rarely come, most come 0.5-2.5 times a week, a few heavy users 4 or more.
- when (R4-R6, R15, R23-R25): a smooth hour curve with morning and evening peaks and a midday bump;
  Monday busiest, Friday the quietest weekday, weekends lighter; January high, a summer dip; Thanksgiving,
  Christmas Day and New Year's Day nearly empty.
- how long (R26): log-normal stays (median about an hour) with short and long tails.
- where (R21, M9): mostly the home club, some members also use one or two clubs near home, rare travel
  visits anywhere in the chain.
- what on (R31): the visit's area decides the machines; treadmills are the most used machine per unit.

Nothing here draws at random by itself: a function that draws takes the random source (or the uniforms).
"""
import datetime as dt
import math
from statistics import NormalDist

import numpy as np

from fitness.core.business import us_holidays

# --- how often ---------------------------------------------------------------------------------------------
# By persona: (share of sleepers, share of heavy users); the rest are "moderate". Lapsing members (who leave
# soonest, members_sim.MONTHLY_LEAVE) sleep more often and are never heavy users; regulars are the heavy ones.
VISIT_HABITS = {"regular": (0.22, 0.10), "casual": (0.45, 0.02), "lapsing": (0.55, 0.0)}
SLEEPER_RATE = (0.0, 0.08)  # visits per week, uniform: a visit every three months at most
MODERATE_MEDIAN, MODERATE_SIGMA, MODERATE_RATE = 1.1, 0.6, (0.25, 3.8)  # log-normal, clipped
HEAVY_RATE = (4.8, 7.5)  # uniform
STANDARD_NORMAL = NormalDist()
MAX_DAILY_CHANCE = 0.95  # one visit a day at most (V3), and even the keenest miss a day now and then
# A lapsing member's rate fades with tenure (down to this floor after LAPSING_FADE_DAYS): they drift away.
LAPSING_FADE_DAYS, LAPSING_FLOOR = 540, 0.15
# A member about to cancel comes less in the weeks before (realism R11: the last four weeks' visits at most 0.6
# of their usual): from TAPER_DAYS before the cancelled period (members_sim foresees it), at TAPER_FACTOR.
TAPER_DAYS, TAPER_FACTOR = 28, 0.15
TAPER_GRACE_DAYS = 10  # a taper ends this long after the day foreseen, whether or not the member left then


def draw_visit_habits(persona: str, rng) -> tuple[float, float]:
    """(visits per week, roam) for a new member: the rate from the persona's mixture; `roam`, a uniform in
    [0, 1), decides once which clubs besides home the member uses (see secondary_facilities)."""
    sleepers, heavy = VISIT_HABITS[persona]
    kind, value, roam = rng.random(), rng.random(), rng.random()
    if kind < sleepers:
        rate = SLEEPER_RATE[0] + value * (SLEEPER_RATE[1] - SLEEPER_RATE[0])
    elif kind < sleepers + heavy:
        rate = HEAVY_RATE[0] + value * (HEAVY_RATE[1] - HEAVY_RATE[0])
    else:
        normal = STANDARD_NORMAL.inv_cdf(min(max(value, 1e-9), 1 - 1e-9))
        rate = min(max(MODERATE_MEDIAN * math.exp(MODERATE_SIGMA * normal), MODERATE_RATE[0]), MODERATE_RATE[1])
    return round(rate, 4), roam


# --- which days ---------------------------------------------------------------------------------------------
# Relative busyness by ISO weekday (1 = Monday), averaging 1 over the week: Monday the busiest day, Friday the
# quietest weekday, the weekend about 22% of visits (R6, R24). Monday leads Tuesday by 12%, so that a
# month's four Mondays stay ahead of its Tuesdays (a 5% lead lost to chance in about one month in five).
WEEKDAY_FACTOR = {1: 1.28, 2: 1.14, 3: 1.11, 4: 1.06, 5: 0.89, 6: 0.82, 7: 0.70}
# Seasonality: a cosine over the year, highest in mid-January (resolutions), lowest in mid-July (R15: July and
# August at about 0.89 of the year's average).
SEASON_AMPLITUDE, SEASON_PEAK_DAY = 0.12, 15
# Holidays: share of a usual day's visits. Thanksgiving, Christmas Day and New Year's Day are nearly empty
# (R25); the days around them and the summer holidays are quieter.
HOLIDAY_FACTOR = {
    "new_year": 0.2, "thanksgiving": 0.2, "christmas": 0.15, "christmas_eve": 0.55, "new_years_eve": 0.6,
    "memorial_day": 0.7, "independence_day": 0.5, "labor_day": 0.7, "black_friday": 0.8,
}


def holiday_of(day: dt.date) -> str | None:
    return us_holidays(day.year).get(day)


def season_factor(day: dt.date) -> float:
    angle = 2 * math.pi * (day.timetuple().tm_yday - SEASON_PEAK_DAY) / 365.25
    return 1 + SEASON_AMPLITUDE * math.cos(angle)


def day_factor(day: dt.date) -> float:
    """How busy the day is relative to an average day of the year (weekday x season x holiday)."""
    holiday = holiday_of(day)
    return WEEKDAY_FACTOR[day.isoweekday()] * season_factor(day) * (HOLIDAY_FACTOR[holiday] if holiday else 1.0)


def weekend_like(day: dt.date) -> bool:
    """Saturdays, Sundays and holidays follow the weekend's hour curve (no commute to fit a workout around)."""
    return day.isoweekday() >= 6 or holiday_of(day) is not None


# --- which hours --------------------------------------------------------------------------------------------
# Relative arrivals in each clock hour (0-23). Weekdays: a morning peak before work, a lunchtime bump and the
# evening peak after it; neighbouring hours never differ by more than about 2x (R23), and 06-09 plus 17-20
# hold about 55% of weekday check-ins (R5), and 06-09 plus 17-20 with both ends inclusive, as V4 counts
# them, about 60%: far enough above V4's 50% that a small chain's week does not dip under it.
WEEKDAY_HOURLY = (0, 0, 0, 0, 1.5, 3.2, 7.5, 10.0, 8.5, 4.5, 3.3, 3.3, 4.3, 3.6, 3.0, 4.0, 6.2, 10.0, 11.0, 8.0,
                  4.5, 3.0, 2.0, 1.0)
# Weekends: a late morning peak, a long afternoon, a quiet evening (V4: most check-ins in 09-18).
WEEKEND_HOURLY = (0, 0, 0, 0, 0.5, 1.0, 2.0, 4.0, 6.5, 8.0, 8.5, 7.5, 6.0, 5.0, 4.5, 4.5, 4.5, 4.0, 3.0, 2.2,
                  1.5, 1.0, 0.5, 0.3)
LAST_ARRIVAL_BEFORE_CLOSE = 15  # minutes: nobody checks in for less than a quarter of an hour


class ArrivalTable:
    """Arrival minutes for one set of opening hours and kind of day, drawn by inverting the cumulative weights.
    The hourly weights are interpolated linearly between hour midpoints, so the curve has no steps."""

    def __init__(self, open_min: int, close_min: int, weekend: bool):
        hourly = np.array(WEEKEND_HOURLY if weekend else WEEKDAY_HOURLY, dtype=float)
        last = max(open_min + 1, close_min - LAST_ARRIVAL_BEFORE_CLOSE)
        minutes = np.arange(open_min, last)
        weights = np.interp(minutes + 0.5, np.arange(24) * 60 + 30, hourly)
        weights = np.maximum(weights, 0.05)  # every open minute has some arrivals
        self.cumulative = np.cumsum(weights)
        self.total = float(self.cumulative[-1])
        self.open_min = open_min
        self.last_minute = last - 1

    def minutes(self, uniforms):
        """The arrival minute for each of `uniforms` (an array of draws in [0, 1))."""
        found = np.searchsorted(self.cumulative, uniforms * self.total, side="right")
        return self.open_min + np.minimum(found, self.last_minute - self.open_min)


_TABLES = {}


def arrival_table(open_min, close_min, weekend) -> ArrivalTable:
    key = (open_min, close_min, weekend)
    if key not in _TABLES:
        _TABLES[key] = ArrivalTable(open_min, close_min, weekend)
    return _TABLES[key]


# --- how long -----------------------------------------------------------------------------------------------
# Log-normal stays by persona (median minutes); sigma 0.5 gives about 7% under 30 minutes and 8% over two
# hours at the regulars' median (R26). Stays end at closing time at the latest (V2).
STAY_MEDIAN = {"regular": 66, "casual": 58, "lapsing": 52}
STAY_SIGMA = 0.5
STAY_LIMITS = (15, 240)


def stay_minutes(medians, normals):
    """Stay lengths (int32 minutes) from each visit's median and a standard normal draw."""
    stays = np.rint(medians * np.exp(STAY_SIGMA * normals))
    return np.clip(stays, *STAY_LIMITS).astype(np.int32)


# --- where --------------------------------------------------------------------------------------------------
# A member's other clubs, decided once by their `roam` draw: 45% use only home, 40% one more club, 15% two,
# chosen near home (same state). Of the visits of a member with other clubs, SECONDARY_SHARE go there; any
# member's visit is a travel visit (any club of the chain) with TRAVEL_SHARE (R21: most use 1-3 clubs a year).
SECONDARY_COUNT_BOUNDS = (0.45, 0.85)  # roam below the first: none; below the second: one; else two
SECONDARY_SHARE = 0.2
TRAVEL_SHARE = 0.005
ROAM_BUCKETS = 64


def nearby_facilities(home: int, facilities) -> list[int]:
    """Facility indexes near `home`: the others in its state, else the neighbouring indexes."""
    state = getattr(facilities[home].row, "state", None)
    same_state = [f.index for f in facilities if f.index != home and getattr(f.row, "state", None) == state]
    if same_state:
        return same_state
    return [index for index in (home - 1, home + 1) if 0 <= index < len(facilities)]


def secondary_facilities(home: int, roam: float, facilities) -> list[int]:
    """The 0-2 clubs besides home that a member with this `roam` draw uses."""
    nearby = nearby_facilities(home, facilities)
    wanted = 0 if roam < SECONDARY_COUNT_BOUNDS[0] else 1 if roam < SECONDARY_COUNT_BOUNDS[1] else 2
    wanted = min(wanted, len(nearby))
    if not wanted:
        return []
    bucket = int(roam * ROAM_BUCKETS)
    first = bucket % len(nearby)
    chosen = [nearby[first]]
    if wanted == 2:
        chosen.append(nearby[(first + 1 + (bucket // len(nearby)) % (len(nearby) - 1)) % len(nearby)])
    return chosen


# A member's travel visits go to one of TRAVEL_CLUBS clubs of the chain (where family lives, where work takes
# them), the same ones all year: home, up to two clubs near home and these stay within M9's six a year.
TRAVEL_CLUBS = 2


def travel_table(facility_count: int) -> np.ndarray:
    """(facility, roam bucket, TRAVEL_CLUBS) int32 table of the clubs a member of that home and roam bucket
    travels to: other clubs of the chain, spread over it by the bucket (home itself in a one-club chain)."""
    table = np.empty((facility_count, ROAM_BUCKETS, TRAVEL_CLUBS), dtype=np.int32)
    for home in range(facility_count):
        others = [f for f in range(facility_count) if f != home] or [home]
        for bucket in range(ROAM_BUCKETS):
            for k in range(TRAVEL_CLUBS):
                table[home, bucket, k] = others[(bucket * (7 + 6 * k) + 3 * k) % len(others)]
    return table


def secondary_table(facilities) -> np.ndarray:
    """(facility, roam bucket, 2) int32 table of secondary clubs (-1 = none), so the stream looks them up
    for a whole day's visits at once."""
    table = np.full((len(facilities), ROAM_BUCKETS, 2), -1, dtype=np.int32)
    for home in range(len(facilities)):
        for bucket in range(ROAM_BUCKETS):
            chosen = secondary_facilities(home, (bucket + 0.5) / ROAM_BUCKETS, facilities)
            table[home, bucket, :len(chosen)] = chosen
    return table


# --- in which area, on which machines ----------------------------------------------------------------------
# Where a visit is logged (memberaccess.areaid), by area name: most people come for cardio or weights.
AREA_VISIT_WEIGHT = {
    "Cardio Zone": 40, "Weight Training": 28, "Group Fitness Studio": 6, "Pool Area": 10, "Yoga Studio": 4,
    "Spin Room": 3, "Basketball Court": 6, "Racquetball Court": 3,
}
# Machine sessions by area: (chance the visit logs any, (chance of 1, 2, 3 sessions)).
SESSIONS_BY_AREA = {
    "Cardio Zone": (0.9, (0.7, 0.3, 0.0)),
    "Weight Training": (0.7, (0.55, 0.3, 0.15)),
    "Spin Room": (0.6, (1.0, 0.0, 0.0)),
}
# How much each unit of a type is wanted (a type's pull = units x this): treadmills first (R31).
UNIT_POPULARITY = {
    "Treadmill": 1.0, "Elliptical": 0.55, "Stationary Bike": 0.5, "Rowing Machine": 0.4,
    "Bench Press": 0.6, "Squat Rack": 0.6, "Cable Machine": 0.5, "Leg Press": 0.45, "Spin Bikes": 0.15,
}
# Session minutes by type: (median, sigma, shortest, longest), log-normal. Cardio runs 20-45 minutes with a
# tail; a strength station is a few sets.
SESSION_MINUTES = {
    "Treadmill": (30, 0.35, 10, 75), "Elliptical": (28, 0.35, 10, 60), "Stationary Bike": (30, 0.35, 10, 60),
    "Rowing Machine": (18, 0.4, 8, 45), "Spin Bikes": (35, 0.3, 15, 60),
    "Bench Press": (14, 0.35, 5, 30), "Squat Rack": (16, 0.35, 5, 35), "Cable Machine": (12, 0.35, 5, 30),
    "Leg Press": (12, 0.35, 5, 25),
}


def session_length(machine_type: str, rng) -> int:
    median, sigma, shortest, longest = SESSION_MINUTES[machine_type]
    return min(max(round(median * math.exp(sigma * rng.normalvariate(0.0, 1.0))), shortest), longest)
