"""The 23 ODS tables: the one registry of their names, in load order (parents before children).

Core imports no app model, so the registry holds table names; `ods_models()`
resolves them to the apps' models through Django's app registry once the apps
are loaded. Everything that walks the ODS (seed loader, flush, CSV import and
export, check_ods, benchmarks) takes its list and its order from here.
"""
from functools import cache

# The apps that hold the ERD's tables, one per domain.
ODS_APPS = ("members", "facilities", "classes", "equipment", "staff")

LOAD_ORDER = (
    "membershiptypes", "instructorcertifications", "classtypes", "facilities", "facilityareas", "equipment",
    "members", "staff", "stafffacilities", "staffcertifications", "classschedules", "membermemberships",
    "memberpayments", "memberaccess", "equipmentmaintenance", "equipmentusage", "classinstances",
    "classenrollments", "instructorfeedback", "staffschedules", "stafftimetracking", "staffpayroll",
    "instructorperformance",
)


@cache
def models_by_table() -> dict:
    """{ERD table name: model}, in load order."""
    from django.apps import apps

    found = {model._meta.db_table: model for label in ODS_APPS for model in apps.get_app_config(label).get_models()}
    if set(found) != set(LOAD_ORDER):
        raise RuntimeError(f"the ODS apps' tables {sorted(found)} are not the registry's {sorted(LOAD_ORDER)}")
    return {table: found[table] for table in LOAD_ORDER}


def ods_models() -> list:
    """The 23 ERD models, parents before children."""
    return list(models_by_table().values())


def model_for(table: str):
    return models_by_table()[table]
