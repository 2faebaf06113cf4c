"""The admin in a real browser: log in, narrow a change list by a filter and by search, edit a member."""
import pytest

from members.models import Member

from .support import column_texts, expect, log_in, result_rows, success_message

pytestmark = pytest.mark.usefixtures("seeded")
MEMBERS = "/admin/members/member/"


def test_log_in_filter_and_search_the_member_list(page, live_server, superuser):
    log_in(page, live_server, superuser.username)
    page.goto(live_server.url + MEMBERS)
    expect(result_rows(page)).to_have_count(50)  # a full page of the 130 members

    cancelled = Member.objects.filter(member_status="Cancelled")
    assert 0 < cancelled.count() < 50
    page.locator('#changelist-filter details[data-filter-title="member status"]').get_by_role(
        "link", name="Cancelled", exact=True).click()
    expect(page).to_have_url(live_server.url + MEMBERS + "?member_status__exact=Cancelled")
    expect(result_rows(page)).to_have_count(cancelled.count())
    assert set(column_texts(page, "member_status")) == {"Cancelled"}
    assert set(column_texts(page, "member_id")) == set(cancelled.values_list("member_id", flat=True))

    member = cancelled.order_by("member_id").first()
    page.fill("#searchbar", member.member_id)
    page.press("#searchbar", "Enter")
    expect(result_rows(page)).to_have_count(1)
    assert column_texts(page, "member_id") == [member.member_id]


def test_edit_a_member_and_save(page, live_server, superuser):
    before = Member.objects.order_by("member_id").last()
    log_in(page, live_server, superuser.username)
    page.goto(f"{live_server.url}{MEMBERS}{before.member_id}/change/")
    expect(page.locator("#id_city")).to_have_value(before.city)
    page.fill("#id_city", "Browserville")
    page.click("input[name=_save]")

    expect(success_message(page)).to_contain_text("was changed successfully")
    expect(page).to_have_url(live_server.url + MEMBERS)
    after = Member.objects.get(pk=before.pk)
    assert after.city == "Browserville"
    assert after.last_modified > before.last_modified  # the admin stamps the edit
    # The fields the browser sent back untouched keep their values, NULLs included.
    assert (after.first_name, after.email, after.medical_alerts, after.emergency_contact) == \
        (before.first_name, before.email, before.medical_alerts, before.emergency_contact)
