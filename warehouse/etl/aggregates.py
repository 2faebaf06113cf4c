"""agg_facility_daily: one row per facility and day, recomputed only for the
days whose facts this batch wrote or removed."""
from classes.choices import InstanceStatus
from members.choices import PaymentStatus

from .facts import TOUCHED_DATES, insert_all
from .statements import stage, timed, upsert_changed

AGG_COLUMNS = [
    "visits", "unique_members", "peak_hourly_occupancy", "class_sessions", "class_attendance", "class_capacity",
    "class_fill_rate", "revenue", "labor_hours", "labor_cost",
]


def facility_daily_sql(all_days=False):
    """Per facility and day; only the touched days unless `all_days` (full build)."""
    def on_days(column):
        return "1 = 1" if all_days else f"{column} IN (SELECT DISTINCT date_key FROM {TOUCHED_DATES})"

    return f"""
        SELECT date_key, facility_key, SUM(visits) AS visits, SUM(unique_members) AS unique_members,
               SUM(peak) AS peak_hourly_occupancy, SUM(sessions) AS class_sessions,
               SUM(attended) AS class_attendance, SUM(capacity) AS class_capacity,
               CASE WHEN SUM(capacity) > 0 THEN ROUND(SUM(attended) * 1.0 / SUM(capacity), 4) END AS class_fill_rate,
               ROUND(SUM(revenue), 2) AS revenue, ROUND(SUM(labor_hours), 2) AS labor_hours,
               ROUND(SUM(labor_cost), 2) AS labor_cost
        FROM (
            SELECT date_key, facility_key, COUNT(*) AS visits, COUNT(DISTINCT member_key) AS unique_members,
                   0 AS peak, 0 AS sessions, 0 AS attended, 0 AS capacity, 0 AS revenue, 0 AS labor_hours,
                   0 AS labor_cost
            FROM fact_visit WHERE {on_days('date_key')} GROUP BY date_key, facility_key
          UNION ALL
            SELECT date_key, facility_key, 0, 0, MAX(present), 0, 0, 0, 0, 0, 0
            FROM (SELECT v.date_key, v.facility_key, h.time_key, COUNT(*) AS present
                  FROM fact_visit v
                  JOIN dim_time_of_day h ON h.time_key BETWEEN v.time_key AND COALESCE(v.check_out_hour, v.time_key)
                  WHERE {on_days('v.date_key')}
                  GROUP BY v.date_key, v.facility_key, h.time_key) hourly
            GROUP BY date_key, facility_key
          UNION ALL
            SELECT date_key, facility_key, 0, 0, 0, COUNT(*), SUM(attended), SUM(capacity), 0, 0, 0
            FROM fact_class_session WHERE status = '{InstanceStatus.COMPLETED}' AND {on_days('date_key')}
            GROUP BY date_key, facility_key
          UNION ALL
            SELECT date_key, facility_key, 0, 0, 0, 0, 0, 0, SUM(amount), 0, 0
            FROM fact_payment WHERE status = '{PaymentStatus.COMPLETED}' AND {on_days('date_key')}
            GROUP BY date_key, facility_key
          UNION ALL
            SELECT date_key, facility_key, 0, 0, 0, 0, 0, 0, 0, SUM(actual_hours), SUM(labor_cost)
            FROM fact_staff_shift WHERE {on_days('date_key')} GROUP BY date_key, facility_key
        ) parts
        GROUP BY date_key, facility_key"""


def load_agg_facility_daily(ctx):
    if ctx.full:
        insert_all(ctx, "agg_facility_daily", facility_daily_sql(all_days=True))
        return
    with timed(ctx, "agg_facility_daily") as counts:
        counts.read += stage(ctx, "stg_agg_facility_daily", facility_daily_sql())
        inserted, updated, deleted = upsert_changed(
            ctx, "agg_facility_daily", "stg_agg_facility_daily", ["date_key", "facility_key"], AGG_COLUMNS,
            delete_missing=True, delete_scope=f"t.date_key IN (SELECT date_key FROM {TOUCHED_DATES})",
        )
        counts.inserted += inserted
        counts.updated += updated
        counts.deleted += deleted


AGGREGATE_STEPS = [load_agg_facility_daily]
