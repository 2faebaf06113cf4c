"""Fact loaders: one SELECT per fact table, at the grain of its ODS row.

Each fact is declared as a FactSpec in two halves:
- `source`: the ODS values the fact is built from, one row per natural key
  (column `nk`), read as they are: the driving table's row plus what it joins
  or aggregates from other ODS tables. Nothing else in the ODS may be read
  by `transform`; the fingerprint of this row is what change detection
  compares (changes.py).
- `transform`: from a relation of source rows (alias x) to the fact's
  columns: local date and hour of timestamps, hours and costs, dimension
  keys. SCD 2 keys are the version valid on the event date (effective_date
  <= date < expiration_date); a missing member, staff member or facility
  becomes the unknown key -1. Dimensions are only LEFT JOINed, so every
  source row gives exactly one fact row.
- `lookups`: the dimensions `transform` reads, which source column holds the
  natural id and which one dates an SCD 2 lookup; when a batch changes a
  dimension row, the facts looking it up are staged again (changes.py).
  Besides the key, a fact may read a column of the version it found
  (a payment its member's home facility and membership type, a shift its
  staff member's rate): those have lookups of their own (member_home,
  member_type, staff_rate), logged when that column changes in place.

A full build inserts transform(all source rows); an incremental batch stages
transform(candidate rows) and applies the differences.
"""
from dataclasses import dataclass

from fitness.core.business import OVERTIME_MULTIPLIER
from classes.choices import EnrollmentStatus

from ..models import UNKNOWN_KEY
from .changes import (
    candidate_keys, digest_loaded_fact, drop_change_tables, fingerprinted_source, store_digests,
)
from .statements import TouchLog, apply_changes, column_names, stage, timed

U = UNKNOWN_KEY
# What the facts a batch writes or removes touch, for the aggregates (aggregates.py) to recompute:
TOUCHED_PAIRS = TouchLog("stg_touched_pairs", ("date_key", "facility_key"))  # the daily aggregates
TOUCHED_MEMBERS = TouchLog("stg_touched_members", ("member_key",))  # the retention cohorts
FINGERPRINT = "x.source_fingerprint AS source_fingerprint"


@dataclass(frozen=True)
class Lookup:
    """`transform` looks up `dimension` by `id_column` (an expression over the
    source row s, after `joins`), on the date `date_column` for SCD 2
    dimensions; `timestamp`: that column is a UTC timestamp filed under its
    local date."""
    dimension: str
    id_column: str
    date_column: str = None
    timestamp: bool = False
    joins: str = ""


@dataclass(frozen=True)
class FactSpec:
    table: str
    natural_key: str
    source: object  # callable(dialect) -> SQL
    transform: object  # callable(dialect, source relation) -> SQL
    lookups: tuple
    touches: tuple = ()  # TouchLogs: what of its rows the aggregates recompute by


def version_join(alias, table, natural_key, source_key, event_date):
    return (
        f"LEFT JOIN {table} {alias} ON {alias}.{natural_key} = {source_key} "
        f"AND {alias}.effective_date <= {event_date} AND {event_date} < {alias}.expiration_date"
    )


def member_at(alias, source_key, event_date):
    return version_join(alias, "dim_member", "member_id", source_key, event_date)


def staff_at(alias, source_key, event_date):
    return version_join(alias, "dim_staff", "staff_id", source_key, event_date)


# ------------------------------------------------------------------ visits
def visit_source(d):
    return """
        SELECT a.accessid AS nk, a.memberid, a.facilityid, a.areaid, a.checkintime, a.checkouttime,
               a.accessmethod, a.duration
        FROM memberaccess a"""


def fact_visit_sql(d, src):
    return f"""
        SELECT x.nk AS access_id, x.date_key AS date_key, x.in_hour AS time_key,
               x.out_hour AS check_out_hour, COALESCE(dm.member_key, {U}) AS member_key,
               COALESCE(df.facility_key, {U}) AS facility_key, COALESCE(da.area_key, {U}) AS area_key,
               x.checkintime AS check_in_time, x.checkouttime AS check_out_time,
               x.duration AS duration_minutes, x.accessmethod AS access_method, {FINGERPRINT}
        FROM (SELECT l.*, {d.date_key('l.event_date')} AS date_key
              FROM (SELECT a.*, {d.local_date('a.checkintime')} AS event_date,
                           {d.local_hour('a.checkintime')} AS in_hour, {d.local_hour('a.checkouttime')} AS out_hour
                    FROM {src} a{d.computed_once()}) l{d.computed_once()}) x
        {member_at('dm', 'x.memberid', 'x.event_date')}
        LEFT JOIN dim_facility df ON df.facility_id = x.facilityid
        LEFT JOIN dim_area da ON da.area_id = x.areaid"""


# ----------------------------------------------------------------- classes
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


def class_session_source(d):
    return f"""
        SELECT ci.instanceid AS nk, ci.scheduleid, ci.classdate, ci.status, cs.starttime, cs.dayofweek,
               cs.maxcapacity, cs.classtypeid, cs.facilityid, cs.areaid,
               COALESCE(ci.actualinstructorid, cs.instructorid) AS instructorid,
               COALESCE(e.enrolled, 0) AS enrolled, COALESCE(e.attended, 0) AS attended,
               COALESCE(e.no_shows, 0) AS no_shows, COALESCE(e.waitlisted, 0) AS waitlisted,
               COALESCE(e.cancelled_enrollments, 0) AS cancelled_enrollments
        FROM classinstances ci
        JOIN classschedules cs ON cs.scheduleid = ci.scheduleid
        LEFT JOIN ({enrollment_counts_sql()}) e ON e.instanceid = ci.instanceid"""


def fact_class_session_sql(d, src):
    return f"""
        SELECT x.nk AS instance_id, x.scheduleid AS schedule_id, {d.date_key('x.classdate')} AS date_key,
               {d.hour_of_time('x.starttime')} AS time_key, x.dayofweek AS day_of_week, x.starttime AS start_time,
               COALESCE(dc.class_type_key, {U}) AS class_type_key, COALESCE(df.facility_key, {U}) AS facility_key,
               COALESCE(da.area_key, {U}) AS area_key, COALESCE(ds.staff_key, {U}) AS instructor_key,
               x.status AS status, x.maxcapacity AS capacity, x.enrolled AS enrolled, x.attended AS attended,
               x.no_shows AS no_shows, x.waitlisted AS waitlisted, x.cancelled_enrollments AS cancelled_enrollments,
               {FINGERPRINT}
        FROM {src} x
        {staff_at('ds', 'x.instructorid', 'x.classdate')}
        LEFT JOIN dim_class_type dc ON dc.class_type_id = x.classtypeid
        LEFT JOIN dim_facility df ON df.facility_id = x.facilityid
        LEFT JOIN dim_area da ON da.area_id = x.areaid"""


def class_attendance_source(d):
    return """
        SELECT ce.enrollmentid AS nk, ce.instanceid, ce.memberid, ce.enrollmentdate, ce.enrollmentstatus,
               ce.paymentamount, ci.classdate, cs.starttime, cs.classtypeid, cs.facilityid,
               COALESCE(ci.actualinstructorid, cs.instructorid) AS instructorid
        FROM classenrollments ce
        JOIN classinstances ci ON ci.instanceid = ce.instanceid
        JOIN classschedules cs ON cs.scheduleid = ci.scheduleid"""


def fact_class_attendance_sql(d, src):
    E = EnrollmentStatus
    return f"""
        SELECT x.nk AS enrollment_id, x.instanceid AS instance_id, {d.date_key('x.classdate')} AS date_key,
               {d.hour_of_time('x.starttime')} AS time_key,
               {d.date_key(d.local_date('x.enrollmentdate'))} AS enrollment_date_key,
               COALESCE(dm.member_key, {U}) AS member_key, COALESCE(dc.class_type_key, {U}) AS class_type_key,
               COALESCE(df.facility_key, {U}) AS facility_key, COALESCE(ds.staff_key, {U}) AS instructor_key,
               x.enrollmentstatus AS enrollment_status,
               CASE WHEN x.enrollmentstatus = '{E.ATTENDED}' THEN 1 ELSE 0 END AS is_attended,
               CASE WHEN x.enrollmentstatus = '{E.NO_SHOW}' THEN 1 ELSE 0 END AS is_no_show,
               x.paymentamount AS payment_amount, {FINGERPRINT}
        FROM {src} x
        {member_at('dm', 'x.memberid', 'x.classdate')}
        {staff_at('ds', 'x.instructorid', 'x.classdate')}
        LEFT JOIN dim_class_type dc ON dc.class_type_id = x.classtypeid
        LEFT JOIN dim_facility df ON df.facility_id = x.facilityid"""


# ----------------------------------------------------------------- members
def payment_source(d):
    return """
        SELECT p.paymentid AS nk, p.memberid, p.paymentdate, p.amount, p.paymenttype, p.paymentmethod, p.status
        FROM memberpayments p"""


def fact_payment_sql(d, src):
    return f"""
        SELECT x.nk AS payment_id, {d.date_key('x.paymentdate')} AS date_key,
               COALESCE(dm.member_key, {U}) AS member_key, COALESCE(dt.membership_type_key, {U}) AS membership_type_key,
               COALESCE(df.facility_key, {U}) AS facility_key, x.amount AS amount, x.paymenttype AS payment_type,
               x.paymentmethod AS payment_method, x.status AS status, {FINGERPRINT}
        FROM {src} x
        {member_at('dm', 'x.memberid', 'x.paymentdate')}
        {version_join('dt', 'dim_membership_type', 'membership_type_id', 'dm.membership_type_id', 'x.paymentdate')}
        LEFT JOIN dim_facility df ON df.facility_id = dm.home_facility_id"""


def membership_period_source(d):
    return """
        SELECT mm.membershipid AS nk, mm.memberid, mm.membershiptypeid, mm.startdate, mm.enddate, mm.status,
               mm.autorenew
        FROM membermemberships mm"""


def fact_membership_period_sql(d, src):
    return f"""
        SELECT x.nk AS membership_id, COALESCE(dm.member_key, {U}) AS member_key,
               COALESCE(dt.membership_type_key, {U}) AS membership_type_key,
               {d.date_key('x.startdate')} AS start_date_key, {d.date_key('x.enddate')} AS end_date_key,
               x.startdate AS start_date, x.enddate AS end_date, x.status AS status, x.autorenew AS auto_renew,
               {FINGERPRINT}
        FROM {src} x
        {member_at('dm', 'x.memberid', 'x.startdate')}
        {version_join('dt', 'dim_membership_type', 'membership_type_id', 'x.membershiptypeid', 'x.startdate')}"""


# --------------------------------------------------------------- equipment
def equipment_usage_source(d):
    return """
        SELECT u.usageid AS nk, u.memberid, u.equipmentid, u.starttime, u.durationminutes, u.usagetype,
               e.facilityid, e.areaid
        FROM equipmentusage u
        JOIN equipment e ON e.equipmentid = u.equipmentid"""


def fact_equipment_usage_sql(d, src):
    return f"""
        SELECT x.nk AS usage_id, x.date_key AS date_key, x.start_hour AS time_key,
               COALESCE(dm.member_key, {U}) AS member_key, COALESCE(de.equipment_key, {U}) AS equipment_key,
               COALESCE(df.facility_key, {U}) AS facility_key, COALESCE(da.area_key, {U}) AS area_key,
               x.durationminutes AS duration_minutes, x.usagetype AS usage_type, {FINGERPRINT}
        FROM (SELECT l.*, {d.date_key('l.event_date')} AS date_key
              FROM (SELECT u.*, {d.local_date('u.starttime')} AS event_date, {d.local_hour('u.starttime')} AS start_hour
                    FROM {src} u{d.computed_once()}) l{d.computed_once()}) x
        {member_at('dm', 'x.memberid', 'x.event_date')}
        LEFT JOIN dim_equipment de ON de.equipment_id = x.equipmentid
        LEFT JOIN dim_facility df ON df.facility_id = x.facilityid
        LEFT JOIN dim_area da ON da.area_id = x.areaid"""


def equipment_maintenance_source(d):
    return """
        SELECT m.maintenanceid AS nk, m.equipmentid, m.maintenancedate, m.maintenancetype, m.cost, e.facilityid
        FROM equipmentmaintenance m
        JOIN equipment e ON e.equipmentid = m.equipmentid"""


def fact_equipment_maintenance_sql(d, src):
    return f"""
        SELECT x.nk AS maintenance_id, {d.date_key('x.maintenancedate')} AS date_key,
               COALESCE(de.equipment_key, {U}) AS equipment_key, COALESCE(df.facility_key, {U}) AS facility_key,
               x.maintenancetype AS maintenance_type, x.cost AS cost, {FINGERPRINT}
        FROM {src} x
        LEFT JOIN dim_equipment de ON de.equipment_id = x.equipmentid
        LEFT JOIN dim_facility df ON df.facility_id = x.facilityid"""


# ------------------------------------------------------------------- staff
def staff_shift_source(d):
    return """
        SELECT ss.scheduleid AS nk, ss.staffid, ss.facilityid, ss.areaid, ss.scheduledate, ss.starttime,
               ss.shifttype, ss.status, ss.scheduledhours, COALESCE(tt.entries, 0) AS entries,
               COALESCE(tt.hours, 0) AS hours, COALESCE(tt.overtime, 0) AS overtime,
               COALESCE(tt.break_minutes, 0) AS break_minutes
        FROM staffschedules ss
        LEFT JOIN (SELECT scheduleid, COUNT(*) AS entries, SUM(COALESCE(actualhours, 0)) AS hours,
                          SUM(overtimehours) AS overtime, SUM(breakminutes) AS break_minutes
                   FROM stafftimetracking GROUP BY scheduleid) tt ON tt.scheduleid = ss.scheduleid"""


def fact_staff_shift_sql(d, src):
    # Overtime is paid at OVERTIME_MULTIPLIER x the rate valid on the shift's date (rule S5).
    return f"""
        SELECT x.nk AS schedule_id, {d.date_key('x.scheduledate')} AS date_key,
               {d.hour_of_time('x.starttime')} AS time_key, COALESCE(ds.staff_key, {U}) AS staff_key,
               COALESCE(df.facility_key, {U}) AS facility_key, da.area_key AS area_key,
               x.shifttype AS shift_type, x.status AS status, x.scheduledhours AS scheduled_hours,
               x.entries AS time_entries, ROUND(x.hours, 2) AS actual_hours,
               ROUND(x.overtime, 2) AS overtime_hours, x.break_minutes AS break_minutes,
               ROUND((x.hours - x.overtime) * COALESCE(ds.hourly_rate, 0)
                     + x.overtime * COALESCE(ds.hourly_rate, 0) * {OVERTIME_MULTIPLIER}, 2) AS labor_cost, {FINGERPRINT}
        FROM {src} x
        {staff_at('ds', 'x.staffid', 'x.scheduledate')}
        LEFT JOIN dim_facility df ON df.facility_id = x.facilityid
        LEFT JOIN dim_area da ON da.area_id = x.areaid"""


def payroll_source(d):
    # Payroll belongs to the facility of the assignment in force at period end
    # (primary first, then any; else any assignment at all).
    return """
        SELECT py.payrollid AS nk, py.staffid, py.paydate, py.payperiodstart, py.payperiodend, py.regularhours,
               py.overtimehours, py.regularpay, py.overtimepay, py.bonuses, py.deductions, py.grosspay, py.netpay,
               COALESCE(
                  (SELECT MIN(sf.facilityid) FROM stafffacilities sf
                   WHERE sf.staffid = py.staffid AND sf.isprimary AND sf.startdate <= py.payperiodend
                     AND (sf.enddate IS NULL OR sf.enddate >= py.payperiodend)),
                  (SELECT MIN(sf.facilityid) FROM stafffacilities sf
                   WHERE sf.staffid = py.staffid AND sf.startdate <= py.payperiodend
                     AND (sf.enddate IS NULL OR sf.enddate >= py.payperiodend)),
                  (SELECT MIN(sf.facilityid) FROM stafffacilities sf WHERE sf.staffid = py.staffid)
               ) AS assigned_facility_id
        FROM staffpayroll py"""


def fact_payroll_sql(d, src):
    return f"""
        SELECT x.nk AS payroll_id, {d.date_key('x.paydate')} AS date_key,
               {d.date_key('x.payperiodstart')} AS period_start_date_key,
               {d.date_key('x.payperiodend')} AS period_end_date_key,
               COALESCE(ds.staff_key, {U}) AS staff_key, COALESCE(df.facility_key, {U}) AS facility_key,
               x.regularhours AS regular_hours, x.overtimehours AS overtime_hours, x.regularpay AS regular_pay,
               x.overtimepay AS overtime_pay, x.bonuses AS bonuses, x.deductions AS deductions,
               x.grosspay AS gross_pay, x.netpay AS net_pay, {FINGERPRINT}
        FROM {src} x
        {staff_at('ds', 'x.staffid', 'x.payperiodend')}
        LEFT JOIN dim_facility df ON df.facility_id = x.assigned_facility_id"""


def instructor_feedback_source(d):
    return """
        SELECT f.feedbackid AS nk, f.instructorid, f.memberid, f.feedbackdate, f.classinstanceid,
               f.teachingquality, f.communication, f.motivation, f.overallrating, ci.classdate, cs.classtypeid
        FROM instructorfeedback f
        JOIN classinstances ci ON ci.instanceid = f.classinstanceid
        JOIN classschedules cs ON cs.scheduleid = ci.scheduleid"""


def fact_instructor_feedback_sql(d, src):
    return f"""
        SELECT x.nk AS feedback_id, {d.date_key('x.feedbackdate')} AS date_key,
               COALESCE(ds.staff_key, {U}) AS instructor_key, COALESCE(dm.member_key, {U}) AS member_key,
               COALESCE(dc.class_type_key, {U}) AS class_type_key, x.classinstanceid AS instance_id,
               x.teachingquality AS teaching_quality, x.communication AS communication, x.motivation AS motivation,
               x.overallrating AS overall_rating, {FINGERPRINT}
        FROM {src} x
        {staff_at('ds', 'x.instructorid', 'x.classdate')}
        {member_at('dm', 'x.memberid', 'x.classdate')}
        LEFT JOIN dim_class_type dc ON dc.class_type_id = x.classtypeid"""


def staff_certification_source(d):
    return """
        SELECT sc.staffcertificationid AS nk, sc.staffid, sc.certificationid, sc.certificationdate, sc.expirydate,
               sc.status
        FROM staffcertifications sc"""


def fact_staff_certification_sql(d, src):
    return f"""
        SELECT x.nk AS staff_certification_id, x.staffid AS staff_id,
               COALESCE(dc.certification_key, {U}) AS certification_key, x.certificationdate AS certification_date,
               x.expirydate AS expiry_date, {d.day_serial('x.expirydate')} AS expiry_day_serial,
               x.status AS status, {FINGERPRINT}
        FROM {src} x
        LEFT JOIN dim_certification dc ON dc.certification_id = x.certificationid"""


# A payment's membership type and facility come through the member version
# valid on its date (its membership type, its home facility).
VIA_MEMBER = "JOIN dim_member vm ON vm.member_id = s.memberid"

FACTS = [
    FactSpec("fact_visit", "access_id", visit_source, fact_visit_sql, (
        Lookup("member", "s.memberid", "s.checkintime", timestamp=True),
        Lookup("facility", "s.facilityid"),
        Lookup("area", "s.areaid"),
    ), touches=(TOUCHED_PAIRS,)),
    FactSpec("fact_class_session", "instance_id", class_session_source, fact_class_session_sql, (
        Lookup("staff", "s.instructorid", "s.classdate"),
        Lookup("class_type", "s.classtypeid"),
        Lookup("facility", "s.facilityid"),
        Lookup("area", "s.areaid"),
    ), touches=(TOUCHED_PAIRS,)),
    FactSpec("fact_class_attendance", "enrollment_id", class_attendance_source, fact_class_attendance_sql, (
        Lookup("member", "s.memberid", "s.classdate"),
        Lookup("staff", "s.instructorid", "s.classdate"),
        Lookup("class_type", "s.classtypeid"),
        Lookup("facility", "s.facilityid"),
    )),
    FactSpec("fact_payment", "payment_id", payment_source, fact_payment_sql, (
        Lookup("member", "s.memberid", "s.paymentdate"),
        Lookup("member_home", "s.memberid"),
        Lookup("member_type", "s.memberid", "s.paymentdate"),
        Lookup("membership_type", "vm.membership_type_id", "s.paymentdate", joins=VIA_MEMBER),
        Lookup("facility", "vm.home_facility_id", joins=VIA_MEMBER),
    ), touches=(TOUCHED_PAIRS,)),
    FactSpec("fact_membership_period", "membership_id", membership_period_source, fact_membership_period_sql, (
        Lookup("member", "s.memberid", "s.startdate"),
        Lookup("membership_type", "s.membershiptypeid", "s.startdate"),
    ), touches=(TOUCHED_MEMBERS,)),
    FactSpec("fact_equipment_usage", "usage_id", equipment_usage_source, fact_equipment_usage_sql, (
        Lookup("member", "s.memberid", "s.starttime", timestamp=True),
        Lookup("equipment", "s.equipmentid"),
        Lookup("facility", "s.facilityid"),
        Lookup("area", "s.areaid"),
    ), touches=(TOUCHED_PAIRS,)),
    FactSpec("fact_equipment_maintenance", "maintenance_id", equipment_maintenance_source,
             fact_equipment_maintenance_sql, (
                 Lookup("equipment", "s.equipmentid"),
                 Lookup("facility", "s.facilityid"),
             )),
    FactSpec("fact_staff_shift", "schedule_id", staff_shift_source, fact_staff_shift_sql, (
        Lookup("staff", "s.staffid", "s.scheduledate"),
        Lookup("staff_rate", "s.staffid", "s.scheduledate"),
        Lookup("facility", "s.facilityid"),
        Lookup("area", "s.areaid"),
    ), touches=(TOUCHED_PAIRS,)),
    FactSpec("fact_payroll", "payroll_id", payroll_source, fact_payroll_sql, (
        Lookup("staff", "s.staffid", "s.payperiodend"),
        Lookup("facility", "s.assigned_facility_id"),
    )),
    FactSpec("fact_instructor_feedback", "feedback_id", instructor_feedback_source, fact_instructor_feedback_sql, (
        Lookup("staff", "s.instructorid", "s.classdate"),
        Lookup("member", "s.memberid", "s.classdate"),
        Lookup("class_type", "s.classtypeid"),
    )),
    FactSpec("fact_staff_certification", "staff_certification_id", staff_certification_source,
             fact_staff_certification_sql, (
                 Lookup("certification", "s.certificationid"),
             )),
]
FACTS_BY_TABLE = {spec.table: spec for spec in FACTS}


def start_touch_logs(ctx):
    for log in (TOUCHED_PAIRS, TOUCHED_MEMBERS):
        log.start(ctx)


def load_fact(ctx, spec):
    """Full build: insert transform(every source row) into the emptied table
    (nothing to compare against), then digest it. Incremental: stage
    transform(candidate rows) only and apply the differences among them."""
    d = ctx.dialect
    if ctx.full:
        insert_all(ctx, spec.table, spec.transform(d, f"({fingerprinted_source(ctx, spec)})"))
        with timed(ctx, spec.table):
            digest_loaded_fact(ctx, spec)
        return
    candidates = candidate_keys(ctx, spec)
    name = f"stg_{spec.table}"
    with timed(ctx, spec.table) as counts:
        src = f"(SELECT s.* FROM ({fingerprinted_source(ctx, spec)}) s WHERE s.nk IN (SELECT nk FROM {candidates}))"
        counts.read += stage(ctx, name, spec.transform(d, src))
        columns = [c for c in column_names(ctx, name) if c != spec.natural_key]
        inserted, updated, deleted = apply_changes(
            ctx, spec.table, name, candidates, spec.natural_key, columns,
            touched=spec.touches,
        )
        counts.inserted += inserted
        counts.updated += updated
        counts.deleted += deleted
        store_digests(ctx, spec)
        ctx.execute(f"DROP TABLE {name}")
        ctx.temp_tables.remove(name)
        drop_change_tables(ctx, spec)


def insert_all(ctx, table, select_sql):
    with timed(ctx, table) as counts:
        ctx.cursor.execute(f"SELECT * FROM ({select_sql}) s LIMIT 0")
        columns = ", ".join(col[0] for col in ctx.cursor.description)
        # Indexes built once over the new rows are several times cheaper than maintained row by row.
        rebuild = ctx.dialect.drop_secondary_structures(ctx.cursor, [table])
        inserted = ctx.execute(
            f"INSERT INTO {table} ({columns}, etl_batch_id) SELECT {columns}, %s FROM ({select_sql}) s", [ctx.batch_id]
        )
        for statement in rebuild:
            ctx.execute(statement)
        ctx.dialect.analyze(ctx.cursor, [table])  # refilled in this transaction: the planner has no statistics
        counts.read += inserted
        counts.inserted += inserted


def fact_step(spec):
    def step(ctx):
        load_fact(ctx, spec)

    step.__name__ = f"load_{spec.table}"
    return step


FACT_STEPS = [fact_step(spec) for spec in FACTS]
