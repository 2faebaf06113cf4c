"""A PostgreSQL database of a test's own, migrated, for commands run as real processes (a test database's
open transaction would hide their commits from the test, and theirs from each other)."""
import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import psycopg
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def server_dsn(dbname):
    db = settings.DATABASES["default"]
    return psycopg.conninfo.make_conninfo(host=db.get("HOST") or None, port=db.get("PORT") or None,
                                          user=db.get("USER") or None, password=db.get("PASSWORD") or None,
                                          dbname=dbname)


def manage(dbname, *args, **popen):
    """`manage.py *args` on database `dbname`, started (subprocess.Popen)."""
    db = settings.DATABASES["default"]
    url = f"postgres://{db.get('USER') or ''}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{dbname}"
    env = dict(os.environ, DATABASE_URL=url, PYTHONUNBUFFERED="1")
    return subprocess.Popen([sys.executable, "manage.py", *args], cwd=ROOT, env=env, **popen)


def run(dbname, *args, codes=(0,)):
    """Run `manage.py *args` on `dbname` to its end; it must exit with one of `codes`."""
    done = manage(dbname, *args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _, err = done.communicate(timeout=600)
    assert done.returncode in codes, err


@contextmanager
def scratch_database(suffix, *commands):
    """A new database named after the suite's and `suffix`, migrated, then `commands` (argument lists)
    run on it; dropped afterwards."""
    name = f"{settings.DATABASES['default']['NAME']}_{suffix}"[:63]
    with psycopg.connect(server_dsn("postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        for command in (["migrate", "-v0"], *commands):
            run(name, *command)
        yield name
    finally:
        with psycopg.connect(server_dsn("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
