"""The star schema: dimensions (dim_*), atomic facts (fact_*), the aggregates
behind the dashboard (agg_*) and the ETL audit (etl_batch).

These tables are written only by the set-based loaders in `warehouse.etl`
(plain SQL, never `save()`); the models exist so that migrations create the
tables on every backend and the admin and tests can read them.

Conventions (Kimball):
- every dimension has an integer surrogate key `<name>_key` and keeps the
  ODS natural key (`member_id`, ...);
- SCD 2 dimensions carry `effective_date` (inclusive), `expiration_date`
  (exclusive, 9999-12-31 while current) and `is_current`; a fact points at the
  version whose range holds the event date;
- key -1 is the "unknown" row of member, membership type, staff and facility,
  used for late-arriving or missing references (monitored by
  `build_warehouse --status`);
- facts keep the natural key of their ODS row (unique), the id of the ETL
  batch that last wrote them and a fingerprint of the ODS values they were
  built from (`source_fingerprint`); `etl_source_digest` sums those
  fingerprints per bucket of natural keys, so an incremental batch finds what
  changed in the ODS without comparing every row. Dimension keys in facts are
  plain integers (no database foreign keys): loads stay fast and orphans are
  *measured*.
"""
from django.db import models

from fitness.core.fields import IdField
from fitness.core.permissions import DASHBOARD

MONEY = {"max_digits": 12, "decimal_places": 2}
HOURS = {"max_digits": 9, "decimal_places": 2}
UNKNOWN_KEY = -1
OPEN_END = "9999-12-31"  # expiration_date of a current SCD 2 version


def key():
    return models.IntegerField()


def batch_id():
    return models.IntegerField(db_index=True)


def fingerprint_field():
    return models.BigIntegerField(null=True, help_text="Hash of the ODS values this row was built from.")


class Scd2Fields(models.Model):
    effective_date = models.DateField()
    expiration_date = models.DateField()
    is_current = models.BooleanField(default=True)
    etl_batch_id = models.IntegerField(null=True)

    class Meta:
        abstract = True


# ---------------------------------------------------------------- dimensions
class DimDate(models.Model):
    date_key = models.IntegerField(primary_key=True, help_text="YYYYMMDD")
    full_date = models.DateField(unique=True)
    year = models.IntegerField()
    quarter = models.IntegerField()
    month = models.IntegerField()
    month_name = models.CharField(max_length=20)
    year_month = models.CharField(max_length=7, help_text="YYYY-MM, for grouping in plain SQL.")
    month_serial = models.IntegerField(help_text="year * 12 + month - 1: month arithmetic in plain SQL.")
    day = models.IntegerField()
    days_in_month = models.IntegerField()
    day_of_week = models.IntegerField(help_text="1 = Monday ... 7 = Sunday")
    day_name = models.CharField(max_length=20)
    week_of_year = models.IntegerField()
    day_serial = models.IntegerField(help_text="Days since 1970-01-01: day arithmetic in plain SQL.")
    is_weekend = models.BooleanField()
    is_holiday = models.BooleanField(default=False)
    holiday_name = models.CharField(max_length=100, null=True, blank=True)
    fiscal_year = models.IntegerField(help_text="Fiscal years start in July; named by their starting year.")
    fiscal_quarter = models.IntegerField()

    class Meta:
        db_table = "dim_date"
        indexes = [models.Index(fields=["year", "month"], name="dim_date_year_month_idx")]


class DimTimeOfDay(models.Model):
    time_key = models.IntegerField(primary_key=True, help_text="Hour of the day, 0-23 (local time).")
    hour = models.IntegerField()
    hour_label = models.CharField(max_length=5)
    part_of_day = models.CharField(max_length=20)
    is_weekday_peak = models.BooleanField()
    is_weekend_peak = models.BooleanField()

    class Meta:
        db_table = "dim_time_of_day"


class DimMember(Scd2Fields):
    """SCD 2 on membership type, member status, city and zip; other columns type 1."""

    member_key = models.AutoField(primary_key=True)
    member_id = IdField(max_length=20)
    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60)
    gender = models.CharField(max_length=1)
    date_of_birth = models.DateField(null=True)
    join_date = models.DateField(null=True)
    state = models.CharField(max_length=50)
    home_facility_id = IdField(
        max_length=20, null=True,
        help_text="Facility of most visits; for a member without visits, the club where they live.",
    )
    membership_type_id = IdField(max_length=20, null=True)
    member_status = models.CharField(max_length=20)
    city = models.CharField(max_length=100)
    zip_code = models.CharField(max_length=10)

    class Meta:
        db_table = "dim_member"
        constraints = [models.UniqueConstraint(fields=["member_id", "effective_date"], name="dim_member_version_uniq")]
        indexes = [models.Index(fields=["member_id", "is_current"], name="dim_member_current_idx")]


class DimMembershipType(Scd2Fields):
    """SCD 2 on the fees (price history)."""

    membership_type_key = models.AutoField(primary_key=True)
    membership_type_id = IdField(max_length=20)
    type_name = models.CharField(max_length=100)
    duration_months = models.IntegerField()
    max_family_members = models.IntegerField()
    is_active = models.BooleanField()
    monthly_fee = models.DecimalField(**MONEY)
    registration_fee = models.DecimalField(**MONEY)

    class Meta:
        db_table = "dim_membership_type"
        constraints = [
            models.UniqueConstraint(fields=["membership_type_id", "effective_date"], name="dim_mtype_version_uniq")
        ]


class DimStaff(Scd2Fields):
    """SCD 2 on job title, hourly rate and status."""

    staff_key = models.AutoField(primary_key=True)
    staff_id = IdField(max_length=20)
    employee_number = models.CharField(max_length=20)
    first_name = models.CharField(max_length=60)
    last_name = models.CharField(max_length=60)
    department = models.CharField(max_length=30)
    employment_type = models.CharField(max_length=20)
    hire_date = models.DateField(null=True)
    termination_date = models.DateField(null=True)
    job_title = models.CharField(max_length=40)
    hourly_rate = models.DecimalField(**MONEY)
    status = models.CharField(max_length=20)

    class Meta:
        db_table = "dim_staff"
        constraints = [models.UniqueConstraint(fields=["staff_id", "effective_date"], name="dim_staff_version_uniq")]
        indexes = [models.Index(fields=["staff_id", "is_current"], name="dim_staff_current_idx")]


class DimFacility(models.Model):
    """SCD 1."""

    facility_key = models.AutoField(primary_key=True)
    facility_id = IdField(max_length=20, unique=True)
    facility_name = models.CharField(max_length=120)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=50)
    zip_code = models.CharField(max_length=10)
    open_time = models.TimeField(null=True)
    close_time = models.TimeField(null=True)
    open_hours_per_day = models.DecimalField(**HOURS)
    total_capacity = models.IntegerField(help_text="Sum of the maximum capacity of its active areas.")
    is_active = models.BooleanField()
    etl_batch_id = models.IntegerField(null=True)

    class Meta:
        db_table = "dim_facility"


class DimArea(models.Model):
    """SCD 1."""

    area_key = models.AutoField(primary_key=True)
    area_id = IdField(max_length=20, unique=True)
    facility_id = IdField(max_length=20)
    area_name = models.CharField(max_length=100)
    area_type = models.CharField(max_length=30)
    max_capacity = models.IntegerField()
    square_footage = models.DecimalField(max_digits=10, decimal_places=2)
    is_active = models.BooleanField()
    etl_batch_id = models.IntegerField(null=True)

    class Meta:
        db_table = "dim_area"


class DimClassType(models.Model):
    """SCD 1."""

    class_type_key = models.AutoField(primary_key=True)
    class_type_id = IdField(max_length=20, unique=True)
    class_name = models.CharField(max_length=100)
    category = models.CharField(max_length=30)
    duration_minutes = models.IntegerField()
    max_participants = models.IntegerField()
    required_certifications = models.CharField(max_length=200, null=True)
    is_active = models.BooleanField()
    etl_batch_id = models.IntegerField(null=True)

    class Meta:
        db_table = "dim_class_type"


class DimEquipment(models.Model):
    """SCD 1."""

    equipment_key = models.AutoField(primary_key=True)
    equipment_id = IdField(max_length=20, unique=True)
    facility_id = IdField(max_length=20)
    area_id = IdField(max_length=20)
    equipment_name = models.CharField(max_length=120)
    equipment_type = models.CharField(max_length=60)
    brand = models.CharField(max_length=100)
    model_name = models.CharField(max_length=100)
    purchase_date = models.DateField(null=True)
    purchase_price = models.DecimalField(**MONEY)
    status = models.CharField(max_length=20)
    etl_batch_id = models.IntegerField(null=True)

    class Meta:
        db_table = "dim_equipment"


class DimCertification(models.Model):
    """SCD 0: a certification, once loaded, never changes."""

    certification_key = models.AutoField(primary_key=True)
    certification_id = IdField(max_length=20, unique=True)
    certification_name = models.CharField(max_length=120)
    issuing_organization = models.CharField(max_length=120)
    validity_months = models.IntegerField()
    is_required = models.BooleanField()
    etl_batch_id = models.IntegerField(null=True)

    class Meta:
        db_table = "dim_certification"


# --------------------------------------------------------------------- facts
class FactVisit(models.Model):
    """One check-in (memberaccess row)."""

    visit_key = models.BigAutoField(primary_key=True)
    access_id = IdField(max_length=20)
    date_key = key()
    time_key = key()
    check_out_hour = models.IntegerField(null=True)
    member_key = key()
    facility_key = key()
    area_key = key()
    check_in_time = models.DateTimeField()
    check_out_time = models.DateTimeField(null=True)
    duration_minutes = models.IntegerField(null=True)
    access_method = models.CharField(max_length=20)
    etl_batch_id = batch_id()
    source_fingerprint = fingerprint_field()

    class Meta:
        db_table = "fact_visit"
        constraints = [models.UniqueConstraint(fields=["access_id"], name="fact_visit_nk_uniq")]
        indexes = [models.Index(fields=["facility_key", "date_key"], name="fact_visit_fac_date_idx")]


class FactClassSession(models.Model):
    """One class instance with its enrollment counts (for fill rates)."""

    session_key = models.BigAutoField(primary_key=True)
    instance_id = IdField(max_length=20)
    schedule_id = IdField(max_length=20)
    date_key = key()
    time_key = key()
    day_of_week = models.IntegerField()
    start_time = models.TimeField()
    class_type_key = key()
    facility_key = key()
    area_key = key()
    instructor_key = key()
    status = models.CharField(max_length=20)
    capacity = models.IntegerField()
    enrolled = models.IntegerField(help_text="Enrollments holding a place (Enrolled, Attended, No-Show).")
    attended = models.IntegerField()
    no_shows = models.IntegerField()
    waitlisted = models.IntegerField()
    cancelled_enrollments = models.IntegerField()
    etl_batch_id = batch_id()
    source_fingerprint = fingerprint_field()

    class Meta:
        db_table = "fact_class_session"
        constraints = [models.UniqueConstraint(fields=["instance_id"], name="fact_class_session_nk_uniq")]
        indexes = [models.Index(fields=["facility_key", "date_key"], name="fact_csess_fac_date_idx")]


class FactClassAttendance(models.Model):
    """One enrollment."""

    attendance_key = models.BigAutoField(primary_key=True)
    enrollment_id = IdField(max_length=20)
    instance_id = IdField(max_length=20)
    date_key = key()
    time_key = key()
    enrollment_date_key = key()
    member_key = key()
    class_type_key = key()
    facility_key = key()
    instructor_key = key()
    enrollment_status = models.CharField(max_length=20)
    is_attended = models.IntegerField()
    is_no_show = models.IntegerField()
    payment_amount = models.DecimalField(**MONEY)
    etl_batch_id = batch_id()
    source_fingerprint = fingerprint_field()

    class Meta:
        db_table = "fact_class_attendance"
        constraints = [models.UniqueConstraint(fields=["enrollment_id"], name="fact_class_attendance_nk_uniq")]
        indexes = [models.Index(fields=["instructor_key", "member_key"], name="fact_cattend_instr_idx")]


class FactPayment(models.Model):
    """One member payment; facility = the member's home facility."""

    payment_key = models.BigAutoField(primary_key=True)
    payment_id = IdField(max_length=20)
    date_key = key()
    member_key = key()
    membership_type_key = key()
    facility_key = key()
    amount = models.DecimalField(**MONEY)
    payment_type = models.CharField(max_length=20)
    payment_method = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    etl_batch_id = batch_id()
    source_fingerprint = fingerprint_field()

    class Meta:
        db_table = "fact_payment"
        constraints = [models.UniqueConstraint(fields=["payment_id"], name="fact_payment_nk_uniq")]
        indexes = [models.Index(fields=["date_key", "facility_key"], name="fact_payment_date_fac_idx")]


class FactMembershipPeriod(models.Model):
    """One membership period (membermemberships row): the basis of retention."""

    membership_period_key = models.BigAutoField(primary_key=True)
    membership_id = IdField(max_length=20)
    member_key = key()
    membership_type_key = key()
    start_date_key = key()
    end_date_key = key()
    start_date = models.DateField()
    end_date = models.DateField()
    status = models.CharField(max_length=20)
    auto_renew = models.BooleanField()
    etl_batch_id = batch_id()
    source_fingerprint = fingerprint_field()

    class Meta:
        db_table = "fact_membership_period"
        constraints = [models.UniqueConstraint(fields=["membership_id"], name="fact_membership_period_nk_uniq")]


class FactEquipmentUsage(models.Model):
    """One equipment session."""

    usage_key = models.BigAutoField(primary_key=True)
    usage_id = IdField(max_length=20)
    date_key = key()
    time_key = key()
    member_key = key()
    equipment_key = key()
    facility_key = key()
    area_key = key()
    duration_minutes = models.IntegerField(null=True)
    usage_type = models.CharField(max_length=20)
    etl_batch_id = batch_id()
    source_fingerprint = fingerprint_field()

    class Meta:
        db_table = "fact_equipment_usage"
        constraints = [models.UniqueConstraint(fields=["usage_id"], name="fact_equipment_usage_nk_uniq")]
        indexes = [
            models.Index(fields=["equipment_key", "date_key"], name="fact_equse_equip_date_idx"),
            # agg_equipment_daily recomputes the (date, facility) pairs a batch touched through it.
            models.Index(fields=["facility_key", "date_key"], name="fact_equse_fac_date_idx"),
        ]


class FactEquipmentMaintenance(models.Model):
    """One maintenance event (downtime for the utilization report)."""

    maintenance_key = models.BigAutoField(primary_key=True)
    maintenance_id = IdField(max_length=20)
    date_key = key()
    equipment_key = key()
    facility_key = key()
    maintenance_type = models.CharField(max_length=20)
    cost = models.DecimalField(**MONEY)
    etl_batch_id = batch_id()
    source_fingerprint = fingerprint_field()

    class Meta:
        db_table = "fact_equipment_maintenance"
        constraints = [models.UniqueConstraint(fields=["maintenance_id"], name="fact_equipment_maintenance_nk_uniq")]


class FactStaffShift(models.Model):
    """One staff shift joined with its time tracking; cost at the rate valid that day."""

    shift_key = models.BigAutoField(primary_key=True)
    schedule_id = IdField(max_length=20)
    date_key = key()
    time_key = key()
    staff_key = key()
    facility_key = key()
    area_key = models.IntegerField(null=True)
    shift_type = models.CharField(max_length=20)
    status = models.CharField(max_length=20)
    scheduled_hours = models.DecimalField(**HOURS)
    time_entries = models.IntegerField()
    actual_hours = models.DecimalField(**HOURS)
    overtime_hours = models.DecimalField(**HOURS)
    break_minutes = models.IntegerField()
    labor_cost = models.DecimalField(**MONEY, help_text="Regular hours x rate + overtime hours x rate x 1.5.")
    etl_batch_id = batch_id()
    source_fingerprint = fingerprint_field()

    class Meta:
        db_table = "fact_staff_shift"
        constraints = [models.UniqueConstraint(fields=["schedule_id"], name="fact_staff_shift_nk_uniq")]
        indexes = [models.Index(fields=["facility_key", "date_key"], name="fact_shift_fac_date_idx")]


class FactPayroll(models.Model):
    """One payroll row; facility = the staff member's primary facility at period end."""

    payroll_key = models.BigAutoField(primary_key=True)
    payroll_id = IdField(max_length=20)
    date_key = key()  # pay date
    period_start_date_key = key()
    period_end_date_key = key()
    staff_key = key()
    facility_key = key()
    regular_hours = models.DecimalField(**HOURS)
    overtime_hours = models.DecimalField(**HOURS)
    regular_pay = models.DecimalField(**MONEY)
    overtime_pay = models.DecimalField(**MONEY)
    bonuses = models.DecimalField(**MONEY)
    deductions = models.DecimalField(**MONEY)
    gross_pay = models.DecimalField(**MONEY)
    net_pay = models.DecimalField(**MONEY)
    etl_batch_id = batch_id()
    source_fingerprint = fingerprint_field()

    class Meta:
        db_table = "fact_payroll"
        constraints = [models.UniqueConstraint(fields=["payroll_id"], name="fact_payroll_nk_uniq")]


class FactInstructorFeedback(models.Model):
    """One feedback form about an instructor."""

    feedback_key = models.BigAutoField(primary_key=True)
    feedback_id = IdField(max_length=20)
    date_key = key()
    instructor_key = key()
    member_key = key()
    class_type_key = key()
    instance_id = IdField(max_length=20)
    teaching_quality = models.IntegerField()
    communication = models.IntegerField()
    motivation = models.IntegerField()
    overall_rating = models.IntegerField()
    etl_batch_id = batch_id()
    source_fingerprint = fingerprint_field()

    class Meta:
        db_table = "fact_instructor_feedback"
        constraints = [models.UniqueConstraint(fields=["feedback_id"], name="fact_instructor_feedback_nk_uniq")]


class FactStaffCertification(models.Model):
    """One certification held by a staff member (validity period)."""

    staff_certification_key = models.BigAutoField(primary_key=True)
    staff_certification_id = IdField(max_length=20)
    staff_id = IdField(max_length=20)
    certification_key = key()
    certification_date = models.DateField()
    expiry_date = models.DateField()
    expiry_day_serial = models.IntegerField(help_text="Days since 1970-01-01 (dim_date.day_serial scale).")
    status = models.CharField(max_length=20)
    etl_batch_id = batch_id()
    source_fingerprint = fingerprint_field()

    class Meta:
        db_table = "fact_staff_certification"
        constraints = [models.UniqueConstraint(fields=["staff_certification_id"], name="fact_staff_certification_nk_uniq")]


# ---------------------------------------------------------------- aggregates
# Written by warehouse/etl/aggregates.py: rebuilt by a full build, recomputed
# by an incremental batch for the keys (facility and day, join month) whose
# facts it wrote or removed. The dashboard reads only these tables.
def agg_indexes(short):
    """A facility filter with or without a date range: the facility's rows in date order."""
    return [models.Index(fields=["facility_key", "date_key"], name=f"{short}_fac_date_idx")]


class AggFacilityDaily(models.Model):
    """One row per facility and day with any visit, held class, payment or shift."""

    agg_key = models.BigAutoField(primary_key=True)
    date_key = key()
    facility_key = key()
    visits = models.IntegerField()
    unique_members = models.IntegerField()
    peak_hourly_occupancy = models.IntegerField(help_text="Most members present during one hour of the day.")
    class_sessions = models.IntegerField()
    class_attendance = models.IntegerField()
    class_capacity = models.IntegerField()
    class_fill_rate = models.DecimalField(max_digits=7, decimal_places=4, null=True)
    payments = models.IntegerField(default=0, help_text="Payments of any status (by the member's home facility).")
    revenue = models.DecimalField(**MONEY, help_text="Completed payments.")
    failed_amount = models.DecimalField(**MONEY, default=0)
    refunded_amount = models.DecimalField(**MONEY, default=0)
    shifts = models.IntegerField(default=0)
    labor_hours = models.DecimalField(**HOURS)
    overtime_hours = models.DecimalField(**HOURS, default=0)
    labor_cost = models.DecimalField(**MONEY)
    etl_batch_id = batch_id()

    class Meta:
        db_table = "agg_facility_daily"
        constraints = [models.UniqueConstraint(fields=["date_key", "facility_key"], name="agg_facility_daily_uniq")]
        indexes = agg_indexes("agg_fday")


class AggVisitHourly(models.Model):
    """Check-ins per facility, day and hour of check-in (the dashboard's heat map)."""

    agg_key = models.BigAutoField(primary_key=True)
    date_key = key()
    facility_key = key()
    time_key = key()
    day_of_week = models.IntegerField(help_text="1 = Monday ... 7 = Sunday (dim_date's).")
    visits = models.IntegerField()
    etl_batch_id = batch_id()

    class Meta:
        db_table = "agg_visit_hourly"
        constraints = [models.UniqueConstraint(fields=["date_key", "facility_key", "time_key"],
                                               name="agg_visit_hourly_uniq")]
        indexes = agg_indexes("agg_vhour")


class AggClassDaily(models.Model):
    """Held (Completed) class sessions per facility, day and class type."""

    agg_key = models.BigAutoField(primary_key=True)
    date_key = key()
    facility_key = key()
    class_type_key = key()
    sessions = models.IntegerField()
    attended = models.IntegerField()
    capacity = models.IntegerField()
    etl_batch_id = batch_id()

    class Meta:
        db_table = "agg_class_daily"
        constraints = [models.UniqueConstraint(fields=["date_key", "facility_key", "class_type_key"],
                                               name="agg_class_daily_uniq")]
        indexes = agg_indexes("agg_cday")


class AggEquipmentDaily(models.Model):
    """Equipment sessions and minutes in use per facility, day and equipment
    type (the type dim_equipment gives the machine now)."""

    agg_key = models.BigAutoField(primary_key=True)
    date_key = key()
    facility_key = key()
    equipment_type = models.CharField(max_length=60)
    sessions = models.IntegerField()
    minutes_in_use = models.BigIntegerField()
    etl_batch_id = batch_id()

    class Meta:
        db_table = "agg_equipment_daily"
        constraints = [models.UniqueConstraint(fields=["date_key", "facility_key", "equipment_type"],
                                               name="agg_equipment_daily_uniq")]
        indexes = agg_indexes("agg_eday")


class AggCohortRetention(models.Model):
    """Chain-wide join-month cohorts: of the members whose join date + k
    months is not after the warehouse's latest event date (eligible), how
    many held a membership on that day (retained); k = 1, 3, 6, 12."""

    agg_key = models.BigAutoField(primary_key=True)
    cohort_month = models.CharField(max_length=7, help_text="YYYY-MM of the join date.")
    months_after = models.IntegerField()
    eligible = models.IntegerField()
    retained = models.IntegerField()
    etl_batch_id = batch_id()

    class Meta:
        db_table = "agg_cohort_retention"
        constraints = [models.UniqueConstraint(fields=["cohort_month", "months_after"],
                                               name="agg_cohort_retention_uniq")]


class MemberCohort(models.Model):
    """Each member's join month as agg_cohort_retention last counted it, so
    that an incremental batch knows the cohort a member leaves when the join
    date changes (dim_member keeps only the new one)."""

    member_id = IdField(max_length=20, unique=True)
    cohort_month = models.CharField(max_length=7)

    class Meta:
        db_table = "etl_member_cohort"


class AggregateState(models.Model):
    """Per aggregate table: the signature of the SQL that last built it (an
    incremental batch rebuilds an aggregate whose SQL changed, or that was
    never built) and, for the retention cohorts, the as-of date it counted to."""

    aggregate = models.CharField(max_length=40, unique=True)
    signature = models.CharField(max_length=12)
    as_of_key = models.IntegerField(null=True)
    etl_batch_id = models.IntegerField()

    class Meta:
        db_table = "etl_aggregate_state"


class SourceDigest(models.Model):
    """Per fact table and bucket of natural keys (the key without its last
    three characters): how many source rows, the XOR of their fingerprints and
    the first and last key, as of the last batch. A bucket whose digest the
    ODS no longer matches holds a new, changed or deleted row."""

    fact_table = models.CharField(max_length=40)
    bucket = models.CharField(max_length=40)
    row_count = models.IntegerField()
    fingerprint = models.BigIntegerField()
    first_key = models.CharField(max_length=40)
    last_key = models.CharField(max_length=40)

    class Meta:
        db_table = "etl_source_digest"
        constraints = [models.UniqueConstraint(fields=["fact_table", "bucket"], name="etl_source_digest_uniq")]


class MemberVisitCount(models.Model):
    """Visits per member and facility in the ODS as of the last batch, behind
    dim_member's home facility (most visits): an incremental batch adds and
    subtracts the visits it finds changed instead of counting every visit."""

    member_id = IdField(max_length=20)
    facility_id = IdField(max_length=20)
    visits = models.IntegerField()

    class Meta:
        db_table = "etl_member_visits"
        constraints = [models.UniqueConstraint(fields=["member_id", "facility_id"], name="etl_member_visits_uniq")]


# ---------------------------------------------------------------------- audit
class EtlBatch(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    id = models.AutoField(primary_key=True)
    mode = models.CharField(max_length=12, help_text="incremental or full")
    as_of = models.DateField(help_text="Effective date of SCD 2 changes without their own timestamp.")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    error = models.TextField(blank=True, default="")
    rows_read = models.BigIntegerField(default=0)
    rows_inserted = models.BigIntegerField(default=0)
    rows_updated = models.BigIntegerField(default=0)
    rows_deleted = models.BigIntegerField(default=0)
    table_counts = models.JSONField(default=dict, help_text="{table: {read, inserted, updated, deleted, seconds}}")

    class Meta:
        db_table = "etl_batch"
        ordering = ["-id"]
        verbose_name = "ETL batch"
        verbose_name_plural = "ETL batches"
        permissions = [DASHBOARD]

    def __str__(self):
        return f"batch {self.id} {self.mode} {self.status}"
