"""Load benchmark of the production server (issue 12): gunicorn on 127.0.0.1 serving the admin to
50 logged-in clients at once for 60 s, over change lists, change forms and the analytics dashboard.

Run by hand, when the machine is otherwise quiet (never the default `fitness` database):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_load python bench/bench_load.py \\
        [--seconds 60] [--clients 50] [--workers N] [--think 0] [--no-seed]
    python bench/bench_load.py --sqlite-tmp          # seeds a temporary SQLite database of its own

The database is migrated; an empty ODS is seeded with `seed_ods --days 30` (the default chain) and an
empty warehouse built (the dashboard reads it), unless --no-seed. The server is the README's
production one: gunicorn with --workers (default 2 x cores + 1) sync workers, DEBUG=0, collected
static files served by WhiteNoise, CONN_MAX_AGE=60, and ODS_HTTPS=0 because the clients speak plain
HTTP on loopback (with HTTPS on, the session cookie is Secure and never comes back over http://).

A superuser `bench_load` gets a fresh random password; each client logs in once through the admin's
login form (a real login, throttled by django-axes like any other; all succeed, so none is locked
out), then the timed phase begins: every client, in its own thread, requests a page, reads it whole,
waits --think seconds and takes the next, until --seconds have passed. The pages are drawn at random:

    change lists (50%)  members, members searched by an id, memberaccess page 2, memberpayments,
                        equipmentusage, classinstances, staff
    change forms (35%)  a random existing member, check-in, payment, staff member, piece of equipment
    dashboard    (15%)  the analytics dashboard, unfiltered

A request is an error when it raises, times out (--timeout) or answers anything but 200 on the page
asked for (a redirect to the login page included). Printed: requests, errors, p50, p95 and max
milliseconds, throughput and the load average, overall and per kind of page. Target on 2 cores:
0 errors, p95 <= 1 s; exit status 1 when missed. gunicorn is stopped at the end, also on Ctrl-C.
"""
import argparse
import http.cookiejar
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fitness.settings")

USERNAME = "bench_load"
TARGET_P95_MS = 1000
SEED_OPTIONS = ("--days=30",)
MIX = {"change list": 50, "change form": 35, "dashboard": 15}
SAMPLE_PKS = 200  # existing rows each change form is drawn from
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="length of the timed phase (default 60)")
    parser.add_argument("--clients", type=int, default=50, help="logged-in clients at once (default 50)")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1,
                        help="gunicorn sync workers (default 2 x cores + 1, as the README)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="seconds a client waits between its requests (default 0: back to back)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before a request counts as an error")
    parser.add_argument("--no-seed", action="store_true", help="do not seed an empty ODS or build the warehouse")
    parser.add_argument("--sqlite-tmp", action="store_true",
                        help="use a temporary SQLite database (seeded here, deleted after) instead of DATABASE_URL")
    return parser.parse_args()


# --------------------------------------------------------------------------- the data and the pages

def prepare_database(seed):
    """Migrate, seed an empty ODS, build an empty warehouse (as bench_admin does)."""
    from django.core.management import call_command

    from fitness.core.tables import ods_models
    from warehouse.models import EtlBatch

    call_command("migrate", verbosity=0)
    if not any(model.objects.exists() for model in ods_models()):
        if not seed:
            sys.exit("the ODS is empty and --no-seed was given: nothing to serve")
        started = time.perf_counter()
        print(f"the ODS is empty: seed_ods {' '.join(SEED_OPTIONS)} ...", flush=True)
        call_command("seed_ods", *SEED_OPTIONS, verbosity=0)
        print(f"  seeded in {time.perf_counter() - started:.0f} s")
    if seed and not EtlBatch.objects.filter(status="succeeded").exists():
        from warehouse.etl.pipeline import build_warehouse

        started = time.perf_counter()
        print("the warehouse is empty: build_warehouse ...", flush=True)
        build_warehouse(full=True)
        print(f"  built in {time.perf_counter() - started:.0f} s")


def bench_password():
    """A superuser `bench_load` with a new random password (the clients log in with it)."""
    from django.contrib.auth import get_user_model

    password = secrets.token_urlsafe(24)
    user_model = get_user_model()
    user, _ = user_model._default_manager.get_or_create(**{user_model.USERNAME_FIELD: USERNAME})
    user.is_staff = user.is_superuser = user.is_active = True
    user.set_password(password)
    user.save()
    return password


def admin_path(model, view, *args):
    from django.contrib.admin.utils import quote
    from django.urls import reverse

    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}",
                   args=[quote(arg) for arg in args])


def some_pks(model):
    """Up to SAMPLE_PKS existing primary keys: the newest rows as the change list orders them (an index
    read on the big tables, not a random scan)."""
    return list(model._default_manager.order_by(*(model._meta.ordering or ["-pk"]))
                .values_list("pk", flat=True)[:SAMPLE_PKS])


def page_paths():
    """{kind: [path, ...]}: the pages the clients draw from. Among the change lists the searches of a
    member id count as one list (the same weight as each of the others)."""
    from django.urls import reverse

    from classes.models import ClassInstance
    from equipment.models import Equipment, EquipmentUsage
    from facilities.models import MemberAccess
    from members.models import Member, MemberPayment
    from staff.models import Staff

    lists = [[admin_path(model, "changelist")] for model in (Member, MemberPayment, EquipmentUsage,
                                                             ClassInstance, Staff)]
    lists.append([admin_path(MemberAccess, "changelist") + "?p=2"])
    lists.append([admin_path(Member, "changelist") + "?" + urllib.parse.urlencode({"q": pk})
                  for pk in some_pks(Member)])
    forms = [[admin_path(model, "change", pk) for pk in some_pks(model)]
             for model in (Member, MemberAccess, MemberPayment, Staff, Equipment)]
    return {"change list": [paths for paths in lists if paths],
            "change form": [paths for paths in forms if paths],
            "dashboard": [[reverse("admin:warehouse_dashboard")]]}


def draw_page(paths, rng):
    """(kind, path): a kind by MIX's weights, a group of that kind, a path of the group."""
    kind = rng.choices(list(MIX), weights=list(MIX.values()))[0]
    return kind, rng.choice(rng.choice(paths[kind]))


# --------------------------------------------------------------------------- the server

def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(static_root):
    """The production settings, on plain HTTP (see the module's docstring)."""
    from django.conf import settings

    return {**os.environ, "DEBUG": "0", "ODS_HTTPS": "0", "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1", "STATIC_ROOT": str(static_root),
            "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{settings.DATABASES['default']['NAME']}"),
            "CONN_MAX_AGE": os.environ.get("CONN_MAX_AGE", "60")}


def collect_static(env):
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, cwd=ROOT,
                   check=True)


def end_with_parent():
    """In the child before exec: Linux sends it SIGTERM when the bench dies, SIGKILL included, so no
    gunicorn is left serving (PR_SET_PDEATHSIG; elsewhere nothing happens and the finally must do)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG


def start_gunicorn(env, port, workers):
    """gunicorn in its own process group (stopped as a whole); its log goes to a temporary file."""
    log = tempfile.NamedTemporaryFile(prefix="bench_load_gunicorn_", suffix=".log", delete=False)
    command = [sys.executable, "-m", "gunicorn", "fitness.wsgi", "--workers", str(workers),
               "--bind", f"127.0.0.1:{port}", "--no-control-socket", "--timeout", "60"]
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True, preexec_fn=end_with_parent)
    process.log_path = log.name
    return process


def wait_until_serving(base, process, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with {process.returncode}; see {process.log_path}")
        try:
            with urllib.request.urlopen(base + "/admin/login/", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"gunicorn did not answer within {seconds} s; see {process.log_path}")


def stop_gunicorn(process):
    """SIGTERM to the whole group (master and workers), SIGKILL after 10 s."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue
        except ProcessLookupError:
            return


# --------------------------------------------------------------------------- the clients

class LoginFailed(Exception):
    pass


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer of its own (to the login page: the session was lost), not followed."""

    def redirect_request(self, *args, **kwargs):
        return None


def logged_in_opener(base, password, timeout):
    """An opener holding a session cookie of the admin, logged in through the login form."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                         NoRedirects())
    with opener.open(base + "/admin/login/", timeout=timeout) as response:
        token = CSRF_INPUT.search(response.read().decode()).group(1)
    form = urllib.parse.urlencode({"username": USERNAME, "password": password,
                                   "csrfmiddlewaretoken": token, "next": "/admin/"}).encode()
    try:
        opener.open(base + "/admin/login/", data=form, timeout=timeout).close()
    except urllib.error.HTTPError as answer:
        if answer.code != 302 or answer.headers["Location"] != "/admin/":
            raise LoginFailed(f"login answered {answer.code} {answer.headers.get('Location', '')}") from None
        return opener
    raise LoginFailed("login answered 200: the form again (wrong password?)")


@dataclass
class Outcome:
    kind: str
    path: str
    ms: float
    error: str = ""  # empty when the page came back 200


@dataclass
class Client:
    opener: object
    rng: random.Random
    outcomes: list = field(default_factory=list)

    def run(self, base, paths, stop, think, timeout):
        while not stop.is_set():
            kind, path = draw_page(paths, self.rng)
            started = time.perf_counter()
            error = ""
            try:
                with self.opener.open(base + path, timeout=timeout) as response:
                    response.read()
            except urllib.error.HTTPError as answer:
                error = f"HTTP {answer.code}" + (f" to {answer.headers['Location']}" if answer.code in (301, 302)
                                                 else "")
            except OSError as failure:
                error = type(failure).__name__
            self.outcomes.append(Outcome(kind, path, (time.perf_counter() - started) * 1000, error))
            if think:
                stop.wait(think)


def log_in_all(base, password, count, timeout):
    """One opener per client, logged in a few at a time (each login hashes the password: CPU-bound)."""
    openers = [None] * count
    failures = []

    def log_in(index):
        try:
            openers[index] = logged_in_opener(base, password, timeout)
        except (LoginFailed, OSError) as failure:
            failures.append(f"client {index}: {failure}")

    for first in range(0, count, 5):
        threads = [threading.Thread(target=log_in, args=(i,)) for i in range(first, min(first + 5, count))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if failures:
        sys.exit("logins failed:\n  " + "\n  ".join(failures[:10]))
    return openers


def run_clients(base, openers, paths, seconds, think, timeout):
    stop = threading.Event()
    clients = [Client(opener, random.Random(index)) for index, opener in enumerate(openers)]
    threads = [threading.Thread(target=client.run, args=(base, paths, stop, think, timeout), daemon=True)
               for client in clients]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    try:
        stop.wait(seconds)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout + 5)
    elapsed = time.perf_counter() - started
    return [outcome for client in clients for outcome in client.outcomes], elapsed


# --------------------------------------------------------------------------- the report

def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def report_line(name, outcomes, elapsed):
    ms = [outcome.ms for outcome in outcomes]
    errors = sum(1 for outcome in outcomes if outcome.error)
    return (f"{name:<13} {len(outcomes):>9,} {errors:>7,} {percentile(ms, .5):>8.0f} {percentile(ms, .95):>8.0f} "
            f"{max(ms, default=float('nan')):>8.0f} {len(outcomes) / elapsed:>8.1f}")


def page_name(outcome):
    """"member change form", "memberaccess change list ?p=2", "dashboard": a page whatever its row."""
    path, _, query = outcome.path.partition("?")
    if outcome.kind == "dashboard":
        return "dashboard"
    model = path.split("/")[3]
    return f"{model} {outcome.kind}" + (f" ?{query.split('=')[0]}" if query else "")


def print_report(outcomes, elapsed, args):
    print(f"\n{args.clients} clients, {elapsed:.1f} s, gunicorn --workers {args.workers}, think {args.think} s; "
          f"load average {' '.join(f'{load:.2f}' for load in os.getloadavg())} (1, 5, 15 min)")
    print(f"{'pages':<13} {'requests':>9} {'errors':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'req/s':>8}")
    print(report_line("all", outcomes, elapsed))
    for kind in MIX:
        print(report_line(kind, [o for o in outcomes if o.kind == kind], elapsed))
    by_page = {}
    for outcome in outcomes:
        by_page.setdefault(page_name(outcome), []).append(outcome.ms)
    print("\nslowest pages (p95 ms): " + ", ".join(
        f"{name} {percentile(ms, .95):.0f}" for name, ms in
        sorted(by_page.items(), key=lambda item: -percentile(item[1], .95))[:6]))
    errors = [outcome for outcome in outcomes if outcome.error]
    for outcome in errors[:10]:
        print(f"  error: {outcome.error} on {outcome.path} after {outcome.ms:.0f} ms")
    p95 = percentile([outcome.ms for outcome in outcomes], .95)
    met = outcomes and not errors and p95 <= TARGET_P95_MS
    print(f"target: 0 errors, p95 <= {TARGET_P95_MS} ms: {'met' if met else 'MISSED'}")
    return bool(met)


# --------------------------------------------------------------------------- main

def use_temporary_sqlite(directory):
    os.environ["DATABASE_URL"] = f"sqlite:///{directory / 'bench_load.sqlite3'}"


def interrupt(signum, frame):
    """SIGTERM ends the run as Ctrl-C does, so gunicorn is stopped on the way out."""
    raise KeyboardInterrupt


def main():
    args = parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench_load_"))
    if args.sqlite_tmp:
        use_temporary_sqlite(workdir)
    signal.signal(signal.SIGTERM, interrupt)
    import django

    django.setup()
    from django.db import connection

    server = None
    try:
        prepare_database(seed=not args.no_seed)
        password = bench_password()
        paths = page_paths()
        connection.close()  # the bench process holds no connection while the server works
        env = server_env(workdir / "static")
        collect_static(env)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = start_gunicorn(env, port, args.workers)
        wait_until_serving(base, server)
        started = time.perf_counter()
        openers = log_in_all(base, password, args.clients, args.timeout)
        print(f"{args.clients} clients logged in in {time.perf_counter() - started:.1f} s; "
              f"running {args.seconds:g} s ...", flush=True)
        outcomes, elapsed = run_clients(base, openers, paths, args.seconds, args.think, args.timeout)
        met = print_report(outcomes, elapsed, args)
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        met = False
    finally:
        if server is not None:
            stop_gunicorn(server)
            print(f"gunicorn's log: {server.log_path}")
        shutil.rmtree(workdir, ignore_errors=True)
    sys.exit(0 if met else 1)


if __name__ == "__main__":
    main()
