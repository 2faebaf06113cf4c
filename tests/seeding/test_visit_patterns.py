"""The visit stream's habits (fitness/seeding/patterns.py) against realism.md's measures: the pattern functions
directly (hour curve, weekdays, seasons, holidays, stays, rates, nearby clubs), and a small seeded chain for
what only the whole stream shows (clubs per member, machines in the visit's area, sleepers and heavy users)."""
import datetime as dt
import random
import statistics
from collections import Counter
from types import SimpleNamespace

import numpy as np
import pytest
from django.db import connection
from django.utils import timezone

from fitness.core import business
from fitness.quality.report import run_checks
from fitness.seeding import patterns, visits_sim
from fitness.seeding.members_sim import PERSONAS
from fitness.seeding.run import seed_ods
from fitness.seeding.visits_sim import ClassPlaces, VisitStream

FIVE_TO_ELEVEN = (5 * 60, 23 * 60)
SIX_TO_TEN = (6 * 60, 22 * 60)


def hourly_arrivals(open_min, close_min, weekend, draws=200_000):
    """Check-ins per clock hour for `draws` arrivals from the table of these opening hours."""
    uniforms = np.random.default_rng(5).random(draws)
    minutes = patterns.arrival_table(open_min, close_min, weekend).minutes(uniforms)
    return Counter((minutes // 60).tolist())


def share(counts, hours):
    return sum(counts[h] for h in hours) / sum(counts.values())


# --- when -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("hours", [FIVE_TO_ELEVEN, SIX_TO_TEN])
def test_weekday_hour_curve_is_smooth_with_two_peaks_and_a_midday_bump(hours):
    counts = hourly_arrivals(*hours, weekend=False)
    open_hours = range(hours[0] // 60, hours[1] // 60)
    steps = [max(counts[h], counts[h + 1]) / min(counts[h], counts[h + 1]) for h in open_hours[:-1]]
    assert max(steps) <= 2.5  # R23, the opening hour included
    morning = max(range(5, 11), key=counts.__getitem__)
    evening = max(range(15, 22), key=counts.__getitem__)
    assert 6 <= morning <= 8 and 17 <= evening <= 19
    assert counts[12] > counts[10] and counts[12] > counts[14]  # the lunchtime bump
    assert 0.45 <= share(counts, (6, 7, 8, 17, 18, 19)) <= 0.75  # R5
    assert share(counts, (6, 7, 8, 9, 17, 18, 19, 20)) >= 0.5  # V4 counts both ends' hours
    assert min(counts) >= hours[0] // 60 and max(counts) < hours[1] // 60


def test_nobody_arrives_in_the_last_half_hour_and_weekends_peak_late_morning():
    minutes = patterns.arrival_table(*FIVE_TO_ELEVEN, weekend=False).minutes(np.linspace(0, 0.999999, 10_000))
    assert minutes.max() <= FIVE_TO_ELEVEN[1] - patterns.LAST_ARRIVAL_BEFORE_CLOSE - 1
    weekend = hourly_arrivals(*FIVE_TO_ELEVEN, weekend=True)
    assert 9 <= max(weekend, key=weekend.__getitem__) <= 11
    assert share(weekend, range(9, 19)) >= 0.5  # V4's weekend peak 09-18


def test_monday_is_the_busiest_weekday_friday_the_quietest_and_weekends_hold_a_fifth():
    week = [dt.date(2026, 3, 9) + dt.timedelta(days=k) for k in range(7)]  # Monday to Sunday, no holiday
    factors = [patterns.day_factor(day) for day in week]
    assert factors[0] == max(factors[:5]) and factors[4] == min(factors[:5])
    assert min(factors[:5]) > max(factors[5:])  # V4: weekdays busier than weekends
    assert 0.15 <= sum(factors[5:]) / sum(factors) <= 0.30  # R6


@pytest.mark.parametrize("year, thanksgiving", [(2024, 28), (2025, 27), (2026, 26), (2030, 28)])
def test_us_holidays_are_computed_for_any_year(year, thanksgiving):
    holidays = {name: day for day, name in business.us_holidays(year).items()}
    assert holidays["thanksgiving"] == dt.date(year, 11, thanksgiving)
    assert holidays["thanksgiving"].isoweekday() == 4
    assert holidays["memorial_day"].isoweekday() == 1 and holidays["memorial_day"].day > 24
    assert holidays["labor_day"].isoweekday() == 1 and holidays["labor_day"].day <= 7
    assert (holidays["christmas"], holidays["new_year"]) == (dt.date(year, 12, 25), dt.date(year, 1, 1))


@pytest.mark.parametrize("year", [2025, 2026, 2027])
def test_big_holidays_see_at_most_four_tenths_of_the_same_weekday(year):
    for name in ("thanksgiving", "christmas", "new_year"):
        holiday = next(day for day, n in business.us_holidays(year).items() if n == name)
        usual = [patterns.day_factor(holiday + dt.timedelta(weeks=k)) for k in (-3, -2, 2, 3)]
        assert patterns.day_factor(holiday) / statistics.mean(usual) <= 0.4  # R25
        assert patterns.weekend_like(holiday)


def test_january_is_high_and_summer_dips():
    year = [dt.date(2026, 1, 1) + dt.timedelta(days=k) for k in range(365)]
    average = statistics.mean(patterns.season_factor(day) for day in year)
    summer = statistics.mean(patterns.season_factor(day) for day in year if day.month in (7, 8))
    january = statistics.mean(patterns.season_factor(day) for day in year if day.month == 1)
    assert 0.8 <= summer / average <= 0.97  # R15
    assert january / average > 1.05


# --- how long, how often ---------------------------------------------------------------------------------
def test_stays_have_a_median_near_an_hour_and_tails_both_ways():
    normals = np.random.default_rng(3).standard_normal(50_000)
    for persona, median in patterns.STAY_MEDIAN.items():
        stays = patterns.stay_minutes(np.full(len(normals), float(median)), normals)
        assert 50 <= np.median(stays) <= 80, persona  # R26
        assert (stays < 30).mean() >= 0.05 and (stays > 120).mean() >= 0.03, persona
        assert stays.min() >= patterns.STAY_LIMITS[0] and stays.max() <= patterns.STAY_LIMITS[1]


def test_visit_rates_mix_sleepers_regulars_and_heavy_users():
    rng = random.Random(8)
    habits = [patterns.draw_visit_habits(PERSONAS.draw(rng), rng) for _ in range(20_000)]
    rates = np.array([rate for rate, _ in habits])
    assert 0.20 <= (rates < 0.2).mean() <= 0.40  # sleepers: they pay and hardly come
    assert 0.03 <= (rates >= 4).mean() <= 0.15  # R3
    assert 0.45 <= ((rates >= 0.5) & (rates <= 2.5)).mean() <= 0.7  # most come 0.5-2.5 times a week
    assert 0.7 <= rates.mean() <= 2.0  # R1
    assert rates.min() >= 0 and rates.max() <= patterns.HEAVY_RATE[1]
    roams = np.array([roam for _, roam in habits])
    assert 0.45 <= roams.mean() <= 0.55 and roams.min() >= 0 and roams.max() < 1


def test_lapsing_members_sleep_more_and_are_never_heavy_users():
    rng = random.Random(9)
    lapsing = np.array([patterns.draw_visit_habits("lapsing", rng)[0] for _ in range(5_000)])
    regular = np.array([patterns.draw_visit_habits("regular", rng)[0] for _ in range(5_000)])
    assert (lapsing < 0.2).mean() > 2 * (regular < 0.2).mean()
    assert (lapsing >= 4).sum() == 0 and (regular >= 4).mean() > 0.05


# --- where ------------------------------------------------------------------------------------------------
def chain_in(states):
    return [SimpleNamespace(index=i, row=SimpleNamespace(state=state)) for i, state in enumerate(states)]


def test_other_clubs_are_in_the_home_state_or_the_nearest_when_home_is_alone_there():
    chain = chain_in(["NY", "NJ", "NY", "NY", "PA", "NJ"])
    for home, state in enumerate(["NY", "NJ", "NY", "NY", "PA", "NJ"]):
        for bucket in range(patterns.ROAM_BUCKETS):
            others = patterns.secondary_facilities(home, (bucket + 0.5) / patterns.ROAM_BUCKETS, chain)
            assert home not in others and len(set(others)) == len(others) <= 2
            if state == "PA":
                assert set(others) <= {3, 5}  # alone in its state: the neighbouring indexes
            else:
                assert all(chain[o].row.state == state for o in others)
    counts = Counter(len(patterns.secondary_facilities(0, (b + 0.5) / 64, chain)) for b in range(64))
    assert counts[0] > 0 and counts[1] > 0 and counts[2] > 0
    assert patterns.secondary_facilities(0, 0.99, chain_in(["NY"])) == []


def test_secondary_table_holds_the_same_choices_for_the_whole_day_lookup():
    chain = chain_in(["NY", "NY", "NJ"])
    table = patterns.secondary_table(chain)
    for home in range(3):
        for bucket in range(patterns.ROAM_BUCKETS):
            chosen = patterns.secondary_facilities(home, (bucket + 0.5) / patterns.ROAM_BUCKETS, chain)
            assert [f for f in table[home, bucket] if f >= 0] == chosen


def test_a_member_uses_at_most_five_clubs_home_two_near_it_and_two_travel_clubs():
    chain = chain_in(["NY", "NY", "NJ", "NY", "CT", "PA", "NY", "MA"])
    near, travel = patterns.secondary_table(chain), patterns.travel_table(len(chain))
    destinations = set()
    for home in range(len(chain)):
        for bucket in range(patterns.ROAM_BUCKETS):
            assert home not in travel[home, bucket]
            clubs = {home, *near[home, bucket], *travel[home, bucket]} - {-1}
            assert len(clubs) <= 5  # within M9's six a year
            destinations.update(travel[home, bucket].tolist())
    assert destinations == set(range(len(chain)))  # travellers spread over the chain
    assert (patterns.travel_table(1) == 0).all()  # a one-club chain: travelling means home


def test_a_full_area_sends_visitors_to_the_roomiest_other_area_and_a_full_club_turns_them_away():
    # Areas 0 (capacity 1), 1 (capacity 2) and 2 (capacity 3) of one club; overflow goes roomiest first.
    stream = SimpleNamespace(area_capacity=[1, 2, 3], overflow=[[2, 1], [2, 0], [1, 0]])
    present = [[], [], []]

    no_classes = ClassPlaces(3, [])

    def arrive(area, start, end, class_places=no_classes):
        return VisitStream.area_with_room(stream, area, start, end, present, class_places)

    assert [arrive(0, 600, 660), arrive(0, 610, 650)] == [0, 2]  # the second finds area 0 taken
    assert arrive(0, 660, 700) == 0  # the first left at 660: room again (V3's boundary: out <= in)
    assert [arrive(2, 620, 700) for _ in range(2)] == [2, 2]
    assert [arrive(2, 630, 700) for _ in range(3)] == [1, 1, None]  # every area full


def test_walk_ins_leave_room_for_the_class_goers_of_an_area():
    # Area 0 (capacity 4) has a class whose two goers are there 600-670; area 1 (capacity 4) has none.
    stream = SimpleNamespace(area_capacity=[4, 4], overflow=[[1], [0]])
    present = [[], []]
    classes = ClassPlaces(2, [(7, 0, 0, 600, 670), (8, 0, 0, 605, 670)])

    def arrive(area, start, end):
        return VisitStream.area_with_room(stream, area, start, end, present, classes)

    assert [arrive(0, 540, 590) for _ in range(4)] == [0, 0, 0, 0]  # before the class: all four places
    assert [arrive(0, 590, 640) for _ in range(3)] == [0, 0, 1]  # overlapping it: two places left
    assert arrive(0, 670, 700) == 0  # the class-goers left at 670, the walk-ins at 640
    assert classes.during(0, 660, 670) == 2 and classes.during(0, 670, 700) == 0 and classes.during(0, 500, 600) == 0


# --- a small seeded chain ---------------------------------------------------------------------------------
END = dt.date(2026, 1, 10)


@pytest.fixture
def seeded_chain(db):
    seed_ods(days=42, seed=21, profile="small", facilities=6, staff=50, members=400, end_date=END)


def local_visits():
    """(member, facility, area, local check-in, local check-out) of every visit."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT memberid, facilityid, areaid, checkintime, checkouttime FROM memberaccess")
        rows = cursor.fetchall()
    zone = timezone.get_current_timezone()

    def local(stamp):
        if timezone.is_naive(stamp):
            stamp = timezone.make_aware(stamp, dt.timezone.utc)
        return stamp.astimezone(zone)

    return [(m, f, a, local(i), local(o)) for m, f, a, i, o in rows]


@pytest.mark.django_db
def test_seeded_visits_keep_every_rule_and_members_use_few_clubs(seeded_chain):
    report = run_checks(save=False, profile=False)
    visit_rules = {c["id"]: c["count"] for c in report["checks"] if c["id"].startswith("V") or c["id"] == "S9"}
    assert set(visit_rules.values()) == {0}, visit_rules
    visits = local_visits()
    by_club = {}
    for (member, facility), n in Counter((m, f) for m, f, *_ in visits).items():
        by_club.setdefault(member, []).append(n)
    ties = [m for m, counts in by_club.items() if len(counts) > 1 and sorted(counts)[-1] == sorted(counts)[-2]]
    assert ties == []  # home is strictly the most visited club (S9's home), even for members who rarely come
    clubs = Counter()
    for member, facility in {(m, f) for m, f, *_ in visits}:
        clubs[member] += 1
    per_member = list(clubs.values())
    assert sum(1 <= n <= 3 for n in per_member) / len(per_member) >= 0.9  # M9
    assert statistics.median(per_member) <= 2  # R21
    at_most = Counter(m for m, *_ in visits)
    home_visits = Counter()
    for (member, facility), n in Counter((m, f) for m, f, *_ in visits).items():
        home_visits[member] = max(home_visits[member], n)
    assert sum(home_visits.values()) / sum(at_most.values()) >= 0.75  # mostly the home club


@pytest.mark.django_db
def test_seeded_members_include_sleepers_and_heavy_users(seeded_chain):
    weeks = 42 / 7
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT m.memberid, COUNT(a.accessid) FROM members m
            LEFT JOIN memberaccess a ON a.memberid = m.memberid
            WHERE m.memberstatus = 'Active' AND m.joindate < %s
            GROUP BY m.memberid""", [END - dt.timedelta(days=42)])
        per_week = [count / weeks for _member, count in cursor.fetchall()]
    assert 0.7 <= statistics.mean(per_week) <= 2.0  # R1, roughly: these members were active most days
    assert 0.10 <= sum(rate == 0 for rate in per_week) / len(per_week) <= 0.55  # nobody came in six weeks
    assert 0.02 <= sum(rate >= 4 for rate in per_week) / len(per_week) <= 0.15  # R3
    lengths = [(o - i).total_seconds() / 60 for *_, i, o in local_visits()]
    assert 50 <= statistics.median(lengths) <= 80  # R26
    holiday = [i for *_, i, _o in local_visits() if i.date() in (dt.date(2025, 12, 25), dt.date(2026, 1, 1))]
    thursdays = [i for *_, i, _o in local_visits() if i.isoweekday() == 4]
    assert len(holiday) / 2 <= 0.4 * len(thursdays) / 6  # R25: Christmas Day and New Year's Day are Thursdays


@pytest.mark.django_db
def test_check_ins_never_outnumber_an_areas_capacity_even_when_everyone_wants_the_studio(monkeypatch):
    monkeypatch.setattr(visits_sim, "AREA_VISIT_WEIGHT", {"Group Fitness Studio": 10_000})
    seed_ods(days=7, seed=22, profile="small", members=3000, end_date=END)
    with connection.cursor() as cursor:
        cursor.execute("SELECT areaid, areaname, maxcapacity FROM facilityareas")
        areas = {area: (name, capacity) for area, name, capacity in cursor.fetchall()}
    peaks = {}
    for _member, _facility, area, check_in, check_out in local_visits():
        peaks.setdefault(area, []).extend([(check_out, -1), (check_in, 1)])  # leaving first at the same minute
    for area, moves in peaks.items():
        inside = most = 0
        for _moment, step in sorted(moves):
            inside += step
            most = max(most, inside)
        peaks[area] = most
    studios = [area for area, (name, _capacity) in areas.items() if name == "Group Fitness Studio"]
    # Nearly full at the busiest time: walk-ins leave room for the class-goers of the studio's classes.
    assert studios and all(peaks.get(studio) >= 0.85 * areas[studio][1] for studio in studios)
    assert all(most <= areas[area][1] for area, most in peaks.items())  # V8, for check-ins
    assert len(peaks) > len(studios)  # the rest went to other areas


@pytest.mark.django_db
def test_machines_are_used_in_the_area_the_visit_is_logged_to(seeded_chain):
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT u.usageid, e.equipmenttype, e.areaid,
                   (SELECT a.areaid FROM memberaccess a
                    WHERE a.memberid = u.memberid AND a.facilityid = e.facilityid
                      AND a.checkintime <= u.starttime AND u.endtime <= a.checkouttime) AS visit_area
            FROM equipmentusage u JOIN equipment e ON e.equipmentid = u.equipmentid""")
        sessions = cursor.fetchall()
    assert sessions
    assert [s for s in sessions if s[2] != s[3]] == []  # V9: in the area the machine stands in
    units = Counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT equipmenttype, COUNT(*) FROM equipment GROUP BY equipmenttype")
        units.update(dict(cursor.fetchall()))
    per_unit = Counter()
    for _id, kind, *_ in sessions:
        per_unit[kind] += 1 / units[kind]
    assert "Treadmill" in [kind for kind, _ in per_unit.most_common(3)]  # R31


def test_a_member_about_to_cancel_comes_less_in_the_weeks_before():
    day = dt.date(2025, 3, 3)
    members = [SimpleNamespace(id=f"MEM{n:06d}", persona="regular", home=0, join=day.toordinal() - 400,
                               visit_rate=5.0, roam=0.5, taper_from=None) for n in (1, 2)]
    members[1].taper_from = day.toordinal()  # foreseen: cancels about TAPER_DAYS from now
    comers = visits_sim.Comers(visits_sim.VisitRoster(members), np.random.default_rng(5), lambda _id: False,
                               np.ones((1, 8)), members)
    came = Counter()
    for offset in range(patterns.TAPER_DAYS):
        for position in comers.draw(day + dt.timedelta(days=offset), [0, 1]).tolist():
            came[position] += 1
    assert came[1] <= 0.4 * came[0]  # realism R11: at most 0.6 of their usual visits in the last four weeks
    later = day + dt.timedelta(days=patterns.TAPER_DAYS + patterns.TAPER_GRACE_DAYS)
    after = Counter(p for offset in range(60) for p in comers.draw(later + dt.timedelta(days=offset), [0, 1]).tolist())
    assert after[1] >= 0.6 * after[0]  # a taper ends: a member who did not leave after all comes as before
