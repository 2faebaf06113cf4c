"""Id columns become IdField: on PostgreSQL they (and the foreign keys to them)
use the "C" collation, so the big tables' indexes build and sort bytewise
(see fitness/core/fields.py). Nothing changes on SQLite."""
from django.db import migrations

import fitness.core.fields
from fitness.core.fields import AlterIdCollation


class Migration(migrations.Migration):

    dependencies = [
        ('equipment', '0001_initial'),
    ]

    operations = [
        AlterIdCollation(
            model_name='equipment',
            name='equipment_id',
            field=fitness.core.fields.IdField(db_column='equipmentid', max_length=20, primary_key=True, serialize=False),
        ),
        AlterIdCollation(
            model_name='equipmentmaintenance',
            name='maintenance_id',
            field=fitness.core.fields.IdField(db_column='maintenanceid', max_length=20, primary_key=True, serialize=False),
        ),
        AlterIdCollation(
            model_name='equipmentusage',
            name='usage_id',
            field=fitness.core.fields.IdField(db_column='usageid', max_length=20, primary_key=True, serialize=False),
        ),
    ]
