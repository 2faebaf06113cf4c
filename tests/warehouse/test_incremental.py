"""Incremental batches stage only what changed in the ODS, whoever changed it
(raw SQL that bypasses Django included), and end where a full rebuild would:
same facts, same daily aggregate, totals reconciling with the ODS."""
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Sum

from classes.models import ClassEnrollment
from facilities.models import MemberAccess
from members.models import MemberPayment
from staff.models import StaffPayroll, StaffTimeTracking
from warehouse.etl.pipeline import build_warehouse
from warehouse.models import (
    AggClassDaily,
    AggCohortRetention,
    AggEquipmentDaily,
    AggFacilityDaily,
    AggVisitHourly,
    DimArea,
    DimCertification,
    DimClassType,
    DimEquipment,
    DimFacility,
    DimMember,
    DimMembershipType,
    DimStaff,
    FactClassAttendance,
    FactClassSession,
    FactEquipmentMaintenance,
    FactEquipmentUsage,
    FactInstructorFeedback,
    FactMembershipPeriod,
    FactPayment,
    FactPayroll,
    FactStaffCertification,
    FactStaffShift,
    FactVisit,
    MemberCohort,
    MemberVisitCount,
    SourceDigest,
)

from .dataset import AS_OF, D, local

FACT_MODELS = [FactVisit, FactClassSession, FactClassAttendance, FactPayment, FactMembershipPeriod,
               FactEquipmentUsage, FactEquipmentMaintenance, FactStaffShift, FactPayroll, FactInstructorFeedback,
               FactStaffCertification]
FACT_TABLES = [m._meta.db_table for m in FACT_MODELS]
AGGREGATE_MODELS = [AggFacilityDaily, AggVisitHourly, AggClassDaily, AggEquipmentDaily, AggCohortRetention,
                    MemberCohort]

# Surrogate keys differ between two builds: compare what they stand for.
KEY_MEANINGS = {
    "member_key": (DimMember, "member_key", ("member_id", "effective_date")),
    "membership_type_key": (DimMembershipType, "membership_type_key", ("membership_type_id", "effective_date")),
    "staff_key": (DimStaff, "staff_key", ("staff_id", "effective_date")),
    "instructor_key": (DimStaff, "staff_key", ("staff_id", "effective_date")),
    "facility_key": (DimFacility, "facility_key", ("facility_id",)),
    "area_key": (DimArea, "area_key", ("area_id",)),
    "class_type_key": (DimClassType, "class_type_key", ("class_type_id",)),
    "equipment_key": (DimEquipment, "equipment_key", ("equipment_id",)),
    "certification_key": (DimCertification, "certification_key", ("certification_id",)),
}


def raw(sql, params=()):
    """Change the ODS behind Django's back (no model, no signal)."""
    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.rowcount


def timestamp(value):
    return connection.ops.adapt_datetimefield_value(value)


def resolved_warehouse():
    """Every fact and aggregate row, keys replaced by the natural ids (and
    version dates) they stand for, batch ids left out."""
    meanings = {}
    for column, (model, key, natural) in KEY_MEANINGS.items():
        meanings[column] = {row[0]: row[1:] for row in model.objects.values_list(key, *natural)}
    result = {}
    for model in [*FACT_MODELS, *AGGREGATE_MODELS]:
        fields = [f.attname for f in model._meta.concrete_fields if not f.primary_key and f.attname != "etl_batch_id"]
        rows = [tuple(meanings[f].get(v, ("missing", v)) if f in meanings else v for f, v in zip(fields, values))
                for values in model.objects.values_list(*fields)]
        result[model.__name__] = sorted(rows, key=repr)
    return result


def assert_totals_reconcile():
    assert FactVisit.objects.count() == MemberAccess.objects.count()
    revenue = MemberPayment.objects.filter(status="Completed").aggregate(s=Sum("amount"))["s"]
    assert FactPayment.objects.filter(status="Completed").aggregate(s=Sum("amount"))["s"] == revenue
    hours = StaffTimeTracking.objects.aggregate(h=Sum("actual_hours"))["h"]
    assert FactStaffShift.objects.aggregate(h=Sum("actual_hours"))["h"] == hours
    for field in ("gross_pay", "net_pay", "bonuses", "regular_hours", "overtime_hours"):
        assert FactPayroll.objects.aggregate(v=Sum(field))["v"] == StaffPayroll.objects.aggregate(v=Sum(field))["v"]
    attended = ClassEnrollment.objects.filter(enrollment_status="Attended").count()
    assert FactClassAttendance.objects.aggregate(n=Sum("is_attended"))["n"] == attended
    agg = AggFacilityDaily.objects.aggregate(visits=Sum("visits"), revenue=Sum("revenue"),
                                             hours=Sum("labor_hours"), cost=Sum("labor_cost"))
    assert agg == {"visits": MemberAccess.objects.count(), "revenue": revenue, "hours": hours,
                   "cost": FactStaffShift.objects.aggregate(c=Sum("labor_cost"))["c"]}
    # The visit counts behind the home facilities are those of the ODS.
    counted = MemberAccess.objects.values_list("member_id", "facility_id").annotate(n=Count("access_id"))
    assert sorted(MemberVisitCount.objects.values_list("member_id", "facility_id", "visits")) == sorted(counted)


def assert_next_run_writes_nothing():
    again = build_warehouse(as_of=AS_OF)
    assert (again.rows_inserted, again.rows_updated, again.rows_deleted) == (0, 0, 0)


def assert_same_as_full_rebuild():
    incremental = resolved_warehouse()
    build_warehouse(full=True, as_of=AS_OF)
    assert resolved_warehouse() == incremental


def written(batch, table):
    c = batch.table_counts[table]
    return c["inserted"], c["updated"], c["deleted"]


def test_no_change_run_stages_nothing_and_writes_nothing(built):
    before = resolved_warehouse()
    digests = sorted(SourceDigest.objects.values_list("fact_table", "bucket", "row_count", "fingerprint"))
    assert {d[0] for d in digests} == set(FACT_TABLES)
    again = build_warehouse(as_of=AS_OF)
    for table in [*FACT_TABLES, "dim_member", *(m._meta.db_table for m in AGGREGATE_MODELS[:-1])]:
        c = again.table_counts[table]
        assert (c["read"], c["inserted"], c["updated"], c["deleted"]) == (0, 0, 0, 0), table
    # Every source row was fingerprinted (that is how "no change" is known) ...
    assert again.table_counts["fact_visit"]["checked"] == MemberAccess.objects.count() == 6
    assert again.table_counts["fact_payment"]["checked"] == MemberPayment.objects.count()
    # ... and nothing was written, not even a digest.
    assert resolved_warehouse() == before
    assert sorted(SourceDigest.objects.values_list("fact_table", "bucket", "row_count", "fingerprint")) == digests


def test_raw_sql_edits_are_picked_up_and_totals_reconcile(built):
    march_4 = D(2024, 3, 4)
    raw("UPDATE memberaccess SET checkouttime = %s, duration = 160 WHERE accessid = 'V1'",
        [timestamp(local(march_4, 9, 50))])
    raw("UPDATE memberpayments SET amount = %s WHERE paymentid = 'PAY2'", [Decimal("31.25")])
    raw("UPDATE stafftimetracking SET actualhours = %s WHERE timetrackingid = 'TTSS2'", [Decimal("8.25")])
    raw("UPDATE staffpayroll SET bonuses = %s, grosspay = %s, netpay = %s WHERE payrollid = 'PR1'",
        [Decimal("50.00"), Decimal("168.75"), Decimal("158.75")])
    raw("UPDATE classenrollments SET enrollmentstatus = 'Attended' WHERE enrollmentid = 'E4'")

    batch = build_warehouse(as_of=AS_OF)
    for table in ("fact_visit", "fact_payment", "fact_staff_shift", "fact_payroll", "fact_class_attendance",
                  "fact_class_session"):
        assert written(batch, table) == (0, 1, 0), table
        assert batch.table_counts[table]["read"] == 1, table  # the changed row, not the table
    for table in ("fact_membership_period", "fact_equipment_usage", "fact_instructor_feedback"):
        assert batch.table_counts[table]["read"] == 0, table
    v1 = FactVisit.objects.get(access_id="V1")
    assert (v1.check_out_hour, v1.duration_minutes) == (9, 160)
    assert FactStaffShift.objects.get(schedule_id="SS2").labor_cost == Decimal("123.75")  # 8.25 x 15
    assert FactClassSession.objects.get(instance_id="CI2").attended == 2
    north = DimFacility.objects.get(facility_id="FAC001").facility_key
    day = AggFacilityDaily.objects.get(date_key=20240304, facility_key=north)
    assert (day.labor_hours, day.labor_cost, day.peak_hourly_occupancy) == (Decimal("12.75"), Decimal("242.50"), 2)
    assert AggFacilityDaily.objects.get(date_key=20240110, facility_key=north).revenue == Decimal("41.25")
    assert AggFacilityDaily.objects.get(date_key=20240311, facility_key=north).class_attendance == 2
    assert_totals_reconcile()
    assert_next_run_writes_nothing()
    assert_same_as_full_rebuild()


def test_deleted_ods_rows_disappear_from_facts_and_aggregate(built):
    north = DimFacility.objects.get(facility_id="FAC001").facility_key
    raw("DELETE FROM memberaccess WHERE accessid = 'V2'")  # MEM2's only visit: home from where MEM2 lives now
    raw("DELETE FROM memberpayments WHERE paymentid = 'PAY3'")

    batch = build_warehouse(as_of=AS_OF)
    assert written(batch, "fact_visit") == (0, 0, 1)
    assert not FactVisit.objects.filter(access_id="V2").exists()
    # MEM2 lives in Springfield 62701, as both clubs are: the smaller id, FAC001, is still home, so
    # only PAY3's fact changed (it is gone) and MEM2's payments stay where they were.
    assert DimMember.objects.get(member_id="MEM2").home_facility_id == "FAC001"
    assert written(batch, "fact_payment") == (0, 0, 1)
    assert set(FactPayment.objects.filter(payment_id__in=["PAY6", "PAY7"]).values_list("facility_key", flat=True)) \
        == {north}
    # The day lost its only visit but keeps MEM1's payment.
    feb_12 = AggFacilityDaily.objects.get(date_key=20240212, facility_key=north)
    assert (feb_12.visits, feb_12.revenue) == (0, Decimal("30.00"))
    assert AggFacilityDaily.objects.get(date_key=20240120, facility_key=north).revenue == Decimal("40.00")
    assert not AggFacilityDaily.objects.filter(facility_key=-1).exists()
    assert_totals_reconcile()
    assert_next_run_writes_nothing()
    assert_same_as_full_rebuild()


def test_scd2_change_dated_in_the_past_repoints_the_facts_after_it(built):
    raw("INSERT INTO memberpayments (paymentid, memberid, paymentdate, amount, paymenttype, paymentmethod, status) "
        "VALUES ('PAY11', 'MEM3', %s, %s, 'Class Fee', 'Cash', 'Completed')", [D(2024, 3, 9), Decimal("12.00")])
    build_warehouse(as_of=AS_OF)
    premium = DimMembershipType.objects.get(membership_type_id="MT002").membership_type_key
    assert FactPayment.objects.get(payment_id="PAY11").membership_type_key == premium
    # MEM3 switches to Basic from 2024-03-08: a new member version dated in the past.
    raw("INSERT INTO membermemberships (membershipid, memberid, membershiptypeid, startdate, enddate, status, "
        "autorenew) VALUES ('MS7', 'MEM3', 'MT001', %s, %s, 'Active', %s)", [D(2024, 3, 8), D(2024, 4, 8), True])

    batch = build_warehouse(as_of=AS_OF)
    old, new = DimMember.objects.filter(member_id="MEM3").order_by("effective_date")
    assert (old.membership_type_id, old.expiration_date) == ("MT002", D(2024, 3, 8))
    assert (new.membership_type_id, new.effective_date, new.is_current) == ("MT001", D(2024, 3, 8), True)
    # Rows whose ODS row did not change, dated on or after 03-08, now point at the new version ...
    assert FactVisit.objects.get(access_id="V6").member_key == new.member_key  # 2024-03-12
    assert FactClassAttendance.objects.get(enrollment_id="E4").member_key == new.member_key  # 2024-03-11
    basic = DimMembershipType.objects.get(membership_type_id="MT001").membership_type_key
    assert FactPayment.objects.get(payment_id="PAY11").membership_type_key == basic
    # ... the earlier ones keep the old one, and nothing else was staged.
    assert FactVisit.objects.get(access_id="V5").member_key == old.member_key  # 2024-03-05
    assert FactPayment.objects.get(payment_id="PAY9").membership_type_key == premium
    assert written(batch, "fact_visit") == (0, 1, 0) and batch.table_counts["fact_visit"]["read"] == 1
    assert written(batch, "fact_membership_period") == (1, 0, 0)
    assert FactMembershipPeriod.objects.get(membership_id="MS7").member_key == new.member_key
    assert_totals_reconcile()
    assert_next_run_writes_nothing()
    assert_same_as_full_rebuild()


def test_staff_rate_change_as_of_a_past_date_reprices_later_shifts(built):
    raw("UPDATE staff SET hourlyrate = %s WHERE staffid = 'STF2'", [Decimal("18.00")])
    batch = build_warehouse(as_of=D(2024, 3, 4))
    old, new = DimStaff.objects.filter(staff_id="STF2").order_by("effective_date")
    assert new.effective_date == D(2024, 3, 4)
    ss2 = FactStaffShift.objects.get(schedule_id="SS2")  # 2024-03-04, 7.5 hours
    assert (ss2.staff_key, ss2.labor_cost) == (new.staff_key, Decimal("135.00"))
    assert FactStaffShift.objects.get(schedule_id="SS3").staff_key == new.staff_key  # 2024-03-05
    assert FactPayroll.objects.get(payroll_id="PR2").staff_key == new.staff_key  # period ends 2024-03-10
    assert written(batch, "fact_staff_shift") == (0, 2, 0)
    north = DimFacility.objects.get(facility_id="FAC001").facility_key
    assert AggFacilityDaily.objects.get(date_key=20240304, facility_key=north).labor_cost == Decimal("253.75")
    assert_totals_reconcile()
    assert_next_run_writes_nothing()



def test_rate_corrected_in_place_reprices_the_shifts_costed_at_it(built):
    raw("UPDATE staff SET hourlyrate = %s WHERE staffid = 'STF2'", [Decimal("18.00")])
    build_warehouse(as_of=D(2024, 3, 4))  # a new version from 03-04
    raw("UPDATE staff SET hourlyrate = %s WHERE staffid = 'STF2'", [Decimal("19.00")])
    batch = build_warehouse(as_of=D(2024, 3, 4))  # the same day: that version is corrected in place
    assert [(v.hourly_rate, v.effective_date) for v in DimStaff.objects.filter(staff_id="STF2")
            .order_by("effective_date")] == [(Decimal("15.00"), D(1900, 1, 1)), (Decimal("19.00"), D(2024, 3, 4))]
    assert FactStaffShift.objects.get(schedule_id="SS2").labor_cost == Decimal("142.50")  # 7.5 x 19, same key
    assert written(batch, "fact_staff_shift") == (0, 1, 0)
    assert batch.table_counts["fact_payroll"]["read"] == 0  # payroll only holds the key, which did not change
    north = DimFacility.objects.get(facility_id="FAC001").facility_key
    assert AggFacilityDaily.objects.get(date_key=20240304, facility_key=north).labor_cost == Decimal("261.25")
    assert_totals_reconcile()
    assert_next_run_writes_nothing()


def test_member_status_corrected_in_place_restages_no_fact(built):
    """MEM1's row was last modified on 2024-01-10, before its current version
    (2024-03-10): the new status corrects that version in place, its key stays,
    and no fact reads the status."""
    raw("UPDATE members SET memberstatus = 'Suspended' WHERE memberid = 'MEM1'")
    batch = build_warehouse(as_of=AS_OF)
    current = DimMember.objects.get(member_id="MEM1", is_current=True)
    assert (current.member_status, current.effective_date) == ("Suspended", D(2024, 3, 10))
    assert written(batch, "dim_member") == (0, 1, 0)
    for table in FACT_TABLES:
        assert batch.table_counts[table]["read"] == 0, table
    assert_next_run_writes_nothing()


def test_membership_type_corrected_in_place_repoints_the_members_payments(built):
    """MEM3's periods turn out to be Basic from the start (02-05), the start of
    its only version: the version is corrected in place, its key stays, and
    the payments, whose own rows did not change, take the Basic type."""
    raw("UPDATE membermemberships SET membershiptypeid = 'MT001' WHERE memberid = 'MEM3'")
    batch = build_warehouse(as_of=AS_OF)
    (version,) = DimMember.objects.filter(member_id="MEM3")
    assert (version.membership_type_id, version.effective_date) == ("MT001", D(2024, 2, 5))
    basic = DimMembershipType.objects.get(membership_type_id="MT001").membership_type_key
    assert set(FactPayment.objects.filter(payment_id__in=["PAY8", "PAY9"])
               .values_list("membership_type_key", flat=True)) == {basic}
    assert written(batch, "fact_payment") == (0, 2, 0)
    assert batch.table_counts["fact_visit"]["read"] == 0
    assert_totals_reconcile()
    assert_next_run_writes_nothing()
    assert_same_as_full_rebuild()

def test_changes_in_joined_ods_tables_restage_the_facts_built_from_them(built):
    south = DimFacility.objects.get(facility_id="FAC002").facility_key
    raw("UPDATE classschedules SET starttime = '19:00:00', endtime = '20:00:00' WHERE scheduleid = 'CS1'")
    raw("UPDATE equipment SET facilityid = 'FAC002', areaid = 'AR003' WHERE equipmentid = 'EQ1'")
    raw("UPDATE stafffacilities SET facilityid = 'FAC002' WHERE assignmentid = 'SASTF2'")
    raw("INSERT INTO stafftimetracking (timetrackingid, staffid, scheduleid, actualstarttime, actualendtime, "
        "actualhours, overtimehours, breakminutes) VALUES ('TTSS3', 'STF2', 'SS3', %s, %s, %s, %s, 0)",
        [timestamp(local(D(2024, 3, 5), 6)), timestamp(local(D(2024, 3, 5), 8)), Decimal("2.00"), Decimal("0")])

    batch = build_warehouse(as_of=AS_OF)
    assert set(FactClassSession.objects.filter(schedule_id="CS1").values_list("time_key", flat=True)) == {19}
    assert set(FactClassAttendance.objects.filter(instance_id__in=["CI1", "CI2"])
               .values_list("time_key", flat=True)) == {19}
    assert set(FactEquipmentUsage.objects.filter(usage_id__in=["U1", "U2"])
               .values_list("facility_key", flat=True)) == {south}
    assert FactPayroll.objects.get(payroll_id="PR2").facility_key == south
    ss3 = FactStaffShift.objects.get(schedule_id="SS3")
    assert (ss3.time_entries, ss3.actual_hours, ss3.labor_cost) == (1, Decimal("2.00"), Decimal("30.00"))
    assert written(batch, "fact_class_session") == (0, 2, 0)
    assert written(batch, "fact_class_attendance") == (0, 5, 0)
    assert written(batch, "fact_equipment_usage") == (0, 2, 0)
    assert written(batch, "fact_equipment_maintenance") == (0, 0, 0)
    assert_totals_reconcile()
    assert_next_run_writes_nothing()
    assert_same_as_full_rebuild()


def test_new_home_facility_repoints_the_members_payments_only(built):
    south = DimFacility.objects.get(facility_id="FAC002").facility_key
    for n, day in enumerate((D(2024, 3, 6), D(2024, 3, 7), D(2024, 3, 8))):
        raw("INSERT INTO memberaccess (accessid, memberid, facilityid, areaid, checkintime, checkouttime, "
            "accessmethod, duration) VALUES (%s, 'MEM1', 'FAC002', 'AR003', %s, %s, 'Key Card', 30)",
            [f"V1{n}", timestamp(local(day, 18)), timestamp(local(day, 18, 30))])

    batch = build_warehouse(as_of=AS_OF)
    assert DimMember.objects.get(member_id="MEM1", is_current=True).home_facility_id == "FAC002"
    assert written(batch, "fact_visit") == (3, 0, 0)
    assert batch.table_counts["fact_visit"]["read"] == 3  # the new visits only, not all of MEM1's
    assert written(batch, "fact_payment") == (0, 5, 0)  # PAY1-PAY5 follow MEM1's new home
    assert set(FactPayment.objects.filter(member_key__in=DimMember.objects.filter(member_id="MEM1")
                                          .values("member_key")).values_list("facility_key", flat=True)) == {south}
    assert AggFacilityDaily.objects.get(date_key=20240110, facility_key=south).revenue == Decimal("40.00")
    assert_totals_reconcile()
    assert_next_run_writes_nothing()
    assert_same_as_full_rebuild()


def test_facts_loaded_without_fingerprints_are_fingerprinted_once(built):
    """Facts loaded before migration 0006 have no fingerprint, and there are
    neither digests nor visit counts: the next batch restages every row,
    changes no value, still finds a row deleted meanwhile, and then rests."""
    before = resolved_warehouse()
    for model in FACT_MODELS:
        model.objects.update(source_fingerprint=None)
    SourceDigest.objects.all().delete()
    MemberVisitCount.objects.all().delete()
    batch = build_warehouse(as_of=AS_OF)
    assert written(batch, "fact_visit") == (0, 6, 0)
    assert resolved_warehouse() == before
    assert_totals_reconcile()  # the home facilities were recounted, not lost
    assert_next_run_writes_nothing()


def test_a_row_deleted_before_the_first_fingerprinting_batch_is_found(built):
    for model in FACT_MODELS:
        model.objects.update(source_fingerprint=None)
    SourceDigest.objects.all().delete()
    MemberVisitCount.objects.all().delete()
    raw("DELETE FROM memberaccess WHERE accessid = 'V2'")
    raw("DELETE FROM memberpayments WHERE paymentid = 'PAY3'")
    batch = build_warehouse(as_of=AS_OF)
    assert written(batch, "fact_visit")[2] == 1 and written(batch, "fact_payment")[2] == 1
    assert_totals_reconcile()
    assert_next_run_writes_nothing()
    assert_same_as_full_rebuild()


def test_another_time_zone_restages_every_timestamped_fact_once(built, settings):
    """The loader's SQL is part of every fingerprint: a new TIME_ZONE (or a new
    version of a fact's SELECT) is a change of every row, not silently ignored."""
    settings.TIME_ZONE = "UTC"
    batch = build_warehouse(as_of=AS_OF)
    assert batch.table_counts["fact_visit"]["read"] == MemberAccess.objects.count()
    # V5 checks in at 20:30 New York time on 2024-03-05: 01:30 UTC on 03-06.
    v5 = FactVisit.objects.get(access_id="V5")
    assert (v5.date_key, v5.time_key) == (20240306, 1)
    assert_totals_reconcile()
    assert_next_run_writes_nothing()


def add_visits_raw(rows):
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO memberaccess (accessid, memberid, facilityid, areaid, checkintime, checkouttime, "
            "accessmethod, duration) VALUES (%s, %s, 'FAC001', 'AR001', %s, %s, 'Key Card', 30)",
            [(access_id, member_id, timestamp(local(day, 10)), timestamp(local(day, 10, 30)))
             for access_id, member_id, day in rows])


def test_only_the_buckets_whose_digest_changed_are_compared(built):
    """Ids W1000-W3999 fill the buckets W1, W2 and W3 (an id without its last
    three characters); an edit, a deletion and an insertion dirty W2, W3 and
    a new bucket W5, and only their rows are compared one by one."""
    add_visits_raw([(f"W{n}", "MEM2", D(2024, 3, 1 + n % 10)) for n in range(1000, 4000)])
    build_warehouse(as_of=AS_OF)

    def digests():
        return dict(SourceDigest.objects.filter(fact_table="fact_visit").values_list("bucket", "fingerprint"))

    before = dict(SourceDigest.objects.filter(fact_table="fact_visit").values_list("bucket", "row_count"))
    assert before == {"": 6, "W1": 1000, "W2": 1000, "W3": 1000}
    fingerprints = digests()
    raw("UPDATE memberaccess SET duration = 31 WHERE accessid = 'W2500'")
    raw("DELETE FROM memberaccess WHERE accessid = 'W3100'")
    add_visits_raw([("W5000", "MEM2", D(2024, 3, 12))])

    batch = build_warehouse(as_of=AS_OF)
    c = batch.table_counts["fact_visit"]
    assert (c["inserted"], c["updated"], c["deleted"]) == (1, 1, 1)
    assert (c["read"], c["checked"]) == (2, 3006)
    assert FactVisit.objects.get(access_id="W2500").duration_minutes == 31
    after = digests()
    assert {b for b in after if after[b] != fingerprints.get(b)} == {"W2", "W3", "W5"}
    assert SourceDigest.objects.get(fact_table="fact_visit", bucket="W3").row_count == 999
    assert_totals_reconcile()
    assert_next_run_writes_nothing()
    assert_same_as_full_rebuild()


def test_a_changed_visit_of_an_unknown_member_restages_every_member(built):
    """A visit dated before its member's first version points at the unknown
    member (-1): when it changes, the member it counted for (home facility)
    cannot be told from the warehouse, so every member is staged again."""
    add_visits_raw([("V0", "MEM3", D(2024, 1, 2))])  # MEM3 joins on 2024-02-05
    build_warehouse(as_of=AS_OF)
    assert FactVisit.objects.get(access_id="V0").member_key == -1
    assert DimMember.objects.get(member_id="MEM3").home_facility_id == "FAC001"  # 2 visits there, 2 at FAC002
    raw("UPDATE memberaccess SET memberid = 'MEM2' WHERE accessid = 'V0'")

    batch = build_warehouse(as_of=AS_OF)
    assert batch.table_counts["dim_member"]["read"] == 3
    assert DimMember.objects.get(member_id="MEM3").home_facility_id == "FAC002"
    south = DimFacility.objects.get(facility_id="FAC002").facility_key
    assert set(FactPayment.objects.filter(payment_id__in=["PAY8", "PAY9"]).values_list("facility_key", flat=True)) \
        == {south}
    assert_totals_reconcile()
    assert_next_run_writes_nothing()
    assert_same_as_full_rebuild()
