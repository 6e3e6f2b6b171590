"""The weekly session page in the room: what is typed is saved, whatever the network does.

Every text area on the page saves itself a second after typing stops (static/js/autosave.js).
These tests type as a therapist would and check three things each time: what the field's own
status says, what the page summary says, and what the database holds.

Some tests install Playwright's fake clock in the page, to hold the page's timers (the pause
after typing, the retry backoff) still while something happens elsewhere; the JavaScript has no
test-only code paths.
"""

import re

import pytest
from django.contrib.sessions.models import Session as LoginSession
from django.urls import reverse
from playwright.sync_api import expect

from sessions_app.models import Addendum, CommunicationAnalysis, Homework, InterpersonalEvent
from sessions_app.models import Session as IptSession
from tests.factories import CourseFactory, InventoryPersonFactory, SessionFactory

SAVED = re.compile(r"^Saved at \d\d:\d\d:\d\d$")
ALL_SAVED = re.compile(r"^All changes saved at \d\d:\d\d:\d\d\.$")
WAITING = re.compile(r"^Not saved yet: 1 field waiting\. Your text is kept on this page")
MOOD = "How has the patient felt"
NOTES = "Anything else from the session"
FINALISE = "Finalise session 1 of 12"


@pytest.fixture(autouse=True)
def room_for_retries():
    # The retry backoff is real (2 s, then 4 s...): give expectations room on a busy host.
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
    """Log in as the treating therapist (``owner``) and open the session page."""

    def do_open(session, *, fake_clock=False):
        # The first request to the live server imports the whole project: allow for that.
        page.set_default_timeout(15_000)
        page.set_default_navigation_timeout(30_000)
        login("owner")
        expect(page.get_by_role("heading", name=re.compile(r"^Today, "))).to_be_visible()
        if fake_clock:
            page.clock.install()  # time flows as usual until hold_timers()
        page.goto(f"{live_server.url}{session.get_absolute_url()}")
        expect(page.get_by_role("heading", name=session.label, level=1)).to_be_visible()
        return page

    return do_open


def hold_timers(page):
    """Stop the page's fake clock (within a second): no timer fires until the test says so."""
    page.clock.pause_at(page.evaluate("Date.now()") / 1000 + 1)  # Python: seconds


def status_of(textarea):
    """The save status shown under a text area."""
    return textarea.page.locator(f"#{textarea.get_attribute('id')}-status")


def autosaved(page):
    """Wait for the next save the server accepts (an event: quicker than polling the status)."""
    return page.expect_response(lambda r: r.url.endswith("/autosave/") and r.ok)


def type_and_save(textarea, text, *, append=False):
    with autosaved(textarea.page):
        if append:
            textarea.press("Control+End")
            textarea.press_sequentially(text)
        else:
            textarea.fill(text)
    expect(status_of(textarea)).to_have_text(SAVED)


def saved(obj, field):
    obj.refresh_from_db()
    return getattr(obj, field)


# 1 ------------------------------------------------------------------------------------------------
def test_typing_is_saved_and_is_there_after_a_reload(open_session, ipt_session):
    page = open_session(ipt_session, fake_clock=True)
    summary = page.locator("#save-summary")
    expect(summary).to_have_text("Everything you type is saved as you go.")
    mood = page.get_by_label(MOOD)
    notes = page.get_by_label(NOTES)

    hold_timers(page)  # typing in two fields before either pause is over
    mood.press_sequentially("Low in the week; argued with her sister Maria on Sunday.")
    notes.fill("Tearful when talking about the argument.\nAgreed to look at it next week.")
    expect(status_of(mood)).to_have_text("Not saved yet…")
    expect(summary).to_have_text(re.compile(r"^Not saved yet: 2 fields waiting\."))
    page.clock.resume()
    expect(status_of(mood)).to_have_text(SAVED)
    expect(status_of(notes)).to_have_text(SAVED)
    expect(summary).to_have_text(ALL_SAVED)
    assert saved(ipt_session, "mood_context") == (
        "Low in the week; argued with her sister Maria on Sunday."
    )
    assert ipt_session.notes == (
        "Tearful when talking about the argument.\nAgreed to look at it next week."
    )
    assert ipt_session.versions == {"mood_context": 1, "notes": 1}

    page.reload()
    expect(mood).to_have_value("Low in the week; argued with her sister Maria on Sunday.")
    expect(notes).to_have_value(
        "Tearful when talking about the argument.\nAgreed to look at it next week."
    )
    # Typing on after the reload builds on the saved version: no false conflict.
    type_and_save(notes, " Homework: call Maria.", append=True)
    assert saved(ipt_session, "notes").endswith("next week. Homework: call Maria.")
    assert ipt_session.versions == {"mood_context": 1, "notes": 2}


# 2 ------------------------------------------------------------------------------------------------
def test_a_dropped_connection_is_retried_until_the_text_is_saved(open_session, ipt_session):
    page = open_session(ipt_session)
    summary = page.locator("#save-summary")
    mood = page.get_by_label(MOOD)
    notes = page.get_by_label(NOTES)

    # The clinic wifi drops while the therapist types: nothing reaches the server.
    page.route("**/autosave/", lambda route: route.abort())
    mood.press_sequentially("Slept badly; row with Maria about their mother's care.")
    expect(status_of(mood)).to_have_text("Not saved: no connection to the server. Retrying…")
    expect(summary).to_have_text(WAITING)
    expect(summary).to_have_class(re.compile(r"\bunsaved\b"))
    assert saved(ipt_session, "mood_context") == ""

    # The connection comes back: a retry saves the text without anyone doing anything.
    page.unroute("**/autosave/")
    expect(status_of(mood)).to_have_text(SAVED, timeout=20_000)
    expect(summary).to_have_text(ALL_SAVED)
    expect(mood).to_have_value("Slept badly; row with Maria about their mother's care.")
    assert saved(ipt_session, "mood_context") == (
        "Slept badly; row with Maria about their mother's care."
    )

    # The server is down for a moment (the proxy answers 502), then up again.
    down = True

    def proxy(route):
        if down:
            route.fulfill(status=502, body="Bad gateway")
        else:
            route.fallback()

    page.route("**/autosave/", proxy)
    notes.press_sequentially("Maria phoned during the session.")
    expect(status_of(notes)).to_have_text(
        "Not saved: the server could not save just now (502). Retrying…"
    )
    expect(summary).to_have_text(WAITING)
    # More typing while it is down is kept, and goes with the next try.
    notes.press_sequentially(" She wants to talk tonight.")
    expect(status_of(notes)).to_have_text(re.compile("^Not saved"))
    down = False
    expect(status_of(notes)).to_have_text(SAVED, timeout=20_000)
    expect(summary).to_have_text(ALL_SAVED)
    assert saved(ipt_session, "notes") == (
        "Maria phoned during the session. She wants to talk tonight."
    )

    # Offline, then online again: the browser says so and the save goes at once.
    page.context.set_offline(True)
    mood.press("Control+End")
    mood.press_sequentially(" Better by Friday.")
    expect(status_of(mood)).to_have_text("Not saved: no connection to the server. Retrying…")
    with autosaved(page):
        page.context.set_offline(False)
    expect(status_of(mood)).to_have_text(SAVED)
    assert saved(ipt_session, "mood_context").endswith("care. Better by Friday.")


# 3 ------------------------------------------------------------------------------------------------
def log_in_again_in_a_new_tab(page):
    """What the dialog offers: the login page in a new tab of the same browser."""
    with page.context.expect_page() as new_tab:
        page.locator("#login-expired").get_by_role("button", name="Log in in a new tab").click()
    tab = new_tab.value
    tab.get_by_label("Username").fill("owner")
    tab.get_by_label("Password").fill("correct horse battery")
    tab.get_by_role("button", name="Log in").click()
    expect(tab.get_by_role("heading", name=re.compile(r"^Today, "))).to_be_visible()
    tab.close()
    page.bring_to_front()


def test_an_expired_login_loses_nothing_and_saving_resumes_after_logging_in_again(
    open_session, ipt_session
):
    page = open_session(ipt_session, fake_clock=True)
    dialog = page.locator("#login-expired")
    summary = page.locator("#save-summary")
    mood = page.get_by_label(MOOD)
    type_and_save(mood, "Started the week hopeful.")

    def technique_saved(response):
        return response.url.endswith("/techniques/") and response.ok

    # The login runs out on the server while the therapist is typing. The page's timers are
    # held, so that nothing is retried behind the test's back.
    LoginSession.objects.all().delete()
    hold_timers(page)
    mood.press_sequentially(" Then Maria cancelled their lunch.")
    # A click on an htmx control is refused too (401): the page stays and the dialog opens.
    page.get_by_role("checkbox", name="Role play", exact=True).check()
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text("Your login has expired")
    page.clock.run_for(1000)  # the pause after typing: the autosave goes, and is refused
    expect(status_of(mood)).to_contain_text("Not saved: your login has expired.")
    expect(summary).to_have_text(WAITING)
    expect(mood).to_have_value("Started the week hopeful. Then Maria cancelled their lunch.")
    expect(page.get_by_role("checkbox", name="Role play", exact=True)).to_be_checked()
    assert saved(ipt_session, "mood_context") == "Started the week hopeful."

    # Logged in again in a new tab (Django rotates the CSRF token), then back here without
    # touching anything: the next retry saves the text, and the refused click goes again.
    log_in_again_in_a_new_tab(page)
    with page.expect_response(technique_saved):
        page.clock.resume()
        expect(status_of(mood)).to_have_text(SAVED)
    expect(dialog).to_be_hidden()
    expect(summary).to_have_text(ALL_SAVED)
    assert saved(ipt_session, "mood_context") == (
        "Started the week hopeful. Then Maria cancelled their lunch."
    )
    assert ipt_session.techniques == ["role_play"]

    # It runs out again; this time "Try again" after logging in sends everything at once.
    LoginSession.objects.all().delete()
    hold_timers(page)
    mood.press_sequentially(" Spent Sunday in bed.")
    page.get_by_role("checkbox", name="Clarification", exact=True).check()
    expect(dialog).to_be_visible()
    page.clock.run_for(1000)
    expect(status_of(mood)).to_contain_text("Not saved: your login has expired.")
    log_in_again_in_a_new_tab(page)
    full = "Started the week hopeful. Then Maria cancelled their lunch. Spent Sunday in bed."
    expect(mood).to_have_value(full)
    assert saved(ipt_session, "mood_context") != full
    with page.expect_response(technique_saved):
        dialog.get_by_role("button", name="Try again").click()
        expect(dialog).to_be_hidden()
        page.clock.resume()
    expect(status_of(mood)).to_have_text(SAVED)
    assert saved(ipt_session, "mood_context") == full
    assert ipt_session.techniques == ["role_play", "clarification"]

    # Forms rendered before the new login post its token: htmx rows, autosave, finalising.
    page.get_by_role("button", name="Add an interpersonal event").click()
    type_and_save(
        page.locator("#events article").get_by_label("What happened"),
        "Maria cancelled lunch by text.",
    )
    assert ipt_session.events.get().what_happened == "Maria cancelled lunch by text."
    page.get_by_role("button", name=FINALISE).click()
    expect(page.get_by_text("Session 1 of 12 is finalised.")).to_be_visible()


# 4 ------------------------------------------------------------------------------------------------
def test_two_tabs_typing_in_the_same_field_are_asked_which_text_to_keep(
    open_session, ipt_session, live_server
):
    first = open_session(ipt_session)
    second = first.context.new_page()
    second.goto(f"{live_server.url}{ipt_session.get_absolute_url()}")

    # "Keep my text": the second tab's text wins, knowingly.
    type_and_save(first.get_by_label(MOOD), "Tab one: calmer, saw Maria twice.")
    mine = second.get_by_label(MOOD)
    mine.fill("Tab two: calmer; two visits to Maria went well.")
    conflict = second.locator(".conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("changed in another window or tab")
    expect(conflict.locator("pre")).to_have_text("Tab one: calmer, saw Maria twice.")
    expect(status_of(mine)).to_have_text("Not saved: this text was also changed in another window.")
    expect(second.locator("#save-summary")).to_have_text(WAITING)
    expect(mine).to_have_value("Tab two: calmer; two visits to Maria went well.")
    assert saved(ipt_session, "mood_context") == "Tab one: calmer, saw Maria twice."

    with autosaved(second):
        conflict.get_by_role("button", name="Keep my text").click()
    expect(conflict).to_have_count(0)
    expect(status_of(mine)).to_have_text(SAVED)
    expect(second.locator("#save-summary")).to_have_text(ALL_SAVED)
    assert saved(ipt_session, "mood_context") == "Tab two: calmer; two visits to Maria went well."

    # "Use the other version": the first tab's text stays, and replaces this tab's.
    type_and_save(first.get_by_label(NOTES), "Tab one: explored the sadness about her mother.")
    theirs = second.get_by_label(NOTES)
    theirs.fill("Tab two: something else.")
    expect(conflict.locator("pre")).to_have_text("Tab one: explored the sadness about her mother.")
    conflict.get_by_role("button", name="Use the other version").click()
    expect(conflict).to_have_count(0)
    expect(theirs).to_have_value("Tab one: explored the sadness about her mother.")
    expect(status_of(theirs)).to_have_text("Using the version from the other window.")
    expect(second.locator("#save-summary")).not_to_contain_text("Not saved")
    assert saved(ipt_session, "notes") == "Tab one: explored the sadness about her mother."

    # Typing on in that tab builds on the text it now shows, without another conflict.
    type_and_save(theirs, " Cried for the first time.", append=True)
    assert saved(ipt_session, "notes") == (
        "Tab one: explored the sadness about her mother. Cried for the first time."
    )
    # Different fields in two tabs never get in each other's way.
    type_and_save(first.get_by_label("Progress on the goals"), "Named the loss of her role.")
    assert saved(ipt_session, "focal_notes") == "Named the loss of her role."
    assert ipt_session.mood_context == "Tab two: calmer; two visits to Maria went well."


# 5 ------------------------------------------------------------------------------------------------
def test_a_finalised_session_is_read_only_and_takes_dated_addenda(
    open_session, ipt_session, live_server
):
    ipt_session.status = IptSession.Status.PLANNED
    ipt_session.save()
    page = open_session(ipt_session, fake_clock=True)
    # A second tab left open on the same session, as happens.
    other = page.context.new_page()
    other.goto(f"{live_server.url}{ipt_session.get_absolute_url()}")

    page.get_by_role("button", name=FINALISE).click()
    expect(page.get_by_role("alert")).to_contain_text("mark it as held first")
    assert saved(ipt_session, "finalised_at") is None
    page.get_by_role("radio", name="Held").check()
    page.get_by_role("button", name="Save status").click()
    expect(page.locator("#status-saved")).to_have_text("Session 1 of 12 marked as held.")

    # The last sentence typed, then straight to "Finalise" before the pause that would save
    # it (the page's timers are held): the text is saved first, then the session finalised.
    hold_timers(page)
    page.get_by_label(NOTES).fill("Reviewed the week; set a small step with Maria.")
    page.get_by_role("button", name=FINALISE).click()
    expect(page.get_by_text("Session 1 of 12 is finalised.")).to_be_visible()
    page.clock.resume()
    assert saved(ipt_session, "finalised_at") is not None
    assert ipt_session.notes == "Reviewed the week; set a small step with Maria."

    # Every field now reads as text (it prints whole); nothing offers to save or add.
    expect(page.locator("main textarea:not([name=text])")).to_have_count(0)
    expect(page.locator("main .read-field")).to_have_count(4)  # mood, focal, role play, notes
    expect(page.locator("textarea[data-autosave]")).to_have_count(0)
    expect(page.locator(".read-field", has_text=NOTES)).to_contain_text(
        "Reviewed the week; set a small step with Maria."
    )
    expect(page.locator("#save-summary")).to_have_count(0)
    for name in ("Add an interpersonal event", "Set homework", FINALISE):
        expect(page.get_by_role("button", name=name)).to_have_count(0)

    # The tab left open is refused by the server and says so; the record does not change.
    late = other.get_by_label(MOOD)
    late.fill("Typed in the old tab after finalising.")
    expect(status_of(late)).to_have_text(
        "Not saved: This session is finalised: add a dated addendum instead."
    )
    expect(other.locator("#save-summary")).to_contain_text("could not be saved")
    expect(late).to_have_value("Typed in the old tab after finalising.")
    # An action there reloads it as the locked page, rather than nesting the page in a section.
    other.on("dialog", lambda dialog: dialog.accept())  # "leave the page?": yes
    other.get_by_role("button", name="Add an interpersonal event").click()
    expect(other.get_by_role("alert")).to_contain_text("This session is finalised")
    expect(other.get_by_role("heading", name="Session 1 of 12", level=1)).to_have_count(1)
    expect(other.locator("textarea[data-autosave]")).to_have_count(0)
    assert ipt_session.events.count() == 0
    assert saved(ipt_session, "mood_context") == ""

    # Later changes are dated addenda.
    page.get_by_label("Addendum").fill("Maria called the clinic on Monday; patient safe.")
    page.get_by_role("button", name="Add a dated addendum").click()
    expect(page.get_by_text("Addendum added.")).to_be_visible()
    expect(page.locator(".addendum")).to_contain_text(
        "Maria called the clinic on Monday; patient safe."
    )
    addendum = Addendum.objects.get(session=ipt_session)
    assert addendum.by.username == "owner"
    assert saved(ipt_session, "notes") == "Reviewed the week; set a small step with Maria."


# 6 ------------------------------------------------------------------------------------------------
def test_rows_added_during_the_session_appear_in_place_and_save_as_typed(open_session, ipt_session):
    page = open_session(ipt_session)
    events = page.locator("#events article")

    page.get_by_role("button", name="Add an interpersonal event").click()
    expect(events).to_have_count(1)
    first = events.nth(0)
    # The person is saved on choosing, by its own request: wait for it before reading.
    with page.expect_response(lambda r: "/event/" in r.url and r.request.method == "POST" and r.ok):
        first.get_by_label("With").select_option(label="Maria (sister)")
    first.get_by_label("What happened").fill("Maria cancelled their Sunday lunch by text.")
    # Still typing in the first row when the next one is added: nothing is lost.
    first.get_by_label("How the patient felt").press_sequentially("Hurt, then angry")
    page.get_by_role("button", name="Add an interpersonal event").click()
    expect(events).to_have_count(2)
    expect(first.get_by_label("How the patient felt")).to_have_value("Hurt, then angry")
    expect(first.get_by_label("What happened")).to_have_value(
        "Maria cancelled their Sunday lunch by text."
    )
    expect(status_of(first.get_by_label("How the patient felt"))).to_have_text(SAVED)
    expect(status_of(first.get_by_label("What happened"))).to_have_text(SAVED)
    type_and_save(events.nth(1).get_by_label("What happened"), "Her manager praised her report.")
    rows = list(InterpersonalEvent.objects.filter(session=ipt_session))
    assert [(r.what_happened, r.feelings) for r in rows] == [
        ("Maria cancelled their Sunday lunch by text.", "Hurt, then angry"),
        ("Her manager praised her report.", ""),
    ]
    assert rows[0].person.name == "Maria"

    page.get_by_role("button", name="Start a communication analysis").click()
    analysis = page.locator("#analyses article")
    expect(analysis).to_have_count(1)
    analysis.get_by_label("1. Scene setting").fill("Sunday morning, by text; she was alone.")
    type_and_save(analysis.get_by_label("2. What was said"), "'Fine. Whatever suits you.'")
    expect(status_of(analysis.get_by_label("1. Scene setting"))).to_have_text(SAVED)
    ca = CommunicationAnalysis.objects.get(session=ipt_session)
    assert (ca.scene, ca.verbatim) == (
        "Sunday morning, by text; she was alone.",
        "'Fine. Whatever suits you.'",
    )

    page.get_by_role("button", name="Set homework").click()
    homework = page.locator("#homework article")
    expect(homework).to_have_count(1)
    type_and_save(
        homework.get_by_label("The action"),
        "Call Maria on Wednesday evening and say she was disappointed about lunch.",
    )
    assert Homework.objects.get(set_in=ipt_session).action.startswith("Call Maria on Wednesday")

    # A row removed while its text is still waiting to be saved leaves nothing waiting.
    page.on("dialog", lambda dialog: dialog.accept())  # "Remove this event?"
    second = events.nth(1)
    second.get_by_label("How the patient felt").press_sequentially("Proud")
    second.get_by_role("button", name="Remove event").click()
    expect(events).to_have_count(1)
    type_and_save(page.get_by_label(NOTES), "Two events, one analysis, homework set.")
    expect(page.locator("#save-summary")).to_have_text(ALL_SAVED)
    assert InterpersonalEvent.objects.filter(session=ipt_session).count() == 1

    # After a reload everything is there, in order.
    page.reload()
    expect(events).to_have_count(1)
    expect(events.get_by_label("How the patient felt")).to_have_value("Hurt, then angry")
    expect(page.locator("#analyses article").get_by_label("1. Scene setting")).to_have_value(
        "Sunday morning, by text; she was alone."
    )
    expect(page.locator("#homework article").get_by_label("The action")).to_have_value(
        re.compile("^Call Maria on Wednesday")
    )


def test_the_expired_login_notice_leaves_the_caret_in_the_field(open_session, ipt_session):
    """The login runs out mid-sentence: the notice appears and is announced, but the caret
    stays in the text area and every character typed after it lands there."""
    page = open_session(ipt_session, fake_clock=True)
    dialog = page.locator("#login-expired")
    mood = page.get_by_label(MOOD)
    type_and_save(mood, "Started the week hopeful.")
    LoginSession.objects.all().delete()
    hold_timers(page)
    mood.press_sequentially(" Then")
    page.clock.run_for(1000)  # the pause after typing: the autosave goes, and is refused
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("alert")).to_contain_text("Your login has expired")
    expect(mood).to_be_focused()
    rest = " Maria cancelled their lunch, and she spent the whole of Sunday in bed." * 4
    page.keyboard.type(rest)  # into whatever has the focus, as a person would
    expect(mood).to_be_focused()
    expect(mood).to_have_value("Started the week hopeful. Then" + rest)


def test_a_new_row_takes_the_keyboard_focus(open_session, ipt_session):
    page = open_session(ipt_session)
    page.get_by_role("button", name="Set homework").click()
    new_row = page.locator("#homework article").last
    expect(new_row.locator("select, textarea, input:not([type=hidden])").first).to_be_focused()


def test_a_half_filled_inventory_form_asks_before_the_page_is_left(
    live_server, page, login, ipt_session
):
    page.set_default_timeout(15_000)
    login("owner")
    course = ipt_session.course
    page.goto(f"{live_server.url}{reverse('course:inventory', args=[course.pk])}")
    leaving = "() => { const e = new Event('beforeunload', {cancelable: true});" \
        " window.dispatchEvent(e); return e.defaultPrevented; }"  # fmt: skip
    assert page.evaluate(leaving) is False
    page.locator("#person-add").get_by_label("Name").first.fill("Joe")
    assert page.evaluate(leaving) is True


def test_a_half_filled_timeline_event_asks_before_the_page_is_left_until_it_is_added(
    live_server, page, login, ipt_session
):
    page.set_default_timeout(15_000)
    login("owner")
    course = ipt_session.course
    page.goto(f"{live_server.url}{reverse('course:timeline', args=[course.pk])}")
    leaving = "() => { const e = new Event('beforeunload', {cancelable: true});" \
        " window.dispatchEvent(e); return e.defaultPrevented; }"  # fmt: skip
    assert page.evaluate(leaving) is False
    form = page.locator("#event-add")
    form.get_by_label("When").fill("2026-03-01")
    assert page.evaluate(leaving) is True
    form.get_by_label("What happened", exact=False).fill("Moved to a new city for work.")
    form.get_by_label("Kind", exact=False).select_option(index=1)
    with page.expect_response(lambda r: r.request.method == "POST"):
        form.get_by_role("button", name="Add to the timeline").click()
    expect(page.locator("#timeline-status")).not_to_be_empty()
    assert page.evaluate(leaving) is False
