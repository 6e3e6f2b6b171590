"""The idle warning: announced two minutes (here: half the idle time) before the login would
end, without taking the focus from the field being typed in; "Stay signed in" renews it."""

import re

from playwright.sync_api import expect

from tests.factories import TherapistFactory


def test_the_idle_warning_leaves_the_caret_where_it_is(live_server, page, login, settings):
    settings.SESSION_COOKIE_AGE = 8  # the warning comes after 4 s
    TherapistFactory(username="idle")
    login("idle")
    page.goto(f"{live_server.url}/patients/new/")
    name = page.get_by_label("Full name")
    name.click()
    name.press_sequentially("Lena")
    warning = page.locator("#idle-warning")
    expect(warning).to_be_visible(timeout=8000)
    expect(warning).to_have_attribute("role", "status")
    expect(warning).to_contain_text("signed out in 2 minutes")
    expect(name).to_be_focused()
    name.press_sequentially(" Fischer")
    expect(name).to_have_value("Lena Fischer")
    warning.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_be_hidden()
    expect(page.get_by_label("Full name")).to_have_value(re.compile("^Lena Fischer$"))
