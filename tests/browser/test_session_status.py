"""The session's status in the room: changed without reloading the page, a missed session asks
its reason first, and the next session held asks what got in the way."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from sessions_app.models import Session as IptSession
from tests.browser.test_accessibility import ConsoleWatch
from tests.factories import CourseFactory, MeasureFactory, SessionFactory

NOTES = "Anything else from the session"


@pytest.fixture
def course(patient):
    course = CourseFactory(patient=patient)
    MeasureFactory(course=course, taken_on=date(2026, 9, 1))  # the baseline: no PHQ-9 due yet
    return course


@pytest.fixture
def open_page(live_server, page, login):
    def do_open(session):
        page.set_default_timeout(15_000)
        page.set_default_navigation_timeout(30_000)
        login("owner")
        expect(page.get_by_role("heading", name=re.compile(r"^Today, "))).to_be_visible()
        page.goto(f"{live_server.url}{session.get_absolute_url()}")
        expect(page.get_by_role("heading", name=session.label, level=1)).to_be_visible()
        return page

    return do_open


def _status_saved(page):
    return page.expect_response(lambda r: r.url.endswith("/status/") and r.request.method == "POST")


def test_marking_a_session_missed_keeps_the_page_asks_the_reason_and_closes_the_record(
    open_page, course
):
    session = SessionFactory(course=course, number=2, status=IptSession.Status.PLANNED)
    page = open_page(session)
    watch = ConsoleWatch(page)
    record = page.locator("#clinical-form")
    expect(record).to_have_attribute("open", "")
    # Typed and not yet saved: a reload would ask before leaving and lose the caret.
    page.get_by_label(NOTES).fill("Phoned at 10:10, no answer.")
    page.evaluate("window.notReloaded = true")

    page.get_by_role("radio", name="Missed (did not attend)").check()
    with _status_saved(page):
        page.get_by_role("button", name="Save status").click()
    errors = page.locator("#status-errors")
    expect(errors).to_contain_text("Note why the session did not take place.")
    expect(errors).to_be_focused()
    expect(page.get_by_role("radio", name="Missed (did not attend)")).to_be_checked()
    session.refresh_from_db()
    assert session.status == IptSession.Status.PLANNED

    page.get_by_label(re.compile("^Reason")).fill("Car broke down on the way.")
    with _status_saved(page):
        page.get_by_role("button", name="Save status").click()
    expect(page.locator("#status-saved")).to_have_text(
        "Session 2 of 12 marked as missed (did not attend)."
    )
    expect(page.locator(".session-head .badge")).to_have_text("Missed (did not attend)")
    expect(page.locator(".did-not-take-place")).to_contain_text("Car broke down on the way.")
    # The keyboard is where it was, the page was not reloaded, the record below is closed.
    expect(page.get_by_role("button", name="Save status")).to_be_focused()
    expect(page.locator("#status-announce")).to_have_text(
        "Session 2 of 12 marked as missed (did not attend)."
    )
    assert page.evaluate("window.notReloaded") is True
    expect(record).not_to_have_attribute("open", "")
    expect(page.get_by_label(NOTES)).to_be_hidden()
    session.refresh_from_db()
    assert (session.status, session.status_note) == ("missed", "Car broke down on the way.")

    # Opened again, a missed session leads with its reason and keeps the record closed.
    page.reload()
    expect(page.locator(".did-not-take-place")).to_contain_text("Car broke down on the way.")
    expect(page.locator("#clinical-form")).not_to_have_attribute("open", "")
    expect(page.locator(".status-box")).to_have_attribute("open", "")

    # Corrected to held (it did take place after all): the record opens, still no reload.
    page.evaluate("window.notReloaded = true")
    page.get_by_role("radio", name="Held").check()
    with _status_saved(page):
        page.get_by_role("button", name="Save status").click()
    expect(page.locator("#status-saved")).to_have_text("Session 2 of 12 marked as held.")
    expect(page.locator("#clinical-form")).to_have_attribute("open", "")
    expect(page.get_by_label(NOTES)).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
    page.wait_for_timeout(300)
    assert watch.take() == []  # no CSP or script error on any of these swaps


def test_a_future_session_is_refused_in_place(open_page, course):
    session = SessionFactory(course=course, number=3, status=IptSession.Status.PLANNED)
    session.scheduled_for = session.scheduled_for.replace(year=2030)
    session.save()
    page = open_page(session)
    page.get_by_role("radio", name="Held").check()
    with _status_saved(page):
        page.get_by_role("button", name="Save status").click()
    expect(page.locator("#status-errors")).to_contain_text("cannot be marked held before then")
    expect(page.locator("#status-errors")).to_be_focused()
    session.refresh_from_db()
    assert session.status == IptSession.Status.PLANNED


def test_the_next_session_held_asks_what_got_in_the_way_with_the_reason(open_page, course):
    SessionFactory(course=course, number=1)
    SessionFactory(
        course=course, number=2, status=IptSession.Status.MISSED, status_note="Child was ill."
    )
    third = SessionFactory(course=course, number=3, status=IptSession.Status.PLANNED)
    page = open_page(third)
    prompt = page.locator(".missed-prompt")
    expect(prompt).to_contain_text("Talk about what got in the way.")
    expect(prompt).to_contain_text("Session 2 was missed or cancelled")
    expect(prompt).to_contain_text("Child was ill.")

    # Marked missed itself, the prompt goes with the swap (it is for the session held next).
    page.get_by_role("radio", name="Cancelled").check()
    page.get_by_label(re.compile("^Reason")).fill("Patient rang to cancel.")
    with _status_saved(page):
        page.get_by_role("button", name="Save status").click()
    expect(page.locator("#status-saved")).to_have_text("Session 3 of 12 marked as cancelled.")
    expect(page.locator(".missed-prompt")).to_have_count(0)
    page.get_by_role("radio", name="Held").check()
    with _status_saved(page):
        page.get_by_role("button", name="Save status").click()
    expect(page.locator(".missed-prompt")).to_contain_text("Child was ill.")


def test_the_status_is_a_plain_form_without_javascript(live_server, browser, course):
    session = SessionFactory(course=course, number=2, status=IptSession.Status.PLANNED)
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("owner")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}{session.get_absolute_url()}")
    page.get_by_role("radio", name="Missed (did not attend)").check()
    page.get_by_label(re.compile("^Reason")).fill("Forgot.")
    page.get_by_role("button", name="Save status").click()
    expect(page.get_by_text("Session 2 of 12 marked as missed (did not attend).")).to_be_visible()
    expect(page.locator("#clinical-form")).not_to_have_attribute("open", "")
    session.refresh_from_db()
    assert (session.status, session.status_note) == ("missed", "Forgot.")
    context.close()
