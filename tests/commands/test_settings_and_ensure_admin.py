"""Settings from the environment (production is safe or refuses to start) and
the prompt-free admin login (`ensure_admin`)."""
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.utils import get_random_secret_key

MANAGE = os.path.join(settings.BASE_DIR, "manage.py")
PRODUCTION_ENV = {
    "DEBUG": "0",
    "ALLOWED_HOSTS": "ods.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://ods.example.com",
}


def run_manage(*args, env):
    base = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "ALLOWED_HOSTS"}}
    base["DATABASE_URL"] = "sqlite:///:memory:"
    return subprocess.run(
        [sys.executable, MANAGE, *args], env={**base, **env}, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy_without_warnings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING",
                        env={**PRODUCTION_ENV, "SECRET_KEY": get_random_secret_key()})
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_debug_off_without_secret_key_is_a_clear_error():
    result = run_manage("check", env=PRODUCTION_ENV)
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr


def test_development_defaults_need_nothing_set():
    result = run_manage("check", env={})
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_ensure_admin_creates_then_updates_a_working_login(capsys, settings, monkeypatch):
    settings.DEBUG = True  # the admin/admin default is for development only
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    monkeypatch.delenv("ADMIN_USERNAME", raising=False)
    call_command("ensure_admin")
    assert "admin / admin" in capsys.readouterr().out
    assert authenticate(username="admin", password="admin").is_superuser
    call_command("ensure_admin", "--password", "a-new-long-password")
    assert User.objects.filter(username="admin").count() == 1
    assert authenticate(username="admin", password="a-new-long-password") is not None
    assert authenticate(username="admin", password="admin") is None


@pytest.mark.django_db
def test_ensure_admin_needs_a_password_when_debug_is_off(settings, monkeypatch):
    settings.DEBUG = False
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    with pytest.raises(CommandError, match="give a password"):
        call_command("ensure_admin")


@pytest.mark.django_db
@pytest.mark.parametrize(("password", "reason"), [
    ("1", "too short"), ("password123", "too common"), ("83749201938475", "entirely numeric"),
    ("opsadmin-login", "too similar"),
])
def test_ensure_admin_refuses_a_weak_password_when_debug_is_off(settings, password, reason):
    settings.DEBUG = False
    with pytest.raises(CommandError, match=reason):
        call_command("ensure_admin", "--username", "opsadmin", "--password", password)
    assert not User.objects.filter(username="opsadmin").exists()
    call_command("ensure_admin", "--username", "opsadmin", "--password", "violet-Harbor-9183-lamp")
    assert authenticate(username="opsadmin", password="violet-Harbor-9183-lamp") is not None


@pytest.mark.django_db
def test_ensure_admin_keeps_the_development_login_when_debug_is_on(settings):
    settings.DEBUG = True
    call_command("ensure_admin", "--password", "1")  # a development machine: anything goes
    assert authenticate(username="admin", password="1") is not None
