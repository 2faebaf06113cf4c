"""Content-Security-Policy: every admin page sends the strict policy, and no page we render carries
inline code the policy would block (a browser would refuse it and log an error): no <script> without
src other than JSON data blocks, no <style> block, no style attribute, no on* handler, no javascript:
URL. Covers the admin's change lists and forms of every registered model, the import page (form,
preview, refusal), the analytics dashboard (built and empty) and the Data quality page."""
import csv
import io
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from fitness import csvio
from fitness.core.tables import ods_models
from fitness.quality import run_checks
from members.models import Member
from warehouse.etl.pipeline import build_warehouse

from ..dataset import build_dataset
from ..quality.dataset import AS_OF as QUALITY_AS_OF
from ..quality.dataset import DAYS as QUALITY_DAYS
from ..quality.dataset import build_valid_dataset
from ..warehouse.dataset import AS_OF as WAREHOUSE_AS_OF
from ..warehouse.dataset import build_small_ods

DASHBOARD_URL = reverse("admin:warehouse_dashboard")
DATA_BLOCK_TYPES = {"application/json", "application/ld+json"}


class InlineCodeFinder(HTMLParser):
    """Collects what a script-src/style-src of 'self' would block, each as a short description."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes and attributes.get("type") not in DATA_BLOCK_TYPES:
            self.found.append(f"inline <script {attrs}>")
        if tag == "style" and "nonce" not in attributes:
            self.found.append("<style> block")
        for name, value in attrs:
            if name == "style":
                self.found.append(f'<{tag} style="{value}">')
            elif name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            elif name in ("href", "src", "action") and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value}>")


def inline_code(response):
    finder = InlineCodeFinder()
    finder.feed(response.content.decode())
    return finder.found


def assert_clean(response):
    assert response.status_code == 200, response.status_code
    assert inline_code(response) == [], response.wsgi_request.path
    assert_strict_policy(response)


def assert_strict_policy(response):
    policy = dict(part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert policy["base-uri"] == "'none'" and policy["form-action"] == "'self'"


@pytest.fixture
def superuser_client(client, db):
    client.force_login(User.objects.create_superuser("boss", "boss@example.com", "pw-boss-123"))
    return client


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_the_finder_finds_what_the_policy_blocks():
    class Page:
        content = (b'<script>alert(1)</script><style>p{}</style><p style="color:red" onclick="x()">'
                   b'<a href="javascript:x()">a</a><script type="application/json">{}</script>'
                   b'<script src="/static/a.js"></script>')

    assert len(inline_code(Page)) == 5


def test_the_login_page_sends_the_policy(client, db):
    assert_clean(client.get(reverse("admin:login")))


def test_every_change_list_and_add_form(superuser_client):
    build_dataset()
    index = superuser_client.get(reverse("admin:index"))
    assert_clean(index)
    for model, model_admin in admin.site._registry.items():
        assert_clean(superuser_client.get(admin_url(model, "changelist")))
        if model_admin.has_add_permission(index.wsgi_request):
            assert_clean(superuser_client.get(admin_url(model, "add")))


def test_a_change_form_of_every_ods_table(superuser_client):
    build_dataset()
    for model in ods_models():
        obj = model.objects.order_by("pk").first()
        assert obj is not None, model
        assert_clean(superuser_client.get(admin_url(model, "change", obj.pk)))


def members_csv(change_first_name=None):
    buffer = io.StringIO(newline="")
    csvio.export_table(Member, buffer)
    rows = list(csv.reader(io.StringIO(buffer.getvalue(), newline="")))
    if change_first_name:
        rows[1][rows[0].index("firstname")] = change_first_name
    out = io.StringIO(newline="")
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def upload(client, data):
    return client.post(admin_url(Member, "import"),
                       {"import_file": SimpleUploadedFile("members.csv", data, "text/csv")})


def test_the_import_page_form_preview_and_refusal(superuser_client):
    build_dataset()
    assert_clean(superuser_client.get(admin_url(Member, "import")))
    preview = upload(superuser_client, members_csv(change_first_name="Renamed"))
    assert 'id="import-changed-rows"' in preview.content.decode()
    assert_clean(preview)
    refused = upload(superuser_client, b"memberid,oops\nMEM1,x\n")
    assert 'id="import-refused"' in refused.content.decode()
    assert_clean(refused)


def test_the_dashboard_built_and_empty(superuser_client):
    empty = superuser_client.get(DASHBOARD_URL)
    assert 'id="dashboard-empty"' in empty.content.decode()
    assert_clean(empty)
    build_small_ods()
    build_warehouse(as_of=WAREHOUSE_AS_OF)
    response = superuser_client.get(DASHBOARD_URL)
    html = response.content.decode()
    assert '<script id="dashboard-data" type="application/json">' in html
    assert 'class="heat-10"' in html and 'class="heat-0"' in html  # the busiest hour and the empty ones
    assert "warehouse/dashboard.css" in html and "warehouse/dashboard.js" in html
    assert_clean(response)


def test_the_data_quality_page_with_a_failing_run(superuser_client):
    build_valid_dataset()
    Member.objects.filter(pk="MEM000003").update(member_status="Active")
    run_checks(as_of=QUALITY_AS_OF, days=QUALITY_DAYS)
    response = superuser_client.get(reverse("admin:fitness_qualityrun_data_quality"))
    assert '<strong class="quality-bad">FAIL</strong>' in response.content.decode()
    assert_clean(response)
