"""Id columns become IdField: on PostgreSQL they (and the foreign keys to them)
use the "C" collation, so the big tables' indexes build and sort bytewise
(see fitness/core/fields.py). Nothing changes on SQLite."""
from django.db import migrations

import fitness.core.fields
from fitness.core.fields import AlterIdCollation


class Migration(migrations.Migration):

    dependencies = [
        ('classes', '0001_initial'),
    ]

    operations = [
        AlterIdCollation(
            model_name='classenrollment',
            name='enrollment_id',
            field=fitness.core.fields.IdField(db_column='enrollmentid', max_length=20, primary_key=True, serialize=False),
        ),
        AlterIdCollation(
            model_name='classinstance',
            name='instance_id',
            field=fitness.core.fields.IdField(db_column='instanceid', max_length=20, primary_key=True, serialize=False),
        ),
        AlterIdCollation(
            model_name='classschedule',
            name='schedule_id',
            field=fitness.core.fields.IdField(db_column='scheduleid', max_length=20, primary_key=True, serialize=False),
        ),
        AlterIdCollation(
            model_name='classtype',
            name='class_type_id',
            field=fitness.core.fields.IdField(db_column='classtypeid', max_length=20, primary_key=True, serialize=False),
        ),
    ]
