"""Bad query parameters on our own admin pages (dashboard, Data quality, export, import confirm) are the
client's error, 400 or 404 with DEBUG off, never a server error."""
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from fitness.models import QualityRun

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("admin:warehouse_dashboard")
DATA_QUALITY = reverse("admin:fitness_qualityrun_data_quality")
MEMBER_EXPORT = reverse("admin:members_member_export")
MEMBER_PROCESS_IMPORT = reverse("admin:members_member_process_import")


@pytest.fixture
def superuser_client(settings):
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("seed_ods", "--profile", "small", "--days", "3", "--seed", "5", "--end-date", "2025-03-01")
    call_command("build_warehouse")
    call_command("check_ods", "--no-profile", "--only", "M1")
    client = Client(raise_request_exception=False)
    client.force_login(User.objects.create_superuser("boss", "boss@example.com", "x"))
    return client


DASHBOARD_QUERIES = {
    "?facility=NOPE": 400,
    "?facility=1%27%20OR%201=1": 400,
    "?start=2024-13-01": 400,
    "?start=%00": 400,
    "?start=2025-01-01&end=2024-01-01": 400,
    "?start=0001-01-01&end=9999-12-31": 200,  # odd but valid: the whole chain
    "": 200,
}
MISSING_RUNS = ["abc", "-1", "%00", "99999999999999999999999", "2147483648", "0"]
EXPORT_QUERIES = ["?format=99", "?no_such_column=1", "?memberid__regex=("]
BAD_TOKENS = ["", "not-a-token", "%00", "0" * 500]


def statuses(client, urls):
    return {url: client.get(url).status_code for url in urls}


def test_bad_query_parameters_are_the_clients_error(superuser_client):
    client = superuser_client
    assert statuses(client, [DASHBOARD + query for query in DASHBOARD_QUERIES]) == {
        DASHBOARD + query: status for query, status in DASHBOARD_QUERIES.items()}
    assert set(statuses(client, [f"{DATA_QUALITY}?run={run}" for run in MISSING_RUNS]).values()) == {404}
    run = QualityRun.objects.get()
    assert client.get(f"{DATA_QUALITY}?run={run.pk}").status_code == 200
    assert set(statuses(client, [MEMBER_EXPORT + query for query in EXPORT_QUERIES]).values()) == {400}
    for token in BAD_TOKENS:
        assert client.post(MEMBER_PROCESS_IMPORT, {"token": token}).status_code in (302, 400, 404)

