"""What every one of the 23 factories promises: a valid saved row on its own,
a build() that never queries the database, and determinism under a seed."""
import random

import factory.random
import pytest

from fitness.core.ids import ID_FORMATS
from members.factories import MemberFactory
from staff.factories import StaffFactory

from .registry import ALL_FACTORIES, CATALOG_FACTORIES, column_values, factory_id, reset_sequences

pytestmark = pytest.mark.django_db


def test_there_is_one_factory_per_erd_table():
    tables = {factory_class._meta.model._meta.db_table for factory_class in ALL_FACTORIES}
    assert len(ALL_FACTORIES) == len(tables) == 23


@pytest.mark.parametrize("factory_class", ALL_FACTORIES, ids=factory_id)
def test_create_alone_saves_a_valid_row(factory_class):
    row = factory_class()
    row.full_clean()  # field validation, choices, foreign keys and every CheckConstraint
    stored = factory_class._meta.model.objects.get(pk=row.pk)
    assert column_values(stored) == column_values(row)


@pytest.mark.parametrize("factory_class", ALL_FACTORIES, ids=factory_id)
def test_primary_keys_follow_the_id_registry(factory_class):
    table = factory_class._meta.model._meta.db_table
    for row in factory_class.build_batch(3):
        assert ID_FORMATS[table].pattern.match(row.pk), row.pk  # I2


@pytest.mark.parametrize("factory_class", ALL_FACTORIES, ids=factory_id)
def test_create_twice_gives_two_valid_rows_or_one_reference_row(factory_class):
    first, second = factory_class(), factory_class()
    model = factory_class._meta.model
    if factory_class in CATALOG_FACTORIES:
        assert first.pk != second.pk  # the next catalog entry
        assert model.objects.count() == 2
    else:
        assert model.objects.filter(pk__in=[first.pk, second.pk]).count() == 2


@pytest.mark.parametrize("factory_class", CATALOG_FACTORIES, ids=factory_id)
def test_creating_the_same_catalog_entry_twice_reuses_the_row(factory_class):
    first = factory_class()
    reset_sequences([factory_class])  # back to the same catalog entry
    again = factory_class()
    assert again.pk == first.pk
    assert factory_class._meta.model.objects.count() == 1


@pytest.mark.parametrize("factory_class", ALL_FACTORIES, ids=factory_id)
def test_build_never_touches_the_database(factory_class, django_assert_num_queries):
    with django_assert_num_queries(0):
        row = factory_class.build()
    assert row._state.adding  # not saved
    assert not factory_class._meta.model.objects.exists()


def build_values(factory_class, seed, count=3):
    """Columns of `count` rows built right after reseeding and rewinding sequences."""
    factory.random.reseed_random(seed)
    reset_sequences(ALL_FACTORIES)
    return [column_values(row) for row in factory_class.build_batch(count)]


@pytest.mark.parametrize("factory_class", ALL_FACTORIES, ids=factory_id)
def test_same_seed_builds_the_same_rows(factory_class):
    assert build_values(factory_class, 11) == build_values(factory_class, 11)


@pytest.mark.parametrize("factory_class", [f for f in ALL_FACTORIES if f not in CATALOG_FACTORIES], ids=factory_id)
def test_another_seed_builds_other_rows(factory_class):
    assert build_values(factory_class, 11) != build_values(factory_class, 12)


def test_a_long_member_batch_is_deterministic():
    """The seeder's use: thousands of members in one batch after one reseed."""
    first, again = build_values(MemberFactory, 5, count=2000), build_values(MemberFactory, 5, count=2000)
    assert first == again
    assert len({(row["first_name"], row["last_name"], row["date_of_birth"]) for row in first}) > 1900


@pytest.mark.parametrize("factory_class", [MemberFactory, StaffFactory], ids=factory_id)
def test_the_plain_build_shortcut_makes_the_same_rows_as_factory_boy(factory_class, as_of):
    """Lean factories skip factory_boy's machinery when given plain values; a
    declaration among the keywords forces the normal path. Both must agree."""
    def rows(as_of_argument):
        factory.random.reseed_random(3)
        reset_sequences([factory_class])
        return [column_values(factory_class.build(as_of=as_of_argument)) for _ in range(50)]

    shortcut = rows(as_of)
    normal = rows(factory.LazyFunction(lambda: as_of))
    assert shortcut == normal
    assert len({row[factory_class._id_field] for row in shortcut}) == 50


def build_values_from(factory_class, rng, count=3):
    """Columns of `count` rows built from the given source, after rewinding the sequences."""
    reset_sequences(ALL_FACTORIES)
    return [column_values(row) for row in factory_class.build_batch(count, rng=rng)]


@pytest.mark.parametrize("factory_class", ALL_FACTORIES, ids=factory_id)
def test_a_given_source_is_the_only_one_drawn_from(factory_class):
    """`rng=` reaches every draw, SubFactories included: factory_boy's shared source is left alone, and the
    rows are those the shared source gives after being seeded the same way."""
    shared = factory.random.get_random_state()
    own = build_values_from(factory_class, random.Random(11))
    assert factory.random.get_random_state() == shared
    assert own == build_values(factory_class, 11)


@pytest.mark.parametrize("factory_class", ALL_FACTORIES, ids=factory_id)
def test_create_with_a_given_source_leaves_the_shared_one_alone(factory_class):
    """The create() hooks (memberships, qualifications, visits) draw from the factory's source too."""
    shared = factory.random.get_random_state()
    factory_class(rng=random.Random(12)).full_clean()
    assert factory.random.get_random_state() == shared
