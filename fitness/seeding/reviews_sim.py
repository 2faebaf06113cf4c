"""Instructors who differ, and their quarterly performance reviews (rule S7).

Each instructor has a record drawn once for the chain (`InstructorRecord`):
how members rate them on average, how many classes they teach in a month and
how full those classes are. Members' feedback is drawn around the rating
(classes_sim.py), so instructors are told apart by their feedback as in a
real club.

Every instructor is reviewed once each calendar quarter from the quarter
after their hire (staggered by staff number so that some reviews fall in
every month), on the 1st of the month, by a manager of their facility. A
review dated inside the simulated history counts the classes the instructor
really taught in the 30 days before it (those that were simulated) and the
ratings they really got; an earlier one (before the first simulated day, so
a run of any length has reviews) is drawn from the instructor's record.
"""
import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from fitness.core.business import REVIEW_DAYS
from fitness.core.drawing import cents
from staff.choices import INSTRUCTOR_TITLES, JobTitle

MIN_MEAN_RATING, MAX_MEAN_RATING = 3.0, 4.85
REVIEW_COMMENTS = {
    "strong": ("Consistently well prepared.", "Members ask for more of these classes.", "Strong technique cues.",
               "A mentor for newer instructors."),
    "steady": ("Solid classes; build more variety.", "Good rapport with regulars.", "Work on punctual starts."),
    "weak": ("Attendance is slipping; review the class plan.", "Members report unclear cues.",
             "Needs coaching on class energy."),
}
GOALS = ("Grow average attendance.", "Add a weekend class.", "Complete an advanced certification.",
         "Mentor a new instructor.", None)


@dataclass(frozen=True)
class InstructorRecord:
    rating: float  # mean overall rating members give (1-5)
    classes_per_month: float  # classes taught in 30 days, from the timetable
    attendance: float  # typical members per class


def holds_instructor_title(staff) -> bool:
    """Reviewed as an instructor (terminated ones too, for the quarters they worked)."""
    return staff.job_title in INSTRUCTOR_TITLES


def draw_instructor_records(staff, schedules, rng: random.Random) -> dict:
    """{staff index: InstructorRecord} for every instructor of the chain."""
    weekly, capacity = {}, {}
    for schedule in schedules:
        weekly[schedule.instructor] = weekly.get(schedule.instructor, 0) + 1
        capacity.setdefault(schedule.instructor, []).append(schedule.capacity)
    records = {}
    for index, member in enumerate(staff):
        if not holds_instructor_title(member):
            continue
        rating = min(MAX_MEAN_RATING, max(MIN_MEAN_RATING, rng.gauss(4.1, 0.35)))
        places = capacity.get(index, [0])
        fill = 0.45 + 0.1 * (rating - MIN_MEAN_RATING) + rng.random() * 0.25  # better instructors fill classes
        records[index] = InstructorRecord(rating, weekly.get(index, 0) * 30 / 7, sum(places) / len(places) * fill)
    return records


BAD_EXPERIENCE_SHARE = 0.06  # a class that went wrong for this member, whoever taught it


def draw_overall_rating(rng: random.Random, mean: float) -> int:
    """One member's overall rating of an instructor whose ratings average about `mean`."""
    if rng.random() < BAD_EXPERIENCE_SHARE:
        return rng.choice((1, 1, 2))
    return min(5, max(1, round(rng.gauss(mean, 0.85))))


def quarter_of(day: dt.date) -> int:
    return (day.year * 12 + day.month - 1) // 3


def review_month(index: int, quarter: int) -> dt.date:
    """The 1st of the month of `quarter` in which instructor `index` is reviewed."""
    month_index = quarter * 3 + (-(1 + index)) % 3  # the month m with (m + 1 + index) % 3 == 0
    return dt.date(month_index // 12, month_index % 12 + 1, 1)


class ReviewBook:
    """What each instructor taught and how it was rated, by day; quarterly reviews from it."""

    def __init__(self, master, records, counters, rng, sink, months=None):
        self.master, self.records = master, records
        self.counters, self.rng, self.sink = counters, rng, sink
        self.months = months if months is not None else {}  # "staff,day ordinal" -> [instances, attended, rating sum, ratings]
        self.managers = {
            facility.index: [i for i in facility.staff if master.staff[i].job_title == JobTitle.MANAGER]
            for facility in master.facilities
        }

    def _bucket(self, instructor, day):
        key = f"{instructor},{day.toordinal()}"
        bucket = self.months.get(key)
        if bucket is None:
            bucket = self.months[key] = [0, 0, 0, 0]
        return bucket

    def taught(self, instructor, day, attended):
        bucket = self._bucket(instructor, day)
        bucket[0] += 1
        bucket[1] += attended

    def rated(self, instructor, day, overall):
        bucket = self._bucket(instructor, day)
        bucket[2] += overall
        bucket[3] += 1

    # -- the reviews ------------------------------------------------------------------------------
    def history(self, before: dt.date):
        """The reviews of every quarter before the first simulated day, from the instructors' records."""
        for index in self.records:
            staff = self.master.staff[index]
            quarter = quarter_of(staff.hire_date) + 1
            while (day := review_month(index, quarter)) < before:
                if self.employed_on(staff, day):
                    self.review(index, day, self.drawn_record(index))
                quarter += 1

    def review_day(self, day: dt.date):
        """The reviews falling on `day` (a 1st of the month)."""
        if day.day != 1:
            return
        ordinal = day.toordinal()
        for index in self.records:
            staff = self.master.staff[index]
            if review_month(index, quarter_of(day)) != day or quarter_of(day) <= quarter_of(staff.hire_date):
                continue
            if self.employed_on(staff, day):
                self.review(index, day, self.taught_record(index, ordinal))
        # Days older than a review period are no longer needed.
        for key in [k for k in self.months if int(k.split(",")[1]) < ordinal - REVIEW_DAYS]:
            del self.months[key]

    @staticmethod
    def employed_on(staff, day: dt.date) -> bool:
        return staff.hire_date < day and (staff.termination_date is None or day <= staff.termination_date)

    def taught_record(self, index, ordinal):
        """(classes, average attendance, satisfaction or None) from the 30 days before `ordinal`."""
        totals = [0, 0, 0, 0]
        for taught_on in range(ordinal - REVIEW_DAYS, ordinal):
            bucket = self.months.get(f"{index},{taught_on}")
            if bucket:
                totals = [a + b for a, b in zip(totals, bucket)]
        classes, attended, rating_sum, ratings = totals
        attendance = Decimal(attended) / classes if classes else Decimal(0)
        satisfaction = cents(Decimal(rating_sum) / ratings) if ratings else None
        return classes, attendance, satisfaction

    def drawn_record(self, index):
        """A month of the instructor's record as the simulation would have produced it."""
        record, rng = self.records[index], self.rng
        classes = max(0, round(rng.gauss(record.classes_per_month, 1.0))) if record.classes_per_month else 0
        if not classes:
            return 0, Decimal(0), None
        attendance = cents(max(1.0, record.attendance * rng.uniform(0.85, 1.15)))
        satisfaction = cents(min(5.0, max(1.0, rng.gauss(record.rating, 0.15))))
        return classes, attendance, satisfaction

    def review(self, index, day: dt.date, taught):
        staff, rng = self.master.staff[index], self.rng
        managers = [m for m in self.managers[staff.facility_index] if m != index]
        if not managers:
            return
        classes, attendance, satisfaction = taught
        mean = self.records[index].rating
        # Managers see what members see: scores lean on the instructor's rating.
        professionalism = cents(min(5.0, max(1.0, rng.gauss(mean + 0.1, 0.35))))
        communication = cents(min(5.0, max(1.0, rng.gauss(mean, 0.35))))
        parts = [professionalism, communication] + ([satisfaction] if satisfaction is not None else [])
        overall = cents(sum(parts) / len(parts))
        retention = cents(min(98.0, max(50.0, 60 + (mean - MIN_MEAN_RATING) * 18 + rng.gauss(0, 4))))
        tone = "strong" if overall >= Decimal("4.30") else "steady" if overall >= Decimal("3.60") else "weak"
        self.sink.add("instructorperformance", (
            self.counters.next("instructorperformance"), staff.staff_id, day.isoformat(),
            self.master.staff[rng.choice(managers)].staff_id, str(classes), f"{attendance:.2f}", f"{retention:.2f}",
            None if satisfaction is None else f"{satisfaction:.2f}", f"{professionalism:.2f}",
            f"{communication:.2f}", f"{overall:.2f}", rng.choice(REVIEW_COMMENTS[tone]), rng.choice(GOALS),
        ))
