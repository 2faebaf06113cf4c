"""Benchmark of data in and out at chain scale (issue 11): rows/s and peak RSS of every way the ODS leaves
and enters the database, each beside a bare COPY of the same rows measured in the same run.

Run by hand against PostgreSQL holding the chain profile (seed_ods --profile chain --days 365), never the
default database, with nothing else running (2 cores):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_now python bench/bench_csv.py [--work /tmp/bench_csv]

Each measured step runs in its own process (`os.wait4` gives its peak RSS); the two admin steps time their
requests (a process start and login are no part of an export or import):
- admin export: the test client downloads the whole memberaccess change list as a logged-in superuser;
- export_ods CSV and export_ods --format parquet of the 23 tables;
- import_ods CSV and Parquet into an empty scratch database (`<db>_bench_import`, dropped at the end);
- admin import of 10,000 members: upload (preview) and confirm, into the scratch database after the CSV import
  (an upsert of rows that are there, one in ten changed).
Baselines, same run: `COPY table TO STDOUT` of the same rows (exports) and `COPY ... FROM STDIN` of the
same files into tables like the ODS's without indexes or constraints, rolled back (imports: the raw ingest
rate, which checks nothing). Ratio = rate ÷ baseline rate. Takes about 10 minutes.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse, urlunparse

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fitness.settings")

ADMIN_EXPORT = """
import sys, django; django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
user = get_user_model().objects.filter(is_superuser=True, is_active=True).first()
user = user or get_user_model().objects.create_superuser("bench_csv", "bench@example.com", None)
client = Client(SERVER_NAME="localhost"); client.force_login(user)
import time
started = time.perf_counter()
response = client.post(reverse("admin:facilities_memberaccess_export"), {"format": "0"})
size = sum(len(chunk) for chunk in response.streaming_content)
print(time.perf_counter() - started)
"""
ADMIN_IMPORT = """
import sys, django, re; django.setup()
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from fitness.models import PendingImport
user = get_user_model().objects.create_superuser("bench_csv_import", "bench@example.com", None)
client = Client(SERVER_NAME="localhost"); client.force_login(user)
data = open(sys.argv[1], "rb").read()
import time
started = time.perf_counter()
response = client.post(reverse("admin:members_member_import"), {"import_file": SimpleUploadedFile("members.csv", data, "text/csv")})
assert response.status_code == 200, response.status_code
token = PendingImport.objects.get().token
response = client.post(reverse("admin:members_member_process_import"), {"token": str(token), "confirm": "1"})
assert response.status_code == 302, response.status_code
print(time.perf_counter() - started)
"""


def peak_rss_step(args, env):
    """Runs `args` as a child process: (seconds, its peak RSS in MB, its stdout)."""
    print(f"  {time.strftime('%H:%M:%S')} {' '.join(str(a) for a in args[1:] if len(str(a)) < 60)[:100]}", flush=True)
    import tempfile

    with tempfile.TemporaryFile("w+") as out_file, tempfile.TemporaryFile("w+") as err_file:
        started = time.perf_counter()
        child = subprocess.Popen(args, env=env, cwd=ROOT, stdout=out_file, stderr=err_file, text=True)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        out_file.seek(0), err_file.seek(0)
        out, err = out_file.read(), err_file.read()
    if status:
        raise SystemExit(f"{' '.join(map(str, args))} failed:\n{err[-3000:]}")
    return seconds, usage.ru_maxrss / 1024, out


def with_db(url, name):
    parts = urlparse(url)
    return urlunparse(parts._replace(path=f"/{name}"))


def conninfo(url):
    parts = urlparse(url)
    return f"host={parts.hostname} port={parts.port or 5432} user={parts.username} dbname={parts.path.lstrip('/')}"


def table_rows(conn, tables):
    with conn.cursor() as cursor:
        return {t: cursor.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def copy_out_seconds(conn, tables):
    started = time.perf_counter()
    with conn.cursor() as cursor:
        for table in tables:
            with cursor.copy(f"COPY {table} TO STDOUT (FORMAT csv)") as copy:
                for _ in copy:
                    pass
    return time.perf_counter() - started


def copy_in_seconds(conn, directory, tables):
    """Bare COPY FROM of the exported files into tables like the ODS's without indexes or constraints
    (the raw ingest rate: no checks, no index), rolled back."""
    with conn.transaction(force_rollback=True), conn.cursor() as cursor:
        for table in tables:
            cursor.execute(f"CREATE TEMP TABLE bare_{table} (LIKE {table})")
        started = time.perf_counter()
        for table in tables:
            path = Path(directory) / f"{table}.csv"
            with cursor.copy(f"COPY bare_{table} FROM STDIN (FORMAT csv, HEADER)") as copy, open(path, "rb") as f:
                while chunk := f.read(1 << 20):
                    copy.write(chunk)
        return time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--work", default="/tmp/bench_csv")
    options = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL database holding the chain profile.")
    import django

    django.setup()
    from fitness.core.tables import LOAD_ORDER

    work = Path(options.work)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = dict(os.environ)
    python = sys.executable
    manage = str(ROOT / "manage.py")
    scratch_name = urlparse(url).path.lstrip("/") + "_bench_import"
    scratch = with_db(url, scratch_name)
    results = []
    print(f"load average at start: {os.getloadavg()[0]:.2f}", flush=True)

    with psycopg.connect(conninfo(url), autocommit=True) as source:
        rows = table_rows(source, LOAD_ORDER)
        total = sum(rows.values())
        base_ma = rows["memberaccess"] / copy_out_seconds(source, ["memberaccess"])
        base_all_out = total / copy_out_seconds(source, LOAD_ORDER)

    _, rss, out = peak_rss_step([python, "-c", ADMIN_EXPORT], env)
    seconds = float(out.split()[-1])  # the request, not the process start
    results.append(("admin export, memberaccess (test client)", rows["memberaccess"], seconds, rss, base_ma))
    seconds, rss, _ = peak_rss_step([python, manage, "export_ods", str(work / "csv")], env)
    results.append(("export_ods CSV, 23 tables", total, seconds, rss, base_all_out))
    seconds, rss, _ = peak_rss_step([python, manage, "export_ods", str(work / "parquet"), "--format", "parquet"], env)
    results.append(("export_ods Parquet, 23 tables", total, seconds, rss, base_all_out))

    def fresh_scratch():
        with psycopg.connect(conninfo(url), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch_name}"')
            admin.execute(f'CREATE DATABASE "{scratch_name}"')
        subprocess.run([python, manage, "migrate", "-v0"], env={**env, "DATABASE_URL": scratch}, cwd=ROOT, check=True)

    fresh_scratch()
    with psycopg.connect(conninfo(scratch)) as target:
        base_all_in = total / copy_in_seconds(target, work / "csv", LOAD_ORDER)
    seconds, rss, _ = peak_rss_step([python, manage, "import_ods", str(work / "csv")], {**env, "DATABASE_URL": scratch})
    results.append(("import_ods CSV into an empty database", total, seconds, rss, base_all_in))

    members = work / "members_10k.csv"
    with open(work / "csv" / "members.csv", "rb") as full, open(members, "wb") as part:
        for number, line in enumerate(full):
            if number > 10_000:
                break
            part.write(line.replace(b",Active,", b",Suspended,", 1) if number % 10 == 5 else line)
    with psycopg.connect(conninfo(scratch)) as target:
        with target.transaction(force_rollback=True), target.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE m (LIKE members)")
            started = time.perf_counter()
            with cursor.copy("COPY m FROM STDIN (FORMAT csv, HEADER)") as copy:
                copy.write(members.read_bytes())
            base_10k = 10_000 / (time.perf_counter() - started)
    _, rss, out = peak_rss_step([python, "-c", ADMIN_IMPORT, str(members)], {**env, "DATABASE_URL": scratch})
    seconds = float(out.split()[-1])  # upload (preview) and confirm, not the process start
    results.append(("admin import, 10,000 members (preview + confirm)", 10_000, seconds, rss, base_10k))

    fresh_scratch()
    seconds, rss, _ = peak_rss_step([python, manage, "import_ods", str(work / "parquet")], {**env, "DATABASE_URL": scratch})
    results.append(("import_ods Parquet into an empty database", total, seconds, rss, base_all_in))
    with psycopg.connect(conninfo(url), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{scratch_name}"')

    print(f"\n{'step':<50} {'rows':>11} {'seconds':>8} {'rows/s':>10} {'peak RSS':>9} {'bare COPY':>11} {'ratio':>6}")
    for name, count, secs, rss, base in results:
        rate = count / secs
        print(f"{name:<50} {count:>11,} {secs:>8.1f} {rate:>10,.0f} {rss:>7.0f}MB {base:>11,.0f} {rate / base:>6.2f}")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
