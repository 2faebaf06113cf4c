"""The analytics views, as SQL over the star schema only.

Created by migration (`create_views`) on SQLite and PostgreSQL alike; every
view works with a plain `SELECT * FROM <view>` in psql or sqlite3, because it
reads only warehouse tables whose dates and hours the ETL already made local
and integer (date_key YYYYMMDD, dim_date.day_serial / month_serial for date
arithmetic). So one text serves both databases.

Definitions (the figures the tests compute by hand):
- "as of" = the latest event date in the warehouse (visits, payments,
  membership starts); measures that need a later date are left NULL;
- a member "holds a membership" on a day when one of their periods covers it
  (start <= day <= end, any status);
- retention after k months: share of a join-month cohort holding a
  membership on join date + k months (clamped to the month's last day),
  among members for whom that date is not after "as of";
- attrition (industry definition): members lost over a month / members at its
  start, where members at the start hold a membership on its first day and
  the lost ones no longer hold one on the first day of the next month;
- fill rate = attended / capacity over held (Completed) sessions; no-show
  rate = no-shows / (attended + no-shows).
"""
COMPLETED = "'Completed'"

PEAK_USAGE_ANALYSIS = """
WITH hourly AS (
    SELECT v.facility_key, v.date_key, h.time_key AS hour_of_day, COUNT(*) AS present,
           SUM(CASE WHEN h.time_key = v.time_key THEN 1 ELSE 0 END) AS arrivals
    FROM fact_visit v
    JOIN dim_time_of_day h ON h.time_key BETWEEN v.time_key AND COALESCE(v.check_out_hour, v.time_key)
    GROUP BY v.facility_key, v.date_key, h.time_key
), observed AS (
    SELECT v.facility_key, d.day_of_week, COUNT(DISTINCT v.date_key) AS days_observed
    FROM fact_visit v JOIN dim_date d ON d.date_key = v.date_key
    GROUP BY v.facility_key, d.day_of_week
)
SELECT f.facility_id, f.facility_name, d.day_of_week, d.day_name, hr.hour_of_day,
       SUM(hr.arrivals) AS visits, o.days_observed,
       ROUND(SUM(hr.arrivals) * 1.0 / o.days_observed, 2) AS avg_visits_per_day,
       ROUND(SUM(hr.present) * 1.0 / o.days_observed, 2) AS avg_occupancy,
       MAX(hr.present) AS peak_occupancy,
       f.total_capacity AS capacity,
       CASE WHEN f.total_capacity > 0
            THEN ROUND(SUM(hr.present) * 100.0 / o.days_observed / f.total_capacity, 2) END AS avg_occupancy_pct,
       CASE WHEN f.total_capacity > 0 THEN ROUND(MAX(hr.present) * 100.0 / f.total_capacity, 2) END
           AS peak_occupancy_pct
FROM hourly hr
JOIN dim_date d ON d.date_key = hr.date_key
JOIN dim_facility f ON f.facility_key = hr.facility_key
JOIN observed o ON o.facility_key = hr.facility_key AND o.day_of_week = d.day_of_week
GROUP BY f.facility_id, f.facility_name, d.day_of_week, d.day_name, hr.hour_of_day, o.days_observed, f.total_capacity
"""

EQUIPMENT_UTILIZATION_REPORT = """
WITH used AS (
    SELECT equipment_key, COUNT(*) AS sessions, COALESCE(SUM(duration_minutes), 0) AS minutes
    FROM fact_equipment_usage GROUP BY equipment_key
), maintained AS (
    SELECT equipment_key, COUNT(*) AS maintenance_events, COUNT(DISTINCT date_key) AS downtime_days,
           SUM(cost) AS maintenance_cost
    FROM fact_equipment_maintenance GROUP BY equipment_key
), open_days AS (
    SELECT facility_key, COUNT(DISTINCT date_key) AS days_open FROM fact_visit GROUP BY facility_key
), per_equipment AS (
    SELECT e.equipment_id, e.equipment_name, e.equipment_type, f.facility_id, e.status,
           COALESCE(u.sessions, 0) AS sessions, COALESCE(u.minutes, 0) AS minutes_in_use,
           COALESCE(o.days_open, 0) AS days_open, COALESCE(o.days_open, 0) * f.open_hours_per_day AS open_hours,
           COALESCE(m.maintenance_events, 0) AS maintenance_events, COALESCE(m.downtime_days, 0) AS downtime_days,
           COALESCE(m.downtime_days, 0) * f.open_hours_per_day AS downtime_hours,
           COALESCE(m.maintenance_cost, 0) AS maintenance_cost
    FROM dim_equipment e
    JOIN dim_facility f ON f.facility_id = e.facility_id
    LEFT JOIN used u ON u.equipment_key = e.equipment_key
    LEFT JOIN maintained m ON m.equipment_key = e.equipment_key
    LEFT JOIN open_days o ON o.facility_key = f.facility_key
)
SELECT equipment_id, equipment_name, equipment_type, facility_id, status,
       CASE WHEN status IN ('Maintenance', 'Out of Order', 'Retired') THEN 1 ELSE 0 END AS out_of_service,
       sessions, ROUND(minutes_in_use / 60.0, 2) AS in_use_hours, days_open, ROUND(open_hours, 2) AS open_hours,
       CASE WHEN open_hours > 0 THEN ROUND(minutes_in_use / 60.0 * 100 / open_hours, 2) END AS utilization_pct,
       CASE WHEN SUM(open_hours) OVER (PARTITION BY equipment_type) > 0
            THEN ROUND(SUM(minutes_in_use) OVER (PARTITION BY equipment_type) / 60.0 * 100
                       / SUM(open_hours) OVER (PARTITION BY equipment_type), 2) END AS type_utilization_pct,
       maintenance_events, downtime_days, ROUND(downtime_hours, 2) AS downtime_hours,
       ROUND(maintenance_cost, 2) AS maintenance_cost
FROM per_equipment
"""

# The cohort part of member_retention_metrics, shared with the dashboard
# (which needs retention curves without the month-by-month attrition).
# MATERIALIZED (PostgreSQL 12+, SQLite 3.35+): computed once; inlined, the
# planner misjudges the range join on periods and runs it as a nested loop.
COHORT_RETENTION_CTES = """
as_of AS (
    SELECT MAX(date_key) AS as_of_key FROM (
        SELECT MAX(date_key) AS date_key FROM fact_visit
        UNION ALL SELECT MAX(date_key) FROM fact_payment
        UNION ALL SELECT MAX(start_date_key) FROM fact_membership_period) latest
), members AS (
    SELECT dm.member_id, jd.year_month AS cohort_month, jd.month_serial, jd.day
    FROM dim_member dm JOIN dim_date jd ON jd.full_date = dm.join_date
    WHERE dm.is_current AND dm.member_key <> -1
), periods AS MATERIALIZED (
    SELECT pm.member_id, p.start_date_key, p.end_date_key
    FROM fact_membership_period p JOIN dim_member pm ON pm.member_key = p.member_key
), checkpoints AS (
    SELECT 1 AS k UNION ALL SELECT 3 UNION ALL SELECT 6 UNION ALL SELECT 12
), checks AS MATERIALIZED (
    SELECT m.cohort_month, c.k, m.member_id, t.date_key AS target_key
    FROM members m
    CROSS JOIN checkpoints c
    JOIN dim_date t ON t.month_serial = m.month_serial + c.k
                   AND t.day = CASE WHEN m.day > t.days_in_month THEN t.days_in_month ELSE m.day END
    CROSS JOIN as_of
    WHERE t.date_key <= as_of.as_of_key
), retention AS (
    SELECT ch.cohort_month, ch.k, COUNT(DISTINCT ch.member_id) AS eligible,
           COUNT(DISTINCT CASE WHEN p.member_id IS NOT NULL THEN ch.member_id END) AS retained
    FROM checks ch
    LEFT JOIN periods p ON p.member_id = ch.member_id
                       AND p.start_date_key <= ch.target_key AND ch.target_key <= p.end_date_key
    GROUP BY ch.cohort_month, ch.k
), cohorts AS (
    SELECT cohort_month, COUNT(*) AS cohort_size FROM members GROUP BY cohort_month
)"""

MEMBER_RETENTION_METRICS = "WITH " + COHORT_RETENTION_CTES.strip() + """, first_days AS (
    SELECT year_month, month_serial, date_key FROM dim_date WHERE day = 1
), members_on_first_day AS (
    SELECT DISTINCT f.year_month, f.month_serial, p.member_id
    FROM first_days f
    JOIN periods p ON p.start_date_key <= f.date_key AND f.date_key <= p.end_date_key
), attrition AS (
    SELECT m1.year_month, COUNT(*) AS members_at_start,
           SUM(CASE WHEN m2.member_id IS NULL THEN 1 ELSE 0 END) AS members_lost
    FROM members_on_first_day m1
    JOIN first_days next_month ON next_month.month_serial = m1.month_serial + 1
    CROSS JOIN as_of
    LEFT JOIN members_on_first_day m2 ON m2.member_id = m1.member_id AND m2.month_serial = m1.month_serial + 1
    WHERE next_month.date_key <= as_of.as_of_key
    GROUP BY m1.year_month
), month_list AS (
    SELECT cohort_month FROM cohorts UNION SELECT year_month FROM attrition
)
SELECT ml.cohort_month, COALESCE(c.cohort_size, 0) AS cohort_size,
       r1.retained AS retained_1m, ROUND(r1.retained * 100.0 / r1.eligible, 2) AS retention_1m_pct,
       r3.retained AS retained_3m, ROUND(r3.retained * 100.0 / r3.eligible, 2) AS retention_3m_pct,
       r6.retained AS retained_6m, ROUND(r6.retained * 100.0 / r6.eligible, 2) AS retention_6m_pct,
       r12.retained AS retained_12m, ROUND(r12.retained * 100.0 / r12.eligible, 2) AS retention_12m_pct,
       a.members_at_start, a.members_lost,
       ROUND(a.members_lost * 100.0 / a.members_at_start, 2) AS attrition_pct
FROM month_list ml
LEFT JOIN cohorts c ON c.cohort_month = ml.cohort_month
LEFT JOIN retention r1 ON r1.cohort_month = ml.cohort_month AND r1.k = 1
LEFT JOIN retention r3 ON r3.cohort_month = ml.cohort_month AND r3.k = 3
LEFT JOIN retention r6 ON r6.cohort_month = ml.cohort_month AND r6.k = 6
LEFT JOIN retention r12 ON r12.cohort_month = ml.cohort_month AND r12.k = 12
LEFT JOIN attrition a ON a.year_month = ml.cohort_month
"""

REVENUE_BY_MONTH = """
SELECT d.year_month AS month, f.facility_id, f.facility_name, t.membership_type_id, t.type_name,
       COUNT(*) AS payments,
       SUM(CASE WHEN p.status = 'Completed' THEN 1 ELSE 0 END) AS completed_payments,
       ROUND(SUM(CASE WHEN p.status = 'Completed' THEN p.amount ELSE 0 END), 2) AS revenue,
       SUM(CASE WHEN p.status = 'Failed' THEN 1 ELSE 0 END) AS failed_payments,
       ROUND(SUM(CASE WHEN p.status = 'Failed' THEN p.amount ELSE 0 END), 2) AS failed_amount,
       ROUND(SUM(CASE WHEN p.status = 'Pending' THEN p.amount ELSE 0 END), 2) AS pending_amount,
       ROUND(SUM(CASE WHEN p.status = 'Refunded' THEN p.amount ELSE 0 END), 2) AS refunded_amount
FROM fact_payment p
JOIN dim_date d ON d.date_key = p.date_key
JOIN dim_facility f ON f.facility_key = p.facility_key
JOIN dim_membership_type t ON t.membership_type_key = p.membership_type_key
GROUP BY d.year_month, f.facility_id, f.facility_name, t.membership_type_id, t.type_name
"""

CLASS_FILL_RATES = """
SELECT ct.class_type_id, ct.class_name, s.day_of_week, s.start_time, st.staff_id AS instructor_id,
       st.first_name || ' ' || st.last_name AS instructor_name,
       SUM(CASE WHEN s.status = 'Completed' THEN 1 ELSE 0 END) AS sessions_held,
       SUM(CASE WHEN s.status = 'Cancelled' THEN 1 ELSE 0 END) AS sessions_cancelled,
       SUM(CASE WHEN s.status = 'Completed' THEN s.capacity ELSE 0 END) AS capacity,
       SUM(CASE WHEN s.status = 'Completed' THEN s.attended ELSE 0 END) AS attended,
       SUM(CASE WHEN s.status = 'Completed' THEN s.no_shows ELSE 0 END) AS no_shows,
       ROUND(SUM(CASE WHEN s.status = 'Completed' THEN s.attended ELSE 0 END) * 100.0
             / NULLIF(SUM(CASE WHEN s.status = 'Completed' THEN s.capacity ELSE 0 END), 0), 2) AS fill_rate_pct,
       ROUND(SUM(CASE WHEN s.status = 'Completed' THEN s.no_shows ELSE 0 END) * 100.0
             / NULLIF(SUM(CASE WHEN s.status = 'Completed' THEN s.attended + s.no_shows ELSE 0 END), 0), 2)
           AS no_show_rate_pct
FROM fact_class_session s
JOIN dim_class_type ct ON ct.class_type_key = s.class_type_key
JOIN dim_staff st ON st.staff_key = s.instructor_key
WHERE s.status IN ('Completed', 'Cancelled')
GROUP BY ct.class_type_id, ct.class_name, s.day_of_week, s.start_time, st.staff_id, st.first_name, st.last_name
"""

INSTRUCTOR_EFFECTIVENESS = """
WITH sessions AS (
    SELECT st.staff_id, COUNT(*) AS sessions_taught, SUM(s.attended) AS attended, SUM(s.capacity) AS capacity
    FROM fact_class_session s JOIN dim_staff st ON st.staff_key = s.instructor_key
    WHERE s.status = 'Completed' GROUP BY st.staff_id
), feedback AS (
    SELECT st.staff_id, COUNT(*) AS feedback_count,
           ROUND(AVG(fb.teaching_quality * 1.0), 2) AS avg_teaching_quality,
           ROUND(AVG(fb.communication * 1.0), 2) AS avg_communication,
           ROUND(AVG(fb.motivation * 1.0), 2) AS avg_motivation,
           ROUND(AVG(fb.overall_rating * 1.0), 2) AS avg_overall_rating
    FROM fact_instructor_feedback fb JOIN dim_staff st ON st.staff_key = fb.instructor_key
    GROUP BY st.staff_id
), attendees AS (
    SELECT st.staff_id, dm.member_id, COUNT(*) AS classes
    FROM fact_class_attendance a
    JOIN dim_staff st ON st.staff_key = a.instructor_key
    JOIN dim_member dm ON dm.member_key = a.member_key
    WHERE a.is_attended = 1
    GROUP BY st.staff_id, dm.member_id
), returning_ AS (
    SELECT staff_id, COUNT(*) AS distinct_attendees, SUM(CASE WHEN classes >= 2 THEN 1 ELSE 0 END) AS returning_attendees
    FROM attendees GROUP BY staff_id
), instructors AS (
    SELECT staff_id FROM sessions UNION SELECT staff_id FROM feedback
)
SELECT cur.staff_id AS instructor_id, cur.first_name || ' ' || cur.last_name AS instructor_name, cur.job_title,
       COALESCE(se.sessions_taught, 0) AS sessions_taught, COALESCE(se.attended, 0) AS total_attendance,
       ROUND(se.attended * 1.0 / se.sessions_taught, 2) AS avg_attendance,
       ROUND(se.attended * 100.0 / NULLIF(se.capacity, 0), 2) AS fill_rate_pct,
       COALESCE(fb.feedback_count, 0) AS feedback_count, fb.avg_teaching_quality, fb.avg_communication,
       fb.avg_motivation, fb.avg_overall_rating,
       COALESCE(r.distinct_attendees, 0) AS distinct_attendees, COALESCE(r.returning_attendees, 0) AS returning_attendees,
       ROUND(r.returning_attendees * 100.0 / NULLIF(r.distinct_attendees, 0), 2) AS attendee_retention_pct
FROM instructors i
JOIN dim_staff cur ON cur.staff_id = i.staff_id AND cur.is_current
LEFT JOIN sessions se ON se.staff_id = i.staff_id
LEFT JOIN feedback fb ON fb.staff_id = i.staff_id
LEFT JOIN returning_ r ON r.staff_id = i.staff_id
"""

LABOR_COST_OVERTIME = """
WITH parts AS (
    SELECT s.facility_key, d.year_month, COUNT(*) AS shifts, SUM(s.scheduled_hours) AS scheduled_hours,
           SUM(s.actual_hours) AS actual_hours, SUM(s.overtime_hours) AS overtime_hours,
           SUM(s.labor_cost) AS labor_cost, 0 AS payroll_gross, 0 AS payroll_overtime_pay
    FROM fact_staff_shift s JOIN dim_date d ON d.date_key = s.date_key
    GROUP BY s.facility_key, d.year_month
  UNION ALL
    SELECT p.facility_key, d.year_month, 0, 0, 0, 0, 0, SUM(p.gross_pay), SUM(p.overtime_pay)
    FROM fact_payroll p JOIN dim_date d ON d.date_key = p.date_key
    GROUP BY p.facility_key, d.year_month
)
SELECT f.facility_id, f.facility_name, parts.year_month AS month, SUM(shifts) AS shifts,
       ROUND(SUM(scheduled_hours), 2) AS scheduled_hours, ROUND(SUM(actual_hours), 2) AS actual_hours,
       ROUND(SUM(overtime_hours), 2) AS overtime_hours,
       ROUND(SUM(overtime_hours) * 100.0 / NULLIF(SUM(actual_hours), 0), 2) AS overtime_share_pct,
       ROUND(SUM(labor_cost), 2) AS shift_labor_cost,
       ROUND(SUM(payroll_gross), 2) AS payroll_gross_pay, ROUND(SUM(payroll_overtime_pay), 2) AS payroll_overtime_pay
FROM parts JOIN dim_facility f ON f.facility_key = parts.facility_key
GROUP BY f.facility_id, f.facility_name, parts.year_month
"""

CERTIFICATION_COMPLIANCE = """
WITH sessions AS (
    SELECT s.instance_id, d.full_date AS class_date, d.day_serial, st.staff_id,
           st.first_name || ' ' || st.last_name AS instructor_name, ct.class_type_id, ct.required_certifications
    FROM fact_class_session s
    JOIN dim_date d ON d.date_key = s.date_key
    JOIN dim_staff st ON st.staff_key = s.instructor_key
    JOIN dim_class_type ct ON ct.class_type_key = s.class_type_key
    WHERE s.status <> 'Cancelled' AND ct.required_certifications IS NOT NULL
), required AS (
    SELECT se.*, c.certification_key, c.certification_id, c.certification_name
    FROM sessions se
    JOIN dim_certification c
      ON ',' || REPLACE(se.required_certifications, ' ', '') || ',' LIKE '%,' || c.certification_id || ',%'
), held AS (
    SELECT r.instance_id, r.class_date, r.day_serial, r.staff_id, r.instructor_name, r.certification_id,
           r.certification_name, MAX(sc.expiry_day_serial) AS expiry_day_serial, MAX(sc.expiry_date) AS expiry_date
    FROM required r
    LEFT JOIN fact_staff_certification sc
      ON sc.staff_id = r.staff_id AND sc.certification_key = r.certification_key
     AND sc.certification_date <= r.class_date
    GROUP BY r.instance_id, r.class_date, r.day_serial, r.staff_id, r.instructor_name, r.certification_id,
             r.certification_name
), judged AS (
    SELECT held.*,
           CASE WHEN expiry_day_serial IS NULL THEN 'Not certified'
                WHEN expiry_day_serial < day_serial THEN 'Expired'
                WHEN expiry_day_serial < day_serial + 60 THEN 'Expires within 60 days'
           END AS compliance_status
    FROM held
)
SELECT staff_id AS instructor_id, instructor_name, certification_id, certification_name, expiry_date,
       compliance_status, COUNT(*) AS sessions, MIN(class_date) AS first_class_date, MAX(class_date) AS last_class_date,
       MIN(expiry_day_serial - day_serial) AS days_left_at_last_class
FROM judged
WHERE compliance_status IS NOT NULL
GROUP BY staff_id, instructor_name, certification_id, certification_name, expiry_date, compliance_status
"""

VIEWS = {
    "peak_usage_analysis": PEAK_USAGE_ANALYSIS,
    "equipment_utilization_report": EQUIPMENT_UTILIZATION_REPORT,
    "member_retention_metrics": MEMBER_RETENTION_METRICS,
    "revenue_by_month": REVENUE_BY_MONTH,
    "class_fill_rates": CLASS_FILL_RATES,
    "instructor_effectiveness": INSTRUCTOR_EFFECTIVENESS,
    "labor_cost_overtime": LABOR_COST_OVERTIME,
    "certification_compliance": CERTIFICATION_COMPLIANCE,
}


def view_sql(name):
    """The view body, for both databases. SQLite's boolean columns hold 0/1 and
    PostgreSQL's TRUE/FALSE; both accept a bare `dm.is_current`, so today the
    bodies are the same text; were they to part, this is the one place to
    branch (on the connection's fitness.core.dialect.Dialect)."""
    return VIEWS[name].strip()


def create_views(connection):
    """(Re)create every view on a Django database connection."""
    with connection.cursor() as cursor:
        for name in VIEWS:
            cursor.execute(f"DROP VIEW IF EXISTS {name}")
            cursor.execute(f"CREATE VIEW {name} AS {view_sql(name)}")


def drop_views(connection):
    with connection.cursor() as cursor:
        for name in reversed(list(VIEWS)):
            cursor.execute(f"DROP VIEW IF EXISTS {name}")
