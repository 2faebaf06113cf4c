"""Staff: facility assignments, certifications, shifts, time tracking,
and bi-weekly payroll.

Everyone works a weekly pattern at their primary facility (S2, S3); busy
weeks add a sixth day, which is where overtime (beyond 40 h in the ISO week,
S4) comes from. Time entries follow each completed shift with a few minutes
either way and a break; payroll adds up the tracked hours of each two-week
period to the cent (S5). Certifications renew before they expire so
instructors stay qualified (C3, S6). Reviews are in reviews_sim.py.

A chain has paid its staff since it hired them: on the chain's first day the
stream works out, from the same weekly patterns and the same draws as a
simulated shift, the hours everyone worked before it (no shift or time entry
is written for them) and writes the payroll of every pay period that ended
before that day, so a run of any length has payroll. The period open on the
first day carries its earlier hours (and the ISO week its earlier hours, for
overtime) into the window, and is paid in full when it closes. The history
draws from a random source of its own, so the window's rows stay as they were.
"""
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from staff.choices import EmploymentType, JobTitle, StaffStatus

from fitness.core import catalog
from fitness.core.business import (
    AREA_TYPE_FOR_ROLE, OVERTIME_MULTIPLIER, PAY_DAY_AFTER_END, PAY_PERIOD_DAYS, PAY_PERIOD_EPOCH, WEEK_REGULAR_HOURS,
    add_months, deduction_rate,
)

from .clock import TIME_TEXT, hours_text, minutes_to_hundredths

CENT = Decimal("0.01")
PERIOD_EPOCH = PAY_PERIOD_EPOCH.toordinal()
WEEK_LIMIT = WEEK_REGULAR_HOURS * 100  # in hundredths of an hour
BUSY_WEEK_SHARE = 0.2  # weeks with a sixth day, the source of overtime (realism R18: 1%-10% of paid hours)
ABSENT_SHARE, SHIFT_CANCEL_SHARE = 0.02, 0.01
VALIDITY = {c.certification_id: c.validity_months for c in catalog.CERTIFICATIONS}


def starting_certifications(staff, rng) -> set:
    """What each role holds before the timetable asks for more."""
    title = staff.job_title
    if title in (JobTitle.GROUP_FITNESS_INSTRUCTOR, JobTitle.PERSONAL_TRAINER):
        held = set(catalog.REQUIRED_FOR_ALL_INSTRUCTORS)
        held.add("CERT003" if title == JobTitle.PERSONAL_TRAINER else "CERT004")
        specialties = [k.specialty_certification for k in catalog.CLASS_KINDS]
        held.update(rng.sample(specialties, 2))
        return held
    if title == JobTitle.LIFEGUARD:
        return {"CERT001", "CERT008"}
    return {"CERT001"} if rng.random() < 0.5 else set()


def certification_chain(staff, cert_id, rng, until: int):
    """(certified, expiry) dates from before hiring, each renewed before it lapses, up to `until`."""
    start = staff.hire_date - dt.timedelta(days=rng.randint(0, 365))
    return extend_chain(start, cert_id, rng, until)


def extend_chain(start: dt.date, cert_id, rng, until: int):
    chain = []
    while True:
        expiry = add_months(start, VALIDITY[cert_id])
        chain.append((start, expiry))
        if expiry.toordinal() > until:
            return chain
        start = expiry - dt.timedelta(days=rng.randint(1, 30))


def certification_row(counters, staff_id, cert_id, certified, expiry, as_of, rng):
    return (
        counters.next("staffcertifications"), staff_id, cert_id, certified.isoformat(), expiry.isoformat(),
        f"{cert_id[4:]}-{rng.randint(100000, 999999)}", "Expired" if expiry < as_of else "Active",
    )


def assignment_rows(master, counters, rng):
    """One primary assignment per person from hiring (ending when they left); some also help out elsewhere."""
    rows = []
    for staff in master.staff:
        end = staff.termination_date.isoformat() if staff.termination_date else None
        rows.append((counters.next("stafffacilities"), staff.staff_id, master.facilities[staff.facility_index].id,
                     "1", staff.hire_date.isoformat(), end))
        if end is None and len(master.facilities) > 1 and rng.random() < 0.15:
            other = rng.choice([f for f in master.facilities if f.index != staff.facility_index])
            since = max(staff.hire_date + dt.timedelta(days=rng.randint(30, 400)), other.opened)  # not before it opened
            rows.append((counters.next("stafffacilities"), staff.staff_id, other.id, "0", since.isoformat(), None))
    return rows


class WorkPattern:
    """Which weekdays someone works and which shift."""

    __slots__ = ("days", "kind", "minutes")

    def __init__(self, days, kind, minutes):
        self.days, self.kind, self.minutes = days, kind, minutes


def draw_pattern(staff, rng, order):
    full_time = staff.employment_type == EmploymentType.FULL_TIME
    days = frozenset(rng.sample(range(1, 8), 5 if full_time else 3))
    if staff.job_title == JobTitle.FRONT_DESK:
        kind = ("Morning", "Evening", "Afternoon")[order % 3]
    else:
        kind = rng.choice(("Morning", "Afternoon", "Evening"))
    return WorkPattern(days, kind, 8 * 60 if full_time else 5 * 60)


def shift_times(pattern, facility):
    if pattern.kind == "Morning":
        start = facility.open_min
    elif pattern.kind == "Evening":
        start = facility.close_min - pattern.minutes
    else:
        start = max(facility.open_min, min(11 * 60, facility.close_min - pattern.minutes))
    return start, start + pattern.minutes


def hours_cents(hundredths: int) -> Decimal:
    return Decimal(hundredths) / 100


class StaffStream:
    """Writes staffschedules, stafftimetracking and staffpayroll (instructorperformance: reviews_sim.py)."""

    def __init__(self, master, patterns, counters, rng, sink, chain_start: dt.date, accumulators, history_rng):
        self.master, self.patterns = master, patterns
        self.counters, self.rng, self.sink = counters, rng, sink
        self.chain_start = chain_start.toordinal()
        # staff index -> [iso week key, week hundredths, pay period, regular hundredths, overtime hundredths]
        self.acc = accumulators
        self.busy_week = {}
        # The history's source: the hours and bonuses before the chain's first day, and the bonuses of the period
        # open on it.
        self.history_rng = history_rng
        self.employed = [
            (s.hire_date.toordinal(), s.termination_date.toordinal() if s.termination_date else 10**9)
            for s in master.staff
        ]

    def area_for(self, staff, facility):
        wanted = AREA_TYPE_FOR_ROLE.get(staff.job_title)
        if wanted is None:
            return None
        ids = facility.area_id_by_type.get(wanted)
        return ids[0] if ids else None

    def simulate_day(self, day: dt.date, clock):
        ordinal = day.toordinal()
        if ordinal == self.chain_start:  # only the run that starts the chain simulates its first day
            self.payroll_history(day)
        self.work_day(day, self.rng, self.busy_week, clock)
        if (ordinal - PERIOD_EPOCH) % PAY_PERIOD_DAYS == PAY_PERIOD_DAYS - 1:
            period = (ordinal - PERIOD_EPOCH) // PAY_PERIOD_DAYS
            begun_in_history = PERIOD_EPOCH + period * PAY_PERIOD_DAYS < self.chain_start
            self.pay(period, day, self.history_rng if begun_in_history else self.rng)

    def payroll_history(self, first_day: dt.date):
        """The hours everyone worked from hiring (or since the earliest hire) to the day before `first_day`, and
        the payroll of each pay period that ended before it. The ISO week open on `first_day` gets its sixth
        day, if any, from the window's draws, so a busy week is never busy twice."""
        rng, first = self.history_rng, first_day.toordinal()
        open_week = week_key(first_day)
        busy_week = {(index, open_week): 0 for index in range(len(self.master.staff))}
        ordinal = min(hired for hired, _ in self.employed) if self.employed else first
        while ordinal < first:
            day = dt.date.fromordinal(ordinal)
            self.work_day(day, rng, busy_week, None)
            if (ordinal - PERIOD_EPOCH) % PAY_PERIOD_DAYS == PAY_PERIOD_DAYS - 1:
                self.pay((ordinal - PERIOD_EPOCH) // PAY_PERIOD_DAYS, day, rng)
                week = week_key(day)  # a Sunday: the weeks before this one are done with
                busy_week = {key: extra for key, extra in busy_week.items() if key[1] >= week}
            ordinal += 1

    def work_day(self, day: dt.date, rng, busy_week, clock):
        """Everyone's shift of `day`, added to their week and pay period; with a clock, written as a shift and a
        time entry, without one (the history) only counted."""
        ordinal = day.toordinal()
        random = rng.random
        dow = day.isoweekday()
        week = week_key(day)
        period = (ordinal - PERIOD_EPOCH) // PAY_PERIOD_DAYS
        facilities, add = self.master.facilities, self.sink.add
        for index, staff in enumerate(self.master.staff):
            hired, left = self.employed[index]
            if ordinal < hired or ordinal > left or (clock is not None and staff.status == StaffStatus.TERMINATED):
                continue
            pattern = self.patterns[index]
            acc = self.acc.setdefault(index, [week, 0, period, 0, 0])
            if acc[0] != week:
                acc[0], acc[1] = week, 0
            if acc[2] != period:
                acc[2], acc[3], acc[4] = period, 0, 0
            if dow not in pattern.days:
                extra = busy_week.get((index, week))
                if extra is None:
                    extra = busy_week[(index, week)] = (
                        rng.choice([d for d in range(1, 8) if d not in pattern.days])
                        if len(pattern.days) == 5 and random() < BUSY_WEEK_SHARE else 0
                    )
                if extra != dow:
                    continue
            facility = facilities[staff.facility_index]
            start, end = shift_times(pattern, facility)
            draw = random()
            status = "Absent" if draw < ABSENT_SHARE else "Cancelled" if draw < ABSENT_SHARE + SHIFT_CANCEL_SHARE else "Completed"
            if clock is not None:
                shift_id = self.counters.next("staffschedules")
                add("staffschedules", (
                    shift_id, staff.staff_id, facility.id, self.area_for(staff, facility), day.isoformat(),
                    TIME_TEXT[start], TIME_TEXT[end], hours_text(minutes_to_hundredths(end - start)), pattern.kind,
                    status,
                ))
            if status != "Completed":
                continue
            actual_start = start - 10 + int(random() * 16)
            actual_end = end - 5 + int(random() * 21)
            breaks = 30 if end - start >= 6 * 60 else 0
            worked = minutes_to_hundredths(actual_end - actual_start - breaks)
            before = acc[1]
            acc[1] += worked
            overtime = max(0, acc[1] - WEEK_LIMIT) - max(0, before - WEEK_LIMIT)
            acc[3] += worked - overtime
            acc[4] += overtime
            if clock is not None:
                add("stafftimetracking", (
                    self.counters.next("stafftimetracking"), staff.staff_id, shift_id, clock.ts(actual_start),
                    clock.ts(actual_end), hours_text(worked), hours_text(overtime), str(breaks),
                    "Stayed to close up" if actual_end > end + 10 else None,
                ))

    def pay(self, period, last_day: dt.date, rng):
        """Payroll of the two-week period ending on `last_day`, for everyone who worked in it (bonuses from `rng`)."""
        first = PERIOD_EPOCH + period * PAY_PERIOD_DAYS
        for index, staff in enumerate(self.master.staff):
            acc = self.acc.get(index)
            if acc is None or acc[2] != period or acc[3] + acc[4] == 0:
                continue
            rate = staff.hourly_rate
            regular_pay = (hours_cents(acc[3]) * rate).quantize(CENT, ROUND_HALF_UP)
            overtime_pay = (hours_cents(acc[4]) * rate * OVERTIME_MULTIPLIER).quantize(CENT, ROUND_HALF_UP)
            bonuses = Decimal(rng.randint(5, 25) * 10) if rng.random() < 0.05 else Decimal("0.00")
            gross = regular_pay + overtime_pay + bonuses
            withholding = deduction_rate(rate, staff.employment_type == EmploymentType.FULL_TIME)
            deductions = (gross * withholding).quantize(CENT, ROUND_HALF_UP)
            self.sink.add("staffpayroll", (
                self.counters.next("staffpayroll"), staff.staff_id, dt.date.fromordinal(first).isoformat(),
                last_day.isoformat(), hours_text(acc[3]), hours_text(acc[4]), f"{regular_pay:.2f}",
                f"{overtime_pay:.2f}", f"{bonuses:.2f}", f"{deductions:.2f}", f"{gross:.2f}",
                f"{gross - deductions:.2f}", (last_day + dt.timedelta(days=PAY_DAY_AFTER_END)).isoformat(),
            ))


def week_key(day: dt.date) -> int:
    """The ISO week of `day` as one number (year * 100 + week)."""
    iso_year, iso_week, _ = day.isocalendar()
    return iso_year * 100 + iso_week
