"""Drop the `varchar_pattern_ops` ("_like") indexes Django adds on PostgreSQL
beside every indexed character column of the ODS tables.

They serve only `LIKE 'prefix%'` queries. Nothing here runs those on these
columns: the admin searches ids with exact matches, and the ETL, check_ods and
the views join on equality. Each one costs an index build of every event row
and index maintenance on every insert (on the chain profile, 14 of them, the
largest over the 8.7 million check-ins). SQLite has no such indexes.
"""
from django.db import migrations

from fitness.core.tables import LOAD_ORDER


def drop_pattern_ops_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("""
            SELECT ix.relname FROM pg_index i
            JOIN pg_class ix ON ix.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
            JOIN pg_opclass oc ON oc.oid = ANY(i.indclass::oid[])
            WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace
              AND oc.opcname IN ('varchar_pattern_ops', 'text_pattern_ops')""", [list(LOAD_ORDER)])
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{name}"')


class Migration(migrations.Migration):

    dependencies = [
        ("fitness", "0001_initial"),
        ("members", "0001_initial"),
        ("facilities", "0001_initial"),
        ("classes", "0001_initial"),
        ("equipment", "0001_initial"),
        ("staff", "0002_instructorfeedback"),
    ]

    # Going back leaves them dropped: they were never used, and re-creating them changes no behaviour.
    operations = [migrations.RunPython(drop_pattern_ops_indexes, migrations.RunPython.noop)]
