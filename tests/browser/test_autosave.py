"""The weekly session page in the room: what is typed is saved, whatever the network does.

Every text area on the page saves itself a second after typing stops (static/js/autosave.js).
These tests type as a therapist would and check three things each time: what the field's own
status says, what the page summary says, and what the database holds.
"""

import re

import pytest
from playwright.sync_api import expect

from sessions_app.models import Session as IptSession
from tests.factories import CourseFactory, InventoryPersonFactory, SessionFactory

SAVED = re.compile(r"^Saved at \d\d:\d\d:\d\d$")
MOOD = "How has the patient felt"
NOTES = "Anything else from the session"


@pytest.fixture(autouse=True)
def patient_browser_timeouts():
    # The retry backoff is real (2 s, 4 s, ... up to 15 s): give expectations room.
    expect.set_options(timeout=10_000)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture
def ipt_session(patient):
    course = CourseFactory(patient=patient)
    InventoryPersonFactory(course=course, name="Maria", relationship="sister")
    return SessionFactory(course=course, number=1, status=IptSession.Status.HELD)


@pytest.fixture
def open_session(live_server, page, login):
    """Log in as the treating therapist and open the session page."""

    def do_open(session):
        login("owner")
        page.set_default_timeout(15_000)
        expect(page.get_by_role("heading", name=re.compile(r"^Today, "))).to_be_visible()
        page.goto(f"{live_server.url}{session.get_absolute_url()}")
        expect(page.get_by_role("heading", name=session.label, level=1)).to_be_visible()
        return page

    return do_open


def status_of(textarea):
    """The save status shown under a text area."""
    return textarea.page.locator(f"#{textarea.get_attribute('id')}-status")


def saved(session, field):
    session.refresh_from_db()
    return getattr(session, field)


# 1 ------------------------------------------------------------------------------------------------
def test_typing_is_saved_and_is_there_after_a_reload(open_session, ipt_session, live_server):
    page = open_session(ipt_session)
    summary = page.locator("#save-summary")
    expect(summary).to_have_text("Everything you type is saved as you go.")

    mood = page.get_by_label(MOOD)
    mood.press_sequentially("Low in the week; argued with her sister Maria on Sunday.")
    expect(status_of(mood)).to_have_text(SAVED)
    notes = page.get_by_label(NOTES)
    notes.fill("Tearful when talking about the argument.\nAgreed to look at it next week.")
    expect(status_of(notes)).to_have_text(SAVED)
    expect(summary).to_have_text(re.compile(r"^All changes saved at \d\d:\d\d:\d\d\.$"))

    assert saved(ipt_session, "mood_context") == (
        "Low in the week; argued with her sister Maria on Sunday."
    )
    assert saved(ipt_session, "notes") == (
        "Tearful when talking about the argument.\nAgreed to look at it next week."
    )
    assert ipt_session.versions == {"mood_context": 1, "notes": 1}

    page.reload()
    expect(page.get_by_label(MOOD)).to_have_value(
        "Low in the week; argued with her sister Maria on Sunday."
    )
    expect(page.get_by_label(NOTES)).to_have_value(
        "Tearful when talking about the argument.\nAgreed to look at it next week."
    )
    # Typing on after the reload continues from the saved version: no false conflict.
    page.get_by_label(NOTES).press("Control+End")
    page.get_by_label(NOTES).press_sequentially(" Homework: call Maria.")
    expect(status_of(page.get_by_label(NOTES))).to_have_text(SAVED)
    assert saved(ipt_session, "notes").endswith("next week. Homework: call Maria.")


# 2 ------------------------------------------------------------------------------------------------
def test_a_dropped_connection_is_retried_until_the_text_is_saved(open_session, ipt_session):
    page = open_session(ipt_session)
    summary = page.locator("#save-summary")
    mood = page.get_by_label(MOOD)

    # The clinic wifi drops while the therapist types: nothing reaches the server.
    page.route("**/autosave/", lambda route: route.abort())
    mood.press_sequentially("Slept badly; row with Maria about their mother's care.")
    expect(status_of(mood)).to_have_text("Not saved: no connection to the server. Retrying…")
    expect(summary).to_have_text(re.compile(r"^Not saved yet: 1 field waiting\."))
    expect(summary).to_have_class(re.compile(r"\bunsaved\b"))
    assert saved(ipt_session, "mood_context") == ""

    # The connection comes back: the retry saves the text without anyone doing anything.
    page.unroute("**/autosave/")
    expect(status_of(mood)).to_have_text(SAVED, timeout=20_000)
    expect(summary).to_have_text(re.compile(r"^All changes saved at "))
    expect(mood).to_have_value("Slept badly; row with Maria about their mother's care.")
    assert saved(ipt_session, "mood_context") == (
        "Slept badly; row with Maria about their mother's care."
    )

    # The server is down for a moment (a 502 from the proxy), then up again.
    down = {"now": True}

    def proxy(route):
        if down["now"]:
            route.fulfill(status=502, body="Bad gateway")
        else:
            route.fallback()

    page.route("**/autosave/", proxy)
    notes = page.get_by_label(NOTES)
    notes.press_sequentially("Maria phoned during the session.")
    expect(status_of(notes)).to_have_text(
        "Not saved: the server could not save just now (502). Retrying…"
    )
    expect(summary).to_have_text(re.compile(r"^Not saved yet: 1 field waiting\."))
    # More typing while the server is down is kept and goes with the next try.
    notes.press_sequentially(" She wants to talk tonight.")
    expect(status_of(notes)).to_contain_text("Not saved")
    down["now"] = False
    expect(status_of(notes)).to_have_text(SAVED, timeout=20_000)
    expect(summary).to_have_text(re.compile(r"^All changes saved at "))
    assert saved(ipt_session, "notes") == (
        "Maria phoned during the session. She wants to talk tonight."
    )

    # Offline, then online again: the browser says so and the save goes at once.
    page.context.set_offline(True)
    mood.press("Control+End")
    mood.press_sequentially(" Better by Friday.")
    expect(status_of(mood)).to_have_text("Not saved: no connection to the server. Retrying…")
    page.context.set_offline(False)
    expect(status_of(mood)).to_have_text(SAVED)
    assert saved(ipt_session, "mood_context").endswith("care. Better by Friday.")


# 3 ------------------------------------------------------------------------------------------------
def test_an_expired_login_loses_nothing_and_saving_resumes_after_logging_in_again(
    open_session, ipt_session, live_server
):
    page = open_session(ipt_session)
    # Fake timers in the page: the retry backoff can be held still while logging in again.
    page.clock.install()
    page.reload()
    dialog = page.locator("#login-expired")
    mood = page.get_by_label(MOOD)
    mood.press_sequentially("Started the week hopeful.")
    expect(status_of(mood)).to_have_text(SAVED)

    # The login runs out on the server while the therapist is still typing.
    LoginSession.objects.all().delete()
    mood.press_sequentially(" Then Maria cancelled their lunch and she spent Sunday in bed.")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text("Your login has expired")
    full = "Started the week hopeful. Then Maria cancelled their lunch and she spent Sunday in bed."
    expect(mood).to_have_value(full)
    expect(status_of(mood)).to_contain_text("Not saved: your login has expired.")
    expect(page.locator("#save-summary")).to_contain_text("Not saved yet: 1 field waiting")
    assert saved(ipt_session, "mood_context") == "Started the week hopeful."

    # Hold the page's timers: from here only "Try again" sends the text.
    page.clock.pause_at(page.evaluate("Date.now()") + 1000)

    # Log in again in a new tab, as the dialog says (Django rotates the CSRF token here).
    with page.context.expect_page() as new_tab:
        dialog.get_by_role("button", name="Log in in a new tab").click()
    tab = new_tab.value
    tab.get_by_label("Username").fill("owner")
    tab.get_by_label("Password").fill("correct horse battery")
    tab.get_by_role("button", name="Log in").click()
    expect(tab.get_by_role("heading", name=re.compile(r"^Today, "))).to_be_visible()
    tab.close()

    page.bring_to_front()
    expect(mood).to_have_value(full)
    dialog.get_by_role("button", name="Try again").click()
    expect(dialog).to_be_hidden()
    page.clock.resume()
    expect(status_of(mood)).to_have_text(SAVED)
    expect(page.locator("#save-summary")).to_contain_text("All changes saved at")
    assert saved(ipt_session, "mood_context") == full

    # And typing goes on being saved with the new login.
    mood.press_sequentially(" Wants to call her.")
    expect(status_of(mood)).to_have_text(SAVED)
    assert saved(ipt_session, "mood_context") == full + " Wants to call her."
