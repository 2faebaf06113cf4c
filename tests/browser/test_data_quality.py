"""The Data quality page in a real browser shows the latest check_ods run rule by rule."""
import pytest

from .support import expect, log_in

DATA_QUALITY = "/admin/fitness/qualityrun/data-quality/"


def test_data_quality_page_shows_the_latest_run(page, live_server, superuser, quality_run):
    log_in(page, live_server, superuser.username)
    page.goto(live_server.url + DATA_QUALITY)
    expect(page.locator("#content h2").first).to_contain_text("Run ")
    rules = page.locator("#quality-checks tbody tr")
    expect(rules).to_have_count(len(quality_run["checks"]))
    shown = [text.strip() for text in rules.locator("td:first-child").all_inner_texts()]
    assert shown == [check["id"] for check in quality_run["checks"]]
    expect(page.locator("#quality-runs tbody tr")).to_have_count(1)
    expect(page.locator("#quality-completeness")).to_contain_text("members")
