"""The session's status by htmx: the status region comes back in place of a reload."""

from datetime import time

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from sessions_app.models import Session
from tests.factories import CourseFactory, SessionFactory

HTMX = {"HX-Request": "true"}


@pytest.fixture
def owner_client(client_for, owner):
    return client_for(owner)


@pytest.fixture
def course(patient):
    return CourseFactory(patient=patient)


def _status(session):
    return reverse("sessions_app:status", args=[session.pk])


def test_htmx_gets_the_status_region_with_what_was_done(owner_client, course):
    session = SessionFactory(course=course, number=2, status=Session.Status.PLANNED)
    response = owner_client.post(
        _status(session), {"status": "missed", "status_note": "Bus strike."}, headers=HTMX
    )
    assert response.status_code == 200
    text = response.text
    assert text.lstrip().startswith('<div id="session-status"')
    assert 'data-clinical="closed"' in text
    assert "Session 2 of 12 marked as missed (did not attend)." in text
    assert "Reason: Bus strike." in text
    assert "clinical-form" not in text  # the record below is left as it is, typing and all
    assert not list(get_messages(response.wsgi_request))  # said in the region, not next time
    session.refresh_from_db()
    assert (session.status, session.status_note) == ("missed", "Bus strike.")


def test_htmx_without_a_reason_keeps_the_choice_and_says_what_is_missing(owner_client, course):
    session = SessionFactory(course=course, number=2, status=Session.Status.PLANNED)
    response = owner_client.post(
        _status(session), {"status": "cancelled", "status_note": ""}, headers=HTMX
    )
    text = response.text
    assert 'id="status-errors"' in text
    assert 'href="#id_status_note">Reason: Note why the session did not take place.' in text
    assert 'aria-invalid="true"' in text
    assert 'data-clinical="open"' in text  # still planned
    session.refresh_from_db()
    assert session.status == Session.Status.PLANNED


def test_htmx_reschedule_answers_with_the_region_and_the_new_date(owner_client, course):
    session = SessionFactory(course=course, number=4, status=Session.Status.PLANNED)
    response = owner_client.post(
        reverse("sessions_app:reschedule", args=[session.pk]),
        {"scheduled_for": "2026-10-01T15:00"},
        headers=HTMX,
    )
    assert "Session 4 of 12 moved to Thu 1 Oct 15:00." in response.text
    assert "Thursday 1 October 2026, 15:00" in response.text
    session.refresh_from_db()
    assert timezone.localtime(session.scheduled_for).time() == time(15, 0)


def test_a_finalised_session_refuses_htmx_by_reloading_the_page(owner_client, course, owner):
    session = SessionFactory(course=course, number=2, status=Session.Status.HELD)
    session.finalise(owner)
    response = owner_client.post(_status(session), {"status": "missed"}, headers=HTMX)
    assert response.headers.get("HX-Refresh") == "true"
    session.refresh_from_db()
    assert session.status == Session.Status.HELD
