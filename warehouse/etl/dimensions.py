"""Dimension loaders: calendar and time of day, unknown rows, SCD 0/1/2.

SCD types (see the issue): member, membership type and staff keep history
(SCD 2); facility, area, class type and equipment are overwritten (SCD 1);
certifications never change once loaded (SCD 0).

The small dimensions are staged whole on every batch. dim_member, which needs
every member's visits (home facility) and membership periods (type history),
stages on an incremental batch only the members whose ODS row, visits or
periods changed (or whose home by residence a new or moved club may change);
the visits per member and facility (etl_member_visits) are counted once by a
full build and then kept up to date from the visits a batch finds changed.
Every loader logs the changes facts can see
(statements.log_dimension_changes) so that their facts are staged again.
"""
import calendar
import datetime as dt

from django.db.models import Max, Min

from classes.models import ClassInstance
from equipment.models import EquipmentMaintenance
from facilities.models import MemberAccess
from members.models import Member, MemberMembership, MemberPayment
from staff.models import StaffPayroll, StaffSchedule

from ..models import UNKNOWN_KEY
from .changes import changed_source_keys
from .facts import FACTS_BY_TABLE
from .statements import column_names, load_scd2, log_new_keys, stage, timed, upsert_changed

EPOCH = dt.date(1970, 1, 1)
FIRST_DAY = "1900-01-01"  # first version of a dimension row whose history the ODS does not know


# ------------------------------------------------------------ calendar tables
def part_of_day(hour):
    if 5 <= hour < 12:
        return "Morning"
    if 12 <= hour < 17:
        return "Afternoon"
    if 17 <= hour < 22:
        return "Evening"
    return "Night"


def time_of_day_rows():
    # The seed's traffic pattern (rule V4): weekday peaks 06-09 and 17-20, weekend 09-18.
    return [
        (hour, hour, f"{hour:02d}:00", part_of_day(hour), hour in (6, 7, 8, 17, 18, 19), 9 <= hour < 18)
        for hour in range(24)
    ]


def nth_weekday(year, month, weekday, n):
    """n-th (1-based; -1 = last) given weekday (0 = Monday) of a month."""
    days = [d for d in range(1, calendar.monthrange(year, month)[1] + 1) if dt.date(year, month, d).weekday() == weekday]
    return dt.date(year, month, days[n - 1] if n > 0 else days[-1])


def us_holidays(year):
    """The fixed and floating US holidays a gym's traffic notices."""
    return {
        dt.date(year, 1, 1): "New Year's Day",
        nth_weekday(year, 5, 0, -1): "Memorial Day",
        dt.date(year, 7, 4): "Independence Day",
        nth_weekday(year, 9, 0, 1): "Labor Day",
        nth_weekday(year, 11, 3, 4): "Thanksgiving",
        dt.date(year, 12, 25): "Christmas Day",
    }


def date_row(day, holidays):
    holiday = holidays.get(day)
    return (
        int(day.strftime("%Y%m%d")), day, day.year, (day.month - 1) // 3 + 1, day.month, day.strftime("%B"),
        day.strftime("%Y-%m"), day.year * 12 + day.month - 1, day.day, calendar.monthrange(day.year, day.month)[1],
        day.isoweekday(), day.strftime("%A"), day.isocalendar()[1], (day - EPOCH).days, day.weekday() >= 5,
        holiday is not None, holiday,
        # Fiscal year starts in July and is named by its starting year (as in seed 003).
        day.year if day.month >= 7 else day.year - 1, ((day.month - 7) % 12) // 3 + 1,
    )


DATE_COLUMNS = (
    "date_key, full_date, year, quarter, month, month_name, year_month, month_serial, day, days_in_month, "
    "day_of_week, day_name, week_of_year, day_serial, is_weekend, is_holiday, holiday_name, fiscal_year, fiscal_quarter"
)


def ods_date_range(as_of):
    """First and last day the ODS talks about (events, periods, pay dates)."""
    days = [as_of]
    for model, first, last in [
        (Member, "join_date", "join_date"),
        (MemberMembership, "start_date", "end_date"),
        (MemberPayment, "payment_date", "payment_date"),
        (ClassInstance, "class_date", "class_date"),
        (StaffSchedule, "schedule_date", "schedule_date"),
        (StaffPayroll, "pay_period_start", "pay_date"),
        (EquipmentMaintenance, "maintenance_date", "maintenance_date"),
        (MemberAccess, "check_in_time", "check_in_time"),
    ]:
        bounds = model.objects.aggregate(first=Min(first), last=Max(last))
        days += [value for value in bounds.values() if value is not None]
    # Timestamps widen by one day on each side: their local date may differ from the UTC one.
    days = [d.date() if isinstance(d, dt.datetime) else d for d in days]
    return min(days) - dt.timedelta(days=1), max(days) + dt.timedelta(days=1)


def load_dim_date(ctx):
    with timed(ctx, "dim_date") as counts:
        first, last = ods_date_range(ctx.as_of)
        existing = set()
        ctx.cursor.execute("SELECT full_date FROM dim_date WHERE full_date BETWEEN %s AND %s", [first, last])
        for (value,) in ctx.cursor.fetchall():
            existing.add(value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)))
        holidays = {}
        for year in range(first.year, last.year + 1):
            holidays.update(us_holidays(year))
        missing = []
        day = first
        while day <= last:
            if day not in existing:
                missing.append(date_row(day, holidays))
            day += dt.timedelta(days=1)
        counts.read += (last - first).days + 1
        if missing:
            placeholders = ", ".join(["%s"] * len(missing[0]))
            ctx.cursor.executemany(f"INSERT INTO dim_date ({DATE_COLUMNS}) VALUES ({placeholders})", missing)
        counts.inserted += len(missing)


def load_dim_time_of_day(ctx):
    with timed(ctx, "dim_time_of_day") as counts:
        rows = time_of_day_rows()
        counts.read += len(rows)
        if ctx.scalar("SELECT COUNT(*) FROM dim_time_of_day") == len(rows):
            return
        ctx.execute("DELETE FROM dim_time_of_day")
        ctx.cursor.executemany(
            "INSERT INTO dim_time_of_day (time_key, hour, hour_label, part_of_day, is_weekday_peak, is_weekend_peak) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            rows,
        )
        counts.inserted += len(rows)


UNKNOWN_ROWS = {
    "dim_member": (
        "member_key, member_id, first_name, last_name, gender, state, member_status, city, zip_code, "
        "effective_date, expiration_date, is_current",
        "'UNKNOWN', 'Unknown', 'Member', 'O', '', 'Unknown', '', '', '1900-01-01', '9999-12-31', TRUE",
    ),
    "dim_membership_type": (
        "membership_type_key, membership_type_id, type_name, duration_months, max_family_members, is_active, "
        "monthly_fee, registration_fee, effective_date, expiration_date, is_current",
        "'UNKNOWN', 'No membership', 0, 0, FALSE, 0, 0, '1900-01-01', '9999-12-31', TRUE",
    ),
    "dim_staff": (
        "staff_key, staff_id, employee_number, first_name, last_name, department, employment_type, job_title, "
        "hourly_rate, status, effective_date, expiration_date, is_current",
        "'UNKNOWN', '', 'Unknown', 'Staff', '', '', '', 0, 'Unknown', '1900-01-01', '9999-12-31', TRUE",
    ),
    "dim_facility": (
        "facility_key, facility_id, facility_name, city, state, zip_code, open_hours_per_day, total_capacity, is_active",
        "'UNKNOWN', 'No home facility', '', '', '', 0, 0, FALSE",
    ),
}


def ensure_unknown_rows(ctx):
    """Key -1 rows so that a fact whose member (staff, facility) is missing or
    late still loads, visibly, instead of vanishing from totals."""
    for table, (columns, values) in UNKNOWN_ROWS.items():
        key_column = columns.split(",")[0]
        if not ctx.scalar(f"SELECT COUNT(*) FROM {table} WHERE {key_column} = %s", [UNKNOWN_KEY]):
            d = ctx.dialect
            values = values.replace("'1900-01-01'", d.date_literal("1900-01-01")).replace(
                "'9999-12-31'", d.date_literal("9999-12-31"))
            ctx.execute(f"INSERT INTO {table} ({columns}) VALUES (%s, {values})", [UNKNOWN_KEY])
            ctx.counts_for(table).inserted += 1


# -------------------------------------------------------------------- SCD 1
def load_scd1(ctx, table, stage_sql, natural_key, dimension):
    """Facts hold only the surrogate key, which an update keeps: only new
    natural keys concern them."""
    name = f"stg_{table}"
    with timed(ctx, table) as counts:
        counts.read += stage(ctx, name, stage_sql)
        columns = [c for c in column_names(ctx, name) if c != natural_key]
        log_new_keys(ctx, dimension, table, name, natural_key)
        inserted, updated, _ = upsert_changed(ctx, table, name, [natural_key], columns)
        counts.inserted += inserted
        counts.updated += updated


FACILITY_MOVES = "stg_facility_moves"


def note_facility_moves(ctx):
    """Incremental batch, before dim_facility is brought up to date: temp
    table (state) of the states where a club opened or changed city, state or
    zip code since the last batch (old and new state of a club that moved).
    The home by residence of members without visits there may change."""
    d = ctx.dialect
    moved = " OR ".join(d.distinct(f"t.{dim}", f"f.{ods}")
                        for dim, ods in (("city", "city"), ("state", "state"), ("zip_code", "zipcode")))
    with timed(ctx, "dim_facility"):
        if stage(ctx, FACILITY_MOVES, f"""
                SELECT f.state FROM facilities f LEFT JOIN dim_facility t ON t.facility_id = f.facilityid
                WHERE t.facility_key IS NULL OR {moved}
                UNION
                SELECT t.state FROM dim_facility t JOIN facilities f ON f.facilityid = t.facility_id
                WHERE {d.distinct('t.state', 'f.state')}"""):
            ctx.memo["facility_moves"] = FACILITY_MOVES


def load_dim_facility(ctx):
    d = ctx.dialect
    if not ctx.full:
        note_facility_moves(ctx)
    load_scd1(ctx, "dim_facility", f"""
        SELECT f.facilityid AS facility_id, f.facilityname AS facility_name, f.city AS city, f.state AS state,
               f.zipcode AS zip_code, f.opentime AS open_time, f.closetime AS close_time,
               ROUND({d.hours_between_times('f.opentime', 'f.closetime')}, 2) AS open_hours_per_day,
               COALESCE((SELECT SUM(a.maxcapacity) FROM facilityareas a
                         WHERE a.facilityid = f.facilityid AND a.isactive), 0) AS total_capacity,
               f.isactive AS is_active
        FROM facilities f""", "facility_id", "facility")


def load_dim_area(ctx):
    load_scd1(ctx, "dim_area", """
        SELECT areaid AS area_id, facilityid AS facility_id, areaname AS area_name, areatype AS area_type,
               maxcapacity AS max_capacity, squarefootage AS square_footage, isactive AS is_active
        FROM facilityareas""", "area_id", "area")


def load_dim_class_type(ctx):
    load_scd1(ctx, "dim_class_type", """
        SELECT classtypeid AS class_type_id, classname AS class_name, category AS category,
               durationminutes AS duration_minutes, maxparticipants AS max_participants,
               requiredcertifications AS required_certifications, isactive AS is_active
        FROM classtypes""", "class_type_id", "class_type")


def load_dim_equipment(ctx):
    load_scd1(ctx, "dim_equipment", """
        SELECT equipmentid AS equipment_id, facilityid AS facility_id, areaid AS area_id,
               equipmentname AS equipment_name, equipmenttype AS equipment_type, brand AS brand,
               model AS model_name, purchasedate AS purchase_date, purchaseprice AS purchase_price, status AS status
        FROM equipment""", "equipment_id", "equipment")


# -------------------------------------------------------------------- SCD 0
def load_dim_certification(ctx):
    """Insert certifications never seen; never update a loaded one."""
    with timed(ctx, "dim_certification") as counts:
        counts.read += stage(ctx, "stg_dim_certification", """
            SELECT certificationid AS certification_id, certificationname AS certification_name,
                   issuingorganization AS issuing_organization, validitymonths AS validity_months,
                   isrequired AS is_required
            FROM instructorcertifications""")
        log_new_keys(ctx, "certification", "dim_certification", "stg_dim_certification", "certification_id")
        counts.inserted += ctx.execute(
            "INSERT INTO dim_certification (certification_id, certification_name, issuing_organization, "
            "validity_months, is_required, etl_batch_id) "
            "SELECT s.certification_id, s.certification_name, s.issuing_organization, s.validity_months, "
            "s.is_required, %s FROM stg_dim_certification s "
            "WHERE NOT EXISTS (SELECT 1 FROM dim_certification t WHERE t.certification_id = s.certification_id)",
            [ctx.batch_id],
        )


# -------------------------------------------------------------------- SCD 2
def load_dim_membership_type(ctx):
    d = ctx.dialect
    with timed(ctx, "dim_membership_type") as counts:
        counts.read += stage(ctx, "stg_dim_membership_type", """
            SELECT membershiptypeid AS membership_type_id, typename AS type_name, duration AS duration_months,
                   maxfamilymembers AS max_family_members, isactive AS is_active,
                   monthlyfee AS monthly_fee, registrationfee AS registration_fee
            FROM membershiptypes""")
        inserted, updated = load_scd2(
            ctx, "dim_membership_type", "stg_dim_membership_type", "membership_type_id",
            tracked=["monthly_fee", "registration_fee"],
            type1=["type_name", "duration_months", "max_family_members", "is_active"],
            # The ODS keeps no timestamp of a fee change: it takes effect on the batch's as-of date.
            change_date=d.date_literal(ctx.as_of), first_effective=d.date_literal(FIRST_DAY),
            dimension="membership_type",
        )
        counts.inserted += inserted
        counts.updated += updated


def load_dim_staff(ctx):
    d = ctx.dialect
    with timed(ctx, "dim_staff") as counts:
        counts.read += stage(ctx, "stg_dim_staff", """
            SELECT staffid AS staff_id, employeenumber AS employee_number, firstname AS first_name,
                   lastname AS last_name, department AS department, employmenttype AS employment_type,
                   hiredate AS hire_date, terminationdate AS termination_date,
                   jobtitle AS job_title, hourlyrate AS hourly_rate, status AS status
            FROM staff""")
        inserted, updated = load_scd2(
            ctx, "dim_staff", "stg_dim_staff", "staff_id",
            tracked=["job_title", "hourly_rate", "status"],
            type1=["employee_number", "first_name", "last_name", "department", "employment_type", "hire_date",
                   "termination_date"],
            change_date=d.date_literal(ctx.as_of), first_effective=d.date_literal(FIRST_DAY),
            dimension="staff", read_by_facts={"hourly_rate": "staff_rate"},  # shifts are costed at it
        )
        counts.inserted += inserted
        counts.updated += updated


MEMBER_TYPE1 = ["first_name", "last_name", "gender", "date_of_birth", "join_date", "state", "home_facility_id"]
MEMBER_TRACKED = ["membership_type_id", "member_status", "city", "zip_code"]


# Columns of the members row the dimension copies as they are (SCD 1 and 2).
MEMBER_ROW_COLUMNS = {
    "first_name": "firstname", "last_name": "lastname", "gender": "gender", "date_of_birth": "dateofbirth",
    "join_date": "joindate", "state": "state", "member_status": "memberstatus", "city": "city", "zip_code": "zipcode",
}
MEMBER_CANDIDATES = "stg_member_candidates"
MEMBER_VISITS = "etl_member_visits"
VISIT_DELTAS = "stg_member_visit_deltas"


def count_member_visits(ctx):
    """Visits per member and facility, counted from the ODS (full build, or
    when the counts cannot be brought up to date). On PostgreSQL the unique
    index is built once after the insert rather than maintained row by row."""
    d = ctx.dialect
    d.empty_tables(ctx.cursor, [MEMBER_VISITS])
    rebuild = d.drop_secondary_structures(ctx.cursor, [MEMBER_VISITS])
    ctx.execute(f"INSERT INTO {MEMBER_VISITS} (member_id, facility_id, visits) "
                f"SELECT memberid, facilityid, COUNT(*) FROM memberaccess GROUP BY memberid, facilityid")
    for statement in rebuild:
        ctx.execute(statement)
    d.analyze(ctx.cursor, [MEMBER_VISITS])


def unknown_old_members(ctx, changed, fact, key, facility=False):
    """Changed rows whose fact points at no known member (or facility): the
    warehouse cannot tell which member (facility) they counted for."""
    sql = (f"SELECT COUNT(*) FROM {changed} c JOIN {fact} f ON f.{key} = c.nk "
           f"LEFT JOIN dim_member dm ON dm.member_key = f.member_key ")
    where = "dm.member_key IS NULL OR dm.member_key = %s"
    params = [UNKNOWN_KEY]
    if facility:
        sql += "LEFT JOIN dim_facility df ON df.facility_key = f.facility_key "
        where += " OR df.facility_key IS NULL OR df.facility_key = %s"
        params.append(UNKNOWN_KEY)
    return ctx.scalar(f"{sql}WHERE {where}", params)


def update_member_visits(ctx, changed):
    """Bring the visit counts up to date from the changed visits (temp table
    of access ids): +1 for the visit as the ODS holds it now, -1 for the
    visit as it was loaded (member and facility from its fact). Returns the
    temp table of the (member, facility) deltas, or None when the counts must
    be recounted instead: an old visit of an unknown member or facility, or
    no counts at all beside loaded visits (facts loaded before migration 0006)."""
    if unknown_old_members(ctx, changed, "fact_visit", "access_id", facility=True):
        return None
    if not ctx.scalar(f"SELECT COUNT(*) FROM (SELECT 1 FROM {MEMBER_VISITS} LIMIT 1) c") and \
            ctx.scalar("SELECT COUNT(*) FROM (SELECT 1 FROM fact_visit LIMIT 1) f"):
        return None
    stage(ctx, VISIT_DELTAS, f"""
        SELECT member_id, facility_id, SUM(delta) AS delta FROM (
            SELECT a.memberid AS member_id, a.facilityid AS facility_id, 1 AS delta
            FROM {changed} c JOIN memberaccess a ON a.accessid = c.nk
            UNION ALL
            SELECT dm.member_id, df.facility_id, -1 FROM {changed} c
            JOIN fact_visit f ON f.access_id = c.nk
            JOIN dim_member dm ON dm.member_key = f.member_key
            JOIN dim_facility df ON df.facility_key = f.facility_key) d
        GROUP BY member_id, facility_id HAVING SUM(delta) <> 0""")
    match = "t.member_id = s.member_id AND t.facility_id = s.facility_id"
    ctx.execute(f"UPDATE {MEMBER_VISITS} AS t SET visits = t.visits + s.delta FROM {VISIT_DELTAS} AS s WHERE {match}")
    ctx.execute(f"INSERT INTO {MEMBER_VISITS} (member_id, facility_id, visits) "
                f"SELECT s.member_id, s.facility_id, s.delta FROM {VISIT_DELTAS} s "
                f"WHERE NOT EXISTS (SELECT 1 FROM {MEMBER_VISITS} t WHERE {match})")
    ctx.execute(f"DELETE FROM {MEMBER_VISITS} AS t WHERE t.visits = 0 "
                f"AND EXISTS (SELECT 1 FROM {VISIT_DELTAS} s WHERE {match})")
    return VISIT_DELTAS


def changed_members(ctx):
    """Temp table (member_id) of the members whose dimension rows may change,
    bringing the visit counts up to date on the way; or None when every
    member must be staged (and the visits recounted): a changed visit or
    period whose old member the warehouse cannot tell.
    - members whose ODS row differs from their current version, or new ones;
    - members whose visit count at some facility changed (home facility);
    - members with a membership period new, changed or gone (membership type
      runs): the member of the ODS row now and the member the fact was
      loaded for;
    - members without visits whose home by residence may change: in a state
      where a club opened or moved (note_facility_moves), with no home in a
      state that has a club (loaded before that rule), or with a home no
      longer in the ODS."""
    d = ctx.dialect
    differs = " OR ".join(d.distinct(f"t.{dim}", f"m.{ods}") for dim, ods in MEMBER_ROW_COLUMNS.items())
    parts = [f"""SELECT m.memberid AS member_id FROM members m
                 LEFT JOIN dim_member t ON t.member_id = m.memberid AND t.is_current
                 WHERE t.member_key IS NULL OR {differs}"""]
    deltas = update_member_visits(ctx, changed_source_keys(ctx, FACTS_BY_TABLE["fact_visit"]))
    if deltas is None:
        return None
    parts.append(f"SELECT member_id FROM {deltas}")
    periods = changed_source_keys(ctx, FACTS_BY_TABLE["fact_membership_period"])
    if unknown_old_members(ctx, periods, "fact_membership_period", "membership_id"):
        return None
    parts.append(f"SELECT o.memberid FROM {periods} c JOIN membermemberships o ON o.membershipid = c.nk")
    parts.append(f"SELECT dm.member_id FROM {periods} c JOIN fact_membership_period f ON f.membership_id = c.nk "
                 f"JOIN dim_member dm ON dm.member_key = f.member_key")
    parts += residence_home_candidates(ctx)
    stage(ctx, MEMBER_CANDIDATES, f"SELECT DISTINCT member_id FROM ({' UNION ALL '.join(parts)}) c")
    return MEMBER_CANDIDATES


def without_visits(member_id):
    """The member has no visit in the ODS (as counted in etl_member_visits)."""
    return f"NOT EXISTS (SELECT 1 FROM {MEMBER_VISITS} v WHERE v.member_id = {member_id})"


def residence_home_candidates(ctx):
    """SELECTs of the member ids whose home by residence may have changed
    although their row and visits did not (see changed_members)."""
    parts = []
    if "facility_moves" in ctx.memo:
        parts.append(f"SELECT m.memberid FROM members m WHERE m.state IN (SELECT state FROM {FACILITY_MOVES}) "
                     f"AND {without_visits('m.memberid')}")
    # One pass over the current versions; in a warehouse loaded under this
    # rule both conditions are false for every member.
    parts.append(f"""
        SELECT t.member_id FROM dim_member t
        WHERE t.is_current AND t.member_key <> {UNKNOWN_KEY} AND (
              (t.home_facility_id IS NULL AND t.state IN (SELECT state FROM facilities))
              OR t.home_facility_id NOT IN (SELECT facilityid FROM facilities))""")
    return parts


def zip_prefix_length(left, right):
    """How many leading characters (up to five) two zip codes share."""
    cases = " ".join(f"WHEN substr({left}, 1, {n}) = substr({right}, 1, {n}) THEN {n}" for n in range(5, 0, -1))
    return f"CASE {cases} ELSE 0 END"


def residence_home_sql(members_where):
    """(state, city, zipcode, facility_id): the home by residence of each
    address of the members matching `members_where` (over members m). Members
    live near their home club (rule M9: same state; the seeder puts them in
    its city or metro), so the club is, in this order:
    1. one in the same city and state: the one whose zip code shares the
       longest prefix with the member's, then the smallest facility id;
    2. one in the same state whose zip code shares the member's 3-digit zip
       prefix: longest shared prefix, then smallest facility id;
    3. the smallest facility id of the member's state;
    none (NULL: the unknown facility) when the state has no club. Computed
    once per distinct address (a few thousand in a chain of 125,000
    members), each picking the first of its state's few clubs by one rank:
    0-5 same city, 6-8 same 3-digit prefix, 9 elsewhere in the state."""
    shared = zip_prefix_length("a.zipcode", "f.zipcode")
    rank = (f"CASE WHEN UPPER(f.city) = UPPER(a.city) THEN 5 - {shared} "
            f"WHEN substr(f.zipcode, 1, 3) = substr(a.zipcode, 1, 3) THEN 11 - {shared} ELSE 9 END")
    # (SQLite resolves no outer column in a subquery's ORDER BY: the rank is a column of its own.)
    return f"""
        SELECT a.state, a.city, a.zipcode,
               (SELECT c.facility_id
                FROM (SELECT f.facilityid AS facility_id, {rank} AS rank_
                      FROM facilities f WHERE f.state = a.state) c
                ORDER BY c.rank_, c.facility_id LIMIT 1) AS facility_id
        FROM (SELECT DISTINCT m.state, m.city, m.zipcode FROM members m WHERE {members_where}) a"""


def stage_member_sources(ctx, candidates=None):
    """Staging tables: runs of one membership type (consecutive periods of
    the same type), each member's home facility (most visits, from the visit
    counts; for a member without visits, the club where they live, see
    residence_home_sql), and the member's current state; of the `candidates`
    members only when given
    (every statement partitions by member, so a member's rows come out the
    same either way)."""
    d = ctx.dialect

    def only(column):
        return f"WHERE {column} IN (SELECT member_id FROM {candidates})" if candidates else ""

    stage(ctx, "stg_member_type_runs", f"""
        SELECT memberid AS member_id, membershiptypeid AS membership_type_id, startdate AS run_start,
               LEAD(startdate) OVER (PARTITION BY memberid ORDER BY startdate, membershipid) AS next_start,
               ROW_NUMBER() OVER (PARTITION BY memberid ORDER BY startdate, membershipid) AS run_number,
               ROW_NUMBER() OVER (PARTITION BY memberid ORDER BY startdate DESC, membershipid DESC) AS run_from_last
        FROM (SELECT memberid, membershiptypeid, startdate, membershipid,
                     LAG(membershiptypeid) OVER (PARTITION BY memberid ORDER BY startdate, membershipid) AS prev_type
              FROM membermemberships {only('memberid')}) p
        WHERE prev_type IS NULL OR prev_type <> membershiptypeid""")
    no_visits = without_visits("m.memberid")
    if candidates:
        no_visits += f" AND m.memberid IN (SELECT member_id FROM {candidates})"
    stage(ctx, "stg_address_home", residence_home_sql(no_visits))
    stage(ctx, "stg_member_home", f"""
        SELECT member_id, facility_id
        FROM (SELECT member_id, facility_id,
                     ROW_NUMBER() OVER (PARTITION BY member_id ORDER BY visits DESC, facility_id) AS rank_
              FROM {MEMBER_VISITS} {only('member_id')}) v
        WHERE rank_ = 1
        UNION ALL
        SELECT m.memberid, h.facility_id FROM members m
        JOIN stg_address_home h ON h.state = m.state AND h.city = m.city AND h.zipcode = m.zipcode
        WHERE {no_visits}""")
    return stage(ctx, "stg_dim_member", f"""
        SELECT m.memberid AS member_id, m.firstname AS first_name, m.lastname AS last_name, m.gender AS gender,
               m.dateofbirth AS date_of_birth, m.joindate AS join_date, m.state AS state,
               h.facility_id AS home_facility_id, r.membership_type_id AS membership_type_id,
               m.memberstatus AS member_status, m.city AS city, m.zipcode AS zip_code,
               r.run_start AS type_start, {d.local_date('m.lastmodified')} AS modified_date
        FROM members m
        LEFT JOIN stg_member_type_runs r ON r.member_id = m.memberid AND r.run_from_last = 1
        LEFT JOIN stg_member_home h ON h.member_id = m.memberid
        {only('m.memberid')}""")


def insert_new_member_history(ctx):
    """A member seen for the first time gets one version per run of one
    membership type (the ODS's periods are history we do know); status, city
    and zip are only known as they are now."""
    d = ctx.dialect
    type1 = ", ".join(MEMBER_TYPE1)
    return ctx.execute(f"""
        INSERT INTO dim_member (member_id, {type1}, membership_type_id, member_status, city, zip_code,
                                effective_date, expiration_date, is_current, etl_batch_id)
        SELECT s.member_id, {', '.join('s.' + c for c in MEMBER_TYPE1)}, r.membership_type_id, s.member_status,
               s.city, s.zip_code,
               CASE WHEN r.run_number IS NULL OR r.run_number = 1
                    THEN {d.least('s.join_date', 'COALESCE(r.run_start, s.join_date)')}
                    ELSE r.run_start END,
               COALESCE(r.next_start, {d.date_literal('9999-12-31')}),
               r.next_start IS NULL, %s
        FROM stg_dim_member s LEFT JOIN stg_member_type_runs r ON r.member_id = s.member_id
        WHERE NOT EXISTS (SELECT 1 FROM dim_member t WHERE t.member_id = s.member_id)""", [ctx.batch_id])


def load_dim_member(ctx):
    d = ctx.dialect
    if not ctx.full:
        for fact in ("fact_visit", "fact_membership_period"):  # (timed under the fact)
            changed_source_keys(ctx, FACTS_BY_TABLE[fact])
    with timed(ctx, "dim_member") as counts:
        candidates = None if ctx.full else changed_members(ctx)
        if candidates is None:
            count_member_visits(ctx)
        counts.read += stage_member_sources(ctx, candidates)
        log_new_keys(ctx, "member", "dim_member", "stg_dim_member", "member_id")
        counts.inserted += insert_new_member_history(ctx)
        # A new membership type dates from the start of the period that brought
        # it; any other tracked change from the member row's lastmodified.
        change_date = (
            f"CASE WHEN s.type_start IS NOT NULL AND "
            f"{d.distinct('t.membership_type_id', 's.membership_type_id')} "
            f"THEN s.type_start ELSE s.modified_date END"
        )
        inserted, updated = load_scd2(
            ctx, "dim_member", "stg_dim_member", "member_id", tracked=MEMBER_TRACKED, type1=MEMBER_TYPE1,
            change_date=change_date, first_effective="s.join_date", dimension="member",
            # A payment's facility is its member's home, its membership type the member's.
            read_by_facts={"home_facility_id": "member_home", "membership_type_id": "member_type"},
        )
        counts.inserted += inserted
        counts.updated += updated


def analyze_dimensions(ctx):
    """After a full build's truncate and reload the planner knows nothing of
    the dimensions' sizes, and would hash millions of fact rows to probe them
    with a few thousand dimension rows."""
    if ctx.full:
        ctx.dialect.analyze(ctx.cursor, ["dim_member", "dim_membership_type", "dim_staff", "dim_facility", "dim_area",
                                         "dim_class_type", "dim_equipment", "dim_certification"])


DIMENSION_STEPS = [
    load_dim_date,
    load_dim_time_of_day,
    ensure_unknown_rows,
    load_dim_facility,
    load_dim_area,
    load_dim_class_type,
    load_dim_equipment,
    load_dim_certification,
    load_dim_membership_type,
    load_dim_staff,
    load_dim_member,
    analyze_dimensions,
]
