"""Data behind the analytics dashboard, returned as JSON-ready lists for
Chart.js, with a facility and date-range filter.

Every figure reads the aggregate tables build_warehouse maintains
(etl/aggregates.py) and the small dimensions, never the atomic facts: a page
view sums at most a few hundred thousand aggregate rows (the whole chain, all
dates), a facility's through its (facility_key, date_key) index."""
import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection

from .etl.aggregates import AGGREGATE_TABLES
from .models import AggregateState, EtlBatch

WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
RETENTION_CHECKPOINTS = (1, 3, 6, 12)
# A warehouse changes only when a build commits: what the dashboard reads from it is kept this long per
# build (each server process its own copy), so a page view costs the ODS nothing.
CACHE_SECONDS = 3600
BUILD_COMMAND = "python manage.py build_warehouse"


@dataclass(frozen=True)
class DashboardFilter:
    facility_id: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None

    def where(self, alias="a"):
        """SQL conditions on aggregate `alias`'s date_key and facility_key
        (always at least `1 = 1`) and their parameters."""
        conditions, params = ["1 = 1"], []
        if self.start:
            conditions.append(f"{alias}.date_key >= %s")
            params.append(int(self.start.strftime("%Y%m%d")))
        if self.end:
            conditions.append(f"{alias}.date_key <= %s")
            params.append(int(self.end.strftime("%Y%m%d")))
        if self.facility_id:
            # The key first (one index probe), so the aggregate is read through its facility index.
            conditions.append(f"{alias}.facility_key = (SELECT facility_key FROM dim_facility WHERE facility_id = %s)")
            params.append(self.facility_id)
        return " AND ".join(conditions), params


def rows(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def number(value):
    return None if value is None else float(value)


def money(value):
    """A sum of money or hours, to the cent (SQLite adds them as floats)."""
    return None if value is None else round(float(value), 2)


def peak_heatmap(flt):
    """visits[weekday 0-6][hour 0-23] (check-ins by the hour they began) and the maximum, for the heat map."""
    where, params = flt.where()
    grid = [[0] * 24 for _ in WEEKDAYS]
    for weekday, hour, visits in rows(
        f"SELECT a.day_of_week, a.time_key, SUM(a.visits) FROM agg_visit_hourly a "
        f"WHERE {where} GROUP BY a.day_of_week, a.time_key", params,
    ):
        grid[weekday - 1][hour] = int(visits)
    return {"weekdays": WEEKDAYS, "grid": grid, "max": max(max(row) for row in grid)}


def monthly_revenue(flt):
    """Completed and failed payments per month with any payment, by the member's home facility."""
    where, params = flt.where()
    data = rows(
        f"SELECT d.year_month, SUM(a.revenue), SUM(a.failed_amount), SUM(a.refunded_amount) "
        f"FROM agg_facility_daily a JOIN dim_date d ON d.date_key = a.date_key "
        f"WHERE a.payments > 0 AND {where} GROUP BY d.year_month ORDER BY d.year_month", params,
    )
    return {"labels": [r[0] for r in data], "revenue": [money(r[1]) for r in data],
            "failed": [money(r[2]) for r in data], "refunded": [money(r[3]) for r in data]}


def retention_curves(flt):
    """One curve per join-month cohort (100 % at month 0), as in
    member_retention_metrics but without its month-by-month attrition.
    Cohorts are chain-wide (a member has no single facility); the date range
    selects join months; the latest 12 are drawn."""
    first = flt.start.strftime("%Y-%m") if flt.start else "0000-00"
    last = flt.end.strftime("%Y-%m") if flt.end else "9999-99"
    shares = {}
    for cohort, k, eligible, retained in rows(
        "SELECT cohort_month, months_after, eligible, retained FROM agg_cohort_retention "
        "WHERE cohort_month BETWEEN %s AND %s", [first, last],
    ):
        shares[(cohort, k)] = round(100.0 * retained / eligible, 2) if eligible else None
    cohorts = sorted({cohort for cohort, _ in shares})
    curves = [{"label": c, "data": [100.0] + [shares.get((c, k)) for k in RETENTION_CHECKPOINTS]} for c in cohorts]
    return {"labels": ["0", *map(str, RETENTION_CHECKPOINTS)], "cohorts": curves[-12:]}


def class_fill_rates(flt):
    """Attended / capacity of held (Completed) sessions, by class."""
    where, params = flt.where()
    data = rows(
        f"SELECT ct.class_name, SUM(a.attended), SUM(a.capacity) FROM agg_class_daily a "
        f"JOIN dim_class_type ct ON ct.class_type_key = a.class_type_key "
        f"WHERE {where} GROUP BY ct.class_name ORDER BY ct.class_name", params,
    )
    return {"labels": [r[0] for r in data],
            "fill_pct": [round(100.0 * r[1] / r[2], 1) if r[2] else None for r in data]}


def equipment_utilization(flt):
    """In-use hours / open hours by equipment type; a machine's open hours are
    the days with visits at its facility (agg_facility_daily) x that
    facility's opening hours."""
    where, params = flt.where()
    used = dict(rows(
        f"SELECT a.equipment_type, SUM(a.minutes_in_use) / 60.0 FROM agg_equipment_daily a "
        f"WHERE {where} GROUP BY a.equipment_type", params,
    ))
    open_hours = dict(rows(
        f"SELECT e.equipment_type, SUM(f.open_hours_per_day * od.days) FROM dim_equipment e "
        f"JOIN dim_facility f ON f.facility_id = e.facility_id "
        f"JOIN (SELECT a.facility_key, COUNT(*) AS days FROM agg_facility_daily a "
        f"      WHERE a.visits > 0 AND {where} GROUP BY a.facility_key) od ON od.facility_key = f.facility_key "
        f"GROUP BY e.equipment_type", params,
    ))
    labels = sorted(set(used) | set(open_hours))
    return {"labels": labels,
            "in_use_hours": [round(number(used.get(t)) or 0, 1) for t in labels],
            "utilization_pct": [round(100.0 * number(used.get(t) or 0) / number(open_hours[t]), 2)
                                if open_hours.get(t) else None for t in labels]}


def labor_cost(flt):
    """Shift hours, overtime and cost per month with any shift."""
    where, params = flt.where()
    data = rows(
        f"SELECT d.year_month, SUM(a.labor_hours), SUM(a.overtime_hours), SUM(a.labor_cost) "
        f"FROM agg_facility_daily a JOIN dim_date d ON d.date_key = a.date_key "
        f"WHERE a.shifts > 0 AND {where} GROUP BY d.year_month ORDER BY d.year_month", params,
    )
    return {"labels": [r[0] for r in data], "hours": [money(r[1]) for r in data],
            "overtime_hours": [money(r[2]) for r in data], "cost": [money(r[3]) for r in data]}


def facility_choices():
    return per_build("facilities", lambda: rows(
        "SELECT facility_id, facility_name FROM dim_facility WHERE facility_key <> -1 ORDER BY facility_id", []))


def warehouse_version():
    """The latest ETL batch (id, status, finish time): it changes whenever a build starts or ends, and so
    whenever what the aggregates hold can have changed."""
    return EtlBatch.objects.order_by("-id").values_list("id", "status", "finished_at").first() or (0, "", None)


def per_build(name, compute, *key):
    """compute(), computed once per warehouse build (and `key`), then taken from the cache."""
    cache_key = ":".join(str(part) for part in ("warehouse", name, *warehouse_version(), *key)).replace(" ", "_")
    value = cache.get(cache_key)
    if value is None:
        value = compute()
        cache.set(cache_key, value, CACHE_SECONDS)
    return value


def missing_build():
    """Why the dashboard has nothing to show yet (build_warehouse must run), or None."""
    if not EtlBatch.objects.filter(status=EtlBatch.Status.SUCCEEDED).exists():
        return "The warehouse has not been built yet, so there is nothing to chart."
    built = set(AggregateState.objects.values_list("aggregate", flat=True))
    if not built >= set(AGGREGATE_TABLES):
        return "The warehouse was last built before the dashboard's aggregates existed, so they are empty."
    return None


def dashboard_data(flt):
    """Every chart's data for `flt`, once per build."""
    return per_build("dashboard", lambda: chart_data(flt), flt.facility_id, flt.start, flt.end)


def chart_data(flt):
    return {
        "peak": peak_heatmap(flt),
        "revenue": monthly_revenue(flt),
        "retention": retention_curves(flt),
        "fill": class_fill_rates(flt),
        "equipment": equipment_utilization(flt),
        "labor": labor_cost(flt),
    }
