"""The admin "Data quality" page lists runs and shows a saved report rule by rule."""
import pytest
from django.urls import reverse

from fitness.quality import run_checks
from fitness.quality.registry import RULES
from members.models import Member

from .dataset import AS_OF, DAYS


def test_data_quality_page_shows_latest_run_rule_by_rule(admin_client, valid_dataset):
    run_checks(as_of=AS_OF, days=DAYS)  # a clean run
    Member.objects.filter(pk="MEM000003").update(member_status="Active")
    failing_run = run_checks(as_of=AS_OF, days=DAYS)
    response = admin_client.get(reverse("admin:fitness_qualityrun_data_quality"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Run {failing_run['run_id']} at" in page
    assert page.count('class="quality-pass"') == len(RULES) - 1
    assert page.count('class="quality-fail"') == 1
    assert "MEM000003" in page
    assert "exactly when the member has a membership period" in page  # M4's definition


def test_data_quality_page_shows_a_chosen_run(admin_client, valid_dataset):
    clean = run_checks(as_of=AS_OF, days=DAYS)
    Member.objects.filter(pk="MEM000003").update(member_status="Active")
    run_checks(as_of=AS_OF, days=DAYS)
    url = reverse("admin:fitness_qualityrun_data_quality") + f"?run={clean['run_id']}"
    page = admin_client.get(url).content.decode()
    assert f"Run {clean['run_id']} at" in page and "all rules pass" in page
    assert 'class="quality-fail"' not in page


def test_data_quality_page_without_runs(admin_client, db):
    response = admin_client.get(reverse("admin:fitness_qualityrun_data_quality"))
    assert response.status_code == 200
    assert "No data-quality run yet" in response.content.decode()


def test_run_list_links_to_report(admin_client, valid_dataset):
    run = run_checks(as_of=AS_OF, days=DAYS)
    page = admin_client.get(reverse("admin:fitness_qualityrun_changelist")).content.decode()
    assert f"?run={run['run_id']}" in page
    assert reverse("admin:fitness_qualityrun_data_quality") in page


@pytest.mark.parametrize("run", ["abc", "-1", "1e3", "99999999999999999999999", "12345"])
def test_a_run_that_is_not_there_is_404_never_500(admin_client, db, run):
    response = admin_client.get(reverse("admin:fitness_qualityrun_data_quality") + f"?run={run}")
    assert response.status_code == 404
