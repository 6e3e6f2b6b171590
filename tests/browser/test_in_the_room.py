"""The session page by keyboard: the saved mood is always the one checked."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from sessions_app.models import Session as IptSession
from tests.factories import CourseFactory, MeasureFactory, SessionFactory


@pytest.fixture
def session_page(live_server, page, login, patient):
    course = CourseFactory(patient=patient)
    MeasureFactory(course=course, taken_on=date(2026, 9, 1))  # the baseline: no PHQ-9 due yet
    session = SessionFactory(course=course, number=2, status=IptSession.Status.HELD)
    page.set_default_timeout(15_000)
    page.set_default_navigation_timeout(30_000)
    login("owner")
    expect(page.get_by_role("heading", name=re.compile(r"^Today, "))).to_be_visible()
    page.goto(f"{live_server.url}{session.get_absolute_url()}")
    expect(page.get_by_role("heading", name=session.label, level=1)).to_be_visible()
    return page, session


def _settled(page):
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)


@pytest.mark.parametrize("pause_ms", [250, 0])
def test_arrowing_through_the_mood_rating_saves_the_one_checked(session_page, pause_ms):
    page, session = session_page
    ratings = page.get_by_role("group", name=re.compile("mood today", re.I))
    ratings.get_by_role("radio", name="1", exact=True).check()
    for _ in range(4):
        page.keyboard.press("ArrowRight")
        if pause_ms:
            page.wait_for_timeout(pause_ms)
    expect(ratings.get_by_role("radio", name="5", exact=True)).to_be_checked()
    expect(ratings.get_by_role("radio", name="5", exact=True)).to_be_focused()
    _settled(page)
    session.refresh_from_db()
    assert session.mood_rating == 5
    page.reload()
    expect(
        page.get_by_role("group", name=re.compile("mood today", re.I)).get_by_role(
            "radio", name="5", exact=True
        )
    ).to_be_checked()
