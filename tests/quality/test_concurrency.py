"""On PostgreSQL, run_checks outside a transaction runs the rules on several
connections at once (and the profile beside them); inside one it runs them in
turn on its own connection. Both ways give the same document."""
import pytest
from django.db import transaction

from facilities.models import MemberAccess
from fitness.core.dialect import Dialect
from fitness.quality import run_checks
from fitness.quality.report import runs_concurrently
from members.models import Member

from .dataset import AS_OF, DAYS, build_valid_dataset


def comparable(document):
    """The document without timings."""
    checks = [{key: value for key, value in check.items() if key != "seconds"} for check in document["checks"]]
    return checks, document["completeness"], document["profile"]


@pytest.mark.django_db(transaction=True)
def test_concurrent_run_gives_the_sequential_result():
    with transaction.atomic():
        build_valid_dataset()
    # Committed breaks of two rules, so that the other connections see them.
    Member.objects.filter(pk="MEM000003").update(member_status="Active")  # M4
    MemberAccess.objects.filter(pk="ACC00000003").update(duration=61)  # V2

    assert runs_concurrently() is Dialect.current().is_postgres
    concurrent = run_checks(as_of=AS_OF, days=DAYS, save=False)
    with transaction.atomic():
        assert not runs_concurrently()
        sequential = run_checks(as_of=AS_OF, days=DAYS, save=False)

    assert comparable(concurrent) == comparable(sequential)
    assert [check["id"] for check in concurrent["checks"] if check["status"] != "pass"] == ["M4", "V2"]
