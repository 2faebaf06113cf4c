"""Every admin page renders with data present; CSV export from the admin is the
ODS format; import and export are separate permissions (no button, 403). The
import page itself is tested in test_admin_import.py."""
import io

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from import_export.signals import post_export

from fitness import csvio
from fitness.core.tables import ods_models
from members.models import Member, MembershipType

from ..dataset import build_dataset
from .forms import member_change_post

pytestmark = pytest.mark.django_db
MODELS = ods_models()


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def superuser_client(client):
    user = User.objects.create_superuser("boss", "boss@example.com", "pw-boss-123")
    client.force_login(user)
    return client


@pytest.fixture
def dataset():
    build_dataset()


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.db_table)
def test_changelist_change_and_add_pages_render(superuser_client, dataset, model):
    changelist = superuser_client.get(admin_url(model, "changelist"))
    assert changelist.status_code == 200
    first = model.objects.order_by("pk").first()
    assert str(first.pk) in changelist.content.decode()

    assert superuser_client.get(admin_url(model, "change", first.pk)).status_code == 200
    assert superuser_client.get(admin_url(model, "add")).status_code == 200
    assert superuser_client.get(admin_url(model, "import")).status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.db_table)
def test_changelist_search_and_filters_work(superuser_client, dataset, model):
    first = model.objects.order_by("pk").first()
    response = superuser_client.get(admin_url(model, "changelist"), {"q": first.pk})
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 1


def test_changelists_do_not_count_the_whole_table_twice_or_query_per_row(superuser_client, dataset):
    for model in MODELS:
        with CaptureQueriesContext(connection) as queries:
            assert superuser_client.get(admin_url(model, "changelist")).status_code == 200
        counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
        # One paginator count; no second "full result count" and no facet counts.
        assert len(counts) <= 1, (model, counts)
        assert len(queries.captured_queries) < 15, (model, len(queries.captured_queries))


def test_big_foreign_keys_are_raw_id_widgets(superuser_client, dataset):
    from classes.models import ClassEnrollment

    page = superuser_client.get(admin_url(ClassEnrollment, "add")).content.decode()
    assert 'class="vForeignKeyRawIdAdminField"' in page
    assert "<option value=\"MEM000001\"" not in page


def test_saving_a_member_in_the_admin_updates_last_modified(superuser_client, dataset):
    member = Member.objects.get(pk="MEM000001")
    before = member.last_modified
    url = admin_url(Member, "change", member.pk)
    form = superuser_client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["first_name"] = "Renamed"
    for prefix in ("memberships", "payments"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = superuser_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    member.refresh_from_db()
    assert member.first_name == "Renamed"
    assert member.last_modified > before


def test_admin_export_is_the_ods_csv(superuser_client, dataset):
    response = superuser_client.post(admin_url(MembershipType, "export"), {"format": "0"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="membershiptypes.csv"'
    body = b"".join(response.streaming_content).decode()
    expected = io.StringIO(newline="")
    csvio.export_table(MembershipType, expected)
    assert body == expected.getvalue()
    assert "'=SUM(A1:A9)" in body


def test_admin_export_keeps_the_change_list_filters(superuser_client, dataset):
    response = superuser_client.post(admin_url(Member, "export") + "?member_status__exact=Active", {"format": "0"})
    lines = b"".join(response.streaming_content).decode().split("\r\n")
    exported = sorted(line.split(",")[0] for line in lines[1:] if line)
    assert exported == sorted(Member.objects.filter(member_status="Active").values_list("pk", flat=True))
    assert 0 < len(exported) < Member.objects.count()


def test_admin_export_streams_and_sends_post_export(superuser_client, dataset):
    sent = []

    def receiver(sender, model, **kwargs):
        sent.append(model)

    post_export.connect(receiver)
    try:
        response = superuser_client.post(admin_url(Member, "export"), {"format": "0"})
    finally:
        post_export.disconnect(receiver)
    assert response.streaming and response["Content-Type"] == "text/csv; charset=utf-8"
    assert sent == [Member]


def test_admin_export_page_shows_the_format_form(superuser_client, dataset):
    response = superuser_client.get(admin_url(Member, "export"))
    assert response.status_code == 200
    assert not response.streaming and "form" in response.context


def test_admin_classes_override_no_private_method_of_django_or_import_export():
    """Only public hooks: a `_name` defined on an admin class must not shadow a
    method of django.contrib.admin or django-import-export (their private
    methods change without notice)."""
    from django.contrib import admin

    offenders = []
    for model_admin in admin.site._registry.values():
        for cls in type(model_admin).__mro__:
            if cls.__module__.startswith(("django.", "import_export.")) or cls is object:
                continue
            for name in vars(cls):
                if name.startswith("_") and not name.startswith("__"):
                    if any(name in vars(base) for base in type(model_admin).__mro__
                           if base.__module__.startswith(("django.", "import_export."))):
                        offenders.append(f"{cls.__module__}.{cls.__qualname__}.{name}")
    assert offenders == []


# --------------------------------------------------------------------------- permissions

def staff_client(client, *codenames):
    user = User.objects.create_user("clerk", password="pw-clerk-123", is_staff=True)
    content_type = ContentType.objects.get_for_model(Member)
    perms = Permission.objects.filter(content_type=content_type, codename__in=["view_member", *codenames])
    user.user_permissions.set(perms)
    client.force_login(user)
    return client


def test_without_import_and_export_permissions_there_is_no_button_and_403(client, dataset):
    client = staff_client(client)
    page = client.get(admin_url(Member, "changelist"))
    assert page.status_code == 200
    html = page.content.decode()
    assert admin_url(Member, "import") not in html
    assert admin_url(Member, "export") not in html
    assert client.get(admin_url(Member, "import")).status_code == 403
    assert client.get(admin_url(Member, "export")).status_code == 403
    assert client.post(admin_url(Member, "export"), {"format": "0"}).status_code == 403


def test_export_permission_alone_gives_export_only(client, dataset):
    client = staff_client(client, "export_member")
    html = client.get(admin_url(Member, "changelist")).content.decode()
    assert admin_url(Member, "export") in html
    assert admin_url(Member, "import") not in html
    response = client.post(admin_url(Member, "export"), {"format": "0"})
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"memberid,firstname,")
    assert client.get(admin_url(Member, "import")).status_code == 403


def test_import_permission_alone_gives_import_only(client, dataset):
    # view_member_health: importing members needs every column's right (tests/admin/test_roles.py)
    client = staff_client(client, "import_member", "add_member", "change_member", "view_member_health")
    html = client.get(admin_url(Member, "changelist")).content.decode()
    assert admin_url(Member, "import") in html
    assert admin_url(Member, "export") not in html
    assert client.get(admin_url(Member, "import")).status_code == 200
    assert client.get(admin_url(Member, "export")).status_code == 403


def test_saving_a_member_keeps_null_text_columns_null(superuser_client, dataset):
    Member.objects.filter(pk="MEM000001").update(medical_alerts=None, emergency_contact=None, emergency_phone=None)
    url, data = member_change_post(superuser_client, "MEM000001")
    data["first_name"] = "Renamed"
    assert superuser_client.post(url, data).status_code == 302
    member = Member.objects.get(pk="MEM000001")
    assert member.first_name == "Renamed"
    assert (member.medical_alerts, member.emergency_contact, member.emergency_phone) == (None, None, None)
    # Text someone types is kept; a cleared field is NULL again, not "".
    data["medical_alerts"] = "Asthma"
    superuser_client.post(url, data)
    assert Member.objects.get(pk="MEM000001").medical_alerts == "Asthma"
    data["medical_alerts"] = ""
    superuser_client.post(url, data)
    assert Member.objects.get(pk="MEM000001").medical_alerts is None
