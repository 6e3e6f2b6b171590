"""The patient's questionnaire in a browser: the therapist makes the link on the session page,
the patient answers on a phone-sized screen without logging in (one question per page, tapping
and the keyboard), item 9 shows the crisis text, and the session shows the scores.
"""

import os
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sessions_app.models import Session
from tests.factories import CourseFactory, PatientFactory, SessionFactory, TherapistFactory

PHONE = {"width": 390, "height": 844}
ANSWERS = ["Several days"] * 8 + ["Several days"]  # item 9 above 0
SCREENSHOTS = os.environ.get("QUESTIONNAIRE_SCREENSHOTS")  # a folder, to look at the pages


@pytest.fixture
def session(db):
    therapist = TherapistFactory(username="linkmaker")
    patient = PatientFactory(therapist=therapist, full_name="Nadia Okonkwo-Baptiste")
    course = CourseFactory(patient=patient, start_date=timezone.localdate() - timedelta(weeks=3))
    SessionFactory(course=course, number=1)
    return SessionFactory(
        course=course,
        number=2,
        status=Session.Status.PLANNED,
        scheduled_for=timezone.now() + timedelta(days=1),
    )


def _shot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


def test_the_patient_completes_the_phq9_on_a_phone(live_server, login, browser, session):
    page = login("linkmaker")
    page.goto(live_server.url + session.get_absolute_url())
    page.get_by_text("Send the patient the questionnaire before the session").click()
    page.get_by_role("button", name="Make the link").click()
    expect(page.get_by_role("heading", name="Questionnaire link for Nadia")).to_be_visible()
    expect(page.locator("figure.qr svg")).to_be_visible()
    _shot(page, "link")
    link = page.get_by_label("The patient's link").input_value()
    assert link.startswith(live_server.url + "/q/")

    phone = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True)
    patient = phone.new_page()
    patient.set_default_timeout(8000)
    patient.goto(link)
    expect(patient.get_by_text("Hello Nadia.")).to_be_visible()
    expect(patient.get_by_text("Okonkwo")).to_have_count(0)
    _shot(patient, "question-1")
    for number, answer in enumerate(ANSWERS, 1):
        expect(patient.get_by_text(f"Question {number} of")).to_be_visible()
        choice = patient.get_by_role("radio", name=answer)
        if number == 3:  # by keyboard: an answer chosen with the arrow keys, Enter goes on
            patient.get_by_role("radio", name="Not at all").focus()
            patient.keyboard.press("ArrowDown")
            expect(choice).to_be_checked()
            patient.keyboard.press("Enter")
            continue
        box = patient.locator("label.answer", has=choice).bounding_box()
        assert box["height"] >= 48 and box["width"] >= 300  # a large tap target
        patient.locator("label.answer", has=choice).tap()
        patient.get_by_role("button", name="Next").click()
    expect(patient.get_by_text("how difficult have these problems made it")).to_be_visible()
    patient.get_by_role("radio", name="Somewhat difficult").check()
    patient.get_by_role("button", name="Next").click()
    expect(patient.get_by_role("heading", name="Check your answers")).to_be_visible()
    patient.get_by_role("button", name="Send my answers").click()
    expect(patient.get_by_role("heading", name="Thank you, Nadia")).to_be_visible()
    expect(patient.get_by_role("heading", name="If you are having thoughts")).to_be_visible()
    expect(patient.get_by_text("Samaritans on 116 123")).to_be_visible()
    _shot(patient, "done")
    patient.goto(link)  # nothing shown again
    expect(patient.get_by_role("heading", name="This link cannot be opened")).to_be_visible()
    phone.close()

    page.goto(live_server.url + session.get_absolute_url())
    expect(page.get_by_text("Completed by the patient at")).to_be_visible()
    expect(page.locator(".mood-result")).to_contain_text("PHQ-9 today: 9")
    expect(page.locator(".mood-result .badge")).to_have_text("Mild")
    expect(page.get_by_text("PHQ-9 item 9 scored 1").first).to_be_visible()
