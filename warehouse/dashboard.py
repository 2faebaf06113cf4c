"""Data behind the analytics dashboard: plain SQL over the star schema with a
facility and date-range filter, returned as JSON-ready lists for Chart.js."""
import datetime as dt
from dataclasses import dataclass

from django.db import connection

from .analytics import COHORT_RETENTION_CTES

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


@dataclass(frozen=True)
class DashboardFilter:
    facility_id: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None

    def where(self, date_column="d.date_key", facility_column="f.facility_id"):
        """SQL conditions (always at least `1 = 1`) and their parameters."""
        conditions, params = ["1 = 1"], []
        if self.start:
            conditions.append(f"{date_column} >= %s")
            params.append(int(self.start.strftime("%Y%m%d")))
        if self.end:
            conditions.append(f"{date_column} <= %s")
            params.append(int(self.end.strftime("%Y%m%d")))
        if self.facility_id:
            conditions.append(f"{facility_column} = %s")
            params.append(self.facility_id)
        return " AND ".join(conditions), params


def rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def number(value):
    return None if value is None else float(value)


def peak_heatmap(flt):
    """visits[weekday 0-6][hour 0-23] and the maximum, for the heat map."""
    where, params = flt.where()
    grid = [[0] * 24 for _ in WEEKDAYS]
    for weekday, hour, visits in rows(
        f"SELECT d.day_of_week, v.time_key, COUNT(*) FROM fact_visit v "
        f"JOIN dim_date d ON d.date_key = v.date_key JOIN dim_facility f ON f.facility_key = v.facility_key "
        f"WHERE {where} GROUP BY d.day_of_week, v.time_key", params,
    ):
        grid[weekday - 1][hour] = visits
    return {"weekdays": WEEKDAYS, "grid": grid, "max": max(max(row) for row in grid)}


def monthly_revenue(flt):
    where, params = flt.where()
    data = rows(
        f"SELECT d.year_month, SUM(CASE WHEN p.status = 'Completed' THEN p.amount ELSE 0 END), "
        f"SUM(CASE WHEN p.status = 'Failed' THEN p.amount ELSE 0 END) FROM fact_payment p "
        f"JOIN dim_date d ON d.date_key = p.date_key JOIN dim_facility f ON f.facility_key = p.facility_key "
        f"WHERE {where} GROUP BY d.year_month ORDER BY d.year_month", params,
    )
    return {"labels": [r[0] for r in data], "revenue": [number(r[1]) for r in data], "failed": [number(r[2]) for r in data]}


def retention_curves(flt):
    """One curve per join-month cohort (100 % at month 0), as in
    member_retention_metrics but without its month-by-month attrition (the
    costly part). Cohorts are chain-wide (a member has no single facility);
    the date range selects join months."""
    first = flt.start.strftime("%Y-%m") if flt.start else "0000-00"
    last = flt.end.strftime("%Y-%m") if flt.end else "9999-99"
    shares = {}
    for cohort, k, eligible, retained in rows(
        f"WITH {COHORT_RETENTION_CTES.strip()} SELECT cohort_month, k, eligible, retained FROM retention "
        f"WHERE cohort_month BETWEEN %s AND %s", [first, last],
    ):
        shares[(cohort, k)] = round(100.0 * retained / eligible, 2) if eligible else None
    cohorts = sorted({cohort for cohort, _ in shares})
    curves = [{"label": c, "data": [100.0] + [shares.get((c, k)) for k in (1, 3, 6, 12)]} for c in cohorts]
    return {"labels": ["0", "1", "3", "6", "12"], "cohorts": curves[-12:]}


def class_fill_rates(flt):
    where, params = flt.where()
    data = rows(
        f"SELECT ct.class_name, SUM(s.attended), SUM(s.capacity) FROM fact_class_session s "
        f"JOIN dim_class_type ct ON ct.class_type_key = s.class_type_key "
        f"JOIN dim_date d ON d.date_key = s.date_key JOIN dim_facility f ON f.facility_key = s.facility_key "
        f"WHERE s.status = 'Completed' AND {where} GROUP BY ct.class_name ORDER BY ct.class_name", params,
    )
    return {"labels": [r[0] for r in data],
            "fill_pct": [round(100.0 * r[1] / r[2], 1) if r[2] else None for r in data]}


def equipment_utilization(flt):
    """In-use hours / open hours by equipment type, open hours = days with
    visits at the machine's facility x that facility's opening hours."""
    where, params = flt.where()
    used = dict(rows(
        f"SELECT e.equipment_type, SUM(COALESCE(u.duration_minutes, 0)) / 60.0 FROM fact_equipment_usage u "
        f"JOIN dim_equipment e ON e.equipment_key = u.equipment_key JOIN dim_date d ON d.date_key = u.date_key "
        f"JOIN dim_facility f ON f.facility_key = u.facility_key WHERE {where} GROUP BY e.equipment_type", params,
    ))
    days_where, days_params = flt.where(date_column="v.date_key", facility_column="f.facility_id")
    open_hours = dict(rows(
        f"SELECT e.equipment_type, SUM(f.open_hours_per_day * od.days) FROM dim_equipment e "
        f"JOIN dim_facility f ON f.facility_id = e.facility_id "
        f"JOIN (SELECT v.facility_key, COUNT(DISTINCT v.date_key) AS days FROM fact_visit v "
        f"      JOIN dim_facility f ON f.facility_key = v.facility_key WHERE {days_where} "
        f"      GROUP BY v.facility_key) od ON od.facility_key = f.facility_key "
        f"GROUP BY e.equipment_type", days_params,
    ))
    labels = sorted(set(used) | set(open_hours))
    return {"labels": labels,
            "in_use_hours": [round(number(used.get(t)) or 0, 1) for t in labels],
            "utilization_pct": [round(100.0 * number(used.get(t) or 0) / number(open_hours[t]), 2)
                                if open_hours.get(t) else None for t in labels]}


def labor_cost(flt):
    where, params = flt.where()
    data = rows(
        f"SELECT d.year_month, SUM(s.actual_hours), SUM(s.overtime_hours), SUM(s.labor_cost) FROM fact_staff_shift s "
        f"JOIN dim_date d ON d.date_key = s.date_key JOIN dim_facility f ON f.facility_key = s.facility_key "
        f"WHERE {where} GROUP BY d.year_month ORDER BY d.year_month", params,
    )
    return {"labels": [r[0] for r in data], "hours": [number(r[1]) for r in data],
            "overtime_hours": [number(r[2]) for r in data], "cost": [number(r[3]) for r in data]}


def facility_choices():
    return rows("SELECT facility_id, facility_name FROM dim_facility WHERE facility_key <> -1 ORDER BY facility_id", [])


def dashboard_data(flt):
    return {
        "peak": peak_heatmap(flt),
        "revenue": monthly_revenue(flt),
        "retention": retention_curves(flt),
        "fill": class_fill_rates(flt),
        "equipment": equipment_utilization(flt),
        "labor": labor_cost(flt),
    }
