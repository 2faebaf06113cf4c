"""What the browser tests share besides fixtures: Playwright's API when it is installed, where the system
chromium is, and the steps every test takes (log in, read the change list, check the console)."""
import os
import re
import shutil

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # the `browser` fixture says so: a skip on a developer's machine, a failure in CI
    expect = sync_playwright = None
    PlaywrightTimeout = TimeoutError

# Debian's package and other distributions' names for it. Playwright's own browser builds are never used:
# they are downloaded from outside the package registries, which CI cannot reach.
CHROMIUM_NAMES = ("chromium", "chromium-browser")
PASSWORD = "browser-pw-4711"


def chromium_path():
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def missing_browser_reason():
    """Why the browser tests cannot run here, or None when they can."""
    if sync_playwright is None:
        return "Playwright for Python is not installed (pip install -r requirements.txt)"
    if chromium_path() is None:
        return "no chromium on PATH (apt-get install chromium; .ci/run installs it)"
    return None


def in_ci():
    return os.environ.get("CI") == "true"


def log_in(page, live_server, username, password=PASSWORD):
    """Log in through the admin's login form and land on the admin index."""
    page.goto(f"{live_server.url}/admin/login/?next=/admin/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("#login-form input[type=submit]")
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.locator("#user-tools")).to_contain_text(username)


def result_rows(page):
    """The change list's rows on this page."""
    return page.locator("#result_list tbody tr")


def column_texts(page, field_name):
    """The texts of one column of the change list (the first, linked column is a th)."""
    cells = page.locator(f"#result_list tbody .field-{field_name}")
    return [text.strip() for text in cells.all_inner_texts()]


def success_message(page):
    return page.locator(".messagelist .success")
