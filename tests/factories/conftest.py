"""Fixtures for the factory suite: every test starts from a known random state."""
import factory.random
import pytest
from django.utils import timezone

from .registry import ALL_FACTORIES, reset_sequences


@pytest.fixture(autouse=True)
def seeded():
    """Reseed factory_boy's and Faker's random source and rewind the id sequences."""
    factory.random.reseed_random(20240601)
    reset_sequences(ALL_FACTORIES)


@pytest.fixture
def as_of():
    """The factories' default as-of date: today in the project's TIME_ZONE."""
    return timezone.localdate()
