"""Fixtures for the warehouse suite: the hand-made ODS and a first batch over it."""
import pytest

from warehouse.etl.pipeline import build_warehouse
from warehouse.reports import run_report

from .dataset import AS_OF, build_small_ods


@pytest.fixture
def small_ods(db):
    build_small_ods()


@pytest.fixture
def built(small_ods):
    """The small ODS loaded by one successful batch."""
    return build_warehouse(as_of=AS_OF)


def view(name, **filters):
    """Rows of an analytics view as dicts, optionally filtered on equal columns."""
    rows = run_report(name).as_dicts()
    return [r for r in rows if all(r[k] == v for k, v in filters.items())]
