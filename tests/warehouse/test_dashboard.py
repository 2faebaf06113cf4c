"""The admin analytics dashboard: staff only, renders charts with data, filters."""
import json
import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

pytestmark = pytest.mark.usefixtures("built")
URL = "/admin/warehouse/etlbatch/dashboard/"
CANVASES = ["revenueChart", "retentionChart", "fillChart", "equipmentChart", "laborChart"]


def embedded_data(response):
    match = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', response.content.decode(),
                      re.S)
    return json.loads(match.group(1))


def test_url_name_resolves():
    assert reverse("admin:warehouse_dashboard") == URL


def test_dashboard_renders_charts_with_data(admin_client):
    response = admin_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for canvas in CANVASES:
        assert f'id="{canvas}"' in html
    assert 'id="peak-heatmap"' in html
    assert "warehouse/vendor/chart.umd.min.js" in html and "cdn" not in html.lower()
    data = embedded_data(response)
    assert data["peak"]["grid"][0][7] == 3  # Mondays 07:xx: V1, V2, V4
    assert data["revenue"]["labels"] == ["2024-01", "2024-02", "2024-03"]
    assert data["revenue"]["revenue"] == [80.0, 90.0, 120.0]
    assert data["revenue"]["failed"] == [0.0, 30.0, 0.0]
    assert data["fill"] == {"labels": ["Yoga"], "fill_pct": [15.0]}
    assert data["labor"]["cost"] == [231.25]
    assert {c["label"] for c in data["retention"]["cohorts"]} == {"2024-01", "2024-02"}
    assert data["equipment"]["labels"] == ["Bike", "Treadmill"]


def test_facility_and_date_filters(admin_client):
    data = embedded_data(admin_client.get(URL, {"facility": "FAC002"}))
    assert sum(map(sum, data["peak"]["grid"])) == 2  # V5, V6
    assert data["revenue"]["revenue"] == [60.0, 60.0]  # MEM3's home is FAC002
    assert data["labor"]["hours"] == [0.0]  # the Absent shift
    data = embedded_data(admin_client.get(URL, {"start": "2024-03-01", "end": "2024-03-31"}))
    assert data["revenue"]["labels"] == ["2024-03"]
    assert sum(map(sum, data["peak"]["grid"])) == 5


def test_bad_filter_is_reported_not_applied(admin_client):
    response = admin_client.get(URL, {"start": "2024-03-31", "end": "2024-03-01"})
    assert response.status_code == 400  # the bad request it is, shown with the form's error
    assert "must not be after" in response.content.decode()
    assert sum(map(sum, embedded_data(response)["peak"]["grid"])) == 6


def test_non_staff_users_are_sent_to_login(client):
    User.objects.create_user("member", password="pw-123456")
    client.login(username="member", password="pw-123456")
    response = client.get(URL)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_batch_changelist_links_the_dashboard(admin_client):
    response = admin_client.get(reverse("admin:warehouse_etlbatch_changelist"))
    assert response.status_code == 200 and URL in response.content.decode()



def test_the_charts_are_read_once_per_build(admin_client):
    """The dashboard reads the aggregates once per warehouse build (only builds write them): a change no
    build made stays unseen until the next batch, whose start and end move the cache on."""
    from django.db import connection

    from warehouse.etl.pipeline import build_warehouse

    def revenue():
        return embedded_data(admin_client.get(URL))["revenue"]["revenue"]

    assert revenue() == [80.0, 90.0, 120.0]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE agg_facility_daily SET revenue = revenue * 2")
    assert revenue() == [80.0, 90.0, 120.0]  # from the cache: no batch since
    build_warehouse()  # incremental: the ODS did not change, so neither do the (doubled) aggregates
    assert revenue() == [160.0, 180.0, 240.0]
