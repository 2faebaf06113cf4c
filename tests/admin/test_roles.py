"""Roles (fitness/roles.py, setup_roles) and field permissions (health and contact fields, staff pay):
log in as each role and check what the admin shows, exports and refuses; the dashboard and the Data
quality page need their own permissions."""
import csv
import io

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group, Permission, User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fitness.core.permissions import PROTECTED_FIELDS, hidden_fields, lookup_is_hidden
from fitness.models import QualityRun
from fitness.roles import roles, setup_roles
from members.models import Member, MemberPayment
from staff.models import Staff, StaffPayroll
from warehouse.models import EtlBatch

from ..dataset import build_dataset
from .forms import member_change_post

pytestmark = pytest.mark.django_db

ROLE_NAMES = ["Front desk", "Membership manager", "Facility manager", "HR and payroll", "Analyst", "Data steward"]
HEALTH_FIELDS = ["date_of_birth", "emergency_contact", "emergency_phone", "medical_alerts"]
HEALTH_COLUMNS = ["dateofbirth", "emergencycontact", "emergencyphone", "medicalalerts"]
PAY_COLUMNS = ["regularpay", "overtimepay", "bonuses", "deductions", "grosspay", "netpay"]
ALERT, CONTACT, PHONE = "Peanut allergy XQZ", "Pat Contactperson", "555-0177"
DASHBOARD = reverse("admin:warehouse_dashboard")
DATA_QUALITY = reverse("admin:fitness_qualityrun_data_quality")


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def dataset():
    build_dataset()
    Member.objects.filter(pk="MEM000001").update(medical_alerts=ALERT, emergency_contact=CONTACT,
                                                 emergency_phone=PHONE)
    setup_roles()


def log_in(*group_names, username=None, permissions=()):
    """A client logged in as a new staff user in the groups, with extra permissions ("app.codename")."""
    user = User.objects.create_user(username or "-".join(group_names) or "nobody", password="pw-role-123",
                                    is_staff=True)
    user.groups.set(Group.objects.filter(name__in=group_names))
    for name in permissions:
        app, codename = name.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app, codename=codename))
    client = Client()
    client.force_login(user)
    return client


def changelist_columns(client, model, **params):
    response = client.get(admin_url(model, "changelist"), params)
    assert response.status_code == 200
    return list(response.context["cl"].list_display)


def form_fields(client, model, pk):
    response = client.get(admin_url(model, "change", pk))
    assert response.status_code == 200
    # An AdminField wraps a bound field; an AdminReadonlyField (a view-only page) a dict.
    return [field.field["name"] if isinstance(field.field, dict) else field.field.name
            for fieldset in response.context["adminform"] for line in fieldset for field in line]


def exported(client, model):
    """(header, rows) of the admin's CSV export."""
    response = client.post(admin_url(model, "export"), {"format": "0"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    return rows[0], rows[1:]


# --------------------------------------------------------------------------- setup_roles

def test_setup_roles_creates_the_six_groups_and_a_second_run_changes_nothing(capsys):
    call_command("setup_roles")
    first = capsys.readouterr().out
    assert [line.split(":")[0] for line in first.splitlines()] == ROLE_NAMES
    assert all(": created with " in line for line in first.splitlines())
    before = {group.name: set(group.permissions.values_list("id", flat=True)) for group in Group.objects.all()}

    call_command("setup_roles")
    second = capsys.readouterr().out
    assert all(": unchanged (" in line for line in second.splitlines()), second
    after = {group.name: set(group.permissions.values_list("id", flat=True)) for group in Group.objects.all()}
    assert after == before and sorted(after) == sorted(ROLE_NAMES)


def test_setup_roles_sets_a_group_to_exactly_its_role(capsys):
    setup_roles()
    front_desk = Group.objects.get(name="Front desk")
    front_desk.permissions.add(Permission.objects.get(codename="delete_member"))
    front_desk.permissions.remove(Permission.objects.get(codename="add_memberaccess"))
    call_command("setup_roles")
    line = capsys.readouterr().out.splitlines()[0]
    assert line.startswith("Front desk: updated (15 permissions; +facilities.add_memberaccess -members.delete_member)")
    granted = {f"{p.content_type.app_label}.{p.codename}" for p in front_desk.permissions.all()}
    assert granted == set(roles()[0].permissions)


def test_ensure_admin_creates_the_groups(settings, capsys):
    settings.DEBUG = True
    call_command("ensure_admin", "--username", "chief", "--password", "pw-chief-123")
    assert sorted(Group.objects.values_list("name", flat=True)) == sorted(ROLE_NAMES)
    assert "Front desk: created with" in capsys.readouterr().out


def test_the_field_permissions_exist_as_rows_not_columns():
    for codename, app in [("view_member_health", "members"), ("view_pay", "staff"),
                          ("view_dashboard", "warehouse"), ("view_data_quality", "fitness")]:
        assert Permission.objects.filter(content_type__app_label=app, codename=codename).exists()
    assert {field.column for field in Member._meta.concrete_fields} >= set(HEALTH_COLUMNS)


def test_roles_hold_the_rights_the_jobs_need():
    granted = {role.name: set(role.permissions) for role in roles()}
    assert "members.view_member_health" not in set().union(*(granted[name] for name in ROLE_NAMES[:5]))
    assert "staff.view_pay" in granted["HR and payroll"] and "staff.view_pay" not in granted["Front desk"]
    assert granted["Membership manager"] > granted["Front desk"]
    analyst = granted["Analyst"]
    assert not any(name.split(".")[1].startswith(("add_", "change_", "delete_", "import_")) for name in analyst)
    assert {"warehouse.view_dashboard", "fitness.view_data_quality", "members.export_member"} <= analyst
    assert "members.import_member" in granted["Data steward"]
    assert not any(".delete_" in name for role in granted.values() for name in role)


# --------------------------------------------------------------------------- Front desk

def test_front_desk_does_not_see_health_or_contact_fields_of_a_member(dataset):
    client = log_in("Front desk")
    page = client.get(admin_url(Member, "change", "MEM000001"))
    assert page.status_code == 200
    html = page.content.decode()
    listing = client.get(admin_url(Member, "changelist")).content.decode()
    for text in (ALERT, CONTACT, PHONE, "medical_alerts", "medical alerts", "emergency_contact", "date_of_birth"):
        assert text.lower() not in html.lower() and text.lower() not in listing.lower()
    assert set(form_fields(client, Member, "MEM000001")).isdisjoint(HEALTH_FIELDS)
    assert "first_name" in form_fields(client, Member, "MEM000001")
    assert admin_url(MemberPayment, "changelist") not in html  # no link to a page it may not open
    manager_page = log_in("Membership manager").get(admin_url(Member, "change", "MEM000001")).content.decode()
    assert admin_url(MemberPayment, "changelist") in manager_page and ALERT not in manager_page
    assert set(changelist_columns(client, Member)).isdisjoint(HEALTH_FIELDS)


def test_a_front_desk_save_keeps_the_fields_it_cannot_see(dataset):
    client = log_in("Front desk")
    before = Member.objects.get(pk="MEM000001")
    url, data = member_change_post(client, "MEM000001")
    assert set(data).isdisjoint(HEALTH_FIELDS)
    data["first_name"] = "Renamed"
    assert client.post(url, data).status_code == 302
    after = Member.objects.get(pk="MEM000001")
    assert after.first_name == "Renamed"
    assert (after.medical_alerts, after.emergency_contact, after.emergency_phone, after.date_of_birth) == \
        (ALERT, CONTACT, PHONE, before.date_of_birth)


def test_front_desk_adds_a_member_with_a_birth_date_but_no_health_fields(dataset):
    client = log_in("Front desk")
    page = client.get(admin_url(Member, "add"))
    fields = page.context["adminform"].form.fields
    assert "date_of_birth" in fields  # a member cannot be stored without one; the empty form shows nothing stored
    assert not {"medical_alerts", "emergency_contact", "emergency_phone"} & set(fields)
    data = {"member_id": "MEM900001", "first_name": "New", "last_name": "Joiner", "email": "new@example.com",
            "phone": "555-0100", "date_of_birth": "1990-05-06", "gender": "F", "address": "1 Main St",
            "city": "Springfield", "state": "IL", "zip_code": "62701", "join_date": "2024-03-01",
            "member_status": "Active", "memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0",
            "payments-TOTAL_FORMS": "0", "payments-INITIAL_FORMS": "0"}
    assert client.post(admin_url(Member, "add"), data).status_code == 302
    assert Member.objects.get(pk="MEM900001").medical_alerts is None


def test_front_desk_cannot_filter_or_search_by_a_hidden_field(dataset, monkeypatch):
    member_admin = admin.site._registry[Member]
    monkeypatch.setattr(member_admin, "search_fields", (*member_admin.search_fields, "medical_alerts"))
    monkeypatch.setattr(member_admin, "list_filter", (*member_admin.list_filter, "emergency_phone"))
    boss = Client()
    boss.force_login(User.objects.create_superuser("boss", "boss@example.com", "pw-boss-123"))
    found = boss.get(admin_url(Member, "changelist"), {"q": ALERT})
    assert [m.pk for m in found.context["cl"].result_list] == ["MEM000001"]
    assert any(spec.field.name == "emergency_phone" for spec in found.context["cl"].filter_specs)

    client = log_in("Front desk")
    searched = client.get(admin_url(Member, "changelist"), {"q": ALERT})
    assert searched.status_code == 200 and list(searched.context["cl"].result_list) == []
    assert not any(getattr(spec, "field", None) and spec.field.name == "emergency_phone"
                   for spec in searched.context["cl"].filter_specs)
    # A lookup in the URL would answer "which members have asthma" row by row: refused (400).
    for lookup in ("medical_alerts__icontains", "emergency_phone", "date_of_birth__year"):
        assert client.get(admin_url(Member, "changelist"), {lookup: "x"}).status_code == 400
        assert boss.get(admin_url(Member, "changelist"), {lookup: "1"}).status_code == 200


def test_front_desk_gets_403_outside_its_job(dataset):
    client = log_in("Front desk")
    for model in (MemberPayment, Staff, StaffPayroll, QualityRun, EtlBatch):
        assert client.get(admin_url(model, "changelist")).status_code == 403, model
    assert client.get(DASHBOARD).status_code == 403
    assert client.get(DATA_QUALITY).status_code == 403
    assert client.get(admin_url(Member, "export")).status_code == 403
    assert client.get(admin_url(Member, "import")).status_code == 403


# --------------------------------------------------------------------------- exports and imports

def test_a_member_export_without_the_health_right_has_no_health_columns(dataset):
    header, rows = exported(log_in("Analyst"), Member)
    assert header == [field.column for field in Member._meta.concrete_fields if field.name not in HEALTH_FIELDS]
    assert len(rows) == Member.objects.count()
    assert not any(ALERT in cell or CONTACT in cell for row in rows for cell in row)
    export_page = log_in("Analyst", username="analyst2").get(admin_url(Member, "export")).content.decode()
    assert "memberid" in export_page and "medicalalerts" not in export_page

    header, rows = exported(log_in("Data steward"), Member)
    assert set(HEALTH_COLUMNS) <= set(header)
    assert any(ALERT in cell for row in rows for cell in row)


def test_import_of_a_table_with_hidden_columns_is_refused(dataset):
    # The right to import members alone is not enough: the file holds health columns.
    clerk = log_in(permissions=["members.view_member", "members.import_member", "members.add_member",
                                "members.change_member"], username="clerk")
    assert clerk.get(admin_url(Member, "import")).status_code == 403
    assert admin_url(Member, "import") not in clerk.get(admin_url(Member, "changelist")).content.decode()
    steward = log_in("Data steward")
    assert steward.get(admin_url(Member, "import")).status_code == 200
    assert steward.get(admin_url(StaffPayroll, "import")).status_code == 200
    assert log_in("Analyst").get(admin_url(Member, "import")).status_code == 403


# --------------------------------------------------------------------------- pay

def test_hr_sees_pay_and_the_facility_manager_does_not(dataset):
    hr = log_in("HR and payroll")
    assert "hourly_rate" in changelist_columns(hr, Staff)
    assert "hourly_rate" in form_fields(hr, Staff, "STF0001")
    assert {"gross_pay", "net_pay"} <= set(changelist_columns(hr, StaffPayroll))
    assert "32.25" in hr.get(admin_url(Staff, "change", "STF0001")).content.decode()

    manager = log_in("Facility manager")
    assert "hourly_rate" not in changelist_columns(manager, Staff)
    page = manager.get(admin_url(Staff, "change", "STF0001"))
    assert page.status_code == 200 and "32.25" not in page.content.decode()  # read-only view, rate left out
    assert "hourly_rate" not in form_fields(manager, Staff, "STF0001")
    assert manager.get(admin_url(StaffPayroll, "changelist")).status_code == 403
    assert manager.get(admin_url(Staff, "changelist"), {"hourly_rate__gte": "30"}).status_code == 400


def test_a_save_by_someone_without_the_pay_right_keeps_the_pay(dataset):
    clerk = log_in(permissions=["staff.view_staff", "staff.change_staff", "staff.view_staffpayroll",
                                "staff.change_staffpayroll"], username="clerk")
    url = admin_url(Staff, "change", "STF0001")
    form = clerk.get(url).context["adminform"].form
    assert "hourly_rate" not in form.fields
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"first_name": "Renamed", "assignments-TOTAL_FORMS": "0", "assignments-INITIAL_FORMS": "0",
                 "certifications-TOTAL_FORMS": "0", "certifications-INITIAL_FORMS": "0"})
    assert clerk.post(url, data).status_code == 302
    staff = Staff.objects.get(pk="STF0001")
    assert staff.first_name == "Renamed" and str(staff.hourly_rate) == "32.25"

    before = StaffPayroll.objects.get(pk="PRL000001")
    url = admin_url(StaffPayroll, "change", "PRL000001")
    form = clerk.get(url).context["adminform"].form
    assert not set(form.fields) & {"regular_pay", "gross_pay", "net_pay", "deductions"}
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data["regular_hours"] = "79.50"
    assert clerk.post(url, data).status_code == 302
    after = StaffPayroll.objects.get(pk="PRL000001")
    assert str(after.regular_hours) == "79.50"
    assert (after.gross_pay, after.net_pay, after.deductions) == (before.gross_pay, before.net_pay, before.deductions)


def test_a_payroll_export_without_the_pay_right_has_no_amounts(dataset):
    clerk = log_in(permissions=["staff.view_staffpayroll", "staff.export_staffpayroll"], username="clerk")
    header, rows = exported(clerk, StaffPayroll)
    assert header == ["payrollid", "staffid", "payperiodstart", "payperiodend", "regularhours", "overtimehours",
                      "paydate"]
    assert len(rows) == StaffPayroll.objects.count() and all(len(row) == len(header) for row in rows)
    header, _rows = exported(log_in("Analyst"), StaffPayroll)
    assert set(PAY_COLUMNS) <= set(header)


# --------------------------------------------------------------------------- Analyst, managers

def test_analyst_reads_everything_but_changes_nothing(dataset):
    client = log_in("Analyst")
    assert client.get(admin_url(Member, "add")).status_code == 403
    url, data = member_change_post(client, "MEM000001")
    assert client.post(url, {**data, "first_name": "Changed"}).status_code == 403
    assert Member.objects.get(pk="MEM000001").first_name != "Changed"
    html = client.get(url).content.decode()
    assert ALERT not in html and CONTACT not in html
    for model in (Member, MemberPayment, Staff, StaffPayroll, QualityRun, EtlBatch):
        assert client.get(admin_url(model, "changelist")).status_code == 200, model
    assert "hourly_rate" in changelist_columns(client, Staff)


def test_membership_manager_handles_payments_but_not_staff(dataset):
    client = log_in("Membership manager")
    assert client.get(admin_url(MemberPayment, "changelist")).status_code == 200
    assert client.get(admin_url(MemberPayment, "add")).status_code == 200
    assert client.get(admin_url(Staff, "changelist")).status_code == 403
    assert set(changelist_columns(client, Member)).isdisjoint(HEALTH_FIELDS)


# --------------------------------------------------------------------------- dashboard and data quality

def test_dashboard_and_data_quality_need_their_own_permissions(dataset):
    nobody = log_in()
    assert nobody.get(DASHBOARD).status_code == 403
    assert nobody.get(DATA_QUALITY).status_code == 403

    # Seeing the ETL batches or the runs is not seeing the dashboard or the report: no link, 403.
    viewer = log_in(permissions=["warehouse.view_etlbatch", "fitness.view_qualityrun"], username="viewer")
    batches = viewer.get(admin_url(EtlBatch, "changelist"))
    assert batches.status_code == 200 and DASHBOARD not in batches.content.decode()
    runs = viewer.get(admin_url(QualityRun, "changelist"))
    assert runs.status_code == 200 and DATA_QUALITY not in runs.content.decode()
    assert viewer.get(DASHBOARD).status_code == 403 and viewer.get(DATA_QUALITY).status_code == 403
    run = QualityRun.objects.create(started_at=timezone.now(), finished_at=timezone.now(), success=False,
                                    report={"checks": [{"rule": "M1", "samples": ["MEM000042"]}]})
    assert "MEM000042" not in viewer.get(admin_url(QualityRun, "change", run.pk)).content.decode()

    analyst = log_in("Analyst")
    assert analyst.get(DASHBOARD).status_code == 200
    assert analyst.get(DATA_QUALITY).status_code == 200
    assert DASHBOARD in analyst.get(admin_url(EtlBatch, "changelist")).content.decode()
    assert DATA_QUALITY in analyst.get(admin_url(QualityRun, "changelist")).content.decode()
    steward = log_in("Data steward")
    assert steward.get(DATA_QUALITY).status_code == 200 and steward.get(DASHBOARD).status_code == 403
    assert "MEM000042" in steward.get(admin_url(QualityRun, "change", run.pk)).content.decode()


# --------------------------------------------------------------------------- the rule itself

def test_every_protected_field_exists_and_no_inline_shows_one():
    for label, fields in PROTECTED_FIELDS.items():
        for name in fields:
            apps.get_model(label)._meta.get_field(name)  # raises for a misspelt name
    protected = {(label, name) for label, fields in PROTECTED_FIELDS.items() for name in fields}
    for model_admin in admin.site._registry.values():
        for inline in model_admin.inlines:
            shown = set(inline.fields or ()) | set(inline.readonly_fields or ())
            assert not {(inline.model._meta.label_lower, name) for name in shown} & protected, inline


def test_lookups_through_relations_are_hidden_too():
    user = User.objects.create_user("plain", is_staff=True)
    assert hidden_fields(Member, user) == set(HEALTH_FIELDS)
    assert lookup_is_hidden(MemberPayment, "member__medical_alerts__icontains", user)
    assert not lookup_is_hidden(MemberPayment, "member__member_id__exact", user)
    assert not lookup_is_hidden(Member, "last_name__exact", user)
    assert hidden_fields(Member, User.objects.create_superuser("root", "root@example.com", "pw-root-123")) == set()
