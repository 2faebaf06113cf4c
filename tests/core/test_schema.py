"""The live database schema, introspected, equals the ERD (spec/erd.json):
table by table, column by column in order, primary keys and the 35 foreign keys."""
import json
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

ERD_PATH = Path(settings.BASE_DIR) / "spec" / "erd.json"  # the contract, kept in the repo
# FK columns whose name is not the referenced table's primary key column.
FK_TARGETS_BY_ROLE = {
    "instructorid": "staff",
    "actualinstructorid": "staff",
    "evaluatorid": "staff",
    "classinstanceid": "classinstances",
}

pytestmark = pytest.mark.django_db


def load_erd():
    return json.loads(ERD_PATH.read_text())


def erd_foreign_keys(erd, table):
    """{fk column: referenced table} as the ERD gives them: a column named after
    another table's key references that table (a parent in the ERD relationships
    when two tables share the key name, e.g. scheduleid); role columns
    (instructorid, evaluatorid, ...) reference staff or classinstances."""
    parents = {parent for parent, child, _ in erd["relationships"] if child == table}
    owners = {}
    for other, spec in erd["tables"].items():
        for column in spec["columns"]:
            if column.get("key") == "PK":
                owners.setdefault(column["name"], []).append(other)

    def target(column):
        if column in FK_TARGETS_BY_ROLE:
            return FK_TARGETS_BY_ROLE[column]
        candidates = owners.get(column, [])
        if len(candidates) > 1:
            candidates = [c for c in candidates if c in parents]
        return candidates[0] if len(candidates) == 1 else None

    return {c["name"]: target(c["name"]) for c in erd["tables"][table]["columns"] if c.get("key") == "FK"}


def live_table(cursor, table):
    introspection = connection.introspection
    columns = [info.name for info in introspection.get_table_description(cursor, table)]
    constraints = introspection.get_constraints(cursor, table)
    primary_keys = [c["columns"] for c in constraints.values() if c["primary_key"]]
    foreign_keys = {
        c["columns"][0]: c["foreign_key"] for c in constraints.values() if c["foreign_key"]
    }
    return columns, primary_keys, foreign_keys


def test_migrations_are_applied_and_complete():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
    plan_out = StringIO()
    call_command("showmigrations", "--plan", stdout=plan_out)
    assert "[ ]" not in plan_out.getvalue()


def test_every_erd_table_exists():
    erd_tables = set(load_erd()["tables"])
    assert len(erd_tables) == 23
    live = set(connection.introspection.table_names())
    assert erd_tables <= live, f"missing tables: {sorted(erd_tables - live)}"


@pytest.mark.parametrize("table", sorted(load_erd()["tables"]))
def test_table_matches_erd(table):
    erd = load_erd()
    spec = erd["tables"][table]
    with connection.cursor() as cursor:
        columns, primary_keys, foreign_keys = live_table(cursor, table)

    assert sorted(columns) == sorted(c["name"] for c in spec["columns"])
    assert primary_keys == [[c["name"] for c in spec["columns"] if c.get("key") == "PK"]]
    expected = erd_foreign_keys(erd, table)
    assert {column: target for column, (target, _) in foreign_keys.items()} == expected
    for column, (target, target_column) in foreign_keys.items():
        target_pk = next(c["name"] for c in erd["tables"][target]["columns"] if c.get("key") == "PK")
        assert target_column == target_pk, f"{table}.{column} must reference {target}.{target_pk}"


TABLES_WITH_FOREIGN_KEYS = sorted(
    t for t, spec in load_erd()["tables"].items() if any(c.get("key") == "FK" for c in spec["columns"])
)


@pytest.mark.parametrize("table", sorted(set(load_erd()["tables"]) - set(TABLES_WITH_FOREIGN_KEYS)))
def test_column_order_matches_erd(table):
    with connection.cursor() as cursor:
        columns, _, _ = live_table(cursor, table)
    assert columns == [c["name"] for c in load_erd()["tables"][table]["columns"]]


@pytest.mark.parametrize("table", TABLES_WITH_FOREIGN_KEYS)
def test_column_order_matches_erd_for_tables_with_foreign_keys(table):
    with connection.cursor() as cursor:
        columns, _, _ = live_table(cursor, table)
    assert columns == [c["name"] for c in load_erd()["tables"][table]["columns"]]


def test_there_are_35_foreign_keys_covering_every_erd_relationship():
    erd = load_erd()
    all_fks = {
        (table, column): target for table in erd["tables"] for column, target in erd_foreign_keys(erd, table).items()
    }
    assert len(all_fks) == 35
    assert None not in all_fks.values()
    pairs = {(target, table) for (table, _), target in all_fks.items()}
    relationships = {(parent, child) for parent, child, _ in erd["relationships"]}
    # The ERD draws 33 relationship lines; instructorperformance has two keys to
    # staff (instructor, evaluator) and classinstances.actualinstructorid -> staff
    # is a column without a drawn line.
    assert pairs == relationships | {("staff", "classinstances")}
    with connection.cursor() as cursor:
        live = sum(len(live_table(cursor, table)[2]) for table in erd["tables"])
    assert live == 35


SHARED_ERD_PATH = Path(settings.BASE_DIR).parent / "shared" / "spec" / "erd.json"


@pytest.mark.skipif(not SHARED_ERD_PATH.exists(), reason="no shared/ checkout beside the project")
def test_repo_copy_of_the_erd_is_the_shared_contract():
    assert json.loads(ERD_PATH.read_text()) == json.loads(SHARED_ERD_PATH.read_text())

