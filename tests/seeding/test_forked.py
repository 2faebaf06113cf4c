"""forked.Background: the same result in a forked process or in this one, and
the child's failure or death raised in the parent."""
import os

import pytest

from fitness.seeding.forked import Background


def squares(n):
    return [k * k for k in range(n)]


def fails(message):
    raise ValueError(message)


def dies():
    os._exit(7)


@pytest.mark.parametrize("fork", [True, False])
def test_result_is_the_functions_wherever_it_runs(fork):
    assert Background(squares, 50_000, fork=fork).result() == squares(50_000)


def test_a_failure_in_the_child_is_raised_with_its_traceback():
    with pytest.raises(RuntimeError, match=r"(?s)the sums process failed:.*ValueError: bad input"):
        Background(fails, "bad input", fork=True, name="sums").result()


def test_a_child_that_dies_is_reported():
    with pytest.raises(RuntimeError, match="the sums process stopped unexpectedly"):
        Background(dies, fork=True, name="sums").result()


def test_close_ends_a_child_whose_result_nobody_asked_for():
    background = Background(squares, 10, fork=True)
    process = background.process
    background.close()
    assert not process.is_alive() and background.process is None
