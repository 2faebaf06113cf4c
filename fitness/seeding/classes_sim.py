"""Class timetables, the dated instances, enrollments and feedback.

Timetables are built once per chain: each facility runs as many classes a
week as its members fill (weekly_classes), of kinds its areas suit (C1), in
slots where neither the area nor the instructor is busy (C2), taught by an instructor of that facility who holds
the kind's certifications (C3; the staff stream keeps them valid).
Every day each timetable slot becomes an instance (C4); members eligible that
day book places up to capacity, the rest wait-list (C5); most attend, some do
not show or cancel late (C6); a few attendees rate the instructor (C7). About
3% of classes are cancelled with a reason; some have a substitute.

An attendee comes to the club for the class: the day's class visits (a
check-in into the class's area a few minutes before it, a check-out a few
minutes after) go to the visit stream, which writes them with the day's other
check-ins and keeps their places free of walk-ins (rules V8, V9). A member
books at most one class a day, so class visits never overlap (V3).
"""
import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass

from fitness.core.drawing import WeightedTable
from fitness.core.ids import format_id
from staff.choices import INSTRUCTOR_TITLES, StaffStatus

from fitness.core import catalog
from .clock import TIME_TEXT
from .reviews_sim import draw_overall_rating

# Class start times; class-goers arrive up to ARRIVE_BEFORE minutes early, so an early class starts a quarter
# past the hour and its goers still arrive in the busy hours (rule V4: weekdays 06-09 and 17-20, weekends 09-18).
WEEKDAY_STARTS = (6 * 60 + 15, 7 * 60 + 15, 9 * 60 + 30, 12 * 60, 17 * 60 + 30, 18 * 60 + 30, 19 * 60 + 30)
WEEKEND_STARTS = (9 * 60 + 15, 10 * 60 + 30, 12 * 60, 15 * 60, 16 * 60 + 30)
# A club runs about as many classes a week as its members fill: class visits are about a fifth of all visits
# (members come about 1.3 times a week, realism R1), and a class holds about a dozen (R12: 50-85% of places).
CLASS_VISITS_PER_MEMBER_WEEK = 0.25
ATTENDEES_PER_CLASS = 12
MEAN_TENURE_YEARS = 2.6  # how long members stay, as members_sim's leaving and cancelling make it
MIN_PLACES, PLACES_PER_ATTENDEE = 6, 1.3
# A studio gets half an hour between two classes, so the attendees of one (who arrive up to ARRIVE_BEFORE
# minutes early and leave up to LEAVE_AFTER late) are gone before the next one's arrive (V8).
TURNOVER_MINUTES = 30
ARRIVE_BEFORE, LEAVE_AFTER = (3, 12), 12
CANCEL_SHARE, SUBSTITUTE_SHARE = 0.03, 0.05
NO_SHOW_SHARE, LATE_CANCEL_SHARE = 0.10, 0.05
FEEDBACK_SHARE = 0.25  # members asked by the app after class; a quarter answer
KIND_BY_ID = {kind.class_type_id: kind for kind in catalog.CLASS_KINDS}
# What members write, by the overall rating they give; most leave no comment.
COMMENTS_BY_RATING = {
    5: ("Best class of the week.", "Great energy!", "Clear cues, loved it.", "Challenging but fun."),
    4: ("Good workout.", "Challenging but fun.", "Nice playlist.", "A bit crowded, still great."),
    3: ("OK class.", "A bit crowded.", "Music was too loud.", "Started late."),
    2: ("Hard to follow the cues.", "Too crowded to move.", "Felt rushed."),
    1: ("Instructor seemed disengaged.", "Class started 15 minutes late.", "Not worth the time."),
}
COMMENT_SHARE = 0.35


@dataclass
class ScheduleSim:
    id: str
    kind: str  # class type id
    facility: int
    area_id: str
    instructor: int  # staff index
    dow: int  # 1 = Monday
    start: int  # minutes
    end: int
    capacity: int
    price: str
    effective: int  # ordinal


def is_instructor(staff) -> bool:
    return staff.job_title in INSTRUCTOR_TITLES and staff.status != StaffStatus.TERMINATED


def build_timetable(master, certs, rng, window_start: dt.date, counters):
    """Weekly schedules for every facility; grants specialty certifications as needed.

    `certs` maps staff index -> set of certification ids (filled by the staff stream)."""
    schedules = []
    area_slots, instructor_slots = {}, {}  # (area, dow) / (staff, dow) -> [(start, end)]
    members_at = active_members_by_home(master.members, window_start)
    for facility in master.facilities:
        instructors = [i for i in facility.staff if is_instructor(master.staff[i])]
        areas_by_type = facility.area_id_by_type
        capacity_of = {a.area_id: a.max_capacity for a in facility.areas}
        kinds = [(kind, areas) for kind in catalog.CLASS_KINDS
                 if (areas := [a for t in kind.area_types for a in areas_by_type.get(t, ())
                               if capacity_of[a] >= MIN_CLASS_AREA])]
        if not kinds or not instructors:
            continue
        for _ in range(weekly_classes(members_at[facility.index])):
            kind, areas = rng.choice(kinds)
            slot = find_slot(kind, areas, instructors, certs, area_slots, instructor_slots, rng)
            if slot is None:
                continue
            area, instructor, dow, start = slot
            end = start + kind.duration_minutes
            area_slots.setdefault((area, dow), []).append((start, end))
            instructor_slots.setdefault((instructor, dow), []).append((start, end))
            certs[instructor].add(kind.specialty_certification)
            hired = master.staff[instructor].hire_date.toordinal()
            effective = max(hired + 30, window_start.toordinal() - rng.randint(30, 720))
            schedules.append(ScheduleSim(
                counters.next("classschedules"), kind.class_type_id, facility.index, area, instructor, dow,
                start, end, class_places(kind, capacity_of[area], members_at[facility.index]), f"{kind.price:.2f}",
                effective,
            ))
    return schedules, instructor_slots


def active_members_by_home(members, on: dt.date) -> Counter:
    """About how many of the planned members of each home club still hold a period on `on`: each counts with
    the chance a member stays that long (about exp(-years / MEAN_TENURE_YEARS)). The timetable is part of the
    chain's structure, planned before the members' histories are simulated."""
    active = Counter()
    for member in members:
        years = (on - member.join_date).days / 365.25
        if years >= 0:
            active[member.home] += math.exp(-years / MEAN_TENURE_YEARS)
    return active


def weekly_classes(active_members: float) -> int:
    """Classes a week at a club with this many active members."""
    return max(1, round(active_members * CLASS_VISITS_PER_MEMBER_WEEK / ATTENDEES_PER_CLASS))


# A class takes an area big enough for a group (not a racquetball court) and leaves a quarter of it for members
# who check in there during the class, so that together they stay within the area's capacity (R32).
MIN_CLASS_AREA = 12
CLASS_SHARE_OF_AREA = 0.75


def class_places(kind, area_capacity: int, members: float) -> int:
    """A schedule's maxcapacity: the class type's limit, within the share of the area a class takes (C1), and
    no more than the club's class-goers fill (a small club runs small groups: realism R12)."""
    attendees = members * CLASS_VISITS_PER_MEMBER_WEEK / weekly_classes(members)
    return min(kind.max_participants, int(area_capacity * CLASS_SHARE_OF_AREA),
               max(MIN_PLACES, round(attendees * PLACES_PER_ATTENDEE)))


# Clubs run most classes early in the week, as members come (patterns.WEEKDAY_FACTOR): Monday the most, Friday
# and the weekend the fewest.
CLASS_DAYS = WeightedTable([(1, 16), (2, 13), (3, 12), (4, 11), (5, 8), (6, 7), (7, 5)])


def free(slots, start, end):
    return all(end <= s or e <= start for s, e in slots)


def find_slot(kind, areas, instructors, certs, area_slots, instructor_slots, rng):
    """A (area, instructor, day, start) where both are free; certified instructors first."""
    certified = [i for i in instructors if kind.specialty_certification in certs[i]]
    for attempt in range(40):
        pool = certified if certified and attempt < 30 else instructors
        instructor = rng.choice(pool)
        area = rng.choice(areas)
        dow = CLASS_DAYS.draw(rng)
        start = rng.choice(WEEKEND_STARTS if dow >= 6 else WEEKDAY_STARTS)
        end = start + kind.duration_minutes
        if free(area_slots.get((area, dow), ()), start - TURNOVER_MINUTES, end + TURNOVER_MINUTES) and free(
            instructor_slots.get((instructor, dow), ()), start, end
        ):
            return area, instructor, dow, start
    return None


def schedule_row(schedule, staff):
    return (
        schedule.id, schedule.kind, format_id("facilities", schedule.facility + 1), schedule.area_id,
        staff[schedule.instructor].staff_id, str(schedule.dow), TIME_TEXT[schedule.start], TIME_TEXT[schedule.end],
        str(schedule.capacity), schedule.price, dt.date.fromordinal(schedule.effective).isoformat(), None, "1",
    )


class ClassStream:
    """Writes classinstances, classenrollments and instructorfeedback; hands each day's class visits to the
    visit stream."""

    def __init__(self, schedules, instructor_slots, facilities, staff, certs, counters, rng, sink, as_of: dt.date,
                 reviews, members, area_index):
        self.by_dow = {d: [s for s in schedules if s.dow == d] for d in range(1, 8)}
        self.instructor_slots = instructor_slots
        self.facilities, self.staff, self.certs = facilities, staff, certs
        self.counters, self.rng, self.sink = counters, rng, sink
        self.last_day = as_of.toordinal() - 1
        self.reviews = reviews  # staff_sim.ReviewBook: what each instructor taught and how it was rated
        self.members = members  # the run's MemberSims; enrollment candidates are positions in it
        self.area_index = area_index  # area id -> the visit stream's area number (visits_sim.member_area_index)

    def substitute(self, schedule):
        """Another instructor of the facility, certified for the kind and free at that time."""
        kind = KIND_BY_ID[schedule.kind]
        needed = (*catalog.REQUIRED_FOR_ALL_INSTRUCTORS[:1], kind.specialty_certification)
        candidates = [
            i for i in self.facilities[schedule.facility].staff
            if i != schedule.instructor and is_instructor(self.staff[i])
            and all(c in self.certs[i] for c in needed)
            and free(self.instructor_slots.get((i, schedule.dow), ()), schedule.start, schedule.end)
        ]
        return self.rng.choice(candidates) if candidates else None

    def simulate_day(self, day: dt.date, clock, clock_for, eligible_by_facility) -> list:
        """The day's instances and bookings; returns the class visits, (member position, facility, area number,
        arrival minute, departure minute) for each attendee."""
        ordinal, rng = day.toordinal(), self.rng
        random = rng.random
        add = self.sink.add
        visits, booked = [], set()
        for schedule in self.by_dow[day.isoweekday()]:
            if schedule.effective > ordinal:
                continue
            instance_id = self.counters.next("classinstances")
            cancelled = random() < CANCEL_SHARE
            instructor = schedule.instructor
            if not cancelled and random() < SUBSTITUTE_SHARE:
                instructor = self.substitute(schedule) or instructor
            attended = self.enroll(schedule, instance_id, day, clock, clock_for, cancelled,
                                   eligible_by_facility[schedule.facility], instructor, booked, visits)
            if cancelled:
                add("classinstances", (
                    instance_id, schedule.id, day.isoformat(), None, None, None, "0", "Cancelled",
                    rng.choice(catalog.CANCELLATION_REASONS),
                ))
                continue
            add("classinstances", (
                instance_id, schedule.id, day.isoformat(), clock.ts(schedule.start), clock.ts(schedule.end),
                self.staff[instructor].staff_id, str(attended), "Completed", None,
            ))
            self.reviews.taught(instructor, day, attended)
        return visits

    def enroll(self, schedule, instance_id, day, clock, clock_for, cancelled, candidates, instructor, booked,
               visits):
        """Book members into one instance (none already booked today); returns how many attended and adds
        their class visits to `visits`."""
        rng, random = self.rng, self.rng.random
        wanted = int(schedule.capacity * (0.4 + random() * 0.9))
        if not candidates or wanted == 0:
            return 0
        chosen = [m for m in rng.sample(candidates, min(wanted, len(candidates))) if m not in booked]
        booked.update(chosen)
        held = attended = 0
        for member in chosen:
            days_before = int(random() * 7)
            if days_before == 0:
                booked_at = clock.ts(max(0, schedule.start - 30 - int(random() * 240)))
            else:
                booked_at = clock_for(day.toordinal() - days_before).ts(6 * 60 + int(random() * 16 * 60))
            check_in = check_out = None
            if held >= schedule.capacity:
                status = "Waitlisted"
            elif cancelled:
                status = "Cancelled"
            else:
                draw = random()
                if draw < LATE_CANCEL_SHARE:
                    status = "Cancelled"
                else:
                    held += 1
                    if draw < LATE_CANCEL_SHARE + NO_SHOW_SHARE:
                        status = "No-Show"
                    else:
                        status, attended = "Attended", attended + 1
                        check_in, check_out = self.class_visit(schedule, member, clock, visits)
            pays = status in ("Attended", "No-Show")
            member_id = self.members[member].id
            self.sink.add("classenrollments", (
                self.counters.next("classenrollments"), member_id, instance_id, booked_at, status,
                schedule.price if pays else "0.00", check_in, check_out,
            ))
            if status == "Attended" and random() < FEEDBACK_SHARE:
                self.feedback(member_id, instructor, instance_id, day)
        return attended

    def class_visit(self, schedule, member, clock, visits):
        """An attendee's visit: at the club from a few minutes before the class (within opening hours) to a
        few minutes after it, checked in to the class between arriving and its start (V9). Returns the
        enrollment's (checkintime, checkouttime)."""
        random = self.rng.random
        facility = self.facilities[schedule.facility]
        low, high = ARRIVE_BEFORE
        arrive = max(facility.open_min, schedule.start - low - int(random() * (high - low + 1)))
        enter = arrive + int(random() * (schedule.start - arrive + 1))
        leave = min(facility.close_min, schedule.end + 1 + int(random() * LEAVE_AFTER))
        exit_ = leave - int(random() * (leave - schedule.end + 1)) if leave > schedule.end else leave
        visits.append((member, schedule.facility, self.area_index[schedule.area_id], arrive, leave))
        return clock.ts(enter), clock.ts(exit_)

    def feedback(self, member_id, instructor, instance_id, day):
        """One member's ratings of the class, around the instructor's usual rating, and a comment that fits."""
        rng = self.rng
        overall = draw_overall_rating(rng, self.reviews.records[instructor].rating)
        teaching, communication, motivation = (min(5, max(1, overall + rng.choice((-1, 0, 0, 0, 1))))
                                               for _ in range(3))
        when = min(day.toordinal() + rng.randint(0, 2), max(day.toordinal(), self.last_day))
        comment = rng.choice(COMMENTS_BY_RATING[overall]) if rng.random() < COMMENT_SHARE else None
        self.sink.add("instructorfeedback", (
            self.counters.next("instructorfeedback"), member_id, self.staff[instructor].staff_id, instance_id,
            dt.date.fromordinal(when).isoformat(), str(teaching), str(communication), str(motivation), str(overall),
            comment, "1" if rng.random() < 0.3 else "0",
        ))
        self.reviews.rated(instructor, day, overall)
