"""The aggregates: small tables at the grain the dashboard asks for, so that a
page view sums a few thousand rows instead of scanning millions of facts.

- agg_facility_daily: per facility and day, visits, members, peak occupancy,
  held classes, payments (completed = revenue, failed, refunded), shifts,
  labor hours, overtime and cost;
- agg_visit_hourly: check-ins per facility, day and hour (the heat map);
- agg_class_daily: held classes per facility, day and class type (fill rates);
- agg_equipment_daily: equipment sessions and minutes per facility, day and
  equipment type (utilization; its available hours are the facility's open
  days, from agg_facility_daily, times its opening hours and machines);
- agg_cohort_retention: per join-month cohort and k = 1, 3, 6, 12, the
  members eligible (join date + k months not after the latest event date)
  and retained (holding a membership on that day), chain-wide, as
  analytics.COHORT_RETENTION_CTES counts them.

A full build inserts each one whole. An incremental batch recomputes only the
keys its facts touched (facts.TOUCHED_PAIRS, TOUCHED_MEMBERS: old and new
values of every fact row written or removed):
- the daily ones, the (date, facility) pairs touched, and for
  agg_equipment_daily also the days of the machines whose type changed;
- the cohorts, those of the members whose join month changed (their month as
  last counted is kept in etl_member_cohort), whose membership periods were
  written or removed, and those with a checkpoint between the old and the
  new as-of date.
etl_aggregate_state keeps, per aggregate, a signature of the SQL that built
it: an aggregate whose SQL changed, or that was never built (the migration
that added it leaves it empty), is rebuilt whole by the next batch.
"""
import hashlib
from dataclasses import dataclass

from classes.choices import InstanceStatus
from members.choices import PaymentStatus

from ..models import UNKNOWN_KEY
from .facts import TOUCHED_MEMBERS, TOUCHED_PAIRS, insert_all
from .statements import column_names, stage, timed, upsert_changed

STATE_TABLE = "etl_aggregate_state"
MEMBER_COHORTS = "etl_member_cohort"
PAIRS = "stg_agg_pairs"
EQUIPMENT_TYPES_BEFORE = "stg_equipment_types_before"
CHECKPOINTS = (1, 3, 6, 12)  # months after joining
AS_OF_PLACEHOLDER = "{as_of}"


def signature(sql):
    """A short hash of an aggregate's SQL as this code writes it."""
    return hashlib.sha1(sql.encode()).hexdigest()[:12]


def stored_state(ctx, aggregate):
    """(signature, as_of_key) of the aggregate's last build, or None."""
    ctx.cursor.execute(f"SELECT signature, as_of_key FROM {STATE_TABLE} WHERE aggregate = %s", [aggregate])
    return ctx.cursor.fetchone()


def store_state(ctx, aggregate, sql_signature, as_of_key=None):
    ctx.execute(f"DELETE FROM {STATE_TABLE} WHERE aggregate = %s", [aggregate])
    ctx.execute(f"INSERT INTO {STATE_TABLE} (aggregate, signature, as_of_key, etl_batch_id) VALUES (%s, %s, %s, %s)",
                [aggregate, sql_signature, as_of_key, ctx.batch_id])


def rebuild_whole(ctx, table, select_sql):
    """Empty `table` (a full build has already) and insert `select_sql` (timed by insert_all)."""
    if not ctx.full:
        with timed(ctx, table) as counts:
            counts.deleted += ctx.scalar(f"SELECT COUNT(*) FROM {table}")
            ctx.dialect.empty_tables(ctx.cursor, [table])
    insert_all(ctx, table, select_sql)


def needs_rebuild(ctx, aggregate, sql_signature):
    """A full build, or an aggregate never built or built by other SQL; else its stored state."""
    if ctx.full:
        return True, None
    state = stored_state(ctx, aggregate)
    return state is None or state[0] != sql_signature, state


def wrote(ctx, table):
    c = ctx.counts.get(table)
    return bool(c and (c.inserted or c.updated or c.deleted))


# ------------------------------------------------------ per facility and day
def facts_in(table, alias, pairs):
    """`table alias`, of the (date_key, facility_key) rows of temp table
    `pairs` only when given (read through the fact's facility and date index)."""
    if not pairs:
        return f"{table} {alias}"
    return (f"{table} {alias} JOIN {pairs} p "
            f"ON p.date_key = {alias}.date_key AND p.facility_key = {alias}.facility_key")


FACILITY_DAILY_MEASURES = [
    "visits", "unique_members", "peak", "sessions", "attended", "capacity", "payments", "revenue", "failed",
    "refunded", "shifts", "labor_hours", "overtime_hours", "labor_cost",
]


def facility_daily_sql(d, pairs=None):
    def part(measures, from_where, group="date_key, facility_key", alias=""):
        # Every branch names its columns (SQLite takes no column list after a subquery's alias).
        values = ", ".join(f"{measures.get(m, '0')} AS {m}" for m in FACILITY_DAILY_MEASURES)
        keys = ", ".join(f"{alias}{k} AS {k}" for k in ("date_key", "facility_key"))
        return f"SELECT {keys}, {values} FROM {from_where} GROUP BY {group}"

    visits = part({"visits": "COUNT(*)", "unique_members": "COUNT(DISTINCT v.member_key)"},
                  facts_in("fact_visit", "v", pairs), "v.date_key, v.facility_key", "v.")
    # Members present per hour: a visit counts in every hour from check-in to check-out.
    peak = part({"peak": "MAX(present)"}, f"""(
            SELECT s.date_key, s.facility_key, h.time_key, SUM(s.visits) AS present
            FROM (SELECT v.date_key, v.facility_key, v.time_key AS first_hour,
                         COALESCE(v.check_out_hour, v.time_key) AS last_hour, COUNT(*) AS visits
                  FROM {facts_in('fact_visit', 'v', pairs)}
                  GROUP BY v.date_key, v.facility_key, v.time_key, COALESCE(v.check_out_hour, v.time_key)) s
            JOIN dim_time_of_day h ON h.time_key BETWEEN s.first_hour AND s.last_hour
            GROUP BY s.date_key, s.facility_key, h.time_key) hourly""")
    classes = part({"sessions": "COUNT(*)", "attended": "SUM(c.attended)", "capacity": "SUM(c.capacity)"},
                   f"{facts_in('fact_class_session', 'c', pairs)} WHERE c.status = '{InstanceStatus.COMPLETED}'",
                   "c.date_key, c.facility_key", "c.")

    def paid(status):
        return f"SUM(CASE WHEN y.status = '{status}' THEN y.amount ELSE 0 END)"

    payments = part({"payments": "COUNT(*)", "revenue": paid(PaymentStatus.COMPLETED),
                     "failed": paid(PaymentStatus.FAILED), "refunded": paid(PaymentStatus.REFUNDED)},
                    facts_in("fact_payment", "y", pairs), "y.date_key, y.facility_key", "y.")
    shifts = part({"shifts": "COUNT(*)", "labor_hours": "SUM(w.actual_hours)",
                   "overtime_hours": "SUM(w.overtime_hours)", "labor_cost": "SUM(w.labor_cost)"},
                  facts_in("fact_staff_shift", "w", pairs), "w.date_key, w.facility_key", "w.")
    parts = "\n          UNION ALL\n            ".join([visits, peak, classes, payments, shifts])
    return f"""
        SELECT date_key, facility_key, SUM(visits) AS visits, SUM(unique_members) AS unique_members,
               SUM(peak) AS peak_hourly_occupancy, SUM(sessions) AS class_sessions,
               SUM(attended) AS class_attendance, SUM(capacity) AS class_capacity,
               CASE WHEN SUM(capacity) > 0 THEN ROUND(SUM(attended) * 1.0 / SUM(capacity), 4) END AS class_fill_rate,
               SUM(payments) AS payments, ROUND(SUM(revenue), 2) AS revenue,
               ROUND(SUM(failed), 2) AS failed_amount, ROUND(SUM(refunded), 2) AS refunded_amount,
               SUM(shifts) AS shifts, ROUND(SUM(labor_hours), 2) AS labor_hours,
               ROUND(SUM(overtime_hours), 2) AS overtime_hours, ROUND(SUM(labor_cost), 2) AS labor_cost
        FROM (
            {parts}
        ) parts
        GROUP BY date_key, facility_key"""


def visit_hourly_sql(d, pairs=None):
    return f"""
        SELECT v.date_key, v.facility_key, v.time_key, dd.day_of_week, COUNT(*) AS visits
        FROM {facts_in('fact_visit', 'v', pairs)} JOIN dim_date dd ON dd.date_key = v.date_key
        GROUP BY v.date_key, v.facility_key, v.time_key, dd.day_of_week"""


def class_daily_sql(d, pairs=None):
    return f"""
        SELECT c.date_key, c.facility_key, c.class_type_key, COUNT(*) AS sessions, SUM(c.attended) AS attended,
               SUM(c.capacity) AS capacity
        FROM {facts_in('fact_class_session', 'c', pairs)} WHERE c.status = '{InstanceStatus.COMPLETED}'
        GROUP BY c.date_key, c.facility_key, c.class_type_key"""


def equipment_daily_sql(d, pairs=None):
    # Sessions of a machine dim_equipment does not know (yet) are left out, as the dashboard always did.
    return f"""
        SELECT u.date_key, u.facility_key, e.equipment_type, COUNT(*) AS sessions,
               COALESCE(SUM(u.duration_minutes), 0) AS minutes_in_use
        FROM {facts_in('fact_equipment_usage', 'u', pairs)} JOIN dim_equipment e ON e.equipment_key = u.equipment_key
        GROUP BY u.date_key, u.facility_key, e.equipment_type"""


def note_equipment_types(ctx):
    """Incremental batch, before dim_equipment is brought up to date: each
    machine's type as agg_equipment_daily counted it (a type change in place
    moves its sessions to another row without rewriting a fact)."""
    if not ctx.full:
        stage(ctx, EQUIPMENT_TYPES_BEFORE, "SELECT equipment_key, equipment_type FROM dim_equipment")


def retyped_equipment_days(ctx):
    """The (date, facility) pairs of the sessions of machines whose type changed this batch."""
    return (f"SELECT u.date_key, u.facility_key FROM fact_equipment_usage u "
            f"JOIN dim_equipment e ON e.equipment_key = u.equipment_key "
            f"JOIN {EQUIPMENT_TYPES_BEFORE} b ON b.equipment_key = e.equipment_key "
            f"WHERE {ctx.dialect.distinct('e.equipment_type', 'b.equipment_type')}")


@dataclass(frozen=True)
class DailyAggregate:
    """An aggregate at (date_key, facility_key[, more keys]) grain."""

    table: str
    keys: tuple
    select: object  # callable(dialect, pairs temp table or None) -> SQL
    more_pairs: object = None  # callable(ctx) -> SELECT of further (date_key, facility_key) pairs to recompute

    def refresh(self, ctx):
        d = ctx.dialect
        full_sql = self.select(d)
        if needs_rebuild(ctx, self.table, signature(full_sql))[0]:
            rebuild_whole(ctx, self.table, full_sql)
            store_state(ctx, self.table, signature(full_sql))
            return
        with timed(ctx, self.table) as counts:
            pairs = touched_pairs(ctx)
            if self.more_pairs:
                pairs = f"stg_{self.table}_pairs"
                if not stage(ctx, pairs, f"SELECT date_key, facility_key FROM {PAIRS} UNION {self.more_pairs(ctx)}"):
                    pairs = None
            if not pairs:
                return
            name, before = f"stg_{self.table}", f"stg_{self.table}_before"
            counts.read += stage(ctx, name, self.select(d, pairs))
            keys = list(self.keys)
            stage(ctx, before, f"SELECT {', '.join('t.' + k for k in keys)} FROM {self.table} t JOIN {pairs} p "
                               f"ON p.date_key = t.date_key AND p.facility_key = t.facility_key")
            columns = [c for c in column_names(ctx, name) if c not in keys]
            inserted, updated, deleted = upsert_changed(ctx, self.table, name, keys, columns,
                                                        delete_missing=True, delete_among=before)
            counts.inserted += inserted
            counts.updated += updated
            counts.deleted += deleted


def touched_pairs(ctx):
    """Temp table of the distinct (date_key, facility_key) pairs the batch's
    facts touched (staged once per batch), or None when there are none."""
    if "agg_pairs" not in ctx.memo:
        count = stage(ctx, PAIRS, f"SELECT DISTINCT date_key, facility_key FROM {TOUCHED_PAIRS.table}")
        ctx.memo["agg_pairs"] = PAIRS if count else None
    return ctx.memo["agg_pairs"]


DAILY_AGGREGATES = [
    DailyAggregate("agg_facility_daily", ("date_key", "facility_key"), facility_daily_sql),
    DailyAggregate("agg_visit_hourly", ("date_key", "facility_key", "time_key"), visit_hourly_sql),
    DailyAggregate("agg_class_daily", ("date_key", "facility_key", "class_type_key"), class_daily_sql),
    DailyAggregate("agg_equipment_daily", ("date_key", "facility_key", "equipment_type"), equipment_daily_sql,
                   more_pairs=retyped_equipment_days),
]


# ------------------------------------------------------------ join cohorts
RETENTION = "agg_cohort_retention"


def as_of_key(ctx):
    """The latest event date (visits, payments, membership starts), as
    analytics.COHORT_RETENTION_CTES's as_of; visits from agg_visit_hourly,
    already up to date in this batch (one row per day, facility and hour with
    visits, indexed by date), rather than from millions of visits."""
    return ctx.scalar("""
        SELECT MAX(date_key) FROM (
            SELECT MAX(date_key) AS date_key FROM agg_visit_hourly
            UNION ALL SELECT MAX(date_key) FROM fact_payment
            UNION ALL SELECT MAX(start_date_key) FROM fact_membership_period) latest""")


def month_serial(date_key):
    """dim_date.month_serial (year * 12 + month - 1) of a YYYYMMDD key."""
    return date_key // 10000 * 12 + date_key // 100 % 100 - 1


def member_cohorts_sql():
    """(member_id, cohort_month): each current member's join month."""
    return f"""
        SELECT dm.member_id, jd.year_month AS cohort_month
        FROM dim_member dm JOIN dim_date jd ON jd.full_date = dm.join_date
        WHERE dm.is_current AND dm.member_key <> {UNKNOWN_KEY}"""


def cohort_retention_sql(d, as_of, cohorts=None):
    """(cohort_month, months_after, eligible, retained), of the join months in
    temp table `cohorts` only when given; `as_of` is the as-of date key (an
    SQL expression). Counts what analytics.COHORT_RETENTION_CTES's retention
    counts, a member's periods gathered into one set (Dialect.periods_agg:
    one probe per checkpoint instead of a range join over every period)."""
    members_only = f" AND jd.year_month IN (SELECT cohort_month FROM {cohorts})" if cohorts else ""
    periods_only = " AND pm.member_id IN (SELECT member_id FROM members)" if cohorts else ""
    checkpoints = " UNION ALL ".join(f"SELECT {k} AS k" for k in CHECKPOINTS)
    # Periods run from start to end inclusive: [start, end + 1 day). (The ODS refuses end < start: no day in it.)
    held = d.periods_agg("p.start_date", d.add_days("p.end_date", "1"))
    return f"""
        WITH members AS (
            SELECT dm.member_id, jd.year_month AS cohort_month, jd.month_serial, jd.day
            FROM dim_member dm JOIN dim_date jd ON jd.full_date = dm.join_date
            WHERE dm.is_current AND dm.member_key <> {UNKNOWN_KEY}{members_only}
        ), held AS MATERIALIZED (
            SELECT pm.member_id, {held} AS periods
            FROM fact_membership_period p JOIN dim_member pm ON pm.member_key = p.member_key
            WHERE p.start_date <= p.end_date{periods_only}
            GROUP BY pm.member_id
        ), checkpoints AS ({checkpoints}
        ), checks AS MATERIALIZED (
            SELECT m.cohort_month, c.k, m.member_id, t.full_date AS target_date
            FROM members m
            CROSS JOIN checkpoints c
            JOIN dim_date t ON t.month_serial = m.month_serial + c.k
                           AND t.day = CASE WHEN m.day > t.days_in_month THEN t.days_in_month ELSE m.day END
            WHERE t.date_key <= {as_of}
        )
        SELECT ch.cohort_month, ch.k AS months_after, COUNT(DISTINCT ch.member_id) AS eligible,
               COUNT(DISTINCT CASE WHEN {d.periods_contain('h.periods', 'ch.target_date')} THEN ch.member_id END)
                   AS retained
        FROM checks ch LEFT JOIN held h ON h.member_id = ch.member_id
        GROUP BY ch.cohort_month, ch.k"""


def as_of_literal(key):
    return "NULL" if key is None else str(int(key))


def retention_signature(ctx):
    return signature(cohort_retention_sql(ctx.dialect, AS_OF_PLACEHOLDER) + member_cohorts_sql())


def rebuild_retention(ctx, as_of):
    rebuild_whole(ctx, RETENTION, cohort_retention_sql(ctx.dialect, as_of_literal(as_of)))
    with timed(ctx, RETENTION):
        if not ctx.full:
            ctx.dialect.empty_tables(ctx.cursor, [MEMBER_COHORTS])
        ctx.execute(f"INSERT INTO {MEMBER_COHORTS} (member_id, cohort_month) {member_cohorts_sql()}")
        ctx.dialect.analyze(ctx.cursor, [MEMBER_COHORTS])
        store_state(ctx, RETENTION, retention_signature(ctx), as_of)


def moved_members_cohorts(ctx):
    """Bring etl_member_cohort in line with dim_member; return a SELECT of
    the join months members left or entered (new, changed or gone members)."""
    stage(ctx, "stg_member_cohorts", member_cohorts_sql())
    stage(ctx, "stg_cohort_moves", f"""
        SELECT n.member_id, o.cohort_month AS old_month, n.cohort_month AS new_month
        FROM stg_member_cohorts n LEFT JOIN {MEMBER_COHORTS} o ON o.member_id = n.member_id
        WHERE o.member_id IS NULL OR o.cohort_month <> n.cohort_month
        UNION ALL
        SELECT o.member_id, o.cohort_month, NULL FROM {MEMBER_COHORTS} o
        LEFT JOIN stg_member_cohorts n ON n.member_id = o.member_id WHERE n.member_id IS NULL""")
    ctx.execute(f"DELETE FROM {MEMBER_COHORTS} WHERE member_id IN (SELECT member_id FROM stg_cohort_moves)")
    ctx.execute(f"INSERT INTO {MEMBER_COHORTS} (member_id, cohort_month) "
                f"SELECT member_id, new_month FROM stg_cohort_moves WHERE new_month IS NOT NULL")
    return ("SELECT old_month AS cohort_month FROM stg_cohort_moves WHERE old_month IS NOT NULL "
            "UNION SELECT new_month FROM stg_cohort_moves WHERE new_month IS NOT NULL")


def load_agg_cohort_retention(ctx):
    rebuild, state = needs_rebuild(ctx, RETENTION, retention_signature(ctx))
    if rebuild:
        rebuild_retention(ctx, as_of_key(ctx))
        return
    old_as_of = state[1]
    # Only these facts move the as-of date.
    new_as_of = as_of_key(ctx) if any(
        wrote(ctx, t) for t in ("fact_visit", "fact_payment", "fact_membership_period")) else old_as_of
    if (old_as_of is None) != (new_as_of is None):
        rebuild_retention(ctx, new_as_of)
        return
    with timed(ctx, RETENTION) as counts:
        affected = []
        if wrote(ctx, "dim_member") or wrote(ctx, "dim_date"):  # a new member, a join date, a join date's day
            affected.append(moved_members_cohorts(ctx))
        affected.append(f"SELECT c.cohort_month AS cohort_month FROM {TOUCHED_MEMBERS.table} t "
                        f"JOIN dim_member dm ON dm.member_key = t.member_key "
                        f"JOIN {MEMBER_COHORTS} c ON c.member_id = dm.member_id")
        if new_as_of != old_as_of:
            # Eligibility changes for the checkpoints between the two dates.
            low, high = sorted([month_serial(old_as_of), month_serial(new_as_of)])
            checkpoints = " OR ".join(f"d.month_serial + {k} BETWEEN {low} AND {high}" for k in CHECKPOINTS)
            affected.append(f"SELECT d.year_month AS cohort_month FROM dim_date d WHERE d.day = 1 AND ({checkpoints})")
        cohorts = "stg_agg_cohorts"
        if not stage(ctx, cohorts, f"SELECT DISTINCT cohort_month FROM ({' UNION '.join(affected)}) a"):
            if new_as_of != old_as_of:
                store_state(ctx, RETENTION, state[0], new_as_of)
            return
        name, before = f"stg_{RETENTION}", f"stg_{RETENTION}_before"
        counts.read += stage(ctx, name, cohort_retention_sql(ctx.dialect, as_of_literal(new_as_of), cohorts))
        stage(ctx, before, f"SELECT t.cohort_month, t.months_after FROM {RETENTION} t "
                           f"WHERE t.cohort_month IN (SELECT cohort_month FROM {cohorts})")
        inserted, updated, deleted = upsert_changed(
            ctx, RETENTION, name, ["cohort_month", "months_after"], ["eligible", "retained"],
            delete_missing=True, delete_among=before,
        )
        counts.inserted += inserted
        counts.updated += updated
        counts.deleted += deleted
        if new_as_of != old_as_of:
            store_state(ctx, RETENTION, state[0], new_as_of)


def aggregate_step(aggregate):
    def step(ctx):
        aggregate.refresh(ctx)

    step.__name__ = f"load_{aggregate.table}"
    return step


AGGREGATE_STEPS = [*(aggregate_step(a) for a in DAILY_AGGREGATES), load_agg_cohort_retention]
AGGREGATE_TABLES = [*(a.table for a in DAILY_AGGREGATES), RETENTION]
