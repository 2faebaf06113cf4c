"""The change lists' paginator: exact counts for filtered or small lists, the
PostgreSQL planner's estimate for big unfiltered ones."""
import pytest
from django.db import connection

from facilities.models import MemberAccess
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
    assert paginator.count == EXACT_COUNT_LIMIT * 30
    filtered = EstimatedCountPaginator(MemberAccess.objects.filter(member_id="MEM000001").order_by("pk"), 50)
    assert filtered.count == 1
