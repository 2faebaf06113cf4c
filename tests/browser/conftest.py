"""Fixtures of the browser tests: one headless system chromium for the package, a fresh page (and cookie
jar) per test that records console errors, and small seeded ODSs served by pytest-django's live_server.

live_server makes each test transactional (the server thread must see the test's rows), so each test
seeds its own small chain; at this size a seed, a warehouse build or a check run takes well under a second.
"""
import datetime as dt
import os

import pytest
from django.contrib.auth.models import User

from fitness.quality.report import run_checks
from fitness.seeding.run import seed_ods
from warehouse.etl.pipeline import build_warehouse

from .support import PASSWORD, chromium_path, in_ci, missing_browser_reason, sync_playwright

SEED_END = dt.date(2025, 3, 12)
SEED_DAYS = 30
# Playwright waits this long for a page or an element; generous for a loaded 2-core CI machine.
TIMEOUT_MS = 15_000


@pytest.fixture(scope="package")
def browser():
    """Headless Debian chromium driven by Playwright, for all tests of this package.

    Playwright's sync API keeps an asyncio loop running on this thread, and Django refuses ORM calls from a
    thread with a running loop (SynchronousOnlyOperation), though here nothing runs concurrently: the loop
    only serves the browser's connection. The guard is lifted exactly while the loop lives, and the loop
    ends with this package, before any other test runs."""
    reason = missing_browser_reason()
    if reason:
        if in_ci():
            pytest.fail(f"the browser tests must run in CI, but {reason}", pytrace=False)
        pytest.skip(reason)
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=chromium_path(), headless=True)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    """A page in a fresh browser context (no cookies) with `console_errors`: the console's errors and the
    page's uncaught exceptions, Content-Security-Policy violations included. Any left at the end fail it."""
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    # The browser asks every site for /favicon.ico by itself; the ODS has none, and that 404 is no page's error.
    context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(
        f"console: {message.text} ({message.location.get('url', '')})"))
    page.on("pageerror", lambda error: page.console_errors.append(f"uncaught: {error}"))
    yield page
    context.close()
    assert page.console_errors == [], "the browser reported errors"


@pytest.fixture
def seeded(transactional_db):
    """A small seeded chain: 2 clubs, 130 members (60 joined in the last four years), a month of activity."""
    return seed_ods(days=SEED_DAYS, seed=5, profile="small", members=60, end_date=SEED_END)


@pytest.fixture
def warehouse_built(seeded):
    return build_warehouse(as_of=SEED_END)


@pytest.fixture
def quality_run(seeded):
    """The saved check_ods run the Data quality page shows."""
    return run_checks(as_of=SEED_END, days=SEED_DAYS, save=True)


@pytest.fixture
def superuser(transactional_db):
    return User.objects.create_superuser("browser-admin", "browser-admin@example.com", PASSWORD)
