"""agg_facility_daily: one row per facility and day, recomputed only for the
(day, facility) pairs whose facts this batch wrote or removed."""
from classes.choices import InstanceStatus
from members.choices import PaymentStatus

from .facts import TOUCHED_PAIRS, insert_all
from .statements import stage, timed, upsert_changed

AGG_COLUMNS = [
    "visits", "unique_members", "peak_hourly_occupancy", "class_sessions", "class_attendance", "class_capacity",
    "class_fill_rate", "revenue", "labor_hours", "labor_cost",
]
PAIRS = "stg_agg_pairs"


def facility_daily_sql(pairs=None):
    """Per facility and day; of the (date_key, facility_key) rows of temp
    table `pairs` only when given (each fact is read through its facility and
    date index), else of everything (full build)."""
    def facts(table, alias):
        if not pairs:
            return f"{table} {alias}"
        return (f"{table} {alias} JOIN {pairs} p "
                f"ON p.date_key = {alias}.date_key AND p.facility_key = {alias}.facility_key")

    return f"""
        SELECT date_key, facility_key, SUM(visits) AS visits, SUM(unique_members) AS unique_members,
               SUM(peak) AS peak_hourly_occupancy, SUM(sessions) AS class_sessions,
               SUM(attended) AS class_attendance, SUM(capacity) AS class_capacity,
               CASE WHEN SUM(capacity) > 0 THEN ROUND(SUM(attended) * 1.0 / SUM(capacity), 4) END AS class_fill_rate,
               ROUND(SUM(revenue), 2) AS revenue, ROUND(SUM(labor_hours), 2) AS labor_hours,
               ROUND(SUM(labor_cost), 2) AS labor_cost
        FROM (
            SELECT v.date_key, v.facility_key, COUNT(*) AS visits, COUNT(DISTINCT v.member_key) AS unique_members,
                   0 AS peak, 0 AS sessions, 0 AS attended, 0 AS capacity, 0 AS revenue, 0 AS labor_hours,
                   0 AS labor_cost
            FROM {facts('fact_visit', 'v')} GROUP BY v.date_key, v.facility_key
          UNION ALL
            SELECT date_key, facility_key, 0, 0, MAX(present), 0, 0, 0, 0, 0, 0
            FROM (SELECT s.date_key, s.facility_key, h.time_key, SUM(s.visits) AS present
                  FROM (SELECT v.date_key, v.facility_key, v.time_key AS first_hour,
                               COALESCE(v.check_out_hour, v.time_key) AS last_hour, COUNT(*) AS visits
                        FROM {facts('fact_visit', 'v')}
                        GROUP BY v.date_key, v.facility_key, v.time_key, COALESCE(v.check_out_hour, v.time_key)) s
                  JOIN dim_time_of_day h ON h.time_key BETWEEN s.first_hour AND s.last_hour
                  GROUP BY s.date_key, s.facility_key, h.time_key) hourly
            GROUP BY date_key, facility_key
          UNION ALL
            SELECT c.date_key, c.facility_key, 0, 0, 0, COUNT(*), SUM(c.attended), SUM(c.capacity), 0, 0, 0
            FROM {facts('fact_class_session', 'c')} WHERE c.status = '{InstanceStatus.COMPLETED}'
            GROUP BY c.date_key, c.facility_key
          UNION ALL
            SELECT y.date_key, y.facility_key, 0, 0, 0, 0, 0, 0, SUM(y.amount), 0, 0
            FROM {facts('fact_payment', 'y')} WHERE y.status = '{PaymentStatus.COMPLETED}'
            GROUP BY y.date_key, y.facility_key
          UNION ALL
            SELECT w.date_key, w.facility_key, 0, 0, 0, 0, 0, 0, 0, SUM(w.actual_hours), SUM(w.labor_cost)
            FROM {facts('fact_staff_shift', 'w')} GROUP BY w.date_key, w.facility_key
        ) parts
        GROUP BY date_key, facility_key"""


def load_agg_facility_daily(ctx):
    if ctx.full:
        insert_all(ctx, "agg_facility_daily", facility_daily_sql())
        return
    with timed(ctx, "agg_facility_daily") as counts:
        if not stage(ctx, PAIRS, f"SELECT DISTINCT date_key, facility_key FROM {TOUCHED_PAIRS}"):
            return
        counts.read += stage(ctx, "stg_agg_facility_daily", facility_daily_sql(PAIRS))
        inserted, updated, deleted = upsert_changed(
            ctx, "agg_facility_daily", "stg_agg_facility_daily", ["date_key", "facility_key"], AGG_COLUMNS,
            delete_missing=True, delete_among=PAIRS,
        )
        counts.inserted += inserted
        counts.updated += updated
        counts.deleted += deleted


AGGREGATE_STEPS = [load_agg_facility_daily]
