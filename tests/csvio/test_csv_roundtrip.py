"""Every table exported to ODS CSV imports into empty tables and gives the same
rows back, byte for byte on re-export; the admin resources write exactly what
`export_table` writes."""
import io

import pytest
from django.db import connection
from import_export.formats.base_formats import CSV

from fitness import csvio
from fitness.core.tables import ods_models
from fitness.erd_resources import erd_resource

from ..dataset import build_dataset
from .importing import import_texts

pytestmark = pytest.mark.django_db


def export_all():
    files = {}
    for model in ods_models():
        buffer = io.StringIO(newline="")
        csvio.export_table(model, buffer)
        files[model] = buffer.getvalue()
    return files


def snapshot():
    """Every row of every table as Python values, in primary-key order."""
    return {
        model._meta.db_table: list(
            model.objects.order_by("pk").values_list(*[f.attname for f in csvio.erd_fields(model)])
        )
        for model in ods_models()
    }


def wipe_all():
    for model in reversed(ods_models()):
        model.objects.all().delete()


def test_every_table_round_trips_through_csv():
    build_dataset()
    before = snapshot()
    assert all(before.values()), "the dataset must put rows in every table"
    files = export_all()
    wipe_all()
    assert not any(snapshot().values())

    outcomes = import_texts(files.items())

    assert {table: outcome.rows for table, outcome in outcomes.items()} == {t: len(r) for t, r in before.items()}
    # Clean files take the fast way on PostgreSQL (cheap checks, then COPY), escaped text and all.
    expected_way = "copy" if connection.vendor == "postgresql" else "rows"
    assert {outcome.way for outcome in outcomes.values()} == {expected_way}
    assert snapshot() == before
    assert export_all() == files


def test_csv_header_is_the_erd_columns_and_formulas_are_escaped():
    from members.models import Member, MembershipType

    build_dataset()
    buffer = io.StringIO(newline="")
    csvio.export_table(MembershipType, buffer)
    lines = buffer.getvalue().split("\r\n")
    assert lines[0] == (
        "membershiptypeid,typename,description,monthlyfee,registrationfee,duration,"
        "maxfamilymembers,isactive,createddate"
    )
    assert lines[1] == "MT001,Individual Monthly,'=SUM(A1:A9),49.99,25.00,1,1,true,2020-01-01T09:30:15.123456+00:00"
    # NULL is an empty cell; the New York timestamp is written in UTC.
    assert lines[2] == 'MT002,"Family ""Annual"", 4",,0.00,0.00,12,4,false,2021-07-01T03:59:59+00:00'

    member_csv = io.StringIO(newline="")
    csvio.export_table(Member, member_csv)
    text = member_csv.getvalue()
    assert ",'-Ann," in text and ",'@handle," in text and ",'+1 555 0100," in text
    assert ",'\ttab first," in text and ",''already quoted," in text


@pytest.mark.parametrize("model", ods_models(), ids=lambda m: m._meta.db_table)
def test_admin_resource_export_is_byte_identical_to_export_table(model):
    build_dataset()
    direct = io.StringIO(newline="")
    csvio.export_table(model, direct)
    dataset = erd_resource(model)().export(model.objects.order_by("pk"))
    assert CSV().export_data(dataset) == direct.getvalue()
    # The admin's streaming download goes through iter_table_csv: same text again.
    assert "".join(csvio.iter_table_csv(model)) == direct.getvalue()
