"""The big event tables' change lists: newest first by the event's own time (what the time-range filters and
the time indexes serve), the same few queries however many rows match."""
import pytest
from django.urls import reverse

from equipment.models import EquipmentUsage
from facilities.models import MemberAccess
from members.models import MemberPayment

from ..dataset import build_dataset

EVENT_LISTS = (  # (change list, model, time field)
    ("admin:facilities_memberaccess_changelist", MemberAccess, "check_in_time"),
    ("admin:equipment_equipmentusage_changelist", EquipmentUsage, "start_time"),
    ("admin:members_memberpayment_changelist", MemberPayment, "payment_date"),
)
MAX_QUERIES = 10  # session, user, count, rows, filter choices: none per row


@pytest.mark.django_db
@pytest.mark.parametrize("url_name, model, field", EVENT_LISTS)
def test_event_lists_show_the_newest_first_in_a_fixed_number_of_queries(admin_client, django_assert_max_num_queries,
                                                                       url_name, model, field):
    build_dataset()
    with django_assert_max_num_queries(MAX_QUERIES):
        response = admin_client.get(reverse(url_name))
    assert response.status_code == 200
    shown = [getattr(row, field) for row in response.context["cl"].result_list]
    assert shown and shown == sorted(shown, reverse=True)
    assert len(shown) == min(model.objects.count(), 50)


@pytest.mark.django_db
def test_equipment_sessions_filter_by_the_equipments_facility(admin_client):
    build_dataset()
    session = EquipmentUsage.objects.select_related("equipment").first()
    facility = session.equipment.facility_id
    response = admin_client.get(reverse("admin:equipment_equipmentusage_changelist"),
                                {"equipment__facility__facility_id__exact": facility})
    shown = response.context["cl"].result_list
    assert shown and {row.equipment.facility_id for row in shown} == {facility}


@pytest.mark.django_db
def test_a_members_change_form_shows_their_latest_rows_in_a_fixed_number_of_queries(
        admin_client, django_assert_max_num_queries):
    import datetime as dt
    from decimal import Decimal

    from fitness.core.business import add_months
    from members.admin import RECENT_ROWS
    from members.models import Member, MemberMembership

    build_dataset()
    member = Member.objects.get(pk="MEM000001")
    plan = MemberMembership.objects.filter(member=member).first().membership_type
    start = dt.date(2010, 1, 1)
    for number in range(60):  # five years of monthly periods, each paid
        begins = add_months(start, number)
        MemberMembership.objects.create(membership_id=f"MSX{number:05d}", member=member, membership_type=plan,
                                        start_date=begins, end_date=add_months(begins, 1), status="Expired")
        MemberPayment.objects.create(payment_id=f"PAYX{number:05d}", member=member, payment_date=begins,
                                     amount=Decimal("49.99"), payment_type="Monthly Dues",
                                     payment_method="Credit Card", status="Completed")
    url = reverse("admin:members_member_change", args=[member.pk])
    with django_assert_max_num_queries(12):
        response = admin_client.get(url)
    page = response.content.decode()
    periods, payments = (formset.formset for formset in response.context["inline_admin_formsets"])
    assert len(periods.forms) == len(payments.forms) == RECENT_ROWS
    assert periods.forms[0].instance.start_date == max(MemberMembership.objects.filter(member=member)
                                                       .values_list("start_date", flat=True))
    total = MemberMembership.objects.filter(member=member).count()
    assert f"all {total} periods" in page and f"?q={member.pk}" in page


@pytest.mark.django_db
def test_date_filters_offer_the_datas_own_years_and_months_and_filter_by_them(admin_client):
    build_dataset()
    url = reverse("admin:facilities_memberaccess_changelist")
    response = admin_client.get(url)
    date_filter = next(f for f in response.context["cl"].filter_specs if getattr(f, "since_kwarg", "").startswith("check_in_time"))
    choices = list(date_filter.choices(response.context["cl"]))
    labels = [choice["display"] for choice in choices]
    last = max(MemberAccess.objects.values_list("check_in_time", flat=True))
    first = min(MemberAccess.objects.values_list("check_in_time", flat=True))
    from django.utils import timezone

    last_local, first_local = timezone.localtime(last).date(), timezone.localtime(first).date()
    assert labels[0] == "Any date" and labels[1] == str(last_local.year)
    assert last_local.strftime("%B %Y") in labels and first_local.strftime("%B %Y") in labels
    month = next(choice for choice in choices if choice["display"] == last_local.strftime("%B %Y"))
    shown = admin_client.get(url + month["query_string"]).context["cl"].result_list
    expected = [a for a in MemberAccess.objects.all()
                if (timezone.localtime(a.check_in_time).year, timezone.localtime(a.check_in_time).month)
                == (last_local.year, last_local.month)]
    assert sorted(a.pk for a in shown) == sorted(a.pk for a in expected) and expected
