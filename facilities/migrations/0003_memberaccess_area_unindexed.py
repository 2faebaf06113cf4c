"""memberaccess.areaid loses its index (see MemberAccess.area).

The index is dropped by name from the catalog rather than by AlterField: on
SQLite, AlterField rebuilds the table with the altered column moved last,
which would break the ERD's column order."""
import django.db.models.deletion
from django.db import migrations, models


def area_indexes(schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "memberaccess")
    return [name for name, info in constraints.items()
            if info["columns"] == ["areaid"] and info["index"] and not (info["unique"] or info["primary_key"])]


def drop_area_index(apps, schema_editor):
    for name in area_indexes(schema_editor):
        schema_editor.execute(f"DROP INDEX {schema_editor.quote_name(name)}")


def create_area_index(apps, schema_editor):
    if not area_indexes(schema_editor):
        schema_editor.execute("CREATE INDEX memberaccess_areaid_10b00f4f ON memberaccess (areaid)")


class Migration(migrations.Migration):

    dependencies = [
        ('facilities', '0002_use_c_collation_ids'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(drop_area_index, create_area_index)],
            state_operations=[
                migrations.AlterField(
                    model_name='memberaccess',
                    name='area',
                    field=models.ForeignKey(db_column='areaid', db_index=False,
                                            on_delete=django.db.models.deletion.PROTECT, related_name='visits',
                                            to='facilities.facilityarea'),
                ),
            ],
        ),
    ]
