"""Each analytics view against figures computed by hand from dataset.py."""
from decimal import Decimal

import pytest
from django.db import connection

from warehouse.analytics import VIEWS

from .conftest import view
from .dataset import D

pytestmark = pytest.mark.usefixtures("built")


def test_every_view_answers_a_plain_select_star():
    with connection.cursor() as cursor:
        for name in VIEWS:
            cursor.execute(f"SELECT * FROM {name}")
            assert cursor.fetchall(), name


def test_views_need_no_django_sql_functions():
    # sqlite3 and psql users have only the database's own functions.
    for name, sql in VIEWS.items():
        assert "django_" not in sql.lower(), name


def test_peak_usage_analysis():
    # FAC001 has visits on three Mondays (02-12, 03-04, 03-11); capacity 10 + 10.
    monday = {r["hour_of_day"]: r for r in view("peak_usage_analysis", facility_id="FAC001", day_of_week=1)}
    assert sorted(monday) == [7, 8, 9]
    seven, eight = monday[7], monday[8]
    assert (seven["visits"], seven["days_observed"], seven["peak_occupancy"]) == (3, 3, 1)  # V1, V2, V4
    assert seven["avg_visits_per_day"] == Decimal("1.00")
    # 08:xx on 03-04: V1 (07:10-08:20) still in, V3 arrives at 08:05.
    assert (eight["visits"], eight["peak_occupancy"], eight["capacity"]) == (1, 2, 20)
    assert eight["avg_occupancy"] == Decimal("0.67")
    assert eight["avg_occupancy_pct"] == Decimal("3.33")
    assert eight["peak_occupancy_pct"] == Decimal("10.00")
    assert (monday[9]["visits"], monday[9]["peak_occupancy"]) == (0, 1)
    # FAC002: two Tuesdays; V5 runs 20:30-21:40 local; capacity 5.
    tuesday = {r["hour_of_day"]: r for r in view("peak_usage_analysis", facility_id="FAC002", day_of_week=2)}
    assert sorted(tuesday) == [18, 20, 21]
    assert (tuesday[20]["visits"], tuesday[20]["days_observed"], tuesday[20]["peak_occupancy_pct"]) == \
        (1, 2, Decimal("20.00"))


def test_equipment_utilization_report():
    rows = {r["equipment_id"]: r for r in view("equipment_utilization_report")}
    # FAC001 open 16 h/day on 3 observed days = 48 h; EQ1 used 2 x 30 min.
    eq1 = rows["EQ1"]
    assert (eq1["sessions"], eq1["in_use_hours"], eq1["open_hours"]) == (2, Decimal("1.00"), Decimal("48.00"))
    assert eq1["utilization_pct"] == Decimal("2.08")
    assert eq1["type_utilization_pct"] == Decimal("1.04")  # 1 h over two treadmills' 96 h
    eq2 = rows["EQ2"]
    assert (eq2["sessions"], eq2["out_of_service"], eq2["maintenance_events"], eq2["downtime_days"]) == (0, 1, 2, 2)
    assert (eq2["downtime_hours"], eq2["maintenance_cost"]) == (Decimal("32.00"), Decimal("200.00"))
    # FAC002: 2 observed days x 16 h = 32 h; 0.5 h used.
    assert rows["EQ3"]["utilization_pct"] == Decimal("1.56")


def test_member_retention_metrics():
    rows = {r["cohort_month"]: r for r in view("member_retention_metrics")}
    january, february = rows["2024-01"], rows["2024-02"]
    # MEM1 still a member on 02-10, MEM2's period ended 02-15 so not on 02-20.
    assert (january["cohort_size"], january["retained_1m"], january["retention_1m_pct"]) == (2, 1, Decimal("50.00"))
    # Three months after January is after the as-of date (2024-03-12): not measured yet.
    assert january["retained_3m"] is None and january["retention_3m_pct"] is None
    assert (february["cohort_size"], february["retained_1m"], february["retention_1m_pct"]) == \
        (1, 1, Decimal("100.00"))
    # February: MEM1 and MEM2 members on 02-01; only MEM1 still on 03-01 -> attrition 1/2.
    assert (february["members_at_start"], february["members_lost"], february["attrition_pct"]) == \
        (2, 1, Decimal("50.00"))
    assert "2024-03" not in rows or rows["2024-03"]["attrition_pct"] is None


def test_revenue_by_month_keeps_failed_payments_apart():
    rows = {(r["month"], r["facility_id"], r["membership_type_id"]): r for r in view("revenue_by_month")}
    assert set(rows) == {("2024-01", "FAC001", "MT001"), ("2024-02", "FAC001", "MT001"),
                         ("2024-03", "FAC001", "MT002"), ("2024-02", "FAC002", "MT002"),
                         ("2024-03", "FAC002", "MT002")}
    january = rows[("2024-01", "FAC001", "MT001")]
    assert (january["payments"], january["revenue"]) == (4, Decimal("80.00"))
    february = rows[("2024-02", "FAC001", "MT001")]
    assert (february["revenue"], february["failed_payments"], february["failed_amount"]) == \
        (Decimal("30.00"), 1, Decimal("30.00"))
    assert sum(r["revenue"] for r in rows.values()) == Decimal("290.00")


def test_class_fill_rates():
    rows = {r["class_type_id"]: r for r in view("class_fill_rates")}
    yoga = rows["CT001"]
    assert (yoga["day_of_week"], yoga["instructor_id"], yoga["sessions_held"]) == (1, "STF1", 2)
    assert (yoga["capacity"], yoga["attended"], yoga["no_shows"]) == (20, 3, 1)
    assert (yoga["fill_rate_pct"], yoga["no_show_rate_pct"]) == (Decimal("15.00"), Decimal("25.00"))
    spin = rows["CT002"]
    assert (spin["sessions_held"], spin["sessions_cancelled"], spin["fill_rate_pct"]) == (0, 1, None)


def test_instructor_effectiveness():
    (stf1,) = view("instructor_effectiveness")
    assert stf1["instructor_id"] == "STF1"
    assert (stf1["sessions_taught"], stf1["total_attendance"], stf1["avg_attendance"]) == (2, 3, Decimal("1.50"))
    assert stf1["fill_rate_pct"] == Decimal("15.00")
    assert stf1["feedback_count"] == 2
    assert (stf1["avg_teaching_quality"], stf1["avg_communication"], stf1["avg_motivation"],
            stf1["avg_overall_rating"]) == (Decimal("4.00"), Decimal("4.00"), Decimal("4.00"), Decimal("4.50"))
    # MEM1 came to both Yoga classes, MEM3 to one: one of two attendees returned.
    assert (stf1["distinct_attendees"], stf1["returning_attendees"], stf1["attendee_retention_pct"]) == \
        (2, 1, Decimal("50.00"))


def test_labor_cost_overtime():
    rows = {(r["facility_id"], r["month"]): r for r in view("labor_cost_overtime")}
    north = rows[("FAC001", "2024-03")]
    assert (north["shifts"], north["scheduled_hours"], north["actual_hours"], north["overtime_hours"]) == \
        (2, Decimal("12.00"), Decimal("12.00"), Decimal("0.50"))
    assert north["overtime_share_pct"] == Decimal("4.17")
    assert north["shift_labor_cost"] == Decimal("231.25")
    assert (north["payroll_gross_pay"], north["payroll_overtime_pay"]) == (Decimal("231.25"), Decimal("18.75"))
    south = rows[("FAC002", "2024-03")]  # one Absent shift: scheduled, not worked
    assert (south["shifts"], south["actual_hours"], south["shift_labor_cost"]) == (1, Decimal("0.00"), Decimal("0.00"))


def test_certification_compliance():
    (row,) = view("certification_compliance")
    # STF1 taught Yoga (needs CERT001) on 03-04 and 03-11; the certificate expires 2024-04-01.
    assert (row["instructor_id"], row["certification_id"], row["compliance_status"]) == \
        ("STF1", "CERT001", "Expires within 60 days")
    assert row["sessions"] == 2
    assert (str(row["first_class_date"]), str(row["last_class_date"])) == ("2024-03-04", "2024-03-11")
    assert row["days_left_at_last_class"] == 21
    assert str(row["expiry_date"]) == str(D(2024, 4, 1))
