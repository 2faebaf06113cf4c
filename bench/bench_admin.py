"""Benchmark of the admin pages at scale (issue 10): every ODS change list, the
big tables' filtered and searched lists, a member's change form, the Data
quality page and the analytics dashboard, timed server-side through Django's
test client as a logged-in superuser.

Run by hand against PostgreSQL holding the chain profile for 365 days (never
the default `fitness` database):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_now python bench/bench_admin.py \\
        [--repeat 5] [--only memberaccess] [--no-seed] [--sql]

An empty ODS is seeded first (seed_ods --profile chain --days 365 --seed 2024
--end-date 2025-01-01) and an empty warehouse built (build_warehouse --full),
unless --no-seed. The script reuses the first active superuser, or creates
`bench_admin` (no usable password; it logs in with force_login).

Each page gets one warm-up request, then --repeat timed ones; the table shows
the median milliseconds and the SQL queries of a request (the most of the
timed runs), against the issue's targets: change lists and change forms
<= 300 ms and <= 20 queries, the Data quality page the same, the dashboard
<= 1 s. A status other than 200 (or an exception) is a failure. Exit status 1
when a page misses its target.

The filters are those the admins offer: the facility filter's query parameter
is read from the admin's list_filter; where a table has none, the parameter is
built from its path to Facility and noted (Django answers 400 to a lookup
across two relations that no filter declares). A month is
`<date field>__gte=<first day>&<date field>__lt=<first of next month>`, the
query string Django's date filters produce, which any change list accepts for
a local date field. The month is the one 11 months before the latest check-in.
"""
import argparse
import datetime as dt
import logging
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fitness.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib import admin  # noqa: E402
from django.contrib.admin.utils import get_fields_from_path  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Max  # noqa: E402
from django.test import Client, RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from facilities.models import Facility, MemberAccess  # noqa: E402
from fitness.core.tables import model_for, ods_models  # noqa: E402
from fitness.models import QualityRun  # noqa: E402
from members.models import MemberMembership  # noqa: E402
from warehouse.models import DimFacility, EtlBatch  # noqa: E402

LIST_TARGET = (300, 20)  # median ms, queries: change lists, change forms, the Data quality page
DASHBOARD_TARGET = (1000, None)  # every variant; no query budget
SEED_OPTIONS = ("--profile=chain", "--days=365", "--seed=2024", "--end-date=2025-01-01")
BENCH_USERNAME = "bench_admin"
# The date column each big table's month filter reads.
MONTH_FIELDS = {"memberaccess": "check_in_time", "equipmentusage": "start_time", "memberpayments": "payment_date"}


@dataclass
class Page:
    name: str
    url: str
    target: tuple  # (ms, queries or None)
    timings: list = field(default_factory=list)
    queries: int = 0
    status: object = None  # HTTP status, or the exception's name
    reason: str = ""  # what Django logged for a 4xx/5xx answer
    slowest_sql: list = field(default_factory=list)

    @property
    def median_ms(self):
        return statistics.median(self.timings) if self.timings else None

    @property
    def ok(self):
        ms, max_queries = self.target
        return (self.status == 200 and self.median_ms <= ms
                and (max_queries is None or self.queries <= max_queries))

    def target_text(self):
        ms, max_queries = self.target
        return f"<={ms} ms" + (f", <={max_queries} q" if max_queries is not None else "")

    def result_text(self):
        if self.status != 200:
            return f"MISS (HTTP {self.status})" if isinstance(self.status, int) else f"MISS ({self.status})"
        return "OK" if self.ok else "MISS"


def ensure_data(seed, why_not):
    """Seed an empty ODS and build an empty warehouse, as the issue's setup asks."""
    if not any(model.objects.exists() for model in ods_models()):
        if not seed:
            print(f"the ODS is empty ({why_not}: not seeding)")
        else:
            started = time.perf_counter()
            print(f"the ODS is empty: seed_ods {' '.join(SEED_OPTIONS)} ...", flush=True)
            call_command("seed_ods", *SEED_OPTIONS, verbosity=0)
            print(f"  seeded in {time.perf_counter() - started:.0f}s")
    built = EtlBatch.objects.filter(status="succeeded").exists()
    if not built or not DimFacility.objects.exclude(facility_key=-1).exists():
        if not seed:
            print(f"the warehouse is empty ({why_not}: not building)")
        else:
            from warehouse.etl.pipeline import build_warehouse

            started = time.perf_counter()
            print("the warehouse is empty: build_warehouse --full ...", flush=True)
            build_warehouse(full=True)
            print(f"  built in {time.perf_counter() - started:.0f}s")


def bench_user():
    """The first active superuser, or a new `bench_admin` one without a usable password."""
    user_model = get_user_model()
    user = user_model._default_manager.filter(is_superuser=True, is_active=True).order_by("pk").first()
    if user is None:
        user, _ = user_model._default_manager.get_or_create(**{user_model.USERNAME_FIELD: BENCH_USERNAME})
        user.is_staff = user.is_superuser = user.is_active = True
        user.set_unusable_password()
        user.save()
        print(f"created superuser {BENCH_USERNAME}")
    return user


def months_back(day, months):
    """The first day of the month `months` before `day`'s month, and the first day of the month after it."""
    index = day.year * 12 + day.month - 1 - months
    first = dt.date(index // 12, index % 12 + 1, 1)
    following = dt.date((index + 1) // 12, (index + 1) % 12 + 1, 1)
    return first, following


def month_params(model, first, following):
    """The query string of a month for the table's date column, as Django's date filters write it."""
    name = MONTH_FIELDS[model._meta.db_table]
    if model._meta.get_field(name).get_internal_type() == "DateTimeField":
        start, end = (timezone.make_aware(dt.datetime.combine(day, dt.time())) for day in (first, following))
    else:
        start, end = first, following
    return {f"{name}__gte": str(start), f"{name}__lt": str(end)}


def path_to_facility(model):
    """The lookup path from `model` to Facility: a direct foreign key, else one through a parent."""
    relations = [f for f in model._meta.concrete_fields if f.is_relation]
    for f in relations:
        if f.related_model is Facility:
            return f.name
    for f in relations:
        for g in f.related_model._meta.concrete_fields:
            if g.is_relation and g.related_model is Facility:
                return f"{f.name}__{g.name}"
    return None


def facility_param(model, user):
    """(query parameter of the admin's facility filter, note). The parameter is the
    filter's own (expected_parameters); without a facility filter it is built from
    the path to Facility and the note says so."""
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = user
    for item in model_admin.get_list_filter(request):
        if isinstance(item, type) and issubclass(item, admin.SimpleListFilter):
            if "facility" in item.parameter_name:
                return item.parameter_name, None
            continue
        field_path, filter_class = item if isinstance(item, (list, tuple)) else (item, None)
        if not isinstance(field_path, str):
            continue
        last = get_fields_from_path(model, field_path)[-1]
        if last.is_relation and last.related_model is Facility:
            if filter_class is None:
                spec = admin.FieldListFilter.create(last, request, {}, model, model_admin, field_path=field_path)
            else:
                spec = filter_class(last, request, {}, model, model_admin, field_path=field_path)
            return spec.expected_parameters()[0], None
    path = path_to_facility(model)
    name = f"{path}__{Facility._meta.pk.name}__exact"
    return name, f"{model._meta.db_table}: the admin offers no facility filter; used {name}"


def changelist_url(model, params=None):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def build_pages(user):
    """The pages to time, and notes on how their query strings were made."""
    notes = []
    latest = MemberAccess.objects.aggregate(latest=Max("check_in_time"))["latest"]
    if latest is None:
        sys.exit("memberaccess is empty: nothing to benchmark (seed the ODS or drop --no-seed).")
    latest_day = timezone.localtime(latest).date()
    first, following = months_back(latest_day, 11)
    facility_id = (MemberAccess.objects.values("facility_id").annotate(n=Count("pk"))
                   .order_by("-n", "facility_id")[0]["facility_id"])
    searched_member = MemberAccess.objects.filter(check_in_time=latest).values_list("member_id", flat=True)[0]
    busiest_member = (MemberMembership.objects.values("member_id").annotate(n=Count("pk"))
                      .order_by("-n", "member_id")[0])
    print(f"latest check-in {latest_day}; month {first:%Y-%m}; facility {facility_id} (most check-ins); "
          f"searched member {searched_member} (latest check-in); change form {busiest_member['member_id']} "
          f"({busiest_member['n']} membership periods)")

    pages = [Page(f"{model._meta.db_table}", changelist_url(model), LIST_TARGET) for model in ods_models()]
    for table in ("memberaccess", "equipmentusage"):
        model = model_for(table)
        param, note = facility_param(model, user)
        if note:
            notes.append(note)
        by_facility = {param: facility_id}
        by_month = month_params(model, first, following)
        pages += [
            Page(f"{table} ?facility", changelist_url(model, by_facility), LIST_TARGET),
            Page(f"{table} ?month", changelist_url(model, by_month), LIST_TARGET),
            Page(f"{table} ?facility+month", changelist_url(model, {**by_facility, **by_month}), LIST_TARGET),
            Page(f"{table} ?q=member", changelist_url(model, {"q": searched_member}), LIST_TARGET),
        ]
    payments = model_for("memberpayments")
    pages.append(Page("memberpayments ?month", changelist_url(payments, month_params(payments, first, following)),
                      LIST_TARGET))
    member_model = model_for("members")
    change_url = reverse(f"admin:{member_model._meta.app_label}_{member_model._meta.model_name}_change",
                         args=[busiest_member["member_id"]])
    pages.append(Page("members change form", change_url, LIST_TARGET))
    pages.append(Page("data quality", reverse("admin:fitness_qualityrun_data_quality"), LIST_TARGET))
    if not QualityRun.objects.exists():
        notes.append("data quality: no saved check_ods run, so the page has no report to show "
                     "(run check_ods on this database to time a full one)")
    dashboard = reverse("admin:warehouse_dashboard")
    last_day = following - dt.timedelta(days=1)
    pages += [
        Page("dashboard", dashboard, DASHBOARD_TARGET),
        Page("dashboard ?facility", f"{dashboard}?{urlencode({'facility': facility_id})}", DASHBOARD_TARGET),
        Page("dashboard ?facility+month",
             f"{dashboard}?{urlencode({'facility': facility_id, 'start': first, 'end': last_day})}",
             DASHBOARD_TARGET),
    ]
    return pages, notes


class LastRecord(logging.Handler):
    """Keeps the last message Django logs about a request it refused (a 400 for a
    disallowed lookup, a 404), for the table's notes instead of a traceback."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.message = ""

    def emit(self, record):
        self.message = record.getMessage()


def quiet_request_loggers():
    handler = LastRecord()
    for name in ("django.request", "django.security"):
        logger = logging.getLogger(name)
        logger.handlers, logger.propagate = [handler], False
    return handler


def time_page(client, page, repeat, last_record):
    """One warm-up request, then `repeat` timed ones; stops at the first failing status."""
    last_record.message = ""
    for run in range(repeat + 1):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            try:
                response = client.get(page.url)
            except Exception as error:  # a server error: report it, go on with the next page
                page.status = f"{type(error).__name__}: {error}"[:120]
                return
            elapsed = (time.perf_counter() - started) * 1000
        page.status = response.status_code
        if page.status != 200:
            page.reason = last_record.message
            return
        if run:  # the first request is the warm-up
            page.timings.append(elapsed)
            page.queries = max(page.queries, len(captured.captured_queries))
            page.slowest_sql = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))[:3]


def print_table(pages):
    width = max(len(page.name) for page in pages)
    print(f"{'page':<{width}}  {'median ms':>9}  {'queries':>7}  {'target':<18}  result")
    for page in pages:
        ms = f"{page.median_ms:9.1f}" if page.median_ms is not None else f"{'-':>9}"
        queries = f"{page.queries:7d}" if page.timings else f"{'-':>7}"
        print(f"{page.name:<{width}}  {ms}  {queries}  {page.target_text():<18}  {page.result_text()}")


def print_slowest_sql(pages):
    for page in pages:
        if page.status == 200 and not page.ok:
            print(f"{page.name}: slowest statements of the last run")
            for query in page.slowest_sql:
                print(f"  {float(query['time']) * 1000:8.1f} ms  {query['sql'][:300]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5, help="Timed requests per page after one warm-up (default 5).")
    parser.add_argument("--only", help="Time only the pages whose name contains this text (e.g. memberaccess).")
    parser.add_argument("--no-seed", action="store_true", help="Never seed the ODS or build the warehouse.")
    parser.add_argument("--sql", action="store_true", help="Print the slowest statements of each page that misses.")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    settings_db = connection.settings_dict
    print(f"database: {connection.vendor} {settings_db.get('NAME')}, DEBUG={settings.DEBUG}, repeat {args.repeat}")
    if connection.vendor != "postgresql":
        print("warning: not PostgreSQL; the targets are meant for the chain profile on PostgreSQL")
    default_db = settings_db.get("NAME") == "fitness" or str(settings_db.get("NAME", "")).endswith("fitness.sqlite3")
    ensure_data(seed=not args.no_seed and not default_db,
                why_not="--no-seed" if args.no_seed else "the shared default database")
    load_start = os.getloadavg()
    print("load average at start: " + " ".join(f"{x:.2f}" for x in load_start))

    user = bench_user()
    pages, notes = build_pages(user)
    if args.only:
        pages = [page for page in pages if args.only in page.name]
        if not pages:
            sys.exit(f"no page name contains {args.only!r}")
        notes = [note for note in notes if any(page.name.startswith(note.split(":")[0]) for page in pages)]
    # The test client's host; settings.py stays as it is.
    last_record = quiet_request_loggers()
    with override_settings(ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"]):
        client = Client()
        client.force_login(user)
        for page in pages:
            print(f"  {page.name} ...", end="", flush=True)
            time_page(client, page, args.repeat, last_record)
            shown = f"{page.median_ms:.0f} ms" if page.timings else f"status {page.status}"
            print(f" {shown}", flush=True)
    print()
    print_table(pages)
    for note in notes:
        print(f"note: {note}")
    for page in pages:
        if page.reason:
            print(f"note: {page.name}: HTTP {page.status}: {page.reason}")
    load_end = os.getloadavg()
    print("load average at start: " + " ".join(f"{x:.2f}" for x in load_start)
          + "; at end: " + " ".join(f"{x:.2f}" for x in load_end))
    missed = [page for page in pages if not page.ok]
    if args.sql:
        print_slowest_sql(pages)
    print(f"{len(pages) - len(missed)} of {len(pages)} pages within target"
          + (f"; missed: {', '.join(page.name for page in missed)}" if missed else ""))
    sys.exit(1 if missed else 0)


if __name__ == "__main__":
    main()
