"""Ids compare in one collation everywhere: "C" on PostgreSQL for every ODS id
column, every foreign key to one and every warehouse column holding one, so
joins between ODS and warehouse ids can use either side's index; nothing on
SQLite, whose text is bytewise already."""
import pytest
from django.apps import apps
from django.db import connection, models

from fitness.core.dialect import Dialect
from fitness.core.fields import IdField

pytestmark = pytest.mark.django_db

ID_APPS = ("members", "facilities", "classes", "equipment", "staff", "warehouse")


def id_columns():
    """(table, column) of every concrete field holding an ODS id: IdFields and foreign keys to them."""
    columns = []
    for app in ID_APPS:
        for model in apps.get_app_config(app).get_models():
            if not model._meta.managed:
                continue
            for field in model._meta.concrete_fields:
                target = field.target_field if field.is_relation else field
                if isinstance(target, IdField):
                    columns.append((model._meta.db_table, field.column))
    return columns


def column_collations():
    with connection.cursor() as cursor:
        if Dialect.current().is_postgres:
            cursor.execute("SELECT table_name, column_name, collation_name FROM information_schema.columns "
                           "WHERE table_schema = current_schema()")
            return {(table, column): collation for table, column, collation in cursor.fetchall()}
        collations = {}
        for table in connection.introspection.table_names(cursor):
            for column in connection.introspection.get_table_description(cursor, table):
                collations[(table, column.name)] = column.collation
        return collations


def test_every_ods_id_column_has_the_id_collation():
    columns = id_columns()
    assert len(columns) > 80  # 23 primary keys, their foreign keys and the warehouse's natural keys
    collations = column_collations()
    expected = "C" if Dialect.current().is_postgres else None
    assert {column: collations[column] for column in columns if collations[column] != expected} == {}


def test_warehouse_ids_are_id_fields():
    """A warehouse column named like an ODS id must be an IdField, or its joins with the ODS mix collations."""
    plain = [f"{model.__name__}.{field.name}" for model in apps.get_app_config("warehouse").get_models()
             for field in model._meta.concrete_fields
             if field.name.endswith("_id") and type(field) is models.CharField]
    assert plain == []
