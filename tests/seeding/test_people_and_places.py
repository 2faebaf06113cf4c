"""A chain that lives somewhere, people who fit their plans: the geography
data, where seed_ods puts facilities, members and staff (S9, M9), their ages
and plans (M8, R28), first periods (M7), daily joins (R14, R27) and who
maintains what (S8)."""
import datetime as dt
import random
import re
import statistics
from collections import Counter

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Min

from equipment.models import EquipmentMaintenance
from facilities.models import Facility
from fitness.core import catalog, geography
from fitness.core.business import first_period_start
from fitness.core.drawing import draw_phone, draw_poisson, email_number, member_email
from fitness.quality.report import run_checks
from fitness.seeding.master import build_master, member_instance, place_facilities, plan_member
from fitness.seeding.members_sim import daily_joins, fit_plan_to_age, join_day_weight, new_member_sim
from fitness.seeding.profiles import resolve_profile
from fitness.seeding.run import seed_ods
from members.factories import age_on, plan_fits_age
from members.models import Member, MemberMembership
from staff.choices import JobTitle
from staff.models import Staff, StaffFacility

END = dt.date(2025, 3, 12)
PLAN_BY_ID = {plan.membership_type_id: plan for plan in catalog.MEMBERSHIP_PLANS}
# A valid NANP number as the seeder writes it: area code and exchange NXX, neither N11; no 555 exchange.
PHONE = re.compile(r"^\(([2-9]\d\d)\) ([2-9]\d\d)-(\d{4})$")


def valid_nanp(phone: str) -> bool:
    match = PHONE.match(phone)
    if not match:
        return False
    area, exchange, _ = match.groups()
    return area[1:] != "11" and exchange[1:] != "11" and exchange != "555"


def area_code(phone: str) -> int:
    return int(PHONE.match(phone).group(1))


# --- geography.py ---------------------------------------------------------------------------------

def test_every_state_has_zips_area_codes_and_real_cities_of_its_own():
    assert len(geography.STATES) == 51  # the fifty states and DC
    area_code_owner = {}
    for code, state in geography.STATES.items():
        assert state.zip_prefixes and state.area_codes and state.cities, code
        low, high = state.zip_range
        assert 0 < low < high < 100000
        for city in state.cities:
            assert city.state == code
            assert set(city.zip_prefixes) <= set(state.zip_prefixes), city
        for number in state.area_codes:
            # NXX, not N11, not the X9X codes held back for expansion
            assert 200 <= number <= 999 and number % 100 != 11 and str(number)[1] != "9", number
            assert area_code_owner.setdefault(number, code) == code, f"{number} in {code} and {area_code_owner[number]}"


def test_each_state_lies_in_exactly_one_region():
    listed = Counter(code for states in geography.REGION_STATES.values() for code in states)
    assert set(listed) == set(geography.STATES)
    assert set(listed.values()) == {1}
    assert {s.code for s in geography.region_states("America/Phoenix")} == {"AZ"}
    assert "TX" in {s.code for s in geography.region_states("US/Central")}  # an alias of America/Chicago


def test_the_region_follows_the_time_zone_setting(settings):
    settings.TIME_ZONE = "America/Denver"
    assert {s.code for s in geography.region_states()} == {"CO", "ID", "MT", "NM", "UT", "WY"}


def test_an_unknown_time_zone_is_a_clear_error_naming_the_known_ones():
    with pytest.raises(ImproperlyConfigured, match="Europe/Paris.*America/New_York.*Pacific/Honolulu"):
        geography.region_states("Europe/Paris")


def test_zip_codes_fit_their_city_and_state():
    rng = random.Random(3)
    for state in geography.STATES.values():
        for city in state.cities:
            zip_code = geography.zip_code_in(rng, city)
            assert int(zip_code[:3]) in city.zip_prefixes and geography.zip_fits_state(zip_code, state.code)
    assert not geography.zip_fits_state("90210", "NY")


# --- drawing ----------------------------------------------------------------------------------------

def test_phones_are_valid_nanp_numbers_of_the_given_area_codes():
    rng = random.Random(8)
    phones = [draw_phone(rng, (212, 718)) for _ in range(5000)]
    assert all(valid_nanp(p) for p in phones)
    assert {area_code(p) for p in phones} == {212, 718}


def test_member_emails_are_unique_by_their_number_whatever_the_names():
    rng = random.Random(1)
    numbers = range(1, 120001)
    assert len({email_number(n) for n in numbers}) == len(numbers)
    emails = [member_email(rng, "John", "Smith", n).split("@")[0] for n in range(1, 20001)]
    assert len(set(emails)) == len(emails)


def test_poisson_counts_have_the_mean_and_spread_asked_for():
    rng = random.Random(2)
    for mean in (0.7, 12, 800):
        draws = [draw_poisson(rng, mean) for _ in range(4000)]
        assert statistics.mean(draws) == pytest.approx(mean, rel=0.06)
        assert statistics.pvariance(draws) == pytest.approx(mean, rel=0.15)


# --- the chain's places and people, planned -------------------------------------------------------

@pytest.fixture(scope="module")
def master():
    """A 12-facility chain's master data (built in memory, no database)."""
    profile = resolve_profile("default", facilities=12, members=3000, staff=120)
    return build_master(profile, random.Random(5), END - dt.timedelta(days=30), END, random.Random(5))


def test_facilities_cluster_in_real_cities_of_a_few_states_of_the_region(master):
    region = {s.code: s for s in geography.region_states()}
    states = Counter(f.row.state for f in master.facilities)
    assert set(states) <= set(region) and 1 < len(states) < 6  # a few states
    assert min(states.values()) >= 2  # a cluster in each: a club near home besides the member's own
    for facility in master.facilities:
        row = facility.row
        assert facility.site in region[row.state].cities and row.city == facility.site.name
        assert int(row.zip_code[:3]) in facility.site.zip_prefixes
        assert valid_nanp(row.phone_number) and area_code(row.phone_number) in region[row.state].area_codes
    assert len({f.row.facility_name for f in master.facilities}) == len(master.facilities)


def test_one_state_or_many_clubs_still_get_places():
    rng = random.Random(4)
    sites = place_facilities(30, rng, [geography.STATES["HI"]])
    assert {s.state for s in sites} == {"HI"} and len(sites) == 30
    assert {s.state for s in place_facilities(1, rng)} <= {s.code for s in geography.region_states()}


def test_members_live_near_their_home_club_with_their_states_numbers(master):
    rng = random.Random(9)
    for planned in master.members[:1500]:
        home = master.facilities[planned.home]
        row = member_instance(planned, END, rng)
        state = geography.STATES[row.state]
        assert row.state == home.row.state  # M9, S9
        city = geography.city_named(row.state, row.city)
        assert city is not None and city.metro == home.site.metro  # within commuting distance
        assert int(row.zip_code[:3]) in city.zip_prefixes
        assert valid_nanp(row.phone) and area_code(row.phone) in state.area_codes
        assert valid_nanp(row.emergency_phone)
        assert row.date_of_birth == planned.birth_date


def test_staff_have_numbers_of_their_facilitys_state(master):
    for member in master.staff:
        state = master.facilities[member.facility_index].row.state
        assert valid_nanp(member.phone) and area_code(member.phone) in geography.AREA_CODES[state]


def test_ages_and_plans_fit_together(master):
    rng = random.Random(6)
    planned = [plan_member(f"MEM{n:06d}", END, master.facilities, rng) for n in range(20000)]
    ages = [age_on(p.birth_date, p.join_date) for p in planned]
    assert min(ages) >= 16  # M1
    for p, age in zip(planned, ages):
        assert plan_fits_age(PLAN_BY_ID[p.plan], age), (p.plan, age)  # M8
    young, senior = sum(18 <= a <= 34 for a in ages) / len(ages), sum(a >= 65 for a in ages) / len(ages)
    assert 0.40 <= young <= 0.52 and 0.06 <= senior <= 0.12  # R28 on joining; the seeded members age from there
    plans = Counter(p.plan for p in planned)
    students = [age for p, age in zip(planned, ages) if p.plan == "MT003"]
    assert plans["MT003"] / len(planned) > 0.05 and statistics.mean(students) < 23
    assert plans["MT004"] / len(planned) > 0.03
    assert {p.home for p in planned} == set(range(len(master.facilities)))


def test_a_student_who_outgrows_the_plan_renews_on_the_adult_one(master):
    rng = random.Random(7)
    planned = next(p for p in (plan_member(f"MEM{n:06d}", END, master.facilities, rng) for n in range(5000))
                   if p.plan == "MT003")
    member = new_member_sim(planned, rng)
    turns_26 = planned.birth_date.replace(year=planned.birth_date.year + 26) + dt.timedelta(days=1)
    assert fit_plan_to_age(member, END).membership_type_id == "MT003"
    assert fit_plan_to_age(member, turns_26).membership_type_id == "MT001" and member.plan == "MT001"


# --- joins ------------------------------------------------------------------------------------------

def test_daily_joins_vary_and_january_leads_the_year():
    rng = random.Random(11)
    for month in (3, 9):
        days = [dt.date(2025, month, d) for d in range(1, 31)]
        joins = [daily_joins(rng, 50000, day) for day in days]
        assert statistics.pstdev(joins) / statistics.mean(joins) >= 0.3  # R27, even for a large chain
    by_month = [sum(join_day_weight(dt.date(2025, m, 1) + dt.timedelta(days=d)) for d in range(28))
                for m in range(1, 13)]
    assert 1.3 <= by_month[0] / statistics.mean(by_month) <= 2.2  # R14
    mondays, sundays = join_day_weight(dt.date(2025, 3, 3)), join_day_weight(dt.date(2025, 3, 9))
    assert mondays > 1.5 * sundays


# --- seeded ---------------------------------------------------------------------------------------

def failed(report):
    return {c["id"]: c["count"] for c in report["checks"] if c["status"] != "pass"}


@pytest.mark.django_db
def test_a_seeded_chain_lives_in_its_region_and_keeps_its_people_straight():
    seed_ods(days=14, seed=21, profile="small", members=400, end_date=END)
    region = {s.code for s in geography.region_states()}
    facility_states = dict(Facility.objects.values_list("facility_id", "state"))
    assert set(facility_states.values()) <= region
    members = list(Member.objects.all())
    assert {m.state for m in members} <= set(facility_states.values())
    for member in members:
        assert geography.zip_fits_state(member.zip_code, member.state)
        assert valid_nanp(member.phone) and area_code(member.phone) in geography.AREA_CODES[member.state]
        assert valid_nanp(member.emergency_phone)
        assert geography.city_named(member.state, member.city) is not None
    assert len({m.email.lower() for m in members}) == len(members)  # S9, R20

    # M7: every member holds a first period from the first day the plans allow after joining.
    firsts = dict(MemberMembership.objects.values("member_id").annotate(first=Min("start_date"))
                  .values_list("member_id", "first"))
    assert {m.member_id: firsts.get(m.member_id) for m in members} == {
        m.member_id: first_period_start(m.join_date) for m in members}

    # M8: age-limited plans only at those ages.
    born = {m.member_id: m.date_of_birth for m in members}
    for period in MemberMembership.objects.filter(membership_type_id__in=("MT003", "MT004")):
        assert plan_fits_age(PLAN_BY_ID[period.membership_type_id], age_on(born[period.member_id], period.start_date))

    # S8: the facility's Maintenance staff or a vendor for the type; work and parts that fit the machine.
    maintenance_staff = {
        (f"{s.first_name} {s.last_name}", a.facility_id)
        for s in Staff.objects.filter(job_title=JobTitle.MAINTENANCE)
        for a in StaffFacility.objects.filter(staff=s)
    }
    jobs = list(EquipmentMaintenance.objects.select_related("equipment"))
    assert jobs
    for job in jobs:
        kind = job.equipment.equipment_type
        assert (job.technician_name, job.equipment.facility_id) in maintenance_staff or \
            job.technician_name in catalog.VENDORS_BY_EQUIPMENT_TYPE.get(kind, ())
        assert job.maintenance_type in catalog.MAINTENANCE_TYPES_BY_EQUIPMENT_TYPE[kind]
        assert job.parts_replaced is None or job.parts_replaced in catalog.PARTS_BY_EQUIPMENT_TYPE[kind]
    assert any((j.technician_name, j.equipment.facility_id) in maintenance_staff for j in jobs)

    report = run_checks(save=False, profile=False, only="M7,M8,S8,S9")
    assert failed(report) == {}


@pytest.mark.django_db
def test_nobody_joins_without_a_first_period_at_a_month_end_as_of():
    """A window ending on the 1st: joins of the 29th-31st would start on as-of; they wait for the next run."""
    as_of = dt.date(2024, 11, 1)
    seed_ods(days=10, seed=4, profile="small", members=3000, end_date=as_of)
    joined = list(Member.objects.filter(join_date__gte=as_of - dt.timedelta(days=10)))
    assert joined and all(m.join_date.day <= 28 for m in joined)
    assert not Member.objects.filter(member_status="Expired", memberships__isnull=True).exists()
    assert failed(run_checks(save=False, profile=False, only="M7,M4,M5")) == {}
    seed_ods(end_date=as_of + dt.timedelta(days=7), append=True)
    assert failed(run_checks(save=False, profile=False, only="M7,M8,S8,S9,M4,M5")) == {}


def test_every_facility_keeps_its_core_staff_and_a_technician():
    """Lifeguards of pool facilities come among the core roles; no facility's core staff are let go, so each
    has a manager and someone to maintain its machines (S8). Seed 3 of this chain once lost the last
    facility's only maintenance worker, when the interleaved lifeguards pushed them past the core count."""
    profile = resolve_profile("default", facilities=12, members=6000, staff=120)
    for seed in (3, 4, 5):
        chain = build_master(profile, random.Random(seed), dt.date(2026, 9, 30), dt.date(2026, 11, 29),
                             random.Random(seed))
        for facility in chain.facilities:
            titles = {chain.staff[i].job_title for i in facility.staff}
            assert {JobTitle.MANAGER, JobTitle.MAINTENANCE} <= titles and facility.technicians
