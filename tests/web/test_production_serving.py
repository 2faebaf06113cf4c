"""Production serving with DEBUG off: collectstatic writes hashed, compressed files that WhiteNoise
serves from the WSGI app itself (no web server needed for /static/), and ODS_HTTPS=0 (plain HTTP on
loopback, as bench/bench_load.py runs) is the one switch that makes `check --deploy` complain."""
import os
import subprocess
import sys

from django.conf import settings
from django.core.management.utils import get_random_secret_key

MANAGE = os.path.join(settings.BASE_DIR, "manage.py")
SERVE_STATIC = """
from django.test import Client
from django.templatetags.static import static
url = static("warehouse/dashboard.css")
response = Client().get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_X_FORWARDED_PROTO="https")
print(url, response.status_code, response.get("Content-Encoding"), response.get("Cache-Control"))
"""


def production_env(tmp_path, **extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS"))}
    return {**env, "DEBUG": "0", "SECRET_KEY": get_random_secret_key(), "ALLOWED_HOSTS": "testserver",
            "STATIC_ROOT": str(tmp_path / "static"), "DATABASE_URL": "sqlite:///:memory:",
            "DJANGO_SETTINGS_MODULE": "fitness.settings", **extra}


def run(args, env):
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=300,
                          cwd=settings.BASE_DIR)


def test_whitenoise_serves_collected_static_files_hashed_and_compressed(tmp_path):
    env = production_env(tmp_path)
    collected = run([MANAGE, "collectstatic", "--noinput", "-v0"], env)
    assert collected.returncode == 0, collected.stderr
    served = run(["-c", "import django; django.setup()\n" + SERVE_STATIC], env)
    assert served.returncode == 0, served.stderr
    url, status, encoding, cache = served.stdout.split(maxsplit=3)
    assert url.startswith("/static/warehouse/dashboard.") and url.endswith(".css") and url.count(".") == 2
    assert (status, encoding) == ("200", "gzip")
    assert "immutable" in cache  # a hashed name never changes, so browsers keep it


def test_plain_http_is_a_deliberate_switch_that_check_deploy_reports(tmp_path):
    result = run([MANAGE, "check", "--deploy"], production_env(tmp_path, ODS_HTTPS="0"))
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):  # HSTS, SSL, cookies
        assert warning in result.stderr + result.stdout
    clean = run([MANAGE, "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path))
    assert clean.returncode == 0 and "no issues" in clean.stdout, clean.stdout + clean.stderr
