"""ODS ids in the warehouse (natural keys, source ids) become IdField, like the
ODS's own: on PostgreSQL "C" collation, so a join between an ODS id and a
warehouse key compares in one collation and can use either side's index (with
mixed collations the warehouse's unique natural-key indexes were unusable in
those joins). Views on these columns are dropped first and recreated after.
Nothing changes on SQLite."""
from django.db import migrations

import fitness.core.fields
from fitness.core.fields import AlterIdCollation


def drop_views(apps, schema_editor):
    from warehouse.analytics import drop_views

    drop_views(schema_editor.connection)


def create_views(apps, schema_editor):
    from warehouse.analytics import create_views

    create_views(schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('warehouse', '0006_source_fingerprints'),
    ]

    operations = [
        migrations.RunPython(drop_views, create_views),
        AlterIdCollation(
            model_name='dimarea',
            name='area_id',
            field=fitness.core.fields.IdField(max_length=20, unique=True),
        ),
        AlterIdCollation(
            model_name='dimarea',
            name='facility_id',
            field=fitness.core.fields.IdField(max_length=20),
        ),
        AlterIdCollation(
            model_name='dimcertification',
            name='certification_id',
            field=fitness.core.fields.IdField(max_length=20, unique=True),
        ),
        AlterIdCollation(
            model_name='dimclasstype',
            name='class_type_id',
            field=fitness.core.fields.IdField(max_length=20, unique=True),
        ),
        AlterIdCollation(
            model_name='dimequipment',
            name='area_id',
            field=fitness.core.fields.IdField(max_length=20),
        ),
        AlterIdCollation(
            model_name='dimequipment',
            name='equipment_id',
            field=fitness.core.fields.IdField(max_length=20, unique=True),
        ),
        AlterIdCollation(
            model_name='dimequipment',
            name='facility_id',
            field=fitness.core.fields.IdField(max_length=20),
        ),
        AlterIdCollation(
            model_name='dimfacility',
            name='facility_id',
            field=fitness.core.fields.IdField(max_length=20, unique=True),
        ),
        AlterIdCollation(
            model_name='dimmember',
            name='home_facility_id',
            field=fitness.core.fields.IdField(help_text='Facility of most visits.', max_length=20, null=True),
        ),
        AlterIdCollation(
            model_name='dimmember',
            name='member_id',
            field=fitness.core.fields.IdField(max_length=20),
        ),
        AlterIdCollation(
            model_name='dimmember',
            name='membership_type_id',
            field=fitness.core.fields.IdField(max_length=20, null=True),
        ),
        AlterIdCollation(
            model_name='dimmembershiptype',
            name='membership_type_id',
            field=fitness.core.fields.IdField(max_length=20),
        ),
        AlterIdCollation(
            model_name='dimstaff',
            name='staff_id',
            field=fitness.core.fields.IdField(max_length=20),
        ),
        AlterIdCollation(
            model_name='factclassattendance',
            name='enrollment_id',
            field=fitness.core.fields.IdField(max_length=20),
        ),
        AlterIdCollation(
            model_name='factclassattendance',
            name='instance_id',
            field=fitness.core.fields.IdField(max_length=20),
        ),
        AlterIdCollation(
            model_name='factclasssession',
            name='instance_id',
            field=fitness.core.fields.IdField(max_length=20),
        ),
        AlterIdCollation(
            model_name='factclasssession',
            name='schedule_id',
            field=fitness.core.fields.IdField(max_length=20),
        ),
        AlterIdCollation(
            model_name='factequipmentmaintenance',
            name='maintenance_id',
            field=fitness.core.fields.IdField(max_length=20),
        ),
        AlterIdCollation(
            model_name='factequipmentusage',
            name='usage_id',
            field=fitness.core.fields.IdField(max_length=20),
        ),
        AlterIdCollation(
            model_name='factinstructorfeedback',
            name='feedback_id',
            field=fitness.core.fields.IdField(max_length=20),
        ),
        AlterIdCollation(
            model_name='factinstructorfeedback',
            name='instance_id',
            field=fitness.core.fields.IdField(max_length=20),
        ),
        AlterIdCollation(
            model_name='factmembershipperiod',
            name='membership_id',
            field=fitness.core.fields.IdField(max_length=20),
        ),
        AlterIdCollation(
            model_name='factpayment',
            name='payment_id',
            field=fitness.core.fields.IdField(max_length=20),
        ),
        AlterIdCollation(
            model_name='factpayroll',
            name='payroll_id',
            field=fitness.core.fields.IdField(max_length=20),
        ),
        AlterIdCollation(
            model_name='factstaffcertification',
            name='staff_certification_id',
            field=fitness.core.fields.IdField(max_length=20),
        ),
        AlterIdCollation(
            model_name='factstaffcertification',
            name='staff_id',
            field=fitness.core.fields.IdField(max_length=20),
        ),
        AlterIdCollation(
            model_name='factstaffshift',
            name='schedule_id',
            field=fitness.core.fields.IdField(max_length=20),
        ),
        AlterIdCollation(
            model_name='factvisit',
            name='access_id',
            field=fitness.core.fields.IdField(max_length=20),
        ),
        AlterIdCollation(
            model_name='membervisitcount',
            name='facility_id',
            field=fitness.core.fields.IdField(max_length=20),
        ),
        AlterIdCollation(
            model_name='membervisitcount',
            name='member_id',
            field=fitness.core.fields.IdField(max_length=20),
        ),
        migrations.RunPython(create_views, drop_views),
    ]
