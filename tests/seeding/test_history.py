"""A complete history before the window: a chain that opened its clubs over ten years, members who joined
up to a decade ago at a club open that day, and every period paying its dues (rule M5), failures, retries,
cancellations and the odd refund included, so that nothing jumps at the window's start."""
import datetime as dt
import random
from collections import Counter

import pytest
from django.db import connection

from fitness.quality.report import run_checks
from fitness.seeding.engine import Chain, RandomSources
from fitness.seeding.master import MEMBER_HISTORY_YEARS, NEWEST_CLUB_DAYS, draw_openings
from fitness.seeding.members_sim import RECENT_JOIN_YEARS
from fitness.seeding.profiles import resolve_profile
from fitness.seeding.run import seed_ods
from fitness.seeding.staff_sim import assignment_rows
from fitness.seeding.state import Counters

WINDOW_START, AS_OF = dt.date(2025, 1, 1), dt.date(2025, 2, 1)


@pytest.fixture(scope="module")
def chain():
    """A 50-club chain's structure (no database): facilities, staff, machines, timetable, planned members."""
    return Chain(RandomSources(3, WINDOW_START), resolve_profile("chain", members=4000), WINDOW_START, AS_OF)


def test_the_chain_opened_its_clubs_over_ten_years_faster_in_later_years(chain):
    openings = [f.opened for f in chain.master.facilities]
    assert openings == sorted(openings)  # in index order: FAC001 first
    assert openings[0] == WINDOW_START - dt.timedelta(days=365 * MEMBER_HISTORY_YEARS)
    assert openings[-1] <= WINDOW_START - dt.timedelta(days=NEWEST_CLUB_DAYS)
    middle = openings[0] + (openings[-1] - openings[0]) / 2
    assert sum(day < middle for day in openings) < len(openings) / 3  # a growing chain opens more clubs later
    assert draw_openings(1, None, WINDOW_START) == [openings[0]]  # a one-club chain: its club opened first


def test_nothing_at_a_club_precedes_its_opening(chain):
    master = chain.master
    opened = {f.id: f.opened for f in master.facilities}
    assert all(p.join_date >= master.facilities[p.home].opened for p in master.members)
    assert all(s.hire_date >= master.facilities[s.facility_index].opened for s in master.staff)
    assert all(e.purchase_date >= opened[e.facility.facility_id] for e in master.equipment)
    assert all(dt.date.fromordinal(s.effective) > master.facilities[s.facility].opened for s in chain.schedules)
    assignments = assignment_rows(master, Counters(), random.Random(3))
    assert all(dt.date.fromisoformat(since) >= opened[facility] for _id, _staff, facility, _primary, since, _end in assignments)
    # The newest club has members, staff, machines and classes of its own.
    newest = master.facilities[-1]
    assert any(p.home == newest.index for p in master.members) and newest.staff and newest.machines
    assert any(s.facility == newest.index for s in chain.schedules)


def test_members_joined_up_to_a_decade_ago_more_a_year_as_clubs_opened(chain):
    members = chain.master.members
    joined = Counter((WINDOW_START - p.join_date).days // 365 for p in members)  # years before the window
    assert max(joined) == MEMBER_HISTORY_YEARS - 1
    assert joined[0] > joined[4] > joined[MEMBER_HISTORY_YEARS - 1] > 0
    # The profile's members are those of the last RECENT_JOIN_YEARS; the years before add the rest.
    recent = sum(joined[year] for year in range(RECENT_JOIN_YEARS))
    assert recent == pytest.approx(4000, rel=0.05) and len(members) > recent


@pytest.mark.django_db
def test_history_periods_pay_their_dues_as_window_periods_do():
    seed_ods(days=30, seed=41, profile="small", members=400, end_date=AS_OF)
    assert run_checks(save=False, profile=False, only="M2,M3,M4,M5,M6,M7")["statistics"]["violations"] == 0
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT paymentdate >= %s, status, COUNT(*) FROM memberpayments WHERE paymenttype = 'Monthly Dues'
            GROUP BY paymentdate >= %s, status""", [WINDOW_START, WINDOW_START])
        dues = {(bool(in_window), status): count for in_window, status, count in cursor.fetchall()}
        cursor.execute("""
            SELECT COUNT(*) FROM memberpayments WHERE paymenttype = 'Monthly Dues'
            AND paymentdate >= %s AND paymentdate < %s""", [WINDOW_START - dt.timedelta(days=31), WINDOW_START])
        (month_before,) = cursor.fetchone()
        cursor.execute("SELECT COUNT(*) FROM memberpayments WHERE paymenttype = 'Registration' AND paymentdate < %s",
                       [WINDOW_START])
        (registrations,) = cursor.fetchone()
    history = {status: count for (in_window, status), count in dues.items() if not in_window}
    # Years of dues before the window, with failures (some retried, some ending the membership) and refunds.
    assert history["Completed"] > 20 * dues[(True, "Completed")]
    assert 0.01 <= history["Failed"] / sum(history.values()) <= 0.05
    assert 0.002 <= history["Refunded"] / sum(history.values()) <= 0.01
    assert registrations > 100
    # Revenue does not jump at the window's start: the month before bills about as many dues as the window.
    window = sum(count for (in_window, _), count in dues.items() if in_window)
    assert 0.8 <= month_before / window <= 1.25
