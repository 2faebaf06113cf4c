"""Model fields shared by the ODS apps."""
from django.db import migrations, models


class IdField(models.CharField):
    """An ERD id column (`M0000042`, `ACC000001234`): prefixed text, compared byte by byte.

    On PostgreSQL the column (and, through Django, every foreign key to it) gets
    the "C" collation. Ids are ASCII, so the order is the same as the
    database's default; but "C" compares with memcmp and lets sorts use
    abbreviated keys, where a libc locale calls strcoll for every comparison.
    That is most of the cost of building the big tables' indexes after a bulk
    seed (bench/bench_seed.py) and of the joins and sorts of check_ods and the
    warehouse. SQLite already compares text bytewise (BINARY) and gets no
    collation clause.
    """

    def db_parameters(self, connection):
        parameters = super().db_parameters(connection)
        if connection.vendor == "postgresql" and parameters.get("collation") is None:
            parameters["collation"] = "C"
        return parameters


class AlterIdCollation(migrations.AlterField):
    """AlterField to IdField whose database change only PostgreSQL needs.

    On SQLite the column stays as it is (BINARY is already bytewise), and
    Django's SQLite AlterField would rebuild the table with the altered column
    moved last, breaking the ERD's column order."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
