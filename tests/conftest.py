"""Fixtures shared by the whole suite. A fixture used by one directory only
lives in that directory's conftest.py."""
import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create users; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
