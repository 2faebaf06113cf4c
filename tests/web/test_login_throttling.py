"""Login throttling (django-axes) on the admin login: after ODS_LOGIN_FAILURE_LIMIT wrong passwords
for one username from one address even the right password is refused (429) until the cool-off has
passed; below the limit the right password works and wipes the count."""
import datetime as dt
import os
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.conf import settings as live_settings
from django.contrib.auth.models import User
from django.urls import reverse

LOGIN_URL = reverse("admin:login")
PASSWORD = "a-right-password-7"


@pytest.fixture(autouse=True)
def login_throttling_on(settings):
    settings.AXES_ENABLED = True  # as in production (axes' default; the suite's conftest turns it off)


@pytest.fixture
def staff_user(db):
    return User.objects.create_user("frontdesk", password=PASSWORD, is_staff=True)


def log_in(client, password, username="frontdesk", address="127.0.0.1"):
    return client.post(LOGIN_URL, {"username": username, "password": password, "next": "/admin/"},
                       REMOTE_ADDR=address)


def fail(client, times, **where):
    for _ in range(times):
        response = log_in(client, "wrong-password", **where)
        assert response.status_code in (200, 429)  # the form again, or the lockout once the limit is hit


def is_logged_in(client):
    return client.get(reverse("admin:index")).status_code == 200


def test_production_settings_keep_throttling_on():
    import fitness.settings as production

    assert getattr(production, "AXES_ENABLED", True)
    assert live_settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert live_settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


def test_below_the_limit_the_right_password_works(client, staff_user):
    fail(client, live_settings.AXES_FAILURE_LIMIT - 1)
    response = log_in(client, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert is_logged_in(client)


def test_at_the_limit_even_the_right_password_is_refused(client, staff_user):
    fail(client, live_settings.AXES_FAILURE_LIMIT)
    response = log_in(client, PASSWORD)
    assert response.status_code == 429
    assert "too many login attempts" in response.content.decode()
    assert not is_logged_in(client)


def test_the_lockout_ends_after_the_cool_off(client, staff_user):
    fail(client, live_settings.AXES_FAILURE_LIMIT)
    assert log_in(client, PASSWORD).status_code == 429
    cool_off = live_settings.AXES_COOLOFF_TIME
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.timezone.utc) - cool_off + dt.timedelta(minutes=1))
    assert log_in(client, PASSWORD).status_code == 429, "still within the cool-off"
    AccessAttempt.objects.update(attempt_time=dt.datetime.now(dt.timezone.utc) - cool_off - dt.timedelta(seconds=1))
    assert log_in(client, PASSWORD).status_code == 302


def test_the_lockout_is_per_username_and_address(client, staff_user):
    User.objects.create_user("manager", password=PASSWORD, is_staff=True)
    fail(client, live_settings.AXES_FAILURE_LIMIT)
    assert log_in(client, PASSWORD, username="manager").status_code == 302  # another user, same address
    client.logout()
    assert log_in(client, PASSWORD, address="10.1.2.3").status_code == 302  # the same user elsewhere


def test_a_successful_login_resets_the_count(client, staff_user):
    fail(client, live_settings.AXES_FAILURE_LIMIT - 1)
    assert log_in(client, PASSWORD).status_code == 302
    client.logout()
    fail(client, live_settings.AXES_FAILURE_LIMIT - 1)
    assert log_in(client, PASSWORD).status_code == 302


def test_limit_and_cool_off_come_from_the_environment():
    code = ("import django; django.setup(); from django.conf import settings as s; "
            "print(s.AXES_FAILURE_LIMIT, int(s.AXES_COOLOFF_TIME.total_seconds()))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fitness.settings",
           "ODS_LOGIN_FAILURE_LIMIT": "3", "ODS_LOGIN_COOLOFF_MINUTES": "60"}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                            cwd=live_settings.BASE_DIR)
    assert result.stdout.split() == ["3", "3600"]
