"""Integrity rules I1-I3: foreign keys, primary keys and id forms, area/facility agreement.

Keys in samples are written `table:primary key` (I2) or
`table.column:primary key` (I1), since these rules span every table.
"""
from django.db import connection, models

from fitness.core.dialect import Dialect
from fitness.core.ids import ID_FORMATS
from fitness.core.tables import model_for, ods_models

from ..registry import Outcome, offenders, rule

# Tables whose area must lie in the row's own facility (rule I3).
AREA_TABLES = ("memberaccess", "classschedules", "equipment", "staffschedules")


def foreign_keys():
    """(child table, child pk column, fk column, parent table, parent pk column) for every FK."""
    for model in ods_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.ForeignKey):
                parent = field.related_model._meta
                yield (model._meta.db_table, model._meta.pk.column, field.column, parent.db_table, parent.pk.column)


# Skipping through an index costs one probe per distinct value, a scan one
# step per row; below this many rows per value the plain scan is cheaper.
ROWS_PER_VALUE_FOR_SKIPPING = 50


def worth_skipping_through(table, column):
    """PostgreSQL's statistics say `column` has few distinct values for its rows,
    and a plain B-tree index of `table` starts with it (so it hands them out in
    order: default operator class and collation, not partial)."""
    if not Dialect.current().is_postgres:
        return False  # no statistics to go by; SQLite datasets are small
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT s.n_distinct, t.reltuples FROM pg_class t
            JOIN pg_stats s ON s.schemaname = current_schema() AND s.tablename = t.relname AND s.attname = %s
            WHERE t.relname = %s AND t.relnamespace = current_schema()::regnamespace AND EXISTS (
                SELECT 1 FROM pg_index i
                JOIN pg_class ix ON ix.oid = i.indexrelid JOIN pg_am am ON am.oid = ix.relam
                JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                JOIN pg_opclass oc ON oc.oid = i.indclass[0]
                WHERE i.indrelid = t.oid AND a.attname = %s AND am.amname = 'btree' AND oc.opcdefault
                  AND i.indcollation[0] = a.attcollation AND i.indpred IS NULL)""", [column, table, column])
        row = cursor.fetchone()
    if row is None or row[1] <= 0:
        return False
    n_distinct, rows = row
    values = -n_distinct * rows if n_distinct < 0 else n_distinct  # negative: a fraction of the rows
    return values * ROWS_PER_VALUE_FOR_SKIPPING <= rows


def orphans_sql(child, child_pk, column, parent, parent_pk):
    """Statement selecting 'child.column:pk' for every child row whose non-null
    `column` has no parent row.

    When it pays, the column's distinct values are read by skipping through
    its index (one probe per value: 50 facilities or 52,000 members instead of
    8.7 million check-ins), the ones without a parent found, and only the rows
    holding those looked up. Same rows as the plain anti join."""
    offender = f"'{child}.{column}:' || c.{child_pk}"
    if not worth_skipping_through(child, column):
        return (
            f"SELECT {offender} AS offender FROM {child} c LEFT JOIN {parent} p ON p.{parent_pk} = c.{column} "
            f"WHERE c.{column} IS NOT NULL AND p.{parent_pk} IS NULL"
        )
    return f"""WITH RECURSIVE child_keys(value) AS (
            SELECT MIN({column}) FROM {child}
            UNION ALL
            SELECT (SELECT MIN(c.{column}) FROM {child} c WHERE c.{column} > child_keys.value)
            FROM child_keys WHERE child_keys.value IS NOT NULL)
        SELECT {offender} AS offender FROM {child} c
        WHERE c.{column} IN (SELECT k.value FROM child_keys k LEFT JOIN {parent} p ON p.{parent_pk} = k.value
                             WHERE k.value IS NOT NULL AND p.{parent_pk} IS NULL)"""


@rule("I1", "(all tables)", """Every non-null foreign-key column references an existing row (orphans are
possible in SQLite with foreign keys off or in data imported with checks deferred); also every
certification id listed in classtypes.requiredcertifications exists in instructorcertifications.
Sample keys are table.column:primary-key; details count orphans per foreign key.""")
def check_foreign_keys(ctx):
    outcome = Outcome()
    for child, child_pk, column, parent, parent_pk in foreign_keys():
        sql = orphans_sql(child, child_pk, column, parent, parent_pk)
        outcome.merge(offenders(ctx, sql), label=f"{child}.{column}")
    required = ctx.dialect.split_csv("r", "classtypes", "classtypeid", "requiredcertifications")
    sql = (
        f"SELECT 'classtypes.requiredcertifications:' || r.owner_id AS offender FROM {required} "
        "LEFT JOIN instructorcertifications ic ON ic.certificationid = r.item WHERE ic.certificationid IS NULL"
    )
    return outcome.merge(offenders(ctx, sql), label="classtypes.requiredcertifications")


def has_primary_key_constraint(table, column):
    """The database itself enforces uniqueness of `column` (a declared primary key)."""
    with connection.cursor() as cursor:
        return connection.introspection.get_primary_key_columns(cursor, table) == [column]


@rule("I2", "(all tables)", """Every primary key is unique and not null, and keeps the ERD's prefixed form
of fitness.core.ids.ID_FORMATS (prefix then at least `width` digits, e.g. MEM000001, FAC001).
Uniqueness is counted with a GROUP BY only for tables whose primary-key constraint is missing (a
declared primary key already guarantees it). Sample keys are table:primary-key; details count
offending rows per table.""")
def check_primary_keys(ctx):
    outcome = Outcome()
    for model in ods_models():
        table, pk = model._meta.db_table, model._meta.pk.column
        id_format = ID_FORMATS[table]
        sql = (
            f"SELECT '{table}:' || COALESCE({pk}, '(null)') AS offender FROM {table} "
            f"WHERE {pk} IS NULL OR NOT {ctx.dialect.has_id_form(pk, id_format.prefix, id_format.width)}"
        )
        if not has_primary_key_constraint(table, pk):
            sql += f" UNION ALL SELECT '{table}:' || {pk} FROM {table} GROUP BY {pk} HAVING COUNT(*) > 1"
        outcome.merge(offenders(ctx, sql), label=table)
    return outcome


@rule("I3", "memberaccess, classschedules, equipment, staffschedules", """The areaid of memberaccess,
classschedules, equipment and staffschedules (when not null) is an area of the row's own facilityid
(facilityareas.facilityid = the row's facilityid).""")
def check_area_in_facility(ctx):
    outcome = Outcome()
    for table in AREA_TABLES:
        model = model_for(table)
        pk = model._meta.pk.column
        sql = (
            f"SELECT t.{pk} AS offender FROM {table} t JOIN facilityareas a ON a.areaid = t.areaid "
            "WHERE a.facilityid <> t.facilityid"
        )
        outcome.merge(offenders(ctx, sql), label=table)
    return outcome
