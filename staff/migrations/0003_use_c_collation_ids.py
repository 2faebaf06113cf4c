"""Id columns become IdField: on PostgreSQL they (and the foreign keys to them)
use the "C" collation, so the big tables' indexes build and sort bytewise
(see fitness/core/fields.py). Nothing changes on SQLite."""
from django.db import migrations

import fitness.core.fields
from fitness.core.fields import AlterIdCollation


class Migration(migrations.Migration):

    dependencies = [
        ('staff', '0002_instructorfeedback'),
    ]

    operations = [
        AlterIdCollation(
            model_name='instructorcertification',
            name='certification_id',
            field=fitness.core.fields.IdField(db_column='certificationid', max_length=20, primary_key=True, serialize=False),
        ),
        AlterIdCollation(
            model_name='instructorfeedback',
            name='feedback_id',
            field=fitness.core.fields.IdField(db_column='feedbackid', max_length=20, primary_key=True, serialize=False),
        ),
        AlterIdCollation(
            model_name='instructorperformance',
            name='performance_id',
            field=fitness.core.fields.IdField(db_column='performanceid', max_length=20, primary_key=True, serialize=False),
        ),
        AlterIdCollation(
            model_name='staff',
            name='staff_id',
            field=fitness.core.fields.IdField(db_column='staffid', max_length=20, primary_key=True, serialize=False),
        ),
        AlterIdCollation(
            model_name='staffcertification',
            name='staff_certification_id',
            field=fitness.core.fields.IdField(db_column='staffcertificationid', max_length=20, primary_key=True, serialize=False),
        ),
        AlterIdCollation(
            model_name='stafffacility',
            name='assignment_id',
            field=fitness.core.fields.IdField(db_column='assignmentid', max_length=20, primary_key=True, serialize=False),
        ),
        AlterIdCollation(
            model_name='staffpayroll',
            name='payroll_id',
            field=fitness.core.fields.IdField(db_column='payrollid', max_length=20, primary_key=True, serialize=False),
        ),
        AlterIdCollation(
            model_name='staffschedule',
            name='schedule_id',
            field=fitness.core.fields.IdField(db_column='scheduleid', max_length=20, primary_key=True, serialize=False),
        ),
        AlterIdCollation(
            model_name='stafftimetracking',
            name='time_tracking_id',
            field=fitness.core.fields.IdField(db_column='timetrackingid', max_length=20, primary_key=True, serialize=False),
        ),
    ]
