"""Monitoring (seed 003 section 7): recent batches, rows per batch, data
freshness and orphaned fact rows."""
import datetime as dt

from django.db import connection
from django.utils import timezone

from ..models import UNKNOWN_KEY, EtlBatch

# fact table -> {key column: (dimension table, dimension key)}
FACT_KEYS = {
    "fact_visit": {"date_key": ("dim_date", "date_key"), "member_key": ("dim_member", "member_key"),
                   "facility_key": ("dim_facility", "facility_key"), "area_key": ("dim_area", "area_key"),
                   "time_key": ("dim_time_of_day", "time_key")},
    "fact_class_session": {"date_key": ("dim_date", "date_key"), "class_type_key": ("dim_class_type", "class_type_key"),
                           "facility_key": ("dim_facility", "facility_key"), "instructor_key": ("dim_staff", "staff_key")},
    "fact_class_attendance": {"date_key": ("dim_date", "date_key"), "member_key": ("dim_member", "member_key"),
                              "class_type_key": ("dim_class_type", "class_type_key"),
                              "instructor_key": ("dim_staff", "staff_key")},
    "fact_payment": {"date_key": ("dim_date", "date_key"), "member_key": ("dim_member", "member_key"),
                     "membership_type_key": ("dim_membership_type", "membership_type_key"),
                     "facility_key": ("dim_facility", "facility_key")},
    "fact_membership_period": {"member_key": ("dim_member", "member_key"),
                               "membership_type_key": ("dim_membership_type", "membership_type_key")},
    "fact_equipment_usage": {"date_key": ("dim_date", "date_key"), "member_key": ("dim_member", "member_key"),
                             "equipment_key": ("dim_equipment", "equipment_key")},
    "fact_equipment_maintenance": {"date_key": ("dim_date", "date_key"),
                                   "equipment_key": ("dim_equipment", "equipment_key")},
    "fact_staff_shift": {"date_key": ("dim_date", "date_key"), "staff_key": ("dim_staff", "staff_key"),
                         "facility_key": ("dim_facility", "facility_key")},
    "fact_payroll": {"date_key": ("dim_date", "date_key"), "staff_key": ("dim_staff", "staff_key"),
                     "facility_key": ("dim_facility", "facility_key")},
    "fact_instructor_feedback": {"date_key": ("dim_date", "date_key"), "instructor_key": ("dim_staff", "staff_key"),
                                 "member_key": ("dim_member", "member_key")},
    "fact_staff_certification": {"certification_key": ("dim_certification", "certification_key")},
}
EVENT_FACTS = ["fact_visit", "fact_class_session", "fact_payment", "fact_staff_shift", "fact_equipment_usage"]


def scalar(cursor, sql, params=None):
    cursor.execute(sql, params or [])
    return cursor.fetchone()[0]


def orphaned_rows(cursor):
    """{fact: {key column: rows whose key has no dimension row}}; should be all zero."""
    result = {}
    for fact, keys in FACT_KEYS.items():
        for column, (dim, dim_key) in keys.items():
            count = scalar(cursor, f"SELECT COUNT(*) FROM {fact} f WHERE NOT EXISTS "
                                   f"(SELECT 1 FROM {dim} d WHERE d.{dim_key} = f.{column})")
            result.setdefault(fact, {})[column] = count
    return result


def unknown_references(cursor):
    """Facts pointing at the unknown (-1) member/staff/facility: late-arriving data."""
    result = {}
    for fact, keys in FACT_KEYS.items():
        for column, (dim, _) in keys.items():
            if dim in ("dim_member", "dim_staff", "dim_facility", "dim_membership_type"):
                count = scalar(cursor, f"SELECT COUNT(*) FROM {fact} WHERE {column} = %s", [UNKNOWN_KEY])
                if count:
                    result[f"{fact}.{column}"] = count
    return result


def freshness(cursor, today=None):
    today = today or timezone.localdate()
    latest = None
    for fact in EVENT_FACTS:
        key = scalar(cursor, f"SELECT MAX(date_key) FROM {fact}")
        if key is not None and (latest is None or key > latest):
            latest = key
    if latest is None:
        return {"latest_event_date": None, "days_old": None}
    latest_date = dt.date(latest // 10000, latest // 100 % 100, latest % 100)
    return {"latest_event_date": latest_date, "days_old": (today - latest_date).days}


def rows_per_batch(cursor, limit=10):
    """{batch id: rows currently in the facts that this batch last wrote}."""
    parts = " UNION ALL ".join(f"SELECT etl_batch_id FROM {fact}" for fact in FACT_KEYS)
    cursor.execute(
        f"SELECT etl_batch_id, COUNT(*) FROM ({parts}) f GROUP BY etl_batch_id ORDER BY etl_batch_id DESC LIMIT {int(limit)}"
    )
    return dict(cursor.fetchall())


def warehouse_status(limit=10, today=None):
    with connection.cursor() as cursor:
        return {
            "batches": list(EtlBatch.objects.order_by("-id")[:limit]),
            "fact_rows_by_batch": rows_per_batch(cursor, limit),
            "freshness": freshness(cursor, today),
            "orphaned": orphaned_rows(cursor),
            "unknown_references": unknown_references(cursor),
        }
