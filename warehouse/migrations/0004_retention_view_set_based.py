"""Recreate the analytics views: member_retention_metrics now joins instead
of running correlated EXISTS over a CTE (minutes -> seconds on a chain)."""
from django.db import migrations


def recreate(apps, schema_editor):
    from warehouse.analytics import create_views

    create_views(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("warehouse", "0003_fact_natural_keys_as_constraints")]

    operations = [migrations.RunPython(recreate, migrations.RunPython.noop)]
