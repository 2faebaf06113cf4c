"""The check window: its defaults from the current chain's seed runs, or from the data.
(The SQL fragments the rules use are fitness.core.dialect's, tested in tests/core.)"""
import datetime as dt

from fitness.models import SeedRun
from fitness.quality.context import current_chain_runs, resolve_context


def seed_run(mode, start, end):
    return SeedRun.objects.create(mode=mode, seed=1, profile="tiny", window_start=start, window_end=end)


def test_window_defaults_to_latest_seed_run(db):
    seed_run("create", dt.date(2024, 1, 1), dt.date(2024, 2, 1))
    ctx = resolve_context()
    assert (ctx.window_start, ctx.as_of, ctx.window_source) == (dt.date(2024, 1, 1), dt.date(2024, 2, 1), "seed run")
    ctx = resolve_context(days=7)
    assert (ctx.window_start, ctx.as_of) == (dt.date(2024, 1, 25), dt.date(2024, 2, 1))


def test_window_after_appends_covers_every_seeded_window(db):
    seed_run("create", dt.date(2024, 1, 1), dt.date(2024, 2, 1))
    seed_run("append", dt.date(2024, 2, 1), dt.date(2024, 2, 8))
    seed_run("append", dt.date(2024, 2, 8), dt.date(2024, 3, 1))
    ctx = resolve_context()
    assert (ctx.window_start, ctx.as_of) == (dt.date(2024, 1, 1), dt.date(2024, 3, 1))
    assert ctx.window_source == "3 seed runs of one chain"


def test_window_after_appends_keeps_days_and_as_of_options(db):
    seed_run("create", dt.date(2024, 1, 1), dt.date(2024, 2, 1))
    seed_run("append", dt.date(2024, 2, 1), dt.date(2024, 3, 1))
    ctx = resolve_context(days=7)
    assert (ctx.window_start, ctx.as_of) == (dt.date(2024, 2, 23), dt.date(2024, 3, 1))
    # An explicit as-of ignores the seed runs: the window covers the data (none here).
    ctx = resolve_context(as_of=dt.date(2024, 2, 15), days=10)
    assert (ctx.window_start, ctx.as_of, ctx.window_source) == (dt.date(2024, 2, 5), dt.date(2024, 2, 15), "options")


def test_a_flush_starts_a_new_chain(db):
    seed_run("create", dt.date(2023, 1, 1), dt.date(2023, 2, 1))
    seed_run("append", dt.date(2023, 2, 1), dt.date(2023, 3, 1))
    flushed = seed_run("flush", dt.date(2024, 5, 1), dt.date(2024, 6, 1))
    appended = seed_run("append", dt.date(2024, 6, 1), dt.date(2024, 6, 15))
    assert current_chain_runs() == [appended, flushed]
    ctx = resolve_context()
    assert (ctx.window_start, ctx.as_of) == (dt.date(2024, 5, 1), dt.date(2024, 6, 15))


def test_window_without_seed_run_covers_all_data(valid_dataset):
    ctx = resolve_context(as_of=dt.date(2024, 3, 1))
    # the earliest event in the data is the start of MEM000003's first period MSH00000004 (2023-01-05)
    assert (ctx.window_start, ctx.as_of, ctx.window_source) == (dt.date(2023, 1, 5), dt.date(2024, 3, 1), "all data")
