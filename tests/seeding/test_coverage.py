"""Every seed_ods run fills all 23 ODS tables and passes check_ods, whatever its
length and end date; payroll has its history before the window; `--append`
continues a chain without a gap or a double at the boundary.

The runs use the default chain (5 facilities, 1,000 members, 50 staff): its
statistical rules (V4) need a chain's volume of visits. The payroll tests
keep its staff and take fewer members, whom payroll does not depend on.
"""
import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from statistics import median

import pytest
from django.core.management import call_command
from django.db import connection

from fitness.core.business import OVERTIME_MULTIPLIER, PAY_PERIOD_DAYS, deduction_rate, pay_period_start
from fitness.core.dialect import Dialect
from fitness.core.ids import format_id
from fitness.core.tables import LOAD_ORDER, models_by_table
from fitness.quality.report import run_checks
from fitness.seeding import members_sim
from fitness.seeding.reviews_sim import quarter_of
from fitness.seeding.run import seed_ods
from staff.choices import EmploymentType, INSTRUCTOR_TITLES
from staff.models import Staff

pytestmark = pytest.mark.django_db

FEW_MEMBERS = 100  # for the payroll tests: the default chain's staff, a tenth of its members
END_DATES = {
    "1st": dt.date(2025, 8, 1),
    "16th": dt.date(2025, 3, 16),
    "31st": dt.date(2025, 5, 31),
    "30th": dt.date(2024, 9, 30),
    "early-january": dt.date(2026, 1, 3),  # the window crosses a year, a quarter and an ISO year
}
PERIOD = dt.timedelta(days=PAY_PERIOD_DAYS)
CENT = Decimal("0.01")


def rows(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


def as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def empty_tables():
    return [table for table, model in models_by_table().items() if not model.objects.exists()]


def violations(document):
    """{rule id: count} of every rule that did not pass (errors included)."""
    return {c["id"]: c["count"] for c in document["checks"] if c["status"] != "pass"}


def payroll_by_staff():
    """{staff id: [(start, end, regular, overtime), ...] by period start}."""
    found = defaultdict(list)
    for staff_id, start, end, regular, overtime in rows(
            "SELECT staffid, payperiodstart, payperiodend, regularhours, overtimehours FROM staffpayroll "
            "ORDER BY staffid, payperiodstart"):
        found[staff_id].append((as_date(start), as_date(end), Decimal(str(regular)), Decimal(str(overtime))))
    return found


def tracked_hours_by_staff_and_period():
    """{(staff id, period start): tracked hours} from the time entries."""
    tracked = defaultdict(Decimal)
    for staff_id, day, hours in rows(
            "SELECT t.staffid, sh.scheduledate, t.actualhours FROM stafftimetracking t "
            "JOIN staffschedules sh ON sh.scheduleid = t.scheduleid"):
        tracked[(staff_id, pay_period_start(as_date(day)))] += Decimal(str(hours or 0))
    return tracked


# --- every table, every rule, at several end dates ----------------------------------------------------------------

@pytest.mark.parametrize("days,end", [
    *[pytest.param(7, end, id=f"7-days-to-{name}") for name, end in END_DATES.items()],
    *[pytest.param(30, end, id=f"30-days-to-{name}", marks=pytest.mark.slow) for name, end in END_DATES.items()],
])
def test_every_table_has_rows_and_every_rule_holds(days, end):
    result = seed_ods(days=days, seed=days * 1000 + end.day, end_date=end)
    assert set(result.rows) == set(LOAD_ORDER)
    assert empty_tables() == []
    document = run_checks(save=False, profile=False)
    assert (document["context"]["window_start"], document["context"]["as_of"]) == (
        (end - dt.timedelta(days=days)).isoformat(), end.isoformat())
    assert violations(document) == {}


# --- payroll before the window -------------------------------------------------------------------------------------

def test_payroll_history_pays_everyone_every_period_since_hiring():
    end = dt.date(2025, 3, 12)
    window_start = end - dt.timedelta(days=7)  # no pay period lies wholly inside the window
    seed_ods(days=7, seed=17, end_date=end, members=FEW_MEMBERS)
    paid = payroll_by_staff()
    last_closed = pay_period_start(end) - dt.timedelta(days=1)  # the latest period that ended before as-of
    staff = list(Staff.objects.all())
    assert staff
    for member in staff:
        periods = paid.get(member.staff_id)
        if not periods:  # only someone who left within days of being hired may have no pay
            assert member.termination_date and (member.termination_date - member.hire_date).days < 14
            continue
        starts = [start for start, *_ in periods]
        assert starts == [starts[0] + k * PERIOD for k in range(len(starts))], member.staff_id  # contiguous, once each
        assert starts[0] <= member.hire_date + PERIOD and periods[0][1] >= member.hire_date, member.staff_id
        if member.termination_date:
            assert starts[-1] <= member.termination_date < periods[-1][1] + PERIOD, member.staff_id
        else:
            assert periods[-1][1] == last_closed, member.staff_id
    assert min(start for periods in paid.values() for start, *_ in periods) < window_start - dt.timedelta(days=365)


def test_payroll_history_adds_up_and_looks_like_the_window():
    end = dt.date(2025, 3, 12)
    window_start = end - dt.timedelta(days=30)
    seed_ods(days=30, seed=19, end_date=end, members=FEW_MEMBERS)
    staff = {member.staff_id: member for member in Staff.objects.all()}
    history = {True: [], False: []}  # full time or not: whole periods of work before the window
    regular_total = overtime_total = Decimal(0)
    for payroll_id, staff_id, start, end_day, regular, overtime, regular_pay, overtime_pay, bonuses, deductions, \
            gross, net, pay_date in rows("SELECT payrollid, staffid, payperiodstart, payperiodend, regularhours, "
                                          "overtimehours, regularpay, overtimepay, bonuses, deductions, grosspay, "
                                          "netpay, paydate FROM staffpayroll"):
        member = staff[staff_id]
        rate = member.hourly_rate
        regular, overtime, regular_pay, overtime_pay, bonuses, deductions, gross, net = (
            Decimal(str(v)).quantize(CENT) for v in (regular, overtime, regular_pay, overtime_pay, bonuses,
                                                      deductions, gross, net))
        assert regular_pay == (regular * rate).quantize(CENT, ROUND_HALF_UP), payroll_id
        assert overtime_pay == (overtime * rate * OVERTIME_MULTIPLIER).quantize(CENT, ROUND_HALF_UP), payroll_id
        assert gross == regular_pay + overtime_pay + bonuses, payroll_id
        withholding = deduction_rate(rate, member.employment_type == EmploymentType.FULL_TIME)
        assert deductions == (gross * withholding).quantize(CENT, ROUND_HALF_UP), payroll_id
        assert net == gross - deductions and as_date(pay_date) > as_date(end_day), payroll_id
        assert regular <= 80 and (overtime == 0 or regular >= 40), payroll_id
        first_full = pay_period_start(member.hire_date) + PERIOD
        if as_date(end_day) < window_start and as_date(start) >= first_full and (
                member.termination_date is None or as_date(end_day) < member.termination_date):
            history[member.employment_type == EmploymentType.FULL_TIME].append(regular + overtime)
            regular_total += regular
            overtime_total += overtime
    # Full-time staff work five 8-hour shifts a week (a sixth in busy weeks), the others three of 5 hours.
    assert 70 <= median(history[True]) <= 85
    assert 25 <= median(history[False]) <= 35
    assert 0.01 <= overtime_total / (regular_total + overtime_total) <= 0.10  # realism R18's range


def test_the_period_open_on_the_first_day_is_paid_in_full():
    end = dt.date(2025, 3, 14)
    window_start = end - dt.timedelta(days=30)  # Wednesday 2025-02-12, inside the pay period of the 10th
    open_period, next_period = pay_period_start(window_start), pay_period_start(window_start) + PERIOD
    assert open_period < window_start
    seed_ods(days=30, seed=23, end_date=end, members=FEW_MEMBERS)
    tracked = tracked_hours_by_staff_and_period()
    paid = {staff_id: {start: regular + overtime for start, _, regular, overtime in periods}
            for staff_id, periods in payroll_by_staff().items()}
    working = [staff_id for staff_id, period in tracked if period == open_period]
    assert len(working) >= 40
    assert all(paid[staff_id][open_period] >= tracked[(staff_id, open_period)] for staff_id in working)
    # The Monday and Tuesday before the window were worked and paid too.
    more = [staff_id for staff_id in working if paid[staff_id][open_period] > tracked[(staff_id, open_period)]]
    assert len(more) >= 0.5 * len(working)
    assert all(paid[staff_id][next_period] == hours for (staff_id, period), hours in tracked.items()
               if period == next_period)


# --- --append -------------------------------------------------------------------------------------------------------

def member_periods_overlapping():
    return rows("""
        SELECT a.membershipid, b.membershipid FROM membermemberships a
        JOIN membermemberships b ON b.memberid = a.memberid AND b.membershipid > a.membershipid
        WHERE a.startdate < b.enddate AND b.startdate < a.enddate""")


@pytest.mark.slow
def test_append_continues_the_chain_without_a_gap_or_a_double():
    first_end = dt.date(2025, 2, 14)
    second_end = first_end + dt.timedelta(days=30)
    first_start = first_end - dt.timedelta(days=30)
    call_command("seed_ods", "--days", "30", "--seed", "3", "--end-date", first_end.isoformat(), verbosity=0)
    members_before = rows("SELECT COUNT(*), MAX(memberid) FROM members")[0]
    call_command("seed_ods", "--append", "--days", "30", verbosity=0)

    # check_ods looks at both windows by default, and every rule holds over them.
    document = run_checks(save=False, profile=False)
    assert (document["context"]["window_start"], document["context"]["as_of"]) == (
        first_start.isoformat(), second_end.isoformat())
    assert violations(document) == {}
    assert empty_tables() == []

    # Every day of both windows has visits and shifts, every week its classes; nothing happens twice.
    days = {first_start + dt.timedelta(days=k) for k in range((second_end - first_start).days)}
    local_day = Dialect.current().local_date("checkintime")
    assert {as_date(d) for (d,) in rows(f"SELECT DISTINCT {local_day} FROM memberaccess")} == days
    assert {as_date(d) for (d,) in rows("SELECT DISTINCT scheduledate FROM staffschedules")} == days
    class_weeks = {(as_date(d) - first_start).days // 7 for (d,) in rows("SELECT DISTINCT classdate FROM classinstances")}
    assert class_weeks >= set(range(len(days) // 7))  # every whole week
    assert rows("SELECT scheduleid, classdate FROM classinstances GROUP BY scheduleid, classdate "
                "HAVING COUNT(*) > 1") == []
    assert rows("SELECT staffid, scheduledate FROM staffschedules GROUP BY staffid, scheduledate "
                "HAVING COUNT(*) > 1") == []
    visits = dict(rows(f"SELECT {local_day}, COUNT(*) FROM memberaccess GROUP BY {local_day}"))
    visits = {as_date(day): n for day, n in visits.items()}
    same_weekday = [visits[first_end + dt.timedelta(days=k)] for k in (-14, -7, 7, 14)]
    assert 0.5 * min(same_weekday) <= visits[first_end] <= 1.5 * max(same_weekday)

    # Pay periods follow each other for every staff member, each paid once, through the boundary.
    last_closed = pay_period_start(second_end) - dt.timedelta(days=1)
    for staff_id, periods in payroll_by_staff().items():
        starts = [start for start, *_ in periods]
        assert starts == [starts[0] + k * PERIOD for k in range(len(starts))], staff_id
    active = Staff.objects.filter(termination_date=None).values_list("staff_id", flat=True)
    paid = payroll_by_staff()
    assert all(paid[staff_id][-1][1] == last_closed for staff_id in active)
    assert all(any(start <= first_end <= end for start, end, *_ in paid[staff_id]) for staff_id in active)

    # Reviews keep their quarterly cadence: one per quarter, none missing, none twice.
    reviewed = defaultdict(list)
    for instructor, day in rows("SELECT instructorid, evaluationdate FROM instructorperformance "
                                "ORDER BY instructorid, evaluationdate"):
        reviewed[instructor].append(quarter_of(as_date(day)))
    assert set(reviewed) >= set(Staff.objects.filter(job_title__in=INSTRUCTOR_TITLES, termination_date=None)
                                .values_list("staff_id", flat=True))
    for instructor, quarters in reviewed.items():
        assert quarters == list(range(quarters[0], quarters[0] + len(quarters))), instructor
    assert rows("SELECT COUNT(*) FROM instructorperformance WHERE evaluationdate >= %s", [first_start])[0][0] > 0
    assert rows("SELECT COUNT(*) FROM instructorperformance WHERE evaluationdate >= %s", [first_end])[0][0] > 0

    # Members who joined later continue the ids; nobody holds two periods at once.
    count, last_id = rows("SELECT COUNT(*), MAX(memberid) FROM members")[0]
    assert count > members_before[0] and last_id == format_id("members", count)
    assert members_before[1] == format_id("members", members_before[0])
    assert rows("SELECT COUNT(*) FROM members WHERE joindate >= %s AND memberid <= %s",
                [first_end, members_before[1]])[0][0] == 0
    assert member_periods_overlapping() == []


def test_append_cancels_a_period_the_earlier_run_wrote(monkeypatch):
    first_end = dt.date(2025, 2, 14)
    seed_ods(days=30, seed=31, end_date=first_end, profile="small", members=80)
    # Every dues payment of the appended days foreseen there fails for good (a failure for good is foreseen a
    # bill ahead, so from the second month on): periods written by the first run get cancelled.
    monkeypatch.setattr(members_sim, "FAILED_PAYMENT_SHARE", 1.0)
    monkeypatch.setattr(members_sim, "UNRECOVERED_SHARE", 1.0)
    seed_ods(end_date=first_end + dt.timedelta(days=70), append=True)
    cancelled_earlier = rows("""
        SELECT COUNT(*) FROM memberpayments p JOIN membermemberships m ON m.memberid = p.memberid
        WHERE p.status = 'Failed' AND p.paymentdate >= %s AND m.startdate < %s AND m.enddate > p.paymentdate""",
                             [first_end, first_end])[0][0]
    assert cancelled_earlier > 0  # the case at hand: a failure in a period the first run wrote
    assert violations(run_checks(save=False, profile=False, only="M4,M5")) == {}
