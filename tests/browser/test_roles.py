"""A Front desk login in a real browser: members open, medical alerts appear nowhere."""
import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from members.models import Member

from .support import PASSWORD, expect, log_in, result_rows

pytestmark = pytest.mark.usefixtures("seeded")
MEMBERS = "/admin/members/member/"


@pytest.fixture
def front_desk_user(transactional_db):
    call_command("setup_roles", verbosity=0)
    user = User.objects.create_user("front-desk", "front-desk@example.com", PASSWORD, is_staff=True)
    user.groups.add(Group.objects.get(name="Front desk"))
    return user


def assert_no_medical_alerts(page):
    html = page.content().lower()
    assert "medicalalerts" not in html and "medical_alerts" not in html and "medical alerts" not in html


def test_front_desk_never_sees_medical_alerts(page, live_server, front_desk_user):
    member = Member.objects.exclude(medical_alerts=None).exclude(medical_alerts="").order_by("member_id").first()
    assert member is not None  # the seed has members with alerts, so hiding them is tested
    log_in(page, live_server, front_desk_user.username)

    page.goto(live_server.url + MEMBERS)
    expect(result_rows(page)).to_have_count(50)
    assert_no_medical_alerts(page)

    page.goto(f"{live_server.url}{MEMBERS}{member.member_id}/change/")
    expect(page.locator("#member_form")).to_be_visible()
    first_name = page.locator("#id_first_name")
    if first_name.count():  # the role may change members or only view them
        expect(first_name).to_have_value(member.first_name)
    else:
        expect(page.locator(".field-first_name .readonly")).to_have_text(member.first_name)
    assert_no_medical_alerts(page)
    assert member.medical_alerts.lower() not in page.content().lower()
