"""Fact loaders: one staged SELECT per fact table, at the grain of its ODS row.

Each SELECT transforms the ODS rows (local date and hour of timestamps,
hours and costs) and looks up the dimension keys; SCD 2 keys are the version
valid on the event date (effective_date <= date < expiration_date). A missing
member, staff member or facility becomes the unknown key -1.
"""
from classes.choices import EnrollmentStatus

from ..models import UNKNOWN_KEY
from .statements import stage, timed, upsert_changed

U = UNKNOWN_KEY
TOUCHED_DATES = "stg_touched_dates"  # date_keys written this batch, for agg_facility_daily


def version_join(alias, table, natural_key, source_key, event_date):
    return (
        f"LEFT JOIN {table} {alias} ON {alias}.{natural_key} = {source_key} "
        f"AND {alias}.effective_date <= {event_date} AND {event_date} < {alias}.expiration_date"
    )


def member_at(alias, source_key, event_date):
    return version_join(alias, "dim_member", "member_id", source_key, event_date)


def staff_at(alias, source_key, event_date):
    return version_join(alias, "dim_staff", "staff_id", source_key, event_date)


def fact_visit_sql(d):
    return f"""
        SELECT x.accessid AS access_id, x.date_key AS date_key, x.in_hour AS time_key,
               x.out_hour AS check_out_hour, COALESCE(dm.member_key, {U}) AS member_key,
               COALESCE(df.facility_key, {U}) AS facility_key, COALESCE(da.area_key, {U}) AS area_key,
               x.checkintime AS check_in_time, x.checkouttime AS check_out_time,
               x.duration AS duration_minutes, x.accessmethod AS access_method
        FROM (SELECT l.*, {d.date_key('l.event_date')} AS date_key
              FROM (SELECT a.*, {d.local_date('a.checkintime')} AS event_date,
                           {d.local_hour('a.checkintime')} AS in_hour, {d.local_hour('a.checkouttime')} AS out_hour
                    FROM memberaccess a{d.materialize()}) l{d.materialize()}) x
        {member_at('dm', 'x.memberid', 'x.event_date')}
        LEFT JOIN dim_facility df ON df.facility_id = x.facilityid
        LEFT JOIN dim_area da ON da.area_id = x.areaid"""


def enrollment_counts_sql():
    def count_of(*statuses):
        listed = ", ".join(f"'{s}'" for s in statuses)
        return f"SUM(CASE WHEN enrollmentstatus IN ({listed}) THEN 1 ELSE 0 END)"

    E = EnrollmentStatus
    return f"""
        SELECT instanceid, {count_of(E.ENROLLED, E.ATTENDED, E.NO_SHOW)} AS enrolled,
               {count_of(E.ATTENDED)} AS attended, {count_of(E.NO_SHOW)} AS no_shows,
               {count_of(E.WAITLISTED)} AS waitlisted, {count_of(E.CANCELLED)} AS cancelled_enrollments
        FROM classenrollments GROUP BY instanceid"""


def fact_class_session_sql(d):
    return f"""
        SELECT ci.instanceid AS instance_id, ci.scheduleid AS schedule_id, {d.date_key('ci.classdate')} AS date_key,
               {d.time_hour('cs.starttime')} AS time_key, cs.dayofweek AS day_of_week, cs.starttime AS start_time,
               COALESCE(dc.class_type_key, {U}) AS class_type_key, COALESCE(df.facility_key, {U}) AS facility_key,
               COALESCE(da.area_key, {U}) AS area_key, COALESCE(ds.staff_key, {U}) AS instructor_key,
               ci.status AS status, cs.maxcapacity AS capacity, COALESCE(e.enrolled, 0) AS enrolled,
               COALESCE(e.attended, 0) AS attended, COALESCE(e.no_shows, 0) AS no_shows,
               COALESCE(e.waitlisted, 0) AS waitlisted, COALESCE(e.cancelled_enrollments, 0) AS cancelled_enrollments
        FROM classinstances ci
        JOIN classschedules cs ON cs.scheduleid = ci.scheduleid
        LEFT JOIN ({enrollment_counts_sql()}) e ON e.instanceid = ci.instanceid
        {staff_at('ds', 'COALESCE(ci.actualinstructorid, cs.instructorid)', 'ci.classdate')}
        LEFT JOIN dim_class_type dc ON dc.class_type_id = cs.classtypeid
        LEFT JOIN dim_facility df ON df.facility_id = cs.facilityid
        LEFT JOIN dim_area da ON da.area_id = cs.areaid"""


def fact_class_attendance_sql(d):
    E = EnrollmentStatus
    return f"""
        SELECT ce.enrollmentid AS enrollment_id, ce.instanceid AS instance_id, {d.date_key('ci.classdate')} AS date_key,
               {d.time_hour('cs.starttime')} AS time_key,
               {d.date_key(d.local_date('ce.enrollmentdate'))} AS enrollment_date_key,
               COALESCE(dm.member_key, {U}) AS member_key, COALESCE(dc.class_type_key, {U}) AS class_type_key,
               COALESCE(df.facility_key, {U}) AS facility_key, COALESCE(ds.staff_key, {U}) AS instructor_key,
               ce.enrollmentstatus AS enrollment_status,
               CASE WHEN ce.enrollmentstatus = '{E.ATTENDED}' THEN 1 ELSE 0 END AS is_attended,
               CASE WHEN ce.enrollmentstatus = '{E.NO_SHOW}' THEN 1 ELSE 0 END AS is_no_show,
               ce.paymentamount AS payment_amount
        FROM classenrollments ce
        JOIN classinstances ci ON ci.instanceid = ce.instanceid
        JOIN classschedules cs ON cs.scheduleid = ci.scheduleid
        {member_at('dm', 'ce.memberid', 'ci.classdate')}
        {staff_at('ds', 'COALESCE(ci.actualinstructorid, cs.instructorid)', 'ci.classdate')}
        LEFT JOIN dim_class_type dc ON dc.class_type_id = cs.classtypeid
        LEFT JOIN dim_facility df ON df.facility_id = cs.facilityid"""


def fact_payment_sql(d):
    return f"""
        SELECT p.paymentid AS payment_id, {d.date_key('p.paymentdate')} AS date_key,
               COALESCE(dm.member_key, {U}) AS member_key, COALESCE(dt.membership_type_key, {U}) AS membership_type_key,
               COALESCE(df.facility_key, {U}) AS facility_key, p.amount AS amount, p.paymenttype AS payment_type,
               p.paymentmethod AS payment_method, p.status AS status
        FROM memberpayments p
        {member_at('dm', 'p.memberid', 'p.paymentdate')}
        {version_join('dt', 'dim_membership_type', 'membership_type_id', 'dm.membership_type_id', 'p.paymentdate')}
        LEFT JOIN dim_facility df ON df.facility_id = dm.home_facility_id"""


def fact_membership_period_sql(d):
    return f"""
        SELECT mm.membershipid AS membership_id, COALESCE(dm.member_key, {U}) AS member_key,
               COALESCE(dt.membership_type_key, {U}) AS membership_type_key,
               {d.date_key('mm.startdate')} AS start_date_key, {d.date_key('mm.enddate')} AS end_date_key,
               mm.startdate AS start_date, mm.enddate AS end_date, mm.status AS status, mm.autorenew AS auto_renew
        FROM membermemberships mm
        {member_at('dm', 'mm.memberid', 'mm.startdate')}
        {version_join('dt', 'dim_membership_type', 'membership_type_id', 'mm.membershiptypeid', 'mm.startdate')}"""


def fact_equipment_usage_sql(d):
    return f"""
        SELECT x.usageid AS usage_id, x.date_key AS date_key, x.start_hour AS time_key,
               COALESCE(dm.member_key, {U}) AS member_key, COALESCE(de.equipment_key, {U}) AS equipment_key,
               COALESCE(df.facility_key, {U}) AS facility_key, COALESCE(da.area_key, {U}) AS area_key,
               x.durationminutes AS duration_minutes, x.usagetype AS usage_type
        FROM (SELECT l.*, {d.date_key('l.event_date')} AS date_key
              FROM (SELECT u.*, {d.local_date('u.starttime')} AS event_date, {d.local_hour('u.starttime')} AS start_hour
                    FROM equipmentusage u{d.materialize()}) l{d.materialize()}) x
        JOIN equipment e ON e.equipmentid = x.equipmentid
        {member_at('dm', 'x.memberid', 'x.event_date')}
        LEFT JOIN dim_equipment de ON de.equipment_id = x.equipmentid
        LEFT JOIN dim_facility df ON df.facility_id = e.facilityid
        LEFT JOIN dim_area da ON da.area_id = e.areaid"""


def fact_equipment_maintenance_sql(d):
    return f"""
        SELECT m.maintenanceid AS maintenance_id, {d.date_key('m.maintenancedate')} AS date_key,
               COALESCE(de.equipment_key, {U}) AS equipment_key, COALESCE(df.facility_key, {U}) AS facility_key,
               m.maintenancetype AS maintenance_type, m.cost AS cost
        FROM equipmentmaintenance m
        JOIN equipment e ON e.equipmentid = m.equipmentid
        LEFT JOIN dim_equipment de ON de.equipment_id = m.equipmentid
        LEFT JOIN dim_facility df ON df.facility_id = e.facilityid"""


def fact_staff_shift_sql(d):
    # Overtime is paid at 1.5x the rate valid on the shift's date (rule S5).
    return f"""
        SELECT ss.scheduleid AS schedule_id, {d.date_key('ss.scheduledate')} AS date_key,
               {d.time_hour('ss.starttime')} AS time_key, COALESCE(ds.staff_key, {U}) AS staff_key,
               COALESCE(df.facility_key, {U}) AS facility_key, da.area_key AS area_key,
               ss.shifttype AS shift_type, ss.status AS status, ss.scheduledhours AS scheduled_hours,
               COALESCE(tt.entries, 0) AS time_entries, ROUND(COALESCE(tt.hours, 0), 2) AS actual_hours,
               ROUND(COALESCE(tt.overtime, 0), 2) AS overtime_hours, COALESCE(tt.break_minutes, 0) AS break_minutes,
               ROUND((COALESCE(tt.hours, 0) - COALESCE(tt.overtime, 0)) * COALESCE(ds.hourly_rate, 0)
                     + COALESCE(tt.overtime, 0) * COALESCE(ds.hourly_rate, 0) * 1.5, 2) AS labor_cost
        FROM staffschedules ss
        LEFT JOIN (SELECT scheduleid, COUNT(*) AS entries, SUM(COALESCE(actualhours, 0)) AS hours,
                          SUM(overtimehours) AS overtime, SUM(breakminutes) AS break_minutes
                   FROM stafftimetracking GROUP BY scheduleid) tt ON tt.scheduleid = ss.scheduleid
        {staff_at('ds', 'ss.staffid', 'ss.scheduledate')}
        LEFT JOIN dim_facility df ON df.facility_id = ss.facilityid
        LEFT JOIN dim_area da ON da.area_id = ss.areaid"""


def fact_payroll_sql(d):
    # Payroll belongs to the facility of the assignment in force at period end
    # (primary first, then any; else any assignment at all).
    return f"""
        SELECT p.payrollid AS payroll_id, {d.date_key('p.paydate')} AS date_key,
               {d.date_key('p.payperiodstart')} AS period_start_date_key,
               {d.date_key('p.payperiodend')} AS period_end_date_key,
               COALESCE(ds.staff_key, {U}) AS staff_key, COALESCE(df.facility_key, {U}) AS facility_key,
               p.regularhours AS regular_hours, p.overtimehours AS overtime_hours, p.regularpay AS regular_pay,
               p.overtimepay AS overtime_pay, p.bonuses AS bonuses, p.deductions AS deductions,
               p.grosspay AS gross_pay, p.netpay AS net_pay
        FROM (SELECT py.*, COALESCE(
                  (SELECT MIN(sf.facilityid) FROM stafffacilities sf
                   WHERE sf.staffid = py.staffid AND sf.isprimary AND sf.startdate <= py.payperiodend
                     AND (sf.enddate IS NULL OR sf.enddate >= py.payperiodend)),
                  (SELECT MIN(sf.facilityid) FROM stafffacilities sf
                   WHERE sf.staffid = py.staffid AND sf.startdate <= py.payperiodend
                     AND (sf.enddate IS NULL OR sf.enddate >= py.payperiodend)),
                  (SELECT MIN(sf.facilityid) FROM stafffacilities sf WHERE sf.staffid = py.staffid)
                  ) AS assigned_facility_id
              FROM staffpayroll py) p
        {staff_at('ds', 'p.staffid', 'p.payperiodend')}
        LEFT JOIN dim_facility df ON df.facility_id = p.assigned_facility_id"""


def fact_instructor_feedback_sql(d):
    return f"""
        SELECT f.feedbackid AS feedback_id, {d.date_key('f.feedbackdate')} AS date_key,
               COALESCE(ds.staff_key, {U}) AS instructor_key, COALESCE(dm.member_key, {U}) AS member_key,
               COALESCE(dc.class_type_key, {U}) AS class_type_key, f.classinstanceid AS instance_id,
               f.teachingquality AS teaching_quality, f.communication AS communication, f.motivation AS motivation,
               f.overallrating AS overall_rating
        FROM instructorfeedback f
        JOIN classinstances ci ON ci.instanceid = f.classinstanceid
        JOIN classschedules cs ON cs.scheduleid = ci.scheduleid
        {staff_at('ds', 'f.instructorid', 'ci.classdate')}
        {member_at('dm', 'f.memberid', 'ci.classdate')}
        LEFT JOIN dim_class_type dc ON dc.class_type_id = cs.classtypeid"""


def fact_staff_certification_sql(d):
    return f"""
        SELECT sc.staffcertificationid AS staff_certification_id, sc.staffid AS staff_id,
               COALESCE(dc.certification_key, {U}) AS certification_key, sc.certificationdate AS certification_date,
               sc.expirydate AS expiry_date, {d.day_serial('sc.expirydate')} AS expiry_day_serial,
               sc.status AS status
        FROM staffcertifications sc
        LEFT JOIN dim_certification dc ON dc.certification_id = sc.certificationid"""


# (table, natural key, SELECT builder, feeds agg_facility_daily?)
FACTS = [
    ("fact_visit", "access_id", fact_visit_sql, True),
    ("fact_class_session", "instance_id", fact_class_session_sql, True),
    ("fact_class_attendance", "enrollment_id", fact_class_attendance_sql, False),
    ("fact_payment", "payment_id", fact_payment_sql, True),
    ("fact_membership_period", "membership_id", fact_membership_period_sql, False),
    ("fact_equipment_usage", "usage_id", fact_equipment_usage_sql, False),
    ("fact_equipment_maintenance", "maintenance_id", fact_equipment_maintenance_sql, False),
    ("fact_staff_shift", "schedule_id", fact_staff_shift_sql, True),
    ("fact_payroll", "payroll_id", fact_payroll_sql, False),
    ("fact_instructor_feedback", "feedback_id", fact_instructor_feedback_sql, False),
    ("fact_staff_certification", "staff_certification_id", fact_staff_certification_sql, False),
]


def start_touched_dates(ctx):
    ctx.execute(f"DROP TABLE IF EXISTS {TOUCHED_DATES}")
    ctx.execute(f"CREATE TEMP TABLE {TOUCHED_DATES} (date_key INTEGER)")
    ctx.temp_tables.append(TOUCHED_DATES)


def load_fact(ctx, table, natural_key, select_builder, feeds_aggregate):
    """Stage, then apply only the differences (new, changed, deleted rows).
    A full build writes straight from the SELECT into the emptied table:
    nothing to compare against, so staging would only copy the rows twice."""
    if ctx.full:
        insert_all(ctx, table, select_builder(ctx.dialect))
        return
    name = f"stg_{table}"
    with timed(ctx, table) as counts:
        counts.read += stage(ctx, name, select_builder(ctx.dialect))
        columns = [c for c in _columns(ctx, name) if c != natural_key]
        inserted, updated, deleted = upsert_changed(
            ctx, table, name, [natural_key], columns, delete_missing=True,
            touched_dates=TOUCHED_DATES if feeds_aggregate else None,
        )
        counts.inserted += inserted
        counts.updated += updated
        counts.deleted += deleted
        ctx.execute(f"DROP TABLE {name}")  # big: free it now rather than at the end of the batch
        ctx.temp_tables.remove(name)


def insert_all(ctx, table, select_sql):
    with timed(ctx, table) as counts:
        ctx.cursor.execute(f"SELECT * FROM ({select_sql}) s LIMIT 0")
        columns = ", ".join(col[0] for col in ctx.cursor.description)
        rebuild = drop_secondary_indexes(ctx, table) if ctx.dialect.is_postgres else []
        inserted = ctx.execute(
            f"INSERT INTO {table} ({columns}, etl_batch_id) SELECT {columns}, %s FROM ({select_sql}) s", [ctx.batch_id]
        )
        for statement in rebuild:
            ctx.execute(statement)
        counts.read += inserted
        counts.inserted += inserted


def drop_secondary_indexes(ctx, table):
    """Drop a table's unique constraints and plain indexes (not its primary
    key) and return the statements that recreate them. Building an index once
    over millions of rows is several times cheaper than maintaining it row by
    row; DDL is transactional in PostgreSQL, so a failed batch restores them."""
    ctx.cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'u'",
        [table],
    )
    constraints = ctx.cursor.fetchall()
    ctx.cursor.execute(
        "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
        "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)",
        [table],
    )
    indexes = ctx.cursor.fetchall()
    for name, _ in constraints:
        ctx.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        ctx.execute(f'DROP INDEX "{name}"')
    return [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for name, definition in constraints] + [
        definition for _, definition in indexes
    ]


def _columns(ctx, name):
    ctx.cursor.execute(f"SELECT * FROM {name} WHERE 1 = 0")
    return [col[0] for col in ctx.cursor.description]


def fact_step(spec):
    def step(ctx):
        load_fact(ctx, *spec)

    step.__name__ = f"load_{spec[0]}"
    return step


FACT_STEPS = [start_touched_dates, *[fact_step(spec) for spec in FACTS]]
