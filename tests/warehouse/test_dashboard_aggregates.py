"""The dashboard reads only the aggregate tables build_warehouse maintains,
and every figure it shows equals the same figure computed from the atomic
facts (the dashboard's former queries, kept here as the reference), whatever
the filter, after a full build and after incremental batches that change
visits, payments, equipment sessions, periods, members and machines."""
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from equipment.models import EquipmentUsage
from members.models import MemberPayment
from warehouse.analytics import COHORT_RETENTION_CTES
from warehouse.dashboard import WEEKDAYS, DashboardFilter, dashboard_data
from warehouse.etl.aggregates import AGGREGATE_TABLES
from warehouse.etl.pipeline import build_warehouse
from warehouse.models import AggCohortRetention, AggEquipmentDaily, AggregateState, MemberCohort

from .dataset import AS_OF, D, build_small_ods, local
from .test_incremental import AGGREGATE_MODELS, raw, resolved_warehouse, timestamp

FILTERS = {
    "unfiltered": DashboardFilter(),
    "one facility": DashboardFilter(facility_id="FAC001"),
    "other facility": DashboardFilter(facility_id="FAC002"),
    "facility + month": DashboardFilter(facility_id="FAC001", start=D(2024, 3, 1), end=D(2024, 3, 31)),
    "other facility + month": DashboardFilter(facility_id="FAC002", start=D(2024, 3, 1), end=D(2024, 3, 31)),
    "month": DashboardFilter(start=D(2024, 2, 1), end=D(2024, 2, 29)),
    "part of a month": DashboardFilter(start=D(2024, 1, 15), end=D(2024, 3, 4)),
    "unknown facility": DashboardFilter(facility_id="FAC999"),
}


# ------------------------------------------------ the figures, from the facts
def fact_rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def fact_where(flt, date_column="d.date_key", facility_column="f.facility_id"):
    conditions, params = ["1 = 1"], []
    if flt.start:
        conditions.append(f"{date_column} >= %s")
        params.append(int(flt.start.strftime("%Y%m%d")))
    if flt.end:
        conditions.append(f"{date_column} <= %s")
        params.append(int(flt.end.strftime("%Y%m%d")))
    if flt.facility_id:
        conditions.append(f"{facility_column} = %s")
        params.append(flt.facility_id)
    return " AND ".join(conditions), params


def cents(value):
    return None if value is None else round(float(value), 2)


def figures_from_facts(flt):
    """What the dashboard showed when it scanned the facts on every view."""
    where, params = fact_where(flt)
    grid = [[0] * 24 for _ in WEEKDAYS]
    for weekday, hour, visits in fact_rows(
        f"SELECT d.day_of_week, v.time_key, COUNT(*) FROM fact_visit v "
        f"JOIN dim_date d ON d.date_key = v.date_key JOIN dim_facility f ON f.facility_key = v.facility_key "
        f"WHERE {where} GROUP BY d.day_of_week, v.time_key", params,
    ):
        grid[weekday - 1][hour] = visits
    peak = {"weekdays": WEEKDAYS, "grid": grid, "max": max(max(row) for row in grid)}

    revenue = fact_rows(
        f"SELECT d.year_month, SUM(CASE WHEN p.status = 'Completed' THEN p.amount ELSE 0 END), "
        f"SUM(CASE WHEN p.status = 'Failed' THEN p.amount ELSE 0 END), "
        f"SUM(CASE WHEN p.status = 'Refunded' THEN p.amount ELSE 0 END) FROM fact_payment p "
        f"JOIN dim_date d ON d.date_key = p.date_key JOIN dim_facility f ON f.facility_key = p.facility_key "
        f"WHERE {where} GROUP BY d.year_month ORDER BY d.year_month", params,
    )

    first = flt.start.strftime("%Y-%m") if flt.start else "0000-00"
    last = flt.end.strftime("%Y-%m") if flt.end else "9999-99"
    shares = {}
    for cohort, k, eligible, retained in fact_rows(
        f"WITH {COHORT_RETENTION_CTES.strip()} SELECT cohort_month, k, eligible, retained FROM retention "
        f"WHERE cohort_month BETWEEN %s AND %s", [first, last],
    ):
        shares[(cohort, k)] = round(100.0 * retained / eligible, 2) if eligible else None
    cohorts = sorted({cohort for cohort, _ in shares})
    curves = [{"label": c, "data": [100.0] + [shares.get((c, k)) for k in (1, 3, 6, 12)]} for c in cohorts]

    fill = fact_rows(
        f"SELECT ct.class_name, SUM(s.attended), SUM(s.capacity) FROM fact_class_session s "
        f"JOIN dim_class_type ct ON ct.class_type_key = s.class_type_key "
        f"JOIN dim_date d ON d.date_key = s.date_key JOIN dim_facility f ON f.facility_key = s.facility_key "
        f"WHERE s.status = 'Completed' AND {where} GROUP BY ct.class_name ORDER BY ct.class_name", params,
    )

    used = dict(fact_rows(
        f"SELECT e.equipment_type, SUM(COALESCE(u.duration_minutes, 0)) / 60.0 FROM fact_equipment_usage u "
        f"JOIN dim_equipment e ON e.equipment_key = u.equipment_key JOIN dim_date d ON d.date_key = u.date_key "
        f"JOIN dim_facility f ON f.facility_key = u.facility_key WHERE {where} GROUP BY e.equipment_type", params,
    ))
    days_where, days_params = fact_where(flt, date_column="v.date_key")
    open_hours = dict(fact_rows(
        f"SELECT e.equipment_type, SUM(f.open_hours_per_day * od.days) FROM dim_equipment e "
        f"JOIN dim_facility f ON f.facility_id = e.facility_id "
        f"JOIN (SELECT v.facility_key, COUNT(DISTINCT v.date_key) AS days FROM fact_visit v "
        f"      JOIN dim_facility f ON f.facility_key = v.facility_key WHERE {days_where} "
        f"      GROUP BY v.facility_key) od ON od.facility_key = f.facility_key "
        f"GROUP BY e.equipment_type", days_params,
    ))
    types = sorted(set(used) | set(open_hours))

    labor = fact_rows(
        f"SELECT d.year_month, SUM(s.actual_hours), SUM(s.overtime_hours), SUM(s.labor_cost) FROM fact_staff_shift s "
        f"JOIN dim_date d ON d.date_key = s.date_key JOIN dim_facility f ON f.facility_key = s.facility_key "
        f"WHERE {where} GROUP BY d.year_month ORDER BY d.year_month", params,
    )
    return {
        "peak": peak,
        "revenue": {"labels": [r[0] for r in revenue], "revenue": [cents(r[1]) for r in revenue],
                    "failed": [cents(r[2]) for r in revenue], "refunded": [cents(r[3]) for r in revenue]},
        "retention": {"labels": ["0", "1", "3", "6", "12"], "cohorts": curves[-12:]},
        "fill": {"labels": [r[0] for r in fill],
                 "fill_pct": [round(100.0 * r[1] / r[2], 1) if r[2] else None for r in fill]},
        "equipment": {"labels": types,
                      "in_use_hours": [round(float(used.get(t) or 0), 1) for t in types],
                      "utilization_pct": [round(100.0 * float(used.get(t) or 0) / float(open_hours[t]), 2)
                                          if open_hours.get(t) else None for t in types]},
        "labor": {"labels": [r[0] for r in labor], "hours": [cents(r[1]) for r in labor],
                  "overtime_hours": [cents(r[2]) for r in labor], "cost": [cents(r[3]) for r in labor]},
    }


def assert_dashboard_equals_facts():
    for name, flt in FILTERS.items():
        with CaptureQueriesContext(connection) as queries:
            shown = dashboard_data(flt)
        read = " ".join(q["sql"] for q in queries.captured_queries)
        assert "fact_" not in read, f"{name}: the dashboard scanned a fact table"
        assert shown == figures_from_facts(flt), name


# --------------------------------------------------------------- the data
def add_richer_ods():
    """The small ODS plus what its own rows lack: a refunded payment, a
    machine of a third type, a session without a duration, a pending payment."""
    build_small_ods()
    MemberPayment.objects.create(payment_id="PAY10", member_id="MEM3", payment_date=D(2024, 3, 6),
                                 amount=Decimal("15.50"), payment_type="Class Fee", payment_method="Cash",
                                 status="Refunded")
    MemberPayment.objects.create(payment_id="PAY12", member_id="MEM2", payment_date=D(2023, 12, 28),
                                 amount=Decimal("5.00"), payment_type="Class Fee", payment_method="Cash",
                                 status="Pending")
    from equipment.models import Equipment
    Equipment.objects.create(equipment_id="EQ4", facility_id="FAC001", area_id="AR001", equipment_name="Rower EQ4",
                             equipment_type="Rower", brand="Acme", model_name="R1", serial_number="SNEQ4",
                             purchase_date=D(2023, 1, 1), purchase_price=Decimal("900.00"), status="Active")
    EquipmentUsage.objects.create(usage_id="U4", equipment_id="EQ4", member_id="MEM3",
                                  start_time=local(D(2024, 3, 4), 8, 10), end_time=None, duration_minutes=None,
                                  usage_type="Workout")
    EquipmentUsage.objects.create(usage_id="U5", equipment_id="EQ4", member_id="MEM1",
                                  start_time=local(D(2024, 3, 11), 7, 10), end_time=local(D(2024, 3, 11), 7, 40),
                                  duration_minutes=25, usage_type="Workout")


@pytest.fixture
def richer(db):
    add_richer_ods()
    return build_warehouse(as_of=AS_OF)


# ---------------------------------------------------------------- tests
def test_every_figure_from_the_aggregates_equals_the_facts(richer):
    assert_dashboard_equals_facts()
    data = dashboard_data(FILTERS["unfiltered"])
    # The richer rows show where they should.
    assert data["revenue"]["labels"] == ["2023-12", "2024-01", "2024-02", "2024-03"]  # the pending payment's month
    assert data["revenue"]["refunded"] == [0.0, 0.0, 0.0, 15.5]
    assert data["equipment"]["labels"] == ["Bike", "Rower", "Treadmill"]
    assert data["equipment"]["in_use_hours"] == [0.5, 0.4, 1.0]


@pytest.mark.parametrize("name", ["unfiltered", "one facility", "facility + month"])
def test_the_three_dashboard_variants_match_the_facts(richer, name):
    flt = FILTERS[name]
    assert dashboard_data(flt) == figures_from_facts(flt)


def test_an_incremental_batch_keeps_the_aggregates_exact(richer):
    march_4, march_12 = D(2024, 3, 4), D(2024, 3, 12)
    # A visit moves to another day, hour and club; another is deleted; a later one moves the as-of date.
    raw("UPDATE memberaccess SET facilityid = 'FAC002', areaid = 'AR003', checkintime = %s, checkouttime = %s "
        "WHERE accessid = 'V3'", [timestamp(local(march_12, 19, 5)), timestamp(local(march_12, 19, 50))])
    raw("DELETE FROM memberaccess WHERE accessid = 'V2'")
    raw("INSERT INTO memberaccess (accessid, memberid, facilityid, areaid, checkintime, checkouttime, "
        "accessmethod, duration) VALUES ('V7', 'MEM1', 'FAC001', 'AR001', %s, %s, 'Key Card', 40)",
        [timestamp(local(D(2024, 4, 11), 6, 20)), timestamp(local(D(2024, 4, 11), 7, 0))])
    # A payment is refunded, another fails.
    raw("UPDATE memberpayments SET status = 'Refunded', amount = %s WHERE paymentid = 'PAY4'", [Decimal("29.99")])
    raw("UPDATE memberpayments SET status = 'Failed' WHERE paymentid = 'PAY9'")
    # An equipment session moves to the other machine type and takes longer; one goes.
    raw("UPDATE equipmentusage SET equipmentid = 'EQ4', durationminutes = 55 WHERE usageid = 'U1'")
    raw("DELETE FROM equipmentusage WHERE usageid = 'U3'")
    # A class is held after all; a shift gains overtime.
    raw("UPDATE classinstances SET status = 'Completed', cancellationreason = NULL WHERE instanceid = 'CI3'")
    raw("UPDATE stafftimetracking SET actualhours = %s, overtimehours = %s WHERE timetrackingid = 'TTSS2'",
        [Decimal("9.00"), Decimal("1.00")])
    batch = build_warehouse(as_of=AS_OF)
    for table in ("agg_facility_daily", "agg_visit_hourly", "agg_equipment_daily", "agg_class_daily",
                  "agg_cohort_retention"):
        counts = batch.table_counts[table]
        assert counts["inserted"] + counts["updated"] + counts["deleted"] > 0, table
    assert_dashboard_equals_facts()
    after = resolved_warehouse()
    build_warehouse(full=True, as_of=AS_OF)
    assert resolved_warehouse() == after


def test_cohorts_follow_periods_join_dates_and_new_members(richer):
    before = {(r.cohort_month, r.months_after): (r.eligible, r.retained) for r in AggCohortRetention.objects.all()}
    # After one month: MEM1 holds a period on 02-10, MEM2's ended on 02-15 (checked on 02-20).
    assert before == {("2024-01", 1): (2, 1), ("2024-02", 1): (1, 1)}
    # A gap around MEM1's checkpoint (02-10): not retained any more.
    raw("UPDATE membermemberships SET enddate = %s WHERE membershipid = 'MS1'", [D(2024, 2, 5)])
    raw("UPDATE membermemberships SET startdate = %s WHERE membershipid = 'MS2'", [D(2024, 2, 15)])
    # MEM3 joined a month earlier than the ODS said; a new member joins in February.
    raw("UPDATE members SET joindate = %s WHERE memberid = 'MEM3'", [D(2024, 1, 5)])
    raw("INSERT INTO members (memberid, firstname, lastname, email, phone, dateofbirth, gender, address, city, "
        "state, zipcode, joindate, memberstatus, lastmodified) VALUES ('MEM4', 'Mem4', 'Tester', "
        "'mem4@example.com', '555-0104', %s, 'M', '3 Elm St', 'Springfield', 'IL', '62701', %s, 'Active', %s)",
        [D(1985, 1, 2), D(2024, 2, 1), timestamp(local(D(2024, 2, 1), 9))])
    raw("INSERT INTO membermemberships (membershipid, memberid, membershiptypeid, startdate, enddate, status, "
        "autorenew) VALUES ('MS8', 'MEM4', 'MT001', %s, %s, 'Active', %s)", [D(2024, 2, 1), D(2024, 4, 1), True])
    batch = build_warehouse(as_of=AS_OF)
    assert batch.table_counts["agg_cohort_retention"]["read"] > 0
    assert_dashboard_equals_facts()
    assert dict(MemberCohort.objects.values_list("member_id", "cohort_month")) == {
        "MEM1": "2024-01", "MEM2": "2024-01", "MEM3": "2024-01", "MEM4": "2024-02"}
    # (A join date's change does not re-date the member's first dimension version, so facts resolve
    # differently after a full rebuild: compare the aggregates only.)
    after = resolved_aggregates()
    build_warehouse(full=True, as_of=AS_OF)
    assert resolved_aggregates() == after


def resolved_aggregates():
    names = {m.__name__ for m in AGGREGATE_MODELS}
    return {name: rows for name, rows in resolved_warehouse().items() if name in names}


def test_a_machine_whose_type_changes_moves_its_sessions(richer):
    raw("UPDATE equipment SET equipmenttype = 'Elliptical' WHERE equipmentid = 'EQ1'")
    build_warehouse(as_of=AS_OF)
    assert set(AggEquipmentDaily.objects.values_list("equipment_type", flat=True)) == {"Bike", "Elliptical", "Rower"}
    assert_dashboard_equals_facts()


def test_a_no_change_batch_writes_no_aggregate(richer):
    again = build_warehouse(as_of=AS_OF)
    for table in AGGREGATE_TABLES:
        c = again.table_counts[table]
        assert (c["read"], c["inserted"], c["updated"], c["deleted"]) == (0, 0, 0, 0), table


def test_aggregates_never_built_are_built_whole_by_the_next_batch(richer):
    """As right after the migration that adds an aggregate: no state, no rows."""
    with connection.cursor() as cursor:
        for table in AGGREGATE_TABLES:
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute("DELETE FROM etl_member_cohort")
    AggregateState.objects.all().delete()
    batch = build_warehouse(as_of=AS_OF)
    for table in AGGREGATE_TABLES:
        assert batch.table_counts[table]["inserted"] > 0, table
    assert set(AggregateState.objects.values_list("aggregate", flat=True)) == set(AGGREGATE_TABLES)
    assert_dashboard_equals_facts()


def test_an_aggregate_whose_sql_changed_is_rebuilt(richer):
    AggregateState.objects.filter(aggregate="agg_visit_hourly").update(signature="old")
    batch = build_warehouse(as_of=AS_OF)
    counts = batch.table_counts["agg_visit_hourly"]
    assert counts["deleted"] == counts["inserted"] == len(richer_visit_hours())
    assert batch.table_counts["agg_facility_daily"]["inserted"] == 0  # the others are left alone
    assert_dashboard_equals_facts()


def richer_visit_hours():
    return fact_rows("SELECT DISTINCT date_key, facility_key, time_key FROM fact_visit", [])


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="VACUUM and the visibility map are PostgreSQL's")
def test_a_build_leaves_the_warehouse_vacuumed_and_analysed():
    add_richer_ods()
    build_warehouse(full=True, as_of=AS_OF)
    tables = [*AGGREGATE_TABLES, "fact_visit", "fact_payment", "dim_member", "etl_member_cohort"]
    with connection.cursor() as cursor:
        cursor.execute("""SELECT relname FROM pg_stat_user_tables WHERE relname = ANY(%s)
                          AND (last_vacuum IS NULL OR (last_analyze IS NULL AND last_autoanalyze IS NULL))""",
                       [tables])
        assert cursor.fetchall() == []
        cursor.execute("SELECT MAX(last_vacuum) FROM pg_stat_user_tables WHERE relname = ANY(%s)", [tables])
        vacuumed = cursor.fetchone()[0]
    # An incremental batch vacuums what it wrote.
    raw("UPDATE memberpayments SET amount = %s WHERE paymentid = 'PAY2'", [Decimal("31.00")])
    build_warehouse(as_of=AS_OF)
    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_stat_user_tables WHERE relname IN ('fact_payment', "
                       "'agg_facility_daily') AND last_vacuum > %s", [vacuumed])
        assert sorted(r[0] for r in cursor.fetchall()) == ["agg_facility_daily", "fact_payment"]


# ------------------------------------------------------- the page itself
URL = "/admin/warehouse/etlbatch/dashboard/"


def test_before_any_build_the_dashboard_says_what_to_run(admin_client):
    response = admin_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "python manage.py build_warehouse" in html
    assert 'id="peak-heatmap"' not in html and "<canvas" not in html and "dashboard-data" not in html


def test_a_failed_build_is_no_build(admin_client):
    from warehouse.models import EtlBatch

    EtlBatch.objects.create(mode="full", as_of=AS_OF, started_at=local(AS_OF, 9), status=EtlBatch.Status.FAILED)
    assert "python manage.py build_warehouse" in admin_client.get(URL).content.decode()


def test_after_a_build_the_charts_replace_the_hint(richer, admin_client):
    html = admin_client.get(URL).content.decode()
    assert 'id="peak-heatmap"' in html and 'id="dashboard-empty"' not in html


def test_a_warehouse_built_before_the_aggregates_existed_says_what_to_run(richer, admin_client):
    AggregateState.objects.filter(aggregate="agg_class_daily").delete()  # as after the migration that adds it
    html = admin_client.get(URL).content.decode()
    assert "before the dashboard&#x27;s aggregates existed" in html and "python manage.py build_warehouse" in html
    build_warehouse(as_of=AS_OF)
    assert 'id="peak-heatmap"' in admin_client.get(URL).content.decode()


def test_heatmap_cells_stay_narrow_at_chain_scale():
    from warehouse.admin import compact_count, heatmap_rows

    assert [compact_count(n) for n in (0, 7, 999, 1000, 9949, 9950, 41234, 999_499, 999_500, 1_234_567)] == [
        "", "7", "999", "1.0k", "9.9k", "10k", "41k", "999k", "1.0M", "1.2M"]
    grid = [[hour * 1917 + day * 130 for hour in range(24)] for day in range(7)]  # up to ~45k per cell
    rows = heatmap_rows({"weekdays": WEEKDAYS, "grid": grid, "max": max(map(max, grid))})
    assert len(rows) == 7 and all(len(cells) == 24 for _, cells in rows)
    assert max(len(label) for _, cells in rows for _, _, label, _ in cells) <= 4
    assert rows[6][1][23][1] == grid[6][23]  # the exact count stays (the cell's title)


def test_the_heatmap_card_cannot_overflow_sideways(richer, admin_client):
    from django.contrib.staticfiles import finders

    html = admin_client.get(URL).content.decode()
    assert 'class="heatmap-wrap"' in html and "warehouse/dashboard.css" in html
    stylesheet = Path(finders.find("warehouse/dashboard.css")).read_text()
    assert "table-layout: fixed" in stylesheet and "min-width: 0" in stylesheet
