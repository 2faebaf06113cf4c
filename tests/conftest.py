"""Fixtures shared by the whole suite. A fixture used by one directory only
lives in that directory's conftest.py."""
import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create users; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def login_throttling_off(settings):
    """django-axes refuses `client.login()` (it needs the request to know the
    address); tests that are not about throttling log in as they like.
    tests/web/test_login_throttling.py turns it back on."""
    settings.AXES_ENABLED = False
