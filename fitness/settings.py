"""Fitness ODS settings, 12-factor style: everything that differs between a
laptop and production comes from the environment.

Development needs nothing set: SQLite file beside manage.py, DEBUG on, a
throwaway secret key. Production sets DEBUG=0, SECRET_KEY, ALLOWED_HOSTS and
DATABASE_URL (see README).
"""
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_flag(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_flag("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. With DEBUG off the secret key must come from "
            "the SECRET_KEY environment variable (50+ random characters)."
        )
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "axes",
    "django_extensions",
    "import_export",
    "fitness",
    "members",
    "facilities",
    "classes",
    "equipment",
    "staff",
    "warehouse",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a refused login into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fitness.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "fitness" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "fitness.wsgi.application"

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'fitness.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): the first backend refuses any login, right password or not, for
# ODS_LOGIN_COOLOFF_MINUTES after ODS_LOGIN_FAILURE_LIMIT failures of one username from one address
# (answered 429). Keyed on the pair so that guessing from one machine is stopped without letting anyone
# lock a colleague out from everywhere; behind a proxy REMOTE_ADDR is the proxy, so it is per username.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("ODS_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("ODS_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "en-us"
# Visits, classes and shifts are simulated in local wall-clock time of this zone
# (opening hours are local), and stored as aware UTC timestamps.
TIME_ZONE = os.environ.get("TIME_ZONE", "America/New_York")
# The admin speaks English only (no LocaleMiddleware, no catalogues): translation machinery off cuts a
# fifth of a page's time (bench/bench_load.py: 50.6 -> 64.6 requests/s on 2 cores).
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# WhiteNoise serves STATIC_ROOT from the WSGI server (gunicorn needs nothing in front for /static/).
# With DEBUG off the files get hashed names and compressed copies, so collectstatic must have run;
# development and the tests read the apps' static folders directly (WhiteNoise's finders under DEBUG).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Fixed when the settings load (the test runner turns DEBUG off later): tests, like development, serve
# the apps' folders and need no collectstatic.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Content-Security-Policy (django-csp): no inline script or style anywhere, so an injected <script> or
# style attribute does nothing. Our templates link static files and pass page data in json_script
# blocks (type application/json, never run); Chart.js styles its canvases through the CSSOM, which
# style-src does not govern. tests/web/test_csp.py keeps the admin pages and ours that way.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-import-export: one transaction per import, so a file with bad rows
# imports nothing; import and export are separate model permissions.
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"

# The admin's import page (fitness.admin_support): a bigger upload is refused (its bytes are read off the
# connection and dropped, never stored) with a pointer to `manage.py import_ods`; a previewed file waits
# this many minutes for its confirmation (in fitness.models.PendingImport, compressed) before it is swept away.
ODS_ADMIN_IMPORT_MAX_BYTES = int(os.environ.get("ODS_ADMIN_IMPORT_MAX_BYTES", 50 * 1024 * 1024))
ODS_ADMIN_IMPORT_PENDING_MINUTES = int(os.environ.get("ODS_ADMIN_IMPORT_PENDING_MINUTES", "30"))

# Uploads: a file above FILE_UPLOAD_MAX_MEMORY_SIZE goes to a temporary file in FILE_UPLOAD_TEMP_DIR
# (default: the system's), deleted when the request ends; the limit handler first refuses a file over
# ODS_ADMIN_IMPORT_MAX_BYTES. DATA_UPLOAD_MAX_MEMORY_SIZE caps the rest of a body (form fields), as
# Django's default does.
FILE_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("FILE_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024))
FILE_UPLOAD_TEMP_DIR = os.environ.get("FILE_UPLOAD_TEMP_DIR") or None
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", 2_621_440))
FILE_UPLOAD_HANDLERS = [
    "fitness.admin_support.ImportSizeLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]

# HTTPS, on by default with DEBUG off: the site sits behind a TLS proxy that sends X-Forwarded-Proto;
# plain HTTP is redirected, cookies travel only over HTTPS, browsers are told (HSTS) to use nothing else.
# ODS_HTTPS=0 serves plain HTTP (a gunicorn on loopback, e.g. bench/bench_load.py: Secure cookies would
# never come back over http://); `check --deploy` then warns, rightly.
ODS_HTTPS = env_flag("ODS_HTTPS", not DEBUG)
if ODS_HTTPS:
    SECURE_SSL_REDIRECT = env_flag("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
if not DEBUG:
    SECURE_CONTENT_TYPE_NOSNIFF = True
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
