"""The analytics views (see warehouse/analytics.py for their definitions).

One SQL text serves SQLite and PostgreSQL; `create_views` is the single place
that would branch on `schema_editor.connection.vendor` if they ever differ."""
from django.db import migrations


def create_views(apps, schema_editor):
    from warehouse.analytics import create_views as create

    create(schema_editor.connection)


def drop_views(apps, schema_editor):
    from warehouse.analytics import drop_views as drop

    drop(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("warehouse", "0001_initial")]

    operations = [migrations.RunPython(create_views, drop_views)]
