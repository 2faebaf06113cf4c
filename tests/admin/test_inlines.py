"""Inline rows' foreign-key selects: one query for their choices per page, however many rows, each row's
stored value selected. A staff member's page edits the certifications held now and links to all."""
import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from staff.models import Staff, StaffCertification

pytestmark = pytest.mark.django_db


def test_a_staff_members_current_certifications_share_one_choices_query(client):
    call_command("seed_ods", "--profile", "small", "--days", "3", "--seed", "4", "--end-date", "2025-03-01")
    staff = Staff.objects.annotate(n=Count("certifications")).order_by("-n").first()
    held = StaffCertification.objects.filter(staff=staff)
    rows = list(held.filter(status="Active").order_by("pk").values_list("certification_id", flat=True))
    assert len(rows) >= 3 and held.count() > len(rows)
    client.force_login(User.objects.create_superuser("boss", "boss@example.com", "x"))
    url = reverse("admin:staff_staff_change", args=[staff.pk])
    with CaptureQueriesContext(connection) as queries:
        body = client.get(url).content.decode()
    choice_queries = [q for q in queries.captured_queries if 'FROM "instructorcertifications"' in q["sql"]]
    assert len(choice_queries) == 1
    selected = [re.search(r'<option value="([^"]*)" selected>', select).group(1) for select in re.findall(
        r'<select name="certifications-\d+-certification"[^>]*>(.*?)</select>', body, re.S)]
    assert selected == rows
    assert f'?q={staff.pk}">all {held.count()} certifications</a>' in body
