"""The ODS table registry (fitness.core.tables): the ERD's 23 tables, each once,
parents before children, resolved to the apps' models."""
import json
from pathlib import Path

from django.conf import settings

from fitness.core.tables import LOAD_ORDER, model_for, ods_models

ERD_PATH = Path(settings.BASE_DIR) / "spec" / "erd.json"


def test_the_registry_is_the_erds_tables_each_once():
    erd_tables = set(json.loads(ERD_PATH.read_text())["tables"])
    assert len(LOAD_ORDER) == len(set(LOAD_ORDER)) == 23
    assert set(LOAD_ORDER) == erd_tables


def test_models_come_in_load_order_and_parents_load_first():
    models = ods_models()
    assert [m._meta.db_table for m in models] == list(LOAD_ORDER)
    position = {model: i for i, model in enumerate(models)}
    for model in models:
        for field in model._meta.concrete_fields:
            if field.is_relation and field.related_model is not model:
                assert position[field.related_model] < position[model], f"{model._meta.db_table}.{field.column}"


def test_model_for_a_table_name():
    assert model_for("members")._meta.db_table == "members"
