"""The change lists' paginator: exact counts for filtered or small lists, the
PostgreSQL planner's estimate for big unfiltered ones."""
import pytest
from django.db import connection

from django.urls import reverse

from facilities.models import MemberAccess
from fitness import admin_support
from fitness.admin_support import EXACT_COUNT_LIMIT, EstimatedCountPaginator, estimated_row_count
from fitness.core.dialect import Dialect

from ..dataset import build_dataset


@pytest.mark.django_db
def test_paginator_counts_exactly_when_filtered_or_small():
    build_dataset()
    queryset = MemberAccess.objects.order_by("pk")
    assert EstimatedCountPaginator(queryset, 50).count == MemberAccess.objects.count()
    assert estimated_row_count(queryset.filter(member_id="MEM000001")) is None


@pytest.mark.django_db
@pytest.mark.skipif(not Dialect.current().is_postgres, reason="planner statistics are a PostgreSQL feature")
def test_paginator_uses_planner_estimate_for_big_unfiltered_tables_on_postgresql():
    build_dataset()
    with connection.cursor() as cursor:
        # Pretend the table is big, as ANALYZE would record it on a seeded ODS.
        cursor.execute(
            "UPDATE pg_class SET reltuples = %s WHERE oid = 'memberaccess'::regclass", [EXACT_COUNT_LIMIT * 30]
        )
    paginator = EstimatedCountPaginator(MemberAccess.objects.order_by("pk"), 50)
    assert paginator.count == EXACT_COUNT_LIMIT * 30 and paginator.count_label == "about 3.0 million"
    filtered = EstimatedCountPaginator(MemberAccess.objects.filter(member_id="MEM000001").order_by("pk"), 50)
    assert filtered.count == 1


@pytest.mark.django_db
def test_a_filtered_count_stops_at_the_cap_and_says_so(monkeypatch):
    build_dataset()
    total = MemberAccess.objects.count()
    assert total > 2
    monkeypatch.setattr(admin_support, "FILTERED_COUNT_CAP", 2)
    capped = EstimatedCountPaginator(MemberAccess.objects.order_by("pk"), 2)
    assert capped.count == 3 and capped.capped and capped.count_label == "2+"
    monkeypatch.setattr(admin_support, "FILTERED_COUNT_CAP", total)
    exact = EstimatedCountPaginator(MemberAccess.objects.order_by("pk"), 2)
    assert exact.count == total and not exact.capped and exact.count_label == f"{total:,}"


def test_an_estimate_is_worded_as_one():
    assert admin_support.about(8_703_687) == "8.7 million" and admin_support.about(873_412) == "873,000"


@pytest.mark.django_db
def test_the_change_list_shows_the_count_as_the_paginator_words_it(admin_client, monkeypatch):
    build_dataset()
    monkeypatch.setattr(admin_support, "FILTERED_COUNT_CAP", 2)
    page = admin_client.get(reverse("admin:facilities_memberaccess_changelist")).content.decode()
    assert f"2+ {MemberAccess._meta.verbose_name_plural}" in page
