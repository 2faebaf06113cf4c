"""fitness.core.drawing: every draw comes from the source passed in, so a seed
gives the same values and two sources never disturb each other."""
import datetime as dt
import random
from collections import Counter

import pytest

from fitness.core import drawing
from fitness.core.drawing import WeightedTable, pick, rand_int, random_cents, random_date, weighted
from members.choices import Gender


def draw_a_bit_of_everything(rng) -> list:
    """One of each drawing helper, in a fixed order."""
    gender = drawing.draw_gender(rng)
    first, last = drawing.draw_first_name(rng, gender), drawing.draw_last_name(rng)
    return [
        gender, first, last, drawing.draw_full_name(rng), drawing.draw_personal_email(rng, first, last),
        drawing.draw_phone(rng), drawing.draw_street_address(rng), drawing.draw_city(rng),
        drawing.draw_state_and_zip(rng), drawing.draw_state_and_zip(rng, "TX"), drawing.draw_medical_alert(rng),
        rand_int(rng, 1, 6), pick(rng, "abcdef"), random_cents(rng, 5, 10),
        random_date(rng, dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
        weighted(("a", 1), ("b", 2)).draw(rng),
    ]


def test_the_same_seed_gives_the_same_draws():
    assert [draw_a_bit_of_everything(random.Random(7)) for _ in range(2)] == [
        draw_a_bit_of_everything(random.Random(7)) for _ in range(2)
    ]
    first = [draw_a_bit_of_everything(random.Random(seed)) for seed in range(20)]
    assert first == [draw_a_bit_of_everything(random.Random(seed)) for seed in range(20)]
    assert len({repr(values) for values in first}) == 20  # and other seeds other draws


def test_two_sources_do_not_interfere():
    """Drawing from one source leaves another's sequence as it was: the point of passing it explicitly."""
    alone = random.Random(1)
    expected = [draw_a_bit_of_everything(alone) for _ in range(50)]

    mine, other = random.Random(1), random.Random(2)
    interleaved = []
    for _ in range(50):
        draw_a_bit_of_everything(other)
        interleaved.append(draw_a_bit_of_everything(mine))
        draw_a_bit_of_everything(other)
    assert interleaved == expected


def test_drawing_never_touches_the_global_random_module():
    state = random.getstate()
    draw_a_bit_of_everything(random.Random(3))
    assert random.getstate() == state


def test_each_weighted_draw_takes_one_random_number():
    rng, reference = random.Random(9), random.Random(9)
    table = weighted(("x", 3), ("y", 5), ("z", 2))
    for _ in range(100):
        table.draw(rng)
        reference.random()
    assert rng.getstate() == reference.getstate()


def test_weighted_draws_follow_the_weights():
    table = weighted(("rare", 1), ("common", 6), ("usual", 3))
    counts = Counter(table.draw(random.Random(f"w{i}")) for i in range(20000))
    assert set(counts) == {"rare", "common", "usual"}
    for value, weight in (("rare", 0.1), ("common", 0.6), ("usual", 0.3)):
        assert abs(counts[value] / 20000 - weight) < 0.015, counts


def test_a_zero_weight_is_never_drawn():
    table = weighted(("never", 0), ("always", 5), ("never either", 0))
    rng = random.Random(4)
    assert {table.draw(rng) for _ in range(2000)} == {"always"}


class FixedDraw:
    """A source whose random() is always `u`."""

    def __init__(self, u):
        self.u = u

    def random(self):
        return self.u


def subtracting_choice(u, pairs):
    """The weighted choice the simulation used before WeightedTable: subtract the weights from u x total."""
    point = u * sum(weight for _, weight in pairs)
    for value, weight in pairs:
        point -= weight
        if point < 0:
            return value
    return pairs[-1][0]


@pytest.mark.parametrize("pairs", [
    (("regular", 60), ("casual", 25), ("lapsing", 15)),
    (("Credit Card", 70), ("Bank Transfer", 25), ("Cash", 5)),
    ((1, 16), (2, 24), (3, 20), (4, 10), (5, 10), (6, 10), (7, 5), (8, 5)),
    ((1, 3), (2, 0), (3, 7), (4, 1)),
])
def test_the_table_picks_what_subtracting_the_weights_picks(pairs):
    """For integer weights, bisecting the cumulative weights and subtracting the weights one by one pick the
    same value for every random number, including those landing exactly on a boundary (or an ulp either side)."""
    table = WeightedTable(pairs)
    points = [random.Random(i).random() for i in range(5000)] + [0.0, 1.0 - 2 ** -53]
    for boundary in table.cumulative:
        u = boundary / table.total
        points += [u, u - 2 ** -53, u + 2 ** -53]
    for u in points:
        if 0 <= u < 1:
            assert table.draw(FixedDraw(u)) == subtracting_choice(u, pairs), u


def test_people_look_like_people():
    rng = random.Random(5)
    for _ in range(200):
        state, zip_code = drawing.draw_state_and_zip(rng)
        low, high = drawing.ZIP_RANGES[state]
        assert low <= int(zip_code) <= high
        assert drawing.draw_phone(rng)[1] not in "01"
        assert drawing.draw_gender(rng) in Gender.values
    assert drawing.email_name_part("Zoë") == "zoe" and drawing.email_name_part("O'Neil") == "oneil"
