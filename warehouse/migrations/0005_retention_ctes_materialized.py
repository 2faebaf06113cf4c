"""Recreate the analytics views: the cohort CTEs of member_retention_metrics
are MATERIALIZED (computed once; shared with the dashboard's retention query)."""
from django.db import migrations


def recreate(apps, schema_editor):
    from warehouse.analytics import create_views

    create_views(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("warehouse", "0004_retention_view_set_based")]

    operations = [migrations.RunPython(recreate, migrations.RunPython.noop)]
