"""CSV out of and back into a change list in a real browser: django-import-export's export page gives the
ERD header and the filtered rows; the ODS import page previews the file and imports it on confirmation."""
import csv
import io

import pytest

from fitness import csvio
from members.models import Member

from .support import expect, log_in, success_message

pytestmark = pytest.mark.usefixtures("seeded")
MEMBERS = "/admin/members/member/"


def export_from_change_list(page, live_server, query=""):
    """Open the change list (with its filter query), press Export, submit the export page; the CSV's text."""
    page.goto(f"{live_server.url}{MEMBERS}{query}")
    page.locator("a.export_link").click()
    expect(page.locator("#content h1, .breadcrumbs").first).to_contain_text("Export")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Submit").click()
    download = download_info.value
    assert download.suggested_filename == "members.csv"
    with open(download.path(), encoding="utf-8", newline="") as file:
        return file.read()


def test_export_has_the_erd_header_and_the_filtered_rows(page, live_server, superuser):
    log_in(page, live_server, superuser.username)
    text = export_from_change_list(page, live_server, "?member_status__exact=Cancelled")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header == csvio.erd_header(Member)
    assert header[:3] == ["memberid", "firstname", "lastname"]
    assert {row[0] for row in rows} == set(
        Member.objects.filter(member_status="Cancelled").values_list("member_id", flat=True))


def test_import_the_export_back_previews_then_saves(page, live_server, superuser, tmp_path):
    log_in(page, live_server, superuser.username)
    header, *rows = list(csv.reader(io.StringIO(export_from_change_list(page, live_server))))
    assert len(rows) == Member.objects.count()
    city = header.index("city")
    changed = rows[0]
    old_city, changed[city] = changed[city], "Importville"
    upload = tmp_path / "members.csv"
    with open(upload, "w", encoding="utf-8", newline="") as file:
        csv.writer(file, lineterminator="\n").writerows([header, *rows])

    page.goto(f"{live_server.url}{MEMBERS}import/")
    expect(page.locator("#expected-header")).to_have_text(",".join(header))
    page.set_input_files("input[name=import_file]", str(upload))
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#import-counts")).to_contain_text(f"0 new, 1 changed, {len(rows) - 1} same")
    changed_cells = page.locator("#import-changed-rows tbody tr")
    expect(changed_cells).to_have_count(1)
    expect(changed_cells.locator("td.old")).to_have_text(old_city)
    expect(changed_cells.locator("td.new")).to_have_text("Importville")
    assert Member.objects.get(pk=changed[0]).city == old_city  # a preview writes nothing

    page.get_by_role("button", name="Confirm import").click()
    expect(success_message(page)).to_contain_text("Imported members.csv: 0 new, 1 changed")
    assert Member.objects.get(pk=changed[0]).city == "Importville"
