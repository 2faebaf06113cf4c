"""The check window: its defaults from the latest seed run, or from the data.
(The SQL fragments the rules use are fitness.core.dialect's, tested in tests/core.)"""
import datetime as dt

from fitness.models import SeedRun
from fitness.quality.context import resolve_context


def test_window_defaults_to_latest_seed_run(db):
    SeedRun.objects.create(mode="create", seed=1, profile="tiny", window_start=dt.date(2024, 1, 1),
                           window_end=dt.date(2024, 2, 1))
    ctx = resolve_context()
    assert (ctx.window_start, ctx.as_of, ctx.window_source) == (dt.date(2024, 1, 1), dt.date(2024, 2, 1), "seed run")
    ctx = resolve_context(days=7)
    assert (ctx.window_start, ctx.as_of) == (dt.date(2024, 1, 25), dt.date(2024, 2, 1))


def test_window_without_seed_run_covers_all_data(valid_dataset):
    ctx = resolve_context(as_of=dt.date(2024, 3, 1))
    # the earliest event in the data is payment PAY00000005 (2023-03-01)
    assert (ctx.window_start, ctx.as_of, ctx.window_source) == (dt.date(2023, 3, 1), dt.date(2024, 3, 1), "all data")
