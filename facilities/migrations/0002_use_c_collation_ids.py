"""Id columns become IdField: on PostgreSQL they (and the foreign keys to them)
use the "C" collation, so the big tables' indexes build and sort bytewise
(see fitness/core/fields.py). Nothing changes on SQLite."""
from django.db import migrations

import fitness.core.fields
from fitness.core.fields import AlterIdCollation


class Migration(migrations.Migration):

    dependencies = [
        ('facilities', '0001_initial'),
    ]

    operations = [
        AlterIdCollation(
            model_name='facility',
            name='facility_id',
            field=fitness.core.fields.IdField(db_column='facilityid', max_length=20, primary_key=True, serialize=False),
        ),
        AlterIdCollation(
            model_name='facilityarea',
            name='area_id',
            field=fitness.core.fields.IdField(db_column='areaid', max_length=20, primary_key=True, serialize=False),
        ),
        AlterIdCollation(
            model_name='memberaccess',
            name='access_id',
            field=fitness.core.fields.IdField(db_column='accessid', max_length=20, primary_key=True, serialize=False),
        ),
    ]
