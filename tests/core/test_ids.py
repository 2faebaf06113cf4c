"""The id registry: one prefix per ERD table, formats that parse back."""
import json
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

from fitness.core.ids import ID_FORMATS, format_id

ERD_PATH = Path(settings.BASE_DIR) / "spec" / "erd.json"  # the contract, kept in the repo
ODS_APPS = ("members", "facilities", "classes", "equipment", "staff")


def ods_tables():
    return {m._meta.db_table for a in ODS_APPS for m in apps.get_app_config(a).get_models()}


def test_every_erd_table_has_exactly_one_id_format():
    erd_tables = set(json.loads(ERD_PATH.read_text())["tables"])
    assert set(ID_FORMATS) == erd_tables == ods_tables()


def test_prefixes_are_distinct_and_no_id_matches_another_tables_pattern():
    prefixes = [f.prefix for f in ID_FORMATS.values()]
    assert len(prefixes) == len(set(prefixes))
    for table, fmt in ID_FORMATS.items():
        sample = fmt.format(7)
        matching = [t for t, other in ID_FORMATS.items() if other.pattern.match(sample)]
        assert matching == [table], f"{sample} matches {matching}"


@pytest.mark.parametrize(
    "table, number, expected",
    [("members", 1, "MEM000001"), ("facilities", 12, "FAC012"), ("memberaccess", 1, "ACC00000001"),
     ("members", 1234567, "MEM1234567")],
)
def test_format_id_pads_to_width_and_grows_past_it(table, number, expected):
    assert format_id(table, number) == expected
    assert ID_FORMATS[table].number(expected) == number


@pytest.mark.parametrize("bad", ["MEM12", "mem000001", "FAC000001X", "", None, "STF0001"])
def test_number_refuses_malformed_member_ids(bad):
    with pytest.raises(ValueError):
        ID_FORMATS["members"].number(bad)


def test_primary_key_columns_are_long_enough_for_grown_ids():
    for app in ODS_APPS:
        for model in apps.get_app_config(app).get_models():
            fmt = ID_FORMATS[model._meta.db_table]
            assert model._meta.pk.max_length >= len(fmt.format(10 ** (fmt.width + 3)))
