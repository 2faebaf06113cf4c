"""The admin's import page on the import engine: upload -> preview (counts, new rows, changed cells; nothing
written) -> confirm (all-or-nothing, once) or cancel. Refused files list their problems and are kept
nowhere; the upload limit; abandoned previews are swept; the permission; a fixed number of queries."""
import csv
import datetime as dt
import io
import uuid
import zlib

import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fitness import admin_support, csvio
from fitness.core.tables import ods_models
from fitness.models import PendingImport
from members.models import Member, MemberPayment, MembershipType

from ..dataset import build_dataset
from .forms import member_change_post

pytestmark = pytest.mark.django_db

PLAN_HEADER = (
    "membershiptypeid,typename,description,monthlyfee,registrationfee,duration,maxfamilymembers,isactive,createddate"
)
PAYMENT_HEADER = "paymentid,memberid,paymentdate,amount,paymenttype,paymentmethod,status"


def admin_url(model, view):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}")


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("boss", "boss@example.com", "pw-boss-123")


@pytest.fixture
def superuser_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def dataset():
    build_dataset()


def exported(model):
    """The table as the ODS CSV text (what the admin's export writes)."""
    buffer = io.StringIO(newline="")
    csvio.export_table(model, buffer)
    return buffer.getvalue()


def csv_rows(text):
    return list(csv.reader(io.StringIO(text, newline="")))


def csv_text(rows):
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    return buffer.getvalue()


def upload(client, model, text, name=None):
    data = text.encode() if isinstance(text, str) else text
    name = name or f"{model._meta.db_table}.csv"
    return client.post(admin_url(model, "import"), {"import_file": SimpleUploadedFile(name, data, "text/csv")})


def confirm(client, model, token, action="confirm"):
    return client.post(admin_url(model, "process_import"), {"token": str(token), action: "1"})


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def member_snapshot():
    fields = [f.attname for f in csvio.erd_fields(Member)]
    return {values[0]: values for values in Member.objects.order_by("pk").values_list(*fields)}


def members_file_with_one_change_and_one_new_row():
    """The members export with MEM000003's first name changed and a new member MEM900001 (a copy of
    MEM000001) at the end."""
    rows = csv_rows(exported(Member))
    header = rows[0]
    first_name = header.index("firstname")
    changed = next(row for row in rows if row[0] == "MEM000003")
    old_name = changed[first_name]
    changed[first_name] = "Renamed"
    new = list(rows[1])
    new[0] = "MEM900001"
    rows.append(new)
    return csv_text(rows), old_name, len(rows) - 1


# --------------------------------------------------------------------------- the form and the preview

def test_the_upload_form_shows_the_expected_header(superuser_client):
    response = superuser_client.get(admin_url(Member, "import"))
    assert response.status_code == 200
    page = response.content.decode()
    assert ",".join(csvio.erd_header(Member)) in page
    assert "50 MB" in page and "import_ods" in page
    assert 'enctype="multipart/form-data"' in page


def test_the_change_list_has_the_import_button(superuser_client):
    page = superuser_client.get(admin_url(Member, "changelist")).content.decode()
    assert admin_url(Member, "import") in page


def test_preview_counts_new_changed_and_same_and_shows_the_changed_cells(superuser_client, dataset):
    text, old_name, rows = members_file_with_one_change_and_one_new_row()
    before = member_snapshot()

    response = upload(superuser_client, Member, text)

    assert response.status_code == 200
    outcome = response.context["outcome"]
    assert (outcome.rows, outcome.new, outcome.changed, outcome.same) == (rows, 1, 1, rows - 2)
    page = response.content.decode()
    assert f"1 new, 1 changed, {rows - 2} same" in page
    [changed] = response.context["changed_rows"]
    assert (changed.row, changed.id, changed.kind) == (3, "MEM000003", "changed")
    assert ("firstname", old_name, "Renamed") in changed.cells
    [(new, values)] = response.context["new_rows"]
    assert (new.row, new.id, values[0]) == (rows, "MEM900001", "MEM900001")
    assert len(values) == len(csvio.erd_header(Member))
    assert "Renamed" in page and "MEM900001" in page
    # A preview writes nothing; the file waits, compressed, for the confirmation.
    assert member_snapshot() == before
    pending = PendingImport.objects.get()
    assert (pending.table, pending.file_name, pending.user.username) == ("members", "members.csv", "boss")
    assert (pending.rows, pending.new, pending.changed, pending.same) == (rows, 1, 1, rows - 2)
    assert zlib.decompress(pending.data) == text.encode()
    assert str(pending.token) in page


def test_a_changed_row_shows_only_its_changed_cells(superuser_client, dataset):
    text, old_name, _ = members_file_with_one_change_and_one_new_row()
    [changed] = upload(superuser_client, Member, text).context["changed_rows"]
    assert changed.cells == [("firstname", old_name, "Renamed")]


@pytest.mark.parametrize("model", ods_models(), ids=lambda m: m._meta.db_table)
def test_an_unchanged_export_previews_as_nothing_new_and_nothing_changed(superuser_client, dataset, model):
    text = exported(model)
    response = upload(superuser_client, model, text)
    assert response.status_code == 200, response.content.decode()[:2000]
    outcome = response.context["outcome"]
    count = model.objects.count()
    assert (outcome.new, outcome.changed, outcome.same) == (0, 0, count)
    assert f"0 new, 0 changed, {count:,} same" in response.content.decode()
    assert response.context["new_rows"] == [] and response.context["changed_rows"] == []


# --------------------------------------------------------------------------- confirm and cancel

def test_confirm_applies_exactly_the_preview_and_a_token_works_once(superuser_client, dataset):
    text, old_name, rows = members_file_with_one_change_and_one_new_row()
    before = member_snapshot()
    token = upload(superuser_client, Member, text).context["pending"].token

    response = confirm(superuser_client, Member, token)

    assert response.status_code == 302 and response.url == admin_url(Member, "changelist")
    assert messages_of(response) == [f"Imported members.csv: 1 new, 1 changed, {rows - 2} unchanged"]
    after = member_snapshot()
    assert set(after) == set(before) | {"MEM900001"}
    assert Member.objects.get(pk="MEM000003").first_name == "Renamed"
    assert after["MEM900001"][1:] == before["MEM000001"][1:]
    assert {k: v for k, v in after.items() if k not in ("MEM000003", "MEM900001")} == \
           {k: v for k, v in before.items() if k != "MEM000003"}
    assert PendingImport.objects.count() == 0

    # The same token again: refused, nothing re-applied.
    Member.objects.filter(pk="MEM000003").update(first_name=old_name)
    again = confirm(superuser_client, Member, token)
    assert again.status_code == 302 and again.url == admin_url(Member, "import")
    assert "no such pending import" in messages_of(again)[-1]
    assert Member.objects.get(pk="MEM000003").first_name == old_name


def test_confirming_an_unchanged_file_changes_nothing(superuser_client, dataset):
    before = member_snapshot()
    token = upload(superuser_client, Member, exported(Member)).context["pending"].token
    response = confirm(superuser_client, Member, token)
    assert messages_of(response) == [f"Imported members.csv: 0 new, 0 changed, {len(before)} unchanged"]
    assert member_snapshot() == before


def test_a_good_file_imports_into_an_empty_table(superuser_client):
    text = PLAN_HEADER + "\r\nMT001,Solo,'-dash,49.99,25.00,1,1,true,2024-01-01T05:00:00+00:00\r\n"
    preview = upload(superuser_client, MembershipType, text, name="plans.csv")
    assert "1 new, 0 changed, 0 same" in preview.content.decode()
    assert MembershipType.objects.count() == 0
    response = confirm(superuser_client, MembershipType, preview.context["pending"].token)
    assert messages_of(response) == ["Imported plans.csv: 1 new, 0 changed, 0 unchanged"]
    plan = MembershipType.objects.get()
    assert (plan.description, plan.created_date) == ("-dash", dt.datetime(2024, 1, 1, 5, tzinfo=dt.timezone.utc))


def test_cancel_drops_the_pending_import(superuser_client, dataset):
    text, _, _ = members_file_with_one_change_and_one_new_row()
    token = upload(superuser_client, Member, text).context["pending"].token
    response = confirm(superuser_client, Member, token, action="cancel")
    assert response.status_code == 302 and response.url == admin_url(Member, "import")
    assert "cancelled" in messages_of(response)[0]
    assert PendingImport.objects.count() == 0
    assert not Member.objects.filter(pk="MEM900001").exists()


def test_confirm_is_all_or_nothing_when_the_data_changed_after_the_preview(superuser_client, dataset):
    text = (f"{PAYMENT_HEADER}\r\n"
            "PAY90000001,MEM000005,2024-01-01,10.00,Class Fee,Cash,Completed\r\n"
            "PAY90000002,MEM000008,2024-01-01,10.00,Class Fee,Cash,Completed\r\n")
    token = upload(superuser_client, MemberPayment, text).context["pending"].token
    Member.objects.filter(pk="MEM000008").delete()  # the second row's member disappears meanwhile

    response = confirm(superuser_client, MemberPayment, token)

    assert response.status_code == 200
    [error] = response.context["refused"]["errors"]
    assert (error.row, error.column, error.reason) == (2, "memberid", "no members row with this id")
    assert "nothing was saved" in response.content.decode()
    assert not MemberPayment.objects.filter(pk__in=["PAY90000001", "PAY90000002"]).exists()
    assert PendingImport.objects.count() == 0


def test_only_the_uploader_can_confirm_and_only_for_that_table(client, superuser_client, dataset):
    text, _, _ = members_file_with_one_change_and_one_new_row()
    token = upload(superuser_client, Member, text).context["pending"].token
    assert confirm(superuser_client, MembershipType, token).url == admin_url(MembershipType, "import")
    other = User.objects.create_superuser("other", "other@example.com", "pw-other-123")
    client.force_login(other)
    assert confirm(client, Member, token).url == admin_url(Member, "import")
    assert confirm(client, Member, "not-a-uuid").url == admin_url(Member, "import")
    assert not Member.objects.filter(pk="MEM900001").exists()
    assert PendingImport.objects.count() == 1


# --------------------------------------------------------------------------- refusals

def refusal(response):
    assert response.status_code == 200
    assert "pending" not in response.context
    assert PendingImport.objects.count() == 0  # a refused preview keeps nothing
    return response.context["refused"]


def test_a_wrong_header_is_refused_naming_the_column(superuser_client, dataset):
    text = exported(Member).replace("medicalalerts", "medical_alerts", 1)
    refused = refusal(upload(superuser_client, Member, text))
    [error] = refused["errors"]
    assert error.row == 0
    assert "missing column(s) medicalalerts" in error.reason and "unknown column(s) medical_alerts" in error.reason


def test_an_extra_column_is_refused(superuser_client, dataset):
    rows = [row + ["extra"] for row in csv_rows(exported(MembershipType))]
    refused = refusal(upload(superuser_client, MembershipType, csv_text(rows)))
    [error] = refused["errors"]
    assert "unknown column(s) extra" in error.reason


def test_a_duplicate_id_in_the_file_is_refused_with_both_rows(superuser_client, dataset):
    rows = csv_rows(exported(Member))
    copy = list(rows[2])
    copy[0] = rows[1][0]
    rows.append(copy)  # the id of row 1 again, on the last row
    response = upload(superuser_client, Member, csv_text(rows))
    [error] = refusal(response)["errors"]
    assert (error.row, error.column, error.reason) == (len(rows) - 1, "memberid", "duplicate id")
    assert error.detail == f"{rows[1][0]} is also on row 1"
    page = response.content.decode()
    assert f"{rows[1][0]} is also on row 1" in page


def test_bad_rows_are_listed_with_row_column_reason_and_counted(superuser_client):
    text = "\r\n".join([
        PLAN_HEADER,
        "MT001,Good,,49.99,25.00,1,1,true,2024-01-01T00:00:00+00:00",
        "MT002,Bad fee,,-1.00,25.00,1,1,true,2024-01-01T00:00:00+00:00",
        "MT003,Bad number,,abc,25.00,1,1,true,2024-01-01T00:00:00+00:00",
        "MT004,Bad bool,,9.99,0.00,1,1,maybe,2024-01-01T00:00:00+00:00",
        "MT005,Bad number too,,xyz,0.00,1,1,false,2024-01-01T00:00:00+00:00",
        "",
    ])
    response = upload(superuser_client, MembershipType, text)
    refused = refusal(response)
    found = {(e.row, e.column, e.reason) for e in refused["errors"]}
    assert (3, "monthlyfee", "expected a number like 49.90") in found
    assert (4, "isactive", "expected true or false") in found
    assert (5, "monthlyfee", "expected a number like 49.90") in found
    assert ("monthlyfee", "expected a number like 49.90", 2) in refused["counts"]
    page = response.content.decode()
    assert "&#x27;abc&#x27;" in page and "Problems per column and reason" in page
    assert MembershipType.objects.count() == 0


def test_a_missing_foreign_key_is_refused(superuser_client, dataset):
    text = f"{PAYMENT_HEADER}\r\nPAY90000001,MEM999999,2024-01-01,10.00,Class Fee,Cash,Completed\r\n"
    [error] = refusal(upload(superuser_client, MemberPayment, text))["errors"]
    assert (error.row, error.column, error.reason) == (1, "memberid", "no members row with this id")
    assert "MEM999999" in error.detail


# --------------------------------------------------------------------------- the size limit and the temp dir

@pytest.fixture
def upload_dir(settings, tmp_path):
    """Uploads over 100 bytes go to temporary files in tmp_path."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100
    return tmp_path


@pytest.mark.parametrize("size", [3_000, 200_000], ids=["just over", "far over"])
def test_a_file_over_the_limit_is_refused_with_the_import_ods_hint(superuser_client, settings, upload_dir, size):
    settings.ODS_ADMIN_IMPORT_MAX_BYTES = 2_000
    text = exported(MembershipType)
    text += "x" * (size - len(text))

    response = upload(superuser_client, MembershipType, text)

    assert response.status_code == 200
    page = response.content.decode()
    assert "membershiptypes.csv is bigger than the admin&#x27;s import limit of 2,000 bytes" in page
    assert "python manage.py import_ods" in page
    assert response.wsgi_request.refused_uploads == ["membershiptypes.csv"]  # dropped by the upload handler
    assert PendingImport.objects.count() == 0
    assert list(upload_dir.iterdir()) == []


def test_the_view_checks_the_limit_without_the_upload_handler(superuser_client, settings, upload_dir):
    settings.ODS_ADMIN_IMPORT_MAX_BYTES = 200
    settings.FILE_UPLOAD_HANDLERS = settings.FILE_UPLOAD_HANDLERS[1:]
    response = upload(superuser_client, MembershipType, exported(MembershipType) + "x" * 500)
    assert "bigger than the admin&#x27;s import limit of 200 bytes" in response.content.decode()
    assert PendingImport.objects.count() == 0
    assert list(upload_dir.iterdir()) == []


def test_no_uploaded_data_is_left_in_the_temp_dir(superuser_client, dataset, upload_dir, monkeypatch):
    seen = []
    read_upload = admin_support.read_upload

    def spy(upload):
        seen.append(upload.temporary_file_path())
        return read_upload(upload)

    monkeypatch.setattr(admin_support, "read_upload", spy)
    text, _, _ = members_file_with_one_change_and_one_new_row()

    preview = upload(superuser_client, Member, text)
    assert preview.context["outcome"].new == 1
    assert list(upload_dir.iterdir()) == []

    refused = upload(superuser_client, Member, text.replace("medicalalerts", "medical_alerts", 1))
    assert refused.context["refused"]
    assert list(upload_dir.iterdir()) == []
    assert len(seen) == 2 and all(path.startswith(str(upload_dir)) for path in seen)  # they were temp files


def test_other_admin_posts_pass_the_upload_handler(superuser_client, dataset, settings):
    settings.ODS_ADMIN_IMPORT_MAX_BYTES = 10  # smaller than any form: only files are measured
    url, data = member_change_post(superuser_client, "MEM000001")
    data["first_name"] = "Renamed"
    response = superuser_client.post(url, data)  # multipart, as the test client posts
    assert response.status_code == 302
    assert Member.objects.get(pk="MEM000001").first_name == "Renamed"


# --------------------------------------------------------------------------- pending imports

def test_stale_pending_imports_are_swept(superuser_client, superuser, settings):
    settings.ODS_ADMIN_IMPORT_PENDING_MINUTES = 30
    now = timezone.now()
    stale = PendingImport.objects.create(user=superuser, table="members", file_name="old.csv", data=b"",
                                         created=now - dt.timedelta(minutes=31))
    fresh = PendingImport.objects.create(user=superuser, table="members", file_name="new.csv", data=b"",
                                         created=now - dt.timedelta(minutes=29))
    assert superuser_client.get(admin_url(Member, "import")).status_code == 200
    assert list(PendingImport.objects.values_list("pk", flat=True)) == [fresh.pk]

    # And a stale token cannot be confirmed.
    PendingImport.objects.filter(pk=fresh.pk).update(created=now - dt.timedelta(minutes=45))
    response = confirm(superuser_client, Member, fresh.token)
    assert response.url == admin_url(Member, "import")
    assert not PendingImport.objects.exists()
    assert stale.token != fresh.token


# --------------------------------------------------------------------------- permission and queries

def test_without_the_import_permission_every_import_view_is_403(client, dataset):
    user = User.objects.create_user("clerk", password="pw-clerk-123", is_staff=True)
    content_type = ContentType.objects.get_for_model(Member)
    user.user_permissions.set(Permission.objects.filter(
        content_type=content_type, codename__in=["view_member", "add_member", "change_member", "export_member"]))
    client.force_login(user)
    text, _, _ = members_file_with_one_change_and_one_new_row()
    assert client.get(admin_url(Member, "import")).status_code == 403
    assert upload(client, Member, text).status_code == 403
    assert confirm(client, Member, uuid.uuid4()).status_code == 403
    assert PendingImport.objects.count() == 0
    assert admin_url(Member, "import") not in client.get(admin_url(Member, "changelist")).content.decode()


def member_rows(count):
    rows = [csvio.erd_header(Member)]
    for n in range(1, count + 1):
        rows.append([f"MEM7{n:05d}", "Ann", f"Lee{n}", f"a{n}@example.com", "555-0100", "1990-01-02", "F",
                     "1 Main St", "Springfield", "IL", "62701", "", "", "", "2020-02-03", "Active",
                     "2024-01-01T12:00:00+00:00"])
    return csv_text(rows)


def test_a_preview_takes_a_few_queries_however_many_rows(superuser_client, dataset, django_assert_max_num_queries):
    counts = {}
    for rows in (10, 1_000):
        with CaptureQueriesContext(connection) as queries:
            response = upload(superuser_client, Member, member_rows(rows))
        assert response.context["outcome"].new == rows
        counts[rows] = len(queries.captured_queries)
    assert counts[1_000] == counts[10], counts
    with django_assert_max_num_queries(40):
        upload(superuser_client, Member, member_rows(1_000))
