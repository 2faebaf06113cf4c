"""The seeding engine's contracts: an immutable result, a versioned append
state read by name, clear refusals (with nothing changed) for a state or a
seed it cannot take, and random sources that do not disturb each other."""
import dataclasses
import datetime as dt

import pytest

from fitness.models import SeedRun
from fitness.seeding.engine import RandomSources
from fitness.seeding.members_sim import MemberSim
from fitness.seeding.run import MAX_DAYS, MAX_SEED, SeedError, seed_ods
from fitness.seeding.snapshot import STATE_VERSION, SnapshotError, load_snapshot, rows_in_order
from tests.seeding.test_seed_ods import counts, table_dump

END = dt.date(2025, 3, 12)
SMALL = {"profile": "small", "members": 40, "end_date": END}

pytestmark = pytest.mark.django_db


def test_the_result_is_immutable_and_names_its_seed_run():
    result = seed_ods(days=2, seed=5, **SMALL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.seed = 6
    run = SeedRun.objects.get(pk=result.run_id)
    assert run.seed == 5 and run.window_end == END
    assert run.seconds == pytest.approx(result.total_seconds)


def test_the_stored_state_is_versioned_and_keyed_by_name():
    seed_ods(days=2, seed=5, **SMALL)
    state = SeedRun.objects.get().state
    assert state["version"] == STATE_VERSION
    assert state["members"]["fields"] == list(MemberSim.__slots__)
    assert len(state["members"]["rows"]) >= 40
    assert state["machines"]["fields"] == ["next_preventive", "out_until"]


def test_state_fields_are_found_by_name_in_any_order():
    table = {"fields": ["b", "a"], "rows": [[2, 1], [4, 3]]}
    assert rows_in_order(table, ("a", "b")) == [[1, 2], [3, 4]]
    with pytest.raises(KeyError, match="c"):
        rows_in_order(table, ("a", "c"))


def test_an_append_continues_from_a_state_stored_in_another_field_order():
    seed_ods(days=2, seed=5, end_date=END - dt.timedelta(days=2), profile="small", members=40)
    run = SeedRun.objects.get()
    members = run.state["members"]
    reversed_fields = list(reversed(members["fields"]))
    run.state["members"] = {"fields": reversed_fields, "rows": [list(reversed(row)) for row in members["rows"]]}
    run.save()
    seed_ods(end_date=END, append=True)
    appended = table_dump()

    seed_ods(days=2, seed=5, end_date=END - dt.timedelta(days=2), profile="small", members=40, flush=True)
    seed_ods(end_date=END, append=True)
    assert table_dump() == appended


@pytest.mark.parametrize("damage, message", [
    (lambda state: state.pop("version"), "format 1"),
    (lambda state: state.update(version=STATE_VERSION + 1), f"format {STATE_VERSION + 1}"),
    (lambda state: state.pop("cert_ends"), "no 'cert_ends'"),
    (lambda state: state["members"]["fields"].remove("plan"), "no 'plan'"),
])
def test_an_append_refuses_a_state_it_cannot_read_and_changes_nothing(damage, message):
    seed_ods(days=2, seed=5, end_date=END - dt.timedelta(days=2), profile="small", members=40)
    run = SeedRun.objects.get()
    damage(run.state)
    run.save()
    before = table_dump()
    with pytest.raises(SeedError, match=message) as refused:
        seed_ods(end_date=END, append=True)
    assert "Nothing was changed" in str(refused.value)
    assert table_dump() == before
    assert SeedRun.objects.count() == 1


def test_load_snapshot_names_the_run_it_cannot_read():
    with pytest.raises(SnapshotError, match="seed run 42"):
        load_snapshot({"version": 0}, "seed run 42")


def test_a_seed_the_database_cannot_store_is_refused_before_any_work():
    with pytest.raises(SeedError, match="--seed must be between"):
        seed_ods(days=2, seed=MAX_SEED + 1, **SMALL)
    assert set(counts().values()) == {0}
    assert not SeedRun.objects.exists()


@pytest.mark.parametrize(("options", "message"), [
    ({"days": MAX_DAYS + 1}, "--days must be between 1 and 3,660"),
    ({"days": 0}, "--days must be between 1 and 3,660"),
    ({"days": 3, "end_date": dt.date(1, 1, 5)}, "--end-date must be between 1970-01-01 and 2200-12-31"),
    ({"days": 3, "end_date": dt.date(9999, 12, 31)}, "--end-date must be between 1970-01-01 and 2200-12-31"),
])
def test_days_and_end_dates_out_of_range_are_refused_before_any_work(options, message):
    with pytest.raises(SeedError, match=message):
        seed_ods(**{**SMALL, **options})
    assert set(counts().values()) == {0}
    assert not SeedRun.objects.exists()


def test_each_random_source_is_its_own_stream():
    sources = RandomSources(7, END)
    days, joiners = sources.days(), sources.joiners()
    first_joiner_draws = [joiners.random() for _ in range(5)]
    again = RandomSources(7, END)
    busy, quiet = again.days(), again.joiners()
    for _ in range(1000):
        busy.random()  # many more draws for the days ...
    assert [quiet.random() for _ in range(5)] == first_joiner_draws  # ... leave the joiners' as they were
    assert days.random() != RandomSources(8, END).days().random()
    assert sources.visits().random() != sources.days().random()
