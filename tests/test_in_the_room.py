"""The session page and its neighbours: what is saved is what was meant (issue "In the room")."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ipt.initial.forms.contract import comparable_name
from ipt.models import Phase, SupervisionFeedback, TreatmentCourse
from sessions_app.models import Session
from tests.factories import CourseFactory, PatientFactory, SessionFactory


# --- signature matching -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "typed",
    [
        "Zoë O'Brien-Łukasz",
        "Zoë O\u2019Brien-Łukasz",  # a curly apostrophe
        "Zoe\u0308 O'Brien-Łukasz",  # e + combining diaeresis
        "zoë o'brien\u2013łukasz",  # lower case, an en dash
        "  Zoë   O'Brien-Łukasz ",
    ],
)
def test_a_name_typed_any_way_a_keyboard_allows_is_the_same_name(typed):
    assert comparable_name(typed) == comparable_name("Zoë O'Brien-Łukasz")


@pytest.mark.parametrize("typed", ["Zoe O'Brien-Lukasz", "Zoë O'Brien", "Zoë OBrien-Łukasz"])
def test_a_different_name_is_not_the_same_name(typed):
    assert comparable_name(typed) != comparable_name("Zoë O'Brien-Łukasz")


# --- a session's status ---------------------------------------------------------------------------
@pytest.fixture
def course(patient):
    return CourseFactory(patient=patient, phase=Phase.MIDDLE)


def _status(client, session, status, note=""):
    return client.post(
        reverse("sessions_app:status", args=[session.pk]),
        {"status": status, "status_note": note},
        follow=True,
    )


def test_a_future_session_cannot_be_held_or_missed(client_for, owner, course):
    later = SessionFactory(
        course=course,
        number=5,
        scheduled_for=timezone.now() + timedelta(days=14),
        status=Session.Status.PLANNED,
    )
    client = client_for(owner)
    for status in ("held", "missed"):
        response = _status(client, later, status, note="Ill")
        assert "cannot be marked" in response.text
        assert "Reschedule it" in response.text
        later.refresh_from_db()
        assert later.status == Session.Status.PLANNED
    _status(client, later, "cancelled", note="Patient on holiday")
    later.refresh_from_db()
    assert later.status == Session.Status.CANCELLED


def test_a_held_session_s_status_can_be_corrected_before_it_is_finalised(client_for, owner, course):
    held = SessionFactory(
        course=course,
        number=2,
        scheduled_for=timezone.now() - timedelta(days=1),
        status=Session.Status.HELD,
    )
    client = client_for(owner)
    page = client.get(held.get_absolute_url()).text
    assert reverse("sessions_app:status", args=[held.pk]) in page
    _status(client, held, "missed", note="Did not come after all")
    held.refresh_from_db()
    assert held.status == Session.Status.MISSED


# --- feedback on a completed course -----------------------------------------------------------
def test_feedback_on_a_completed_course_can_be_acknowledged(client_for, owner, supervisor):
    course = CourseFactory(
        patient=PatientFactory(therapist=owner),
        phase=Phase.COMPLETED,
        ended_on=timezone.localdate(),
    )
    feedback = SupervisionFeedback.objects.create(
        course=course, author=supervisor, text="Well ended: the role transition was processed."
    )
    client = client_for(owner)
    page = client.get(course.get_absolute_url()).text
    assert reverse("course:feedback_acknowledge", args=[course.pk, feedback.pk]) in page
    response = client.post(reverse("course:feedback_acknowledge", args=[course.pk, feedback.pk]))
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.acknowledged_at is not None
    assert TreatmentCourse.objects.get(pk=course.pk).phase == Phase.COMPLETED


# --- autosave never answers 500 on what was typed ---------------------------------------------
def _autosave(client, session, target, field, value, version=0):
    return client.post(
        reverse("sessions_app:autosave", args=[session.pk]),
        {"target": target, "field": field, "value": value, "version": version},
    )


def test_a_nul_character_is_dropped_not_a_server_error(client_for, owner, course):
    session = SessionFactory(course=course, number=2)
    response = _autosave(client_for(owner), session, "session", "notes", "Maria\x00 called")
    assert response.status_code == 200
    session.refresh_from_db()
    assert session.notes == "Maria called"


def test_text_too_long_for_its_field_is_refused_with_the_reason(client_for, owner, course):
    session = SessionFactory(course=course, number=2)
    client = client_for(owner)
    response = _autosave(client, session, "session", "notes", "x" * 50_001)
    assert response.status_code == 422
    assert "shorten it" in response.json()["error"]
    session.refresh_from_db()
    assert session.notes == ""
    assert _autosave(client, session, "session", "notes", "x" * 50_000).status_code == 200


# --- headers ------------------------------------------------------------------------------------
def test_pages_with_patient_data_are_never_cached(client_for, owner, course):
    response = client_for(owner).get(course.get_absolute_url())
    assert response["Cache-Control"] == "no-store"
    assert "camera=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_a_page_with_an_old_version_number_but_the_server_s_text_is_no_conflict(
    client_for, owner, course
):
    """The Back button restores a page whose version number is old; the server still holds the
    text that page last saved, so only a real second writer conflicts."""
    session = SessionFactory(course=course, number=2)
    client = client_for(owner)
    url = reverse("sessions_app:autosave", args=[session.pk])

    def save(value, version, base):
        return client.post(
            url,
            {
                "target": "session",
                "field": "notes",
                "value": value,
                "version": version,
                "base": base,
            },
        )

    assert save("Maria called.", 0, "").status_code == 200  # now version 1
    # The restored page still says version 0, but knows the server holds "Maria called.".
    assert save("Maria called. She is worried.", 0, "Maria called.").status_code == 200
    session.refresh_from_db()
    assert session.notes == "Maria called. She is worried."
    # A page that never saw that text is a second writer: asked which to keep.
    conflict = save("Something else entirely.", 0, "")
    assert conflict.status_code == 409
    assert conflict.json()["theirs"] == "Maria called. She is worried."


def test_a_retried_save_never_conflicts_with_itself(client_for, owner, course):
    session = SessionFactory(course=course, number=2)
    client = client_for(owner)
    url = reverse("sessions_app:autosave", args=[session.pk])
    data = {"target": "session", "field": "notes", "value": "Once.", "version": 0, "base": ""}
    assert client.post(url, data).status_code == 200
    assert client.post(url, data).status_code == 200  # the answer to the first was lost


def test_a_change_from_a_stale_page_after_finalising_is_refused_not_half_made(owner, course):
    from ipt.models import TransitionRefused

    session = SessionFactory(
        course=course, number=2, status=Session.Status.HELD, scheduled_for=timezone.now()
    )
    stale = Session.objects.get(pk=session.pk)  # a tab opened before "Finalise"
    session.finalise(owner)
    for change in (
        lambda: stale.set_status("missed", "Did not come"),
        lambda: stale.record_mood(4),
        lambda: stale.reschedule(timezone.now()),
    ):
        with pytest.raises(TransitionRefused, match="finalised"):
            change()
    session.refresh_from_db()
    assert (session.status, session.mood_rating) == (Session.Status.HELD, None)
