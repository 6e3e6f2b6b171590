import os

import pytest
from django.urls import resolve
from playwright.sync_api import expect

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the
# test itself are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(autouse=True)
def _ready_for_a_busy_machine():
    """Give assertions the same 8 s as actions, and load the views before the first request.

    The live server otherwise imports the URLconf (and the PDF library with it) while the
    login page waits, which can take most of those 8 s on a busy machine.
    """
    resolve("/accounts/login/")
    expect.set_options(timeout=8000)
    yield
    expect.set_options(timeout=5000)  # Playwright's default


@pytest.fixture
def login(live_server, page):
    """Log in through the real form: ``login("therapist")``."""

    page.set_default_timeout(8000)

    def do_login(username, password="correct horse battery"):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        return page

    return do_login
