"""Realism measures (fitness/quality/realism.py) on a small hand-built chain
whose figures are worked out by hand below, plus check_ods --realism/--strict,
the JSON document and the admin's Realism section.

The chain: one facility in New York, a cardio zone for 4 and a studio for 10,
four members active all through the 28-day window 2024-02-05 (Mon) ..
2024-03-03 (Sun), eight visits and one class of seven:

    visit  member  local time               minutes  area
    1      MEM1    Mon 02-05 07:00-08:00    60       cardio
    2      MEM2    Mon 02-05 07:15-07:30    15       cardio
    3      MEM3    Mon 02-05 07:30-09:45    135      cardio
    4      MEM1    Tue 02-06 12:00-13:10    70       cardio
    5      MEM3    Wed 02-07 09:50-11:05    75       studio (class 10:00-11:00, 7 attendees)
    6      MEM4    Wed 02-07 18:00-18:50    50       cardio
    7      MEM2    Sat 02-10 10:00-11:00    60       cardio
    8      MEM4    Sun 02-11 09:00-09:25    25       cardio
"""
import datetime as dt
import json
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.urls import reverse

from classes.models import ClassEnrollment, ClassInstance, ClassSchedule, ClassType
from facilities.models import Facility, FacilityArea, MemberAccess
from fitness.quality import run_checks
from fitness.quality.context import resolve_context
from fitness.quality.formatting import format_report
from fitness.quality.realism import (
    MEASURES,
    NOT_APPLICABLE,
    PASS,
    WARN,
    Measure,
    Reading,
    Survey,
    area_peaks,
    holidays_between,
    in_range,
    run_measures,
)
from members.models import Member, MemberMembership, MembershipType
from staff.models import Staff

from .test_command import run_command

LOCAL = ZoneInfo("America/New_York")
AS_OF = dt.date(2024, 3, 4)
DAYS = 28
WINDOW = ["--as-of", AS_OF.isoformat(), "--days", str(DAYS)]
RESULT_KEYS = {"id", "title", "value", "range", "unit", "status", "note", "seconds"}

MEMBERS = (
    # id, email, phone, born: ages on 2024-03-04 are 24, 34 (35 the next day), 65, 44
    ("MEM000001", "Pat@Example.com", "(212) 555-0101", dt.date(2000, 3, 4)),  # 555 exchange
    ("MEM000002", "pat@example.com", "(911) 234-5678", dt.date(1989, 3, 5)),  # N11 area code
    ("MEM000003", "lee@example.com", "(212) 311-4567", dt.date(1959, 3, 4)),  # N11 exchange
    ("MEM000004", "kim@example.com", "+1 (646) 234-5678", dt.date(1980, 1, 1)),  # valid
)
VISITS = (
    ("MEM000001", (2, 5, 7, 0), (2, 5, 8, 0), "AR0001"),
    ("MEM000002", (2, 5, 7, 15), (2, 5, 7, 30), "AR0001"),
    ("MEM000003", (2, 5, 7, 30), (2, 5, 9, 45), "AR0001"),
    ("MEM000001", (2, 6, 12, 0), (2, 6, 13, 10), "AR0001"),
    ("MEM000003", (2, 7, 9, 50), (2, 7, 11, 5), "AR0002"),
    ("MEM000004", (2, 7, 18, 0), (2, 7, 18, 50), "AR0001"),
    ("MEM000002", (2, 10, 10, 0), (2, 10, 11, 0), "AR0001"),
    ("MEM000004", (2, 11, 9, 0), (2, 11, 9, 25), "AR0001"),
)


def local(month, day, hour, minute):
    return dt.datetime(2024, month, day, hour, minute, tzinfo=LOCAL)


def build_small_chain():
    Facility.objects.create(
        facility_id="FAC001", facility_name="Midtown", address="1 Broadway", city="New York", state="NY",
        zip_code="10001", phone_number="(212) 736-0100", open_time=dt.time(5), close_time=dt.time(23))
    FacilityArea.objects.create(area_id="AR0001", facility_id="FAC001", area_name="Cardio Zone", area_type="Cardio",
                                max_capacity=4, square_footage=Decimal("900.00"))
    FacilityArea.objects.create(area_id="AR0002", facility_id="FAC001", area_name="Group Fitness Studio",
                                area_type="Studio", max_capacity=10, square_footage=Decimal("1200.00"))
    MembershipType.objects.create(membership_type_id="MT001", type_name="Individual Monthly",
                                  monthly_fee=Decimal("49.99"), registration_fee=Decimal("25.00"), duration=1)
    for number, (member_id, email, phone, born) in enumerate(MEMBERS, start=1):
        Member.objects.create(
            member_id=member_id, first_name="Pat", last_name=member_id, email=email, phone=phone,
            date_of_birth=born, gender="F", address="2 Elm St", city="New York", state="NY", zip_code="10001",
            join_date=dt.date(2024, 1, 1), member_status="Active")
        MemberMembership.objects.create(
            membership_id=f"MS{number:07d}", member_id=member_id, membership_type_id="MT001",
            start_date=dt.date(2024, 1, 1), end_date=dt.date(2024, 4, 1), status="Active")
    for number, (member_id, start, end, area) in enumerate(VISITS, start=1):
        check_in, check_out = local(*start), local(*end)
        MemberAccess.objects.create(
            access_id=f"ACC{number:08d}", member_id=member_id, facility_id="FAC001", area_id=area,
            check_in_time=check_in, check_out_time=check_out, access_method="Key Card",
            duration=int((check_out - check_in).total_seconds() // 60))
    build_one_class()


def build_one_class():
    Staff.objects.create(
        staff_id="STF0001", employee_number="ESTF0001", first_name="Ana", last_name="Coach",
        email="ana@example.com", phone="(212) 736-0001", hire_date=dt.date(2020, 1, 1), job_title="Group Fitness Instructor",
        department="Fitness", employment_type="Full-Time", hourly_rate=Decimal("30.00"), status="Active")
    ClassType.objects.create(class_type_id="CT001", class_name="Yoga", category="Mind & Body", duration_minutes=60,
                             max_participants=20, required_certifications="")
    ClassSchedule.objects.create(
        schedule_id="SCH0001", class_type_id="CT001", facility_id="FAC001", area_id="AR0002",
        instructor_id="STF0001", day_of_week=3, start_time=dt.time(10), end_time=dt.time(11), max_capacity=10,
        price=Decimal("0.00"), effective_date=dt.date(2024, 1, 1))
    ClassInstance.objects.create(
        instance_id="INS0000001", schedule_id="SCH0001", class_date=dt.date(2024, 2, 7), status="Completed",
        actual_start_time=local(2, 7, 10, 0), actual_end_time=local(2, 7, 11, 0), actual_instructor_id="STF0001",
        actual_capacity=7)


@pytest.fixture
def small_chain(db):
    build_small_chain()


def measured(*ids):
    """{id: result} of the given measures over the test window."""
    results = run_measures(resolve_context(as_of=AS_OF, days=DAYS), only=set(ids))
    return {result["id"]: result for result in results}


# -- values worked out by hand ----------------------------------------------------------------------------
def test_visits_per_member_week(small_chain):
    # 8 check-ins over 4 members x 28 active days = 112 member-days: 8 x 7 / 112 = 0.5 a week.
    result = measured("R1")["R1"]
    assert result["value"] == 0.5
    assert result["status"] == WARN  # below 0.7
    assert "8 check-ins over 112 active member-days" in result["note"]


def test_daily_shape_and_weekend_share(small_chain):
    found = measured("R5", "R6")
    # Weekday check-ins: visits 1-6; in 06-09 or 17-20: 07:00, 07:15, 07:30, 18:00 -> 4 of 6.
    assert found["R5"]["value"] == 66.7 and found["R5"]["status"] == PASS
    # Weekend: visits 7 and 8 -> 2 of 8.
    assert found["R6"]["value"] == 25.0 and found["R6"]["status"] == PASS


@pytest.mark.parametrize("extra_visits, heavy", [(13, 0.0), (14, 25.0)])
def test_heavy_users(small_chain, extra_visits, heavy):
    # MEM4 has 2 visits; 4 a week over the 28 days is 16: 15 visits are not heavy use, 16 are.
    for number in range(extra_visits):
        day = dt.date(2024, 2, 12) + dt.timedelta(days=number)
        start = dt.datetime.combine(day, dt.time(6), tzinfo=LOCAL)
        MemberAccess.objects.create(
            access_id=f"ACC{100 + number:08d}", member_id="MEM000004", facility_id="FAC001", area_id="AR0001",
            check_in_time=start, check_out_time=start + dt.timedelta(minutes=40), access_method="Key Card",
            duration=40)
    result = measured("R3")["R3"]
    assert result["value"] == heavy
    assert "of 4 members active >= 28 days" in result["note"]


def test_facilities_and_home_state(small_chain):
    # MEM4 visits a New Jersey club three times and the New York one twice: the New Jersey club is
    # their home facility, in another state than their address; each member uses 1 or 2 clubs.
    Facility.objects.create(
        facility_id="FAC002", facility_name="Hoboken", address="1 River St", city="Hoboken", state="NJ",
        zip_code="07030", phone_number="(201) 736-0100", open_time=dt.time(5), close_time=dt.time(23))
    FacilityArea.objects.create(area_id="AR0003", facility_id="FAC002", area_name="Cardio Zone", area_type="Cardio",
                                max_capacity=20, square_footage=Decimal("900.00"))
    for number, day in enumerate((13, 14, 15), start=20):
        start = local(2, day, 19, 0)
        MemberAccess.objects.create(
            access_id=f"ACC{number:08d}", member_id="MEM000004", facility_id="FAC002", area_id="AR0003",
            check_in_time=start, check_out_time=start + dt.timedelta(minutes=45), access_method="Key Card",
            duration=45)
    found = measured("R21", "R22")
    assert found["R21"]["value"] == "median 1; 0.0% use > 5" and found["R21"]["status"] == PASS
    assert found["R22"]["value"] == 75.0 and found["R22"]["status"] == WARN


def test_visit_length(small_chain):
    # 15, 25, 50, 60, 60, 70, 75, 135: median 60, 2 of 8 under 30, 1 of 8 over 120.
    result = measured("R26")["R26"]
    assert result["value"] == "median 60 min; 25.0% < 30; 12.5% > 120"
    assert result["status"] == PASS


def test_contact_data(small_chain):
    # Two members share an email but for its letter case; three phones are not NANP numbers.
    result = measured("R20")["R20"]
    assert result["value"] == "2 shared emails; 3 invalid phones"
    assert result["status"] == WARN


def test_contact_data_passes_when_clean(small_chain):
    for member_id, phone in (("MEM000001", "(212) 736-0101"), ("MEM000002", "646.234.5679"),
                             ("MEM000003", "12127364567")):
        Member.objects.filter(pk=member_id).update(phone=phone, email=f"{member_id}@example.com")
    result = measured("R20")["R20"]
    assert result["value"] == "0 shared emails; 0 invalid phones" and result["status"] == PASS


def test_ages(small_chain):
    # Ages on 2024-03-04: 24 and 34 (35 only the next day) are 18-34; 65 (birthday today) is 65+.
    result = measured("R28")["R28"]
    assert result["value"] == "50.0% aged 18-34; 25.0% 65+"
    assert result["status"] == WARN  # 65+ above 15%


def test_capacity_counts_visits_and_class_attendees_per_quarter_hour(small_chain):
    # Heads counted at each quarter hour's start. Cardio (4 places): at 07:15 and at 07:30 two
    # members are in (the 07:15-07:30 visit has left when the 07:30 one arrives) -> 0.5.
    # Studio (10 places): at 10:00, 7 attendees plus the 09:50-11:05 visit -> 8 -> 0.8.
    result = measured("R32")["R32"]
    assert result["value"] == "max 0.80; busiest areas 0.80"
    assert result["status"] == PASS


def test_capacity_counts_heads_at_the_quarter_hour(small_chain):
    # A visit from 07:31 to 07:44 is never in at a quarter hour's start; one from 07:44 to 08:05 is in at
    # 07:45 with the 07:00-08:00 and 07:30-09:45 visits: 3 of 4 places.
    for number, (start, end) in enumerate((((2, 5, 7, 31), (2, 5, 7, 44)), ((2, 5, 7, 44), (2, 5, 8, 5))), start=9):
        MemberAccess.objects.create(
            access_id=f"ACC{number:08d}", member_id="MEM000004", facility_id="FAC001", area_id="AR0001",
            check_in_time=local(*start), check_out_time=local(*end), access_method="Key Card",
            duration=int((local(*end) - local(*start)).total_seconds() // 60))
    peaks = area_peaks(Survey(resolve_context(as_of=AS_OF, days=DAYS)))
    assert peaks == {"AR0001": ("FAC001", 0.75), "AR0002": ("FAC001", 0.8)}


def test_capacity_counts_an_attendee_checked_in_to_the_studio_once(small_chain):
    # MEM000003's 09:50-11:05 visit is into the studio and covers the class: once MEM000003 is one of its 7
    # attendees, the studio holds 7 people at 10:00, not 8 (counted by the visit, not twice: rule V8's count).
    ClassEnrollment.objects.create(
        enrollment_id="ENR0000001", member_id="MEM000003", instance_id="INS0000001", enrollment_date=local(2, 6, 9, 0),
        enrollment_status="Attended", payment_amount=Decimal("0.00"), check_in_time=local(2, 7, 9, 58),
        check_out_time=local(2, 7, 11, 2))
    assert area_peaks(Survey(resolve_context(as_of=AS_OF, days=DAYS)))["AR0002"] == ("FAC001", 0.7)


def test_capacity_warns_over_capacity(small_chain):
    FacilityArea.objects.filter(pk="AR0002").update(max_capacity=7)
    result = measured("R32")["R32"]
    assert result["value"].startswith("max 1.14")
    assert result["status"] == WARN and "AR0002" in result["note"]


def test_class_fill(small_chain):
    # 7 attendees in the schedule's 10 places.
    result = measured("R12")["R12"]
    assert result["value"] == 70.0 and result["status"] == PASS


# -- pass, warn, n/a ------------------------------------------------------------------------------------
def test_range_bounds_are_inclusive():
    measure = Measure("R1", "visits", "0.7-2.0", compute=None, low=0.7, high=2.0)
    assert measure.status(Reading(0.7)) == PASS and measure.status(Reading(2.0)) == PASS
    assert measure.status(Reading(0.69)) == WARN and measure.status(Reading(2.01)) == WARN
    assert measure.status(Reading(None, note="no data")) == NOT_APPLICABLE
    assert measure.status(Reading("text", ok=False)) == WARN
    assert in_range(5, low=5) and not in_range(4.99, low=5) and in_range(1.0, high=1.0)


def test_measures_the_data_cannot_support_say_why(small_chain):
    found = measured("R2", "R7", "R10", "R11", "R15", "R25")
    for result in found.values():
        assert result["status"] == NOT_APPLICABLE and result["value"] is None and result["note"]
    assert "30-day window" in found["R2"]["note"]  # the window has 28 days
    assert "12 months" in found["R7"]["note"]
    assert "year" in found["R15"]["note"]
    assert "Thanksgiving" in found["R25"]["note"]


def test_holidays_of_a_window():
    found = holidays_between(dt.date(2024, 11, 1), dt.date(2025, 1, 2))
    assert found == {dt.date(2024, 11, 28): "Thanksgiving", dt.date(2024, 12, 25): "Christmas Day",
                     dt.date(2025, 1, 1): "New Year's Day"}


def test_every_measure_reports_on_an_empty_ods(db):
    results = run_measures(resolve_context(as_of=AS_OF, days=DAYS))
    assert [result["id"] for result in results] == [f"R{n}" for n in range(1, 33)] == sorted(MEASURES, key=lambda k: int(k[1:]))
    for result in results:
        assert set(result) == RESULT_KEYS
        assert result["status"] == NOT_APPLICABLE, result
        assert not result["note"].startswith("could not be computed"), result


# -- the command, the document, the page ----------------------------------------------------------------
def test_json_document_has_a_realism_list(small_chain):
    status, output = run_command("--realism", "--format", "json", "--no-save", *WINDOW)
    document = json.loads(output)
    assert len(document["realism"]) == 32
    for result in document["realism"]:
        assert set(result) == RESULT_KEYS and result["status"] in (PASS, WARN, NOT_APPLICABLE)
    r1 = next(result for result in document["realism"] if result["id"] == "R1")
    assert r1["value"] == 0.5 and r1["range"] == "0.7-2.0"
    assert document["checks"]  # the rules ran too


def test_without_realism_the_document_has_none(small_chain):
    _status, output = run_command("--format", "json", "--no-save", *WINDOW)
    assert "realism" not in json.loads(output)


def test_warnings_change_the_exit_status_only_with_strict(small_chain):
    status, output = run_command("--realism-only", "--no-save", *WINDOW)
    assert status == 0
    assert "Realism (realism.md)" in output and "WARN" in output
    assert run_command("--realism-only", "--strict", "--no-save", *WINDOW)[0] == 1


def test_strict_implies_realism(small_chain):
    _status, output = run_command("--strict", "--format", "json", "--no-save", *WINDOW)
    assert len(json.loads(output)["realism"]) == 32


def test_strict_passes_without_warnings(db):
    # An empty ODS supports no measure: all n/a, no warning.
    status, output = run_command("--realism-only", "--strict", "--no-save", *WINDOW)
    assert status == 0
    assert "Realism: 0 pass, 0 warn, 32 n/a" in output


def test_realism_only_refuses_rule_selection(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("check_ods", "--realism-only", "--only", "M1", stdout=StringIO(), stderr=StringIO())


def test_table_output_lists_each_measure(small_chain):
    document = run_checks(as_of=AS_OF, days=DAYS, save=False, profile=False, realism=True)
    text = format_report(document)
    realism = text.split("Realism (realism.md)")[1]
    for measure_id in ("R1", "R20", "R32"):
        assert f"\n{measure_id} " in realism
    assert "0.5 " in realism and "66.7%" in realism


def test_data_quality_page_shows_the_realism_section(admin_client, small_chain):
    run_checks(as_of=AS_OF, days=DAYS, realism=True)
    page = admin_client.get(reverse("admin:fitness_qualityrun_data_quality")).content.decode()
    assert 'id="quality-realism"' in page
    assert page.count('class="realism-') == 32
    assert page.count('class="realism-na"') == sum(
        1 for result in run_measures(resolve_context(as_of=AS_OF, days=DAYS)) if result["status"] == NOT_APPLICABLE)
    assert "2 shared emails; 3 invalid phones" in page


def test_data_quality_page_without_realism_has_no_section(admin_client, small_chain):
    run_checks(as_of=AS_OF, days=DAYS)
    page = admin_client.get(reverse("admin:fitness_qualityrun_data_quality")).content.decode()
    assert 'id="quality-realism"' not in page


# -- a seeded chain -------------------------------------------------------------------------------------
def test_every_measure_computes_on_a_seeded_chain(db):
    from fitness.seeding.run import seed_ods

    seed_ods(days=7, seed=3, profile="small", members=60, end_date=dt.date(2025, 3, 12))
    results = run_measures(resolve_context())
    assert len(results) == 32
    for result in results:
        assert not result["note"].startswith("could not be computed"), result
    supported = {result["id"] for result in results if result["status"] != NOT_APPLICABLE}
    assert {"R1", "R5", "R6", "R16", "R20", "R26", "R28", "R32"} <= supported


def test_cohort_retention_counts_an_annual_member_renewed_the_day_after_the_anniversary(small_chain):
    # Joined 2022-06-10 on an annual plan, renewed the day after it ended (2023-06-11): kept. Joined 2022-07-01,
    # gone when the year was up: lost.
    MembershipType.objects.create(membership_type_id="MT006", type_name="Individual Annual",
                                  monthly_fee=Decimal("41.66"), registration_fee=Decimal("0.00"), duration=12)
    for member_id, joined, periods in (
            ("MEM000011", dt.date(2022, 6, 10), ((dt.date(2022, 6, 10), dt.date(2023, 6, 10)),
                                                 (dt.date(2023, 6, 11), dt.date(2024, 6, 11)))),
            ("MEM000012", dt.date(2022, 7, 1), ((dt.date(2022, 7, 1), dt.date(2023, 7, 1)),))):
        Member.objects.create(
            member_id=member_id, first_name="Sam", last_name=member_id, email=f"{member_id}@example.com",
            phone="(212) 736-0199", date_of_birth=dt.date(1990, 1, 1), gender="M", address="3 Elm St",
            city="New York", state="NY", zip_code="10001", join_date=joined, member_status="Active")
        for number, (start, end) in enumerate(periods, start=1):
            MemberMembership.objects.create(
                membership_id=f"MS{member_id[-2:]}{number:05d}", member_id=member_id, membership_type_id="MT006",
                start_date=start, end_date=end, status="Active")
    result = measured("R8")["R8"]
    assert result["value"] == 50.0 and "1 of 2" in result["note"]
