"""Id columns become IdField: on PostgreSQL they (and the foreign keys to them)
use the "C" collation, so the big tables' indexes build and sort bytewise
(see fitness/core/fields.py). Nothing changes on SQLite."""
from django.db import migrations

import fitness.core.fields
from fitness.core.fields import AlterIdCollation


class Migration(migrations.Migration):

    dependencies = [
        ('members', '0001_initial'),
    ]

    operations = [
        AlterIdCollation(
            model_name='member',
            name='member_id',
            field=fitness.core.fields.IdField(db_column='memberid', max_length=20, primary_key=True, serialize=False),
        ),
        AlterIdCollation(
            model_name='membermembership',
            name='membership_id',
            field=fitness.core.fields.IdField(db_column='membershipid', max_length=20, primary_key=True, serialize=False),
        ),
        AlterIdCollation(
            model_name='memberpayment',
            name='payment_id',
            field=fitness.core.fields.IdField(db_column='paymentid', max_length=20, primary_key=True, serialize=False),
        ),
        AlterIdCollation(
            model_name='membershiptype',
            name='membership_type_id',
            field=fitness.core.fields.IdField(db_column='membershiptypeid', max_length=20, primary_key=True, serialize=False),
        ),
    ]
