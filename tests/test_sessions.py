"""Weekly sessions: planning, status, the session page with autosave, finalising, and the
therapist's day built from them."""

import re
from datetime import date, datetime, time, timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from ipt.models import MeasureResponse, Phase, PhaseTransition, ProblemArea, RiskAssessment
from ipt.rules.flags import is_overdue
from sessions_app.models import (
    Addendum,
    CommunicationAnalysis,
    DisputeStageChange,
    Homework,
    InterpersonalEvent,
    Session,
    Technique,
)
from sessions_app.progress import course_progress
from tests.factories import (
    CommunicationAnalysisFactory,
    CourseFactory,
    HomeworkFactory,
    InterpersonalEventFactory,
    InventoryPersonFactory,
    MeasureFactory,
    PatientFactory,
    ProblemAreaFactory,
    RiskAssessmentFactory,
    SessionFactory,
    ready_for_middle_phase,
)

HTMX = {"HX-Request": "true"}
ENDING_PROPOSED = "IPT raises the ending two to three sessions before the last"


# --- helpers -----------------------------------------------------------------------------------
@pytest.fixture
def course(patient):
    return CourseFactory(patient=patient, phase=Phase.MIDDLE)


@pytest.fixture
def owner_client(client_for, owner):
    return client_for(owner)


def _url(name, session, *args):
    return reverse(f"sessions_app:{name}", args=[session.pk, *args])


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _reload(obj):
    obj.refresh_from_db()
    return obj


def _phq9(answers, difficulty=""):
    return {f"item_{i}": a for i, a in enumerate(answers, start=1)} | {"difficulty": difficulty}


def _autosave(client, session, target, field, value, version, **kwargs):
    data = {"target": target, "field": field, "value": value, "version": version}
    return client.post(_url("autosave", session), data, **kwargs)


def _local_at(day, hour=10, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


# --- planning ----------------------------------------------------------------------------------
def test_planning_creates_the_agreed_sessions_weekly_on_the_chosen_day(owner_client, course):
    response = owner_client.post(
        reverse("sessions_app:course_sessions", args=[course.pk]),
        {"first_date": "2026-09-07", "weekday": 2, "at": "14:30"},
    )
    assert response.status_code == 302
    assert "12 sessions planned." in _messages(response)
    sessions = list(course.sessions.all())
    assert [s.number for s in sessions] == list(range(1, 13))
    local = [timezone.localtime(s.scheduled_for) for s in sessions]
    # The first Wednesday on or after the first date, then every week at the same local time
    # (across the change from summer time).
    assert [d.date() for d in local] == [date(2026, 9, 9) + timedelta(weeks=n) for n in range(12)]
    assert {(d.weekday(), d.time()) for d in local} == {(2, time(14, 30))}
    assert {s.status for s in sessions} == {Session.Status.PLANNED}


def test_planning_again_keeps_existing_sessions_and_adds_no_duplicates(owner_client, course):
    held = SessionFactory(course=course, number=1, status_note="")
    moved = SessionFactory(
        course=course,
        number=5,
        status=Session.Status.PLANNED,
        scheduled_for=_local_at(date(2026, 10, 9)),
    )
    url = reverse("sessions_app:course_sessions", args=[course.pk])
    data = {"first_date": "2026-09-07", "weekday": 0, "at": "10:00"}

    response = owner_client.post(url, data)
    assert "10 sessions planned." in _messages(response)
    response = owner_client.post(url, data)
    assert "0 sessions planned." in _messages(response)

    assert list(course.sessions.values_list("number", flat=True)) == list(range(1, 13))
    assert _reload(held).status == Session.Status.HELD
    assert _reload(moved).scheduled_for == _local_at(date(2026, 10, 9))


def test_planning_needs_a_day_and_time(owner_client, course):
    response = owner_client.post(
        reverse("sessions_app:course_sessions", args=[course.pk]), {"first_date": "2026-09-07"}
    )
    assert response.status_code == 200
    assert not course.sessions.exists()


def test_list_and_session_page_say_which_session_of_how_many(owner_client, course):
    Session.plan_course(course, weekday=0, at=time(10), start=course.start_date)
    fifth = course.sessions.get(number=5)
    listing = owner_client.get(reverse("sessions_app:course_sessions", args=[course.pk]))
    assert "Session 5 of 12" in listing.text
    assert "Session 12 of 12" in listing.text
    page = owner_client.get(fifth.get_absolute_url())
    assert page.status_code == 200
    assert "<h1>Session 5 of 12</h1>" in page.text


# --- status and rescheduling -------------------------------------------------------------------
def test_a_session_is_marked_as_held(owner_client, course):
    session = SessionFactory(course=course, number=1, status=Session.Status.PLANNED)
    response = owner_client.post(_url("status", session), {"status": "held"})
    assert response.url == session.get_absolute_url()
    assert _reload(session).status == Session.Status.HELD
    assert "Session 1 of 12 marked as held." in _messages(response)


@pytest.mark.parametrize("status", ["missed", "cancelled"])
def test_a_session_that_did_not_take_place_needs_a_reason(owner_client, course, status):
    session = SessionFactory(course=course, number=2, status=Session.Status.PLANNED)
    response = owner_client.post(_url("status", session), {"status": status, "status_note": " "})
    assert "Note why the session did not take place." in _messages(response)
    assert _reload(session).status == Session.Status.PLANNED

    owner_client.post(_url("status", session), {"status": status, "status_note": "Child ill."})
    session.refresh_from_db()
    assert (session.status, session.status_note) == (status, "Child ill.")


def test_a_missed_session_keeps_its_place(owner_client, course):
    Session.plan_course(course, weekday=0, at=time(10), start=course.start_date)
    course.sessions.filter(number=1).update(status=Session.Status.HELD)
    second = course.sessions.get(number=2)
    owner_client.post(_url("status", second), {"status": "missed", "status_note": "Did not come."})

    assert list(course.sessions.values_list("number", flat=True)) == list(range(1, 13))
    progress = course_progress(course)
    assert (progress.held, progress.missed, progress.position) == (1, 1, 2)
    third = course.sessions.get(number=3)
    assert "<h1>Session 3 of 12</h1>" in owner_client.get(third.get_absolute_url()).text


def test_rescheduling_keeps_the_number_and_records_where_it_moved_from(owner_client, course):
    session = SessionFactory(course=course, number=4, status=Session.Status.PLANNED)
    original = session.scheduled_for

    owner_client.post(_url("reschedule", session), {"scheduled_for": "2026-10-01T15:00"})
    owner_client.post(_url("reschedule", session), {"scheduled_for": "2026-10-02T16:00"})

    session.refresh_from_db()
    assert session.number == 4
    assert session.scheduled_for == _local_at(date(2026, 10, 2), 16)
    assert session.rescheduled_from == original  # the first planned slot, not the interim one
    page = owner_client.get(session.get_absolute_url())
    assert "(moved from 28 Sep 10:00)" in page.text


def test_rescheduling_needs_a_date(owner_client, course):
    session = SessionFactory(course=course, number=4, status=Session.Status.PLANNED)
    response = owner_client.post(_url("reschedule", session), {"scheduled_for": "soon"})
    assert "Give the new date and time." in _messages(response)
    assert _reload(session).rescheduled_from is None


# --- autosave ----------------------------------------------------------------------------------
def test_autosave_saves_and_returns_the_new_version(owner_client, course):
    session = SessionFactory(course=course, number=3)
    response = _autosave(owner_client, session, "session", "notes", "Tearful about Dad.", 0)
    assert response.status_code == 200
    assert response.json()["version"] == 1
    response = _autosave(owner_client, session, "session", "notes", "Tearful about Dad. Calmer.", 1)
    assert response.json()["version"] == 2
    session.refresh_from_db()
    assert session.notes == "Tearful about Dad. Calmer."
    assert session.versions == {"notes": 2}


def test_fields_are_versioned_separately(owner_client, course):
    session = SessionFactory(course=course, number=3)
    _autosave(owner_client, session, "session", "notes", "One tab.", 0)
    response = _autosave(owner_client, session, "session", "focal_notes", "Other tab.", 0)
    assert response.status_code == 200
    session.refresh_from_db()
    assert (session.notes, session.focal_notes) == ("One tab.", "Other tab.")


def test_a_stale_version_with_other_text_is_refused_with_both_texts(owner_client, course):
    session = SessionFactory(course=course, number=3)
    _autosave(owner_client, session, "session", "notes", "Written in tab A.", 0)
    response = _autosave(owner_client, session, "session", "notes", "Written in tab B.", 0)
    assert response.status_code == 409
    body = response.json()
    assert body["conflict"] is True
    assert body["theirs"] == "Written in tab A."
    assert body["version"] == 1
    session.refresh_from_db()
    assert session.notes == "Written in tab A."
    assert session.version_of("notes") == 1


def test_a_stale_version_with_the_same_text_is_no_conflict(owner_client, course):
    session = SessionFactory(course=course, number=3)
    _autosave(owner_client, session, "session", "notes", "Same words.", 0)
    response = _autosave(owner_client, session, "session", "notes", "Same words.", 0)
    assert response.status_code == 200
    assert response.json()["version"] == 1
    assert _reload(session).version_of("notes") == 1


@pytest.mark.parametrize(
    ("target", "field", "version"),
    [("session", "status", "0"), ("session", "finalised_at", "0"), ("course", "notes", "0"),
     ("session", "notes", ""), ("session", "notes", "one")],
)  # fmt: skip
def test_autosave_refuses_unknown_targets_and_fields(owner_client, course, target, field, version):
    session = SessionFactory(course=course, number=3, status=Session.Status.PLANNED)
    response = _autosave(owner_client, session, target, field, "held", version)
    assert response.status_code == 400
    session.refresh_from_db()
    assert session.status == Session.Status.PLANNED
    assert session.notes == ""


@pytest.mark.parametrize(
    ("kind", "factory", "field"),
    [("event", InterpersonalEventFactory, "what_happened"),
     ("analysis", CommunicationAnalysisFactory, "scene"),
     ("homework", HomeworkFactory, "action")],
)  # fmt: skip
def test_autosave_of_a_row_from_another_session_is_404(owner_client, course, kind, factory, field):
    here = SessionFactory(course=course, number=3)
    there = SessionFactory(course=course, number=2)
    row = factory(**{"set_in" if kind == "homework" else "session": there})
    before = getattr(row, field)
    response = _autosave(owner_client, here, f"{kind}:{row.pk}", field, "Overwritten", 0)
    assert response.status_code == 404
    assert getattr(_reload(row), field) == before


@pytest.mark.parametrize("target", ["event:", "event:abc", "event:999999", "review:abc"])
def test_autosave_of_a_row_that_does_not_exist_is_404(owner_client, course, target):
    session = SessionFactory(course=course, number=3)
    response = _autosave(owner_client, session, target, "what_happened", "x", 0)
    assert response.status_code == 404


def test_autosave_saves_rows(owner_client, course):
    session = SessionFactory(course=course, number=3)
    event = InterpersonalEventFactory(session=session)
    analysis = CommunicationAnalysisFactory(session=session)
    homework = HomeworkFactory(set_in=session)
    for target, field in [(f"event:{event.pk}", "feelings"), (f"analysis:{analysis.pk}", "impact"),
                          (f"homework:{homework.pk}", "with_whom")]:  # fmt: skip
        response = _autosave(owner_client, session, target, field, "Saved as typed.", 0)
        assert response.json()["version"] == 1
    assert _reload(event).feelings == "Saved as typed."
    assert _reload(analysis).impact == "Saved as typed."
    assert _reload(homework).with_whom == "Saved as typed."


def test_review_notes_of_homework_from_another_course_are_404(owner_client, course):
    session = SessionFactory(course=course, number=3)
    elsewhere = HomeworkFactory()
    response = _autosave(owner_client, session, f"review:{elsewhere.pk}", "review_notes", "x", 0)
    assert response.status_code == 404
    assert _reload(elsewhere).review_notes == ""


def test_supervisor_cannot_autosave(client_for, supervisor, course):
    session = SessionFactory(course=course, number=3, notes="The therapist's words.")
    response = _autosave(client_for(supervisor), session, "session", "notes", "Changed", 0)
    assert response.status_code == 403
    session.refresh_from_db()
    assert session.notes == "The therapist's words."
    assert session.versions == {}


def test_autosave_after_finalising_is_refused(owner_client, owner, course):
    session = SessionFactory(course=course, number=3, notes="Final words.")
    event = InterpersonalEventFactory(session=session)
    owner_client.post(_url("finalise", session))
    assert _reload(session).is_finalised

    response = _autosave(owner_client, session, "session", "notes", "Changed later", 0)
    assert response.status_code == 423
    assert "addendum" in response.json()["error"]
    response = _autosave(owner_client, session, f"event:{event.pk}", "feelings", "Later", 0)
    assert response.status_code == 423
    assert _reload(session).notes == "Final words."
    assert _reload(event).feelings == "Hurt, then guilty."


def test_a_finalised_sessions_homework_stays_locked_after_it_is_reviewed(owner_client, course):
    first = SessionFactory(course=course, number=1)
    second = SessionFactory(course=course, number=2)
    homework = HomeworkFactory(set_in=first)
    owner_client.post(_url("finalise", first))
    owner_client.post(_url("review_homework", second, homework.pk), {"outcome": "partly"})
    assert _reload(homework).reviewed_in == second

    response = _autosave(owner_client, first, f"homework:{homework.pk}", "action", "Rewritten", 0)
    assert response.status_code == 423
    assert _reload(homework).action == "Ask Maria for a walk on Saturday and say what I need."


def test_review_notes_are_saved_after_the_session_that_set_the_homework_is_finalised(
    owner_client, course
):
    first = SessionFactory(course=course, number=1)
    second = SessionFactory(course=course, number=2)
    homework = HomeworkFactory(set_in=first)
    owner_client.post(_url("finalise", first))

    # The notes are typed before an outcome is chosen: the review belongs to this session.
    response = _autosave(
        owner_client, second, f"review:{homework.pk}", "review_notes", "Asked; Maria said yes.", 0
    )
    assert response.status_code == 200
    homework.refresh_from_db()
    assert homework.review_notes == "Asked; Maria said yes."
    assert homework.reviewed_in == second


def test_homework_cannot_be_reviewed_in_the_session_that_set_it(owner_client, course):
    session = SessionFactory(course=course, number=2)
    homework = HomeworkFactory(set_in=session)
    response = _autosave(owner_client, session, f"review:{homework.pk}", "review_notes", "x", 0)
    assert response.status_code == 404
    homework.refresh_from_db()
    assert (homework.review_notes, homework.reviewed_in) == ("", None)


def test_reviewing_homework_writes_only_the_review_notes(owner_client, course):
    first = SessionFactory(course=course, number=1)
    second = SessionFactory(course=course, number=2)
    homework = HomeworkFactory(set_in=first)
    response = _autosave(owner_client, second, f"review:{homework.pk}", "action", "Other", 0)
    assert response.status_code == 400
    homework.refresh_from_db()
    assert (homework.action[:8], homework.reviewed_in) == ("Ask Mari", None)


def test_expired_login_answers_autosave_with_401_not_a_redirect(client, course):
    session = SessionFactory(course=course, number=3)
    response = _autosave(client, session, "session", "notes", "Typed", 0, headers=HTMX)
    assert response.status_code == 401
    assert "Location" not in response.headers
    assert _reload(session).notes == ""
    # Without htmx the browser is sent to log in as usual.
    response = _autosave(client, session, "session", "notes", "Typed", 0)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- quick PHQ-9 -------------------------------------------------------------------------------
@pytest.fixture
def third_session(course):
    """Session 3 with a baseline PHQ-9 of 13 and a PHQ-9 of 8 in session 2."""
    MeasureFactory(course=course)  # baseline 13 on 7 Sep
    second = SessionFactory(course=course, number=2)
    second.phq9 = MeasureFactory(course=course, answers=(1,) * 8 + (0,), taken_on=date(2026, 9, 14))
    second.save()
    return SessionFactory(course=course, number=3)


def test_quick_phq9_is_recorded_for_the_session_on_its_date(owner_client, owner, course):
    session = SessionFactory(
        course=course, number=3, scheduled_for=_local_at(date(2026, 9, 21), 0, 30)
    )
    response = owner_client.post(_url("phq9", session), _phq9([1, 2, 1, 1, 0, 1, 0, 0, 0], 1))
    assert response.url == session.get_absolute_url()
    session.refresh_from_db()
    measure = session.phq9
    assert measure.course == course
    assert measure.instrument_code == "phq9"
    assert measure.answers == [1, 2, 1, 1, 0, 1, 0, 0, 0]
    assert measure.total == 6
    assert measure.difficulty == 1
    assert measure.taken_on == date(2026, 9, 21)  # the local date, also just after midnight
    assert measure.recorded_by == owner
    assert measure.session == session


def test_phq9_change_is_shown_since_last_session_and_since_baseline(owner_client, third_session):
    response = owner_client.post(
        _url("phq9", third_session), _phq9([1, 1, 1, 1, 1, 0, 0, 0, 0]), headers=HTMX
    )
    assert response.status_code == 200
    assert "<html" not in response.text  # only the mood section is swapped
    assert "PHQ-9 today: <strong>5</strong>" in response.text
    assert "−3 since last (8 on 14 Sep)" in response.text
    assert "−8 since baseline (13)" in response.text
    page = owner_client.get(third_session.get_absolute_url())
    assert "−3 since last (8 on 14 Sep)" in page.text


def test_a_rise_in_phq9_is_shown_with_a_plus(owner_client, third_session):
    owner_client.post(_url("phq9", third_session), _phq9([2, 2, 2, 2, 2, 0, 0, 0, 0]))
    page = owner_client.get(third_session.get_absolute_url())
    assert "+2 since last (8 on 14 Sep)" in page.text
    assert "−3 since baseline (13)" in page.text


def test_the_baseline_phq9_shows_no_change(owner_client, course):
    session = SessionFactory(course=course, number=1)
    owner_client.post(_url("phq9", session), _phq9([2] * 8 + [0]))
    page = owner_client.get(session.get_absolute_url())
    assert "PHQ-9 today: <strong>16</strong>" in page.text
    assert "since last (" not in page.text
    assert "since baseline (" not in page.text


def test_item_9_raises_the_risk_banner_and_blocks_finalising(owner_client, course):
    session = SessionFactory(course=course, number=3)
    owner_client.post(_url("phq9", session), _phq9([1, 1, 1, 1, 1, 1, 1, 1, 1]))
    session.refresh_from_db()
    page = owner_client.get(session.get_absolute_url())
    assert "PHQ-9 item 9 scored 1 today: assess suicide risk in this session." in page.text
    assert f"?measure={session.phq9.pk}" in page.text

    response = owner_client.post(_url("finalise", session))
    assert (
        "PHQ-9 item 9 scored 1 on 21 Sep 2026: a suicide-risk assessment must be documented."
        in _messages(response)
    )
    assert not _reload(session).is_finalised

    # An assessment for an earlier PHQ-9 is not an assessment of today's answer.
    earlier = MeasureFactory(course=course, answers=(1,) * 9)
    RiskAssessmentFactory(course=course, measure=earlier)
    owner_client.post(_url("finalise", session))
    assert not _reload(session).is_finalised

    RiskAssessmentFactory(course=course, measure=session.phq9, assessed_on=session.phq9.taken_on)
    owner_client.post(_url("finalise", session))
    assert _reload(session).is_finalised


def test_invalid_phq9_digits_keep_what_was_typed_with_htmx(owner_client, course):
    session = SessionFactory(course=course, number=3)
    data = _phq9([1, 4, 1, 1, 1, 1, 1, 1, 0]) | {"item_5": ""}
    response = owner_client.post(_url("phq9", session), data, headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'name="item_2" value="4"' in response.text
    assert 'name="item_1" value="1"' in response.text
    assert response.text.count("0–3") >= 3  # the legend, and next to items 2 and 5
    assert 'id="id_item_2_error"' in response.text
    assert 'id="id_item_5_error"' in response.text
    assert not MeasureResponse.objects.exists()
    assert _reload(session).phq9 is None


def test_invalid_phq9_digits_keep_what_was_typed_without_htmx(owner_client, course):
    session = SessionFactory(course=course, number=3)
    response = owner_client.post(_url("phq9", session), _phq9([1, 1, 1, 1, 1, 1, 1, 1, 7]))
    assert response.status_code == 200
    assert 'name="item_9" value="7"' in response.text
    assert 'id="id_item_9_error"' in response.text
    assert "Each PHQ-9 item needs a score from 0 to 3." in response.text
    assert not MeasureResponse.objects.exists()


# --- mood, techniques, dispute stage -----------------------------------------------------------
@pytest.mark.parametrize(("posted", "saved"), [("0", 0), ("7", 7), ("10", 10), ("11", None)])
def test_mood_rating_is_from_0_to_10(owner_client, course, posted, saved):
    session = SessionFactory(course=course, number=3)
    response = owner_client.post(_url("mood", session), {"mood_rating": posted}, headers=HTMX)
    assert response.status_code == 200
    assert _reload(session).mood_rating == saved
    if saved is not None:
        # The chosen rating is the checked one (the page shows no second copy of it to go stale).
        assert re.search(rf'name="mood_rating" value="{saved}"[^>]*checked', response.text)


def test_techniques_are_saved(owner_client, course):
    session = SessionFactory(course=course, number=3)
    chosen = [Technique.COMMUNICATION_ANALYSIS, Technique.ROLE_PLAY]
    response = owner_client.post(_url("techniques", session), {"techniques": chosen}, headers=HTMX)
    assert response.status_code == 200
    assert 'id="techniques"' in response.text
    assert "<html" not in response.text
    assert _reload(session).techniques == chosen

    response = owner_client.post(_url("techniques", session), {"techniques": ["hypnosis"]})
    assert response.status_code == 302
    assert _reload(session).techniques == chosen


def test_role_dispute_stage_change_is_recorded_and_applied(owner_client, course):
    session = SessionFactory(course=course, number=5)
    wife = InventoryPersonFactory(course=course, name="Maria", relationship="wife")
    dispute = ProblemAreaFactory(
        course=course, area=ProblemArea.Area.ROLE_DISPUTE, person=wife,
        dispute_stage=ProblemArea.DisputeStage.IMPASSE, from_role="", to_role="",
    )  # fmt: skip
    response = owner_client.post(
        _url("dispute_stage", session, dispute.pk), {"stage": "renegotiation"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "Role dispute with Maria (wife): renegotiation" in response.text
    assert "Stage recorded as renegotiation in this session." in response.text
    change = DisputeStageChange.objects.get()
    assert (change.problem_area, change.session, change.stage) == (
        dispute,
        session,
        "renegotiation",
    )
    assert _reload(dispute).dispute_stage == "renegotiation"

    # The same stage again, or an unknown one, records nothing.
    owner_client.post(_url("dispute_stage", session, dispute.pk), {"stage": "renegotiation"})
    owner_client.post(_url("dispute_stage", session, dispute.pk), {"stage": "truce"})
    assert DisputeStageChange.objects.count() == 1


def test_dispute_stage_for_another_problem_area_is_404(owner_client, course):
    session = SessionFactory(course=course, number=5)
    transition = ProblemAreaFactory(course=course)
    response = owner_client.post(
        _url("dispute_stage", session, transition.pk), {"stage": "impasse"}
    )
    assert response.status_code == 404
    other_dispute = ProblemAreaFactory(
        area=ProblemArea.Area.ROLE_DISPUTE, dispute_stage="impasse", from_role="", to_role=""
    )
    response = owner_client.post(
        _url("dispute_stage", session, other_dispute.pk), {"stage": "dissolution"}
    )
    assert response.status_code == 404
    assert not DisputeStageChange.objects.exists()
    assert _reload(other_dispute).dispute_stage == "impasse"


# --- rows: events, analyses, homework ----------------------------------------------------------
ROW_MODELS = {
    "event": (InterpersonalEvent, "session"),
    "analysis": (CommunicationAnalysis, "session"),
    "homework": (Homework, "set_in"),
}


@pytest.mark.parametrize("kind", ROW_MODELS)
def test_adding_a_row_with_htmx_returns_only_that_row(owner_client, course, kind):
    session = SessionFactory(course=course, number=3)
    person = InventoryPersonFactory(course=course, name="Maria")
    response = owner_client.post(
        _url("add_row", session, kind), {"person": person.pk}, headers=HTMX
    )
    model, link = ROW_MODELS[kind]
    row = model.objects.get(**{link: session})
    assert row.person == person
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<article class="row-card" id="{kind}-{row.pk}">')
    assert response.text.count("<article") == 1
    assert "<html" not in response.text
    assert "Mood check" not in response.text


@pytest.mark.parametrize("kind", ROW_MODELS)
def test_adding_a_row_without_htmx_goes_back_to_the_page(owner_client, course, kind):
    session = SessionFactory(course=course, number=3)
    response = owner_client.post(_url("add_row", session, kind))
    model, link = ROW_MODELS[kind]
    row = model.objects.get(**{link: session})
    assert response.status_code == 302
    assert response.url == f"{session.get_absolute_url()}#{kind}-{row.pk}"
    assert row.person is None


@pytest.mark.parametrize("kind", ROW_MODELS)
@pytest.mark.parametrize("person", ["other course", "abc", "999999"])
def test_a_person_from_elsewhere_is_ignored(owner_client, course, kind, person):
    session = SessionFactory(course=course, number=3)
    if person == "other course":
        person = InventoryPersonFactory().pk
    response = owner_client.post(_url("add_row", session, kind), {"person": person})
    assert response.status_code == 302
    model, link = ROW_MODELS[kind]
    row = model.objects.get(**{link: session})
    assert row.person is None

    row.person = InventoryPersonFactory(course=course)
    row.save()
    response = owner_client.post(_url("update_row", session, kind, row.pk), {"person": person})
    assert response.status_code == 302
    assert _reload(row).person is None


def test_updating_rows_saves_their_choices(owner_client, course):
    session = SessionFactory(course=course, number=3)
    maria = InventoryPersonFactory(course=course, name="Maria")
    event = InterpersonalEventFactory(session=session)
    analysis = CommunicationAnalysisFactory(session=session)
    homework = HomeworkFactory(set_in=session)

    response = owner_client.post(
        _url("update_row", session, "event", event.pk),
        {"person": maria.pk, "focal": "no"},
        headers=HTMX,
    )
    assert response.status_code == 204
    event.refresh_from_db()
    assert (event.person, event.focal) == (maria, False)

    owner_client.post(_url("update_row", session, "analysis", analysis.pk), {"role_played": "on"})
    assert _reload(analysis).role_played is True
    owner_client.post(_url("update_row", session, "analysis", analysis.pk), {"person": maria.pk})
    analysis.refresh_from_db()
    assert (analysis.person, analysis.role_played) == (
        maria,
        False,
    )  # an unticked box sends nothing

    response = owner_client.post(
        _url("update_row", session, "homework", homework.pk), {"due_by": "2026-09-26"}
    )
    assert response.url == session.get_absolute_url()
    assert _reload(homework).due_by == date(2026, 9, 26)
    owner_client.post(
        _url("update_row", session, "homework", homework.pk), {"due_by": "2026-13-45"}
    )
    assert _reload(homework).due_by is None


@pytest.mark.parametrize("kind", ROW_MODELS)
def test_deleting_a_row(owner_client, course, kind):
    session = SessionFactory(course=course, number=3)
    model, link = ROW_MODELS[kind]
    first, second = (model.objects.create(**{link: session}) for _ in range(2))

    response = owner_client.post(_url("delete_row", session, kind, first.pk), headers=HTMX)
    assert response.status_code == 200
    assert response.text == ""
    response = owner_client.post(_url("delete_row", session, kind, second.pk))
    assert response.url == session.get_absolute_url()
    assert not model.objects.exists()


@pytest.mark.parametrize("kind", ROW_MODELS)
def test_rows_of_another_session_cannot_be_changed_from_this_one(owner_client, course, kind):
    here = SessionFactory(course=course, number=3)
    there = SessionFactory(course=course, number=2)
    model, link = ROW_MODELS[kind]
    row = model.objects.create(**{link: there})
    assert (
        owner_client.post(_url("update_row", here, kind, row.pk), {"person": ""}).status_code == 404
    )
    assert owner_client.post(_url("delete_row", here, kind, row.pk)).status_code == 404
    assert model.objects.filter(pk=row.pk).exists()


def test_homework_is_reviewed_in_the_next_held_session(owner_client, course):
    first = SessionFactory(course=course, number=1)
    SessionFactory(course=course, number=2, status=Session.Status.MISSED, status_note="Ill")
    third = SessionFactory(course=course, number=3, status=Session.Status.PLANNED)
    maria = InventoryPersonFactory(course=course, name="Maria")
    homework = HomeworkFactory(set_in=first, person=maria)

    own_page = owner_client.get(first.get_absolute_url()).text
    assert "This is the first session held: there is no homework to review yet." in own_page
    assert "Last week's action:" not in own_page
    page = owner_client.get(third.get_absolute_url()).text
    assert "<strong>Last week's action:</strong> Ask Maria for a walk" in page
    assert "· with Maria" in page

    response = owner_client.post(
        _url("review_homework", third, homework.pk), {"outcome": "done"}, headers=HTMX
    )
    assert response.status_code == 204
    _autosave(owner_client, third, f"review:{homework.pk}", "review_notes", "She said yes.", 0)
    homework.refresh_from_db()
    assert (homework.outcome, homework.reviewed_in, homework.review_notes) == (
        "done",
        third,
        "She said yes.",
    )
    page = owner_client.get(third.get_absolute_url()).text
    assert re.search(r'value="done"\s+checked', page)

    # An unknown outcome changes nothing.
    owner_client.post(_url("review_homework", third, homework.pk), {"outcome": "maybe"})
    assert _reload(homework).outcome == "done"


def test_no_homework_to_review_names_the_previous_session(owner_client, course):
    SessionFactory(course=course, number=1)
    second = SessionFactory(course=course, number=2)
    page = owner_client.get(second.get_absolute_url()).text
    assert "No homework was set in session 1." in page


# --- finalising and addenda --------------------------------------------------------------------
@pytest.mark.parametrize("status", ["planned", "missed", "cancelled"])
def test_only_a_held_session_is_finalised(owner_client, course, status):
    session = SessionFactory(course=course, number=3, status=status, status_note="x")
    response = owner_client.post(_url("finalise", session))
    assert "Only a session that was held is finalised: mark it as held first." in _messages(
        response
    )
    assert not _reload(session).is_finalised


def test_finalising_locks_the_session(owner_client, owner, course):
    session = SessionFactory(course=course, number=3)
    event = InterpersonalEventFactory(session=session)
    response = owner_client.post(_url("finalise", session))
    assert "Session 3 of 12 is finalised. Later changes are added as dated addenda." in _messages(
        response
    )
    session.refresh_from_db()
    assert session.finalised_by == owner
    assert session.finalised_at is not None

    page = owner_client.get(session.get_absolute_url()).text
    assert "data-autosave" not in page
    assert 'class="read-text"' in page
    # The only text box left is the addendum's.
    assert set(re.findall(r'<textarea[^>]*name="(\w+)"', page)) <= {"text"}
    assert "Add an interpersonal event" not in page
    assert "The record above no longer changes." in page

    refused = "This session is finalised: add a dated addendum instead."
    attempts = [
        ("status", (), {"status": "missed", "status_note": "x"}),
        ("reschedule", (), {"scheduled_for": "2026-10-01T10:00"}),
        ("phq9", (), _phq9([0] * 9)),
        ("mood", (), {"mood_rating": 5}),
        ("techniques", (), {"techniques": ["role_play"]}),
        ("add_row", ("homework",), {}),
        ("update_row", ("event", event.pk), {"focal": "no"}),
        ("delete_row", ("event", event.pk), {}),
    ]
    for name, args, data in attempts:
        response = owner_client.post(_url(name, session, *args), data)
        assert refused in _messages(response), name
    session.refresh_from_db()
    assert (session.status, session.phq9, session.mood_rating, session.techniques) == (
        "held", None, None, [],
    )  # fmt: skip
    assert _reload(event).focal is True
    assert not Homework.objects.exists()

    response = owner_client.post(_url("finalise", session))
    assert "This session is already finalised." in _messages(response)


def test_addenda_only_after_finalising(owner_client, owner, course):
    session = SessionFactory(course=course, number=3)
    response = owner_client.post(_url("addendum", session), {"text": "Too early."})
    assert "The session is still open: edit the notes directly." in _messages(response)
    assert not Addendum.objects.exists()

    owner_client.post(_url("finalise", session))
    response = owner_client.post(_url("addendum", session), {"text": " "})
    assert "Write the addendum before adding it." in _messages(response)
    owner_client.post(_url("addendum", session), {"text": "Patient phoned: GP letter sent."})
    addendum = Addendum.objects.get()
    assert (addendum.session, addendum.by) == (session, owner)
    assert "Patient phoned: GP letter sent." in owner_client.get(session.get_absolute_url()).text


def test_supervisor_reads_the_session_without_editing(client_for, supervisor, course):
    session = SessionFactory(course=course, number=3, notes="What was said.")
    page = client_for(supervisor).get(session.get_absolute_url())
    assert page.status_code == 200
    assert "What was said." in page.text
    assert "data-autosave" not in page.text
    assert "Finalise session" not in page.text
    response = client_for(supervisor).post(_url("finalise", session))
    assert response.status_code == 403
    assert not _reload(session).is_finalised


# --- course overview: towards the ending --------------------------------------------------------
def _course_with_sessions_taken_place(course, taken_place, missed=()):
    Session.plan_course(course, weekday=0, at=time(10), start=course.start_date)
    course.sessions.filter(number__lte=taken_place).update(status=Session.Status.HELD)
    course.sessions.filter(number__in=missed).update(
        status=Session.Status.MISSED, status_note="Did not come."
    )
    return course


def test_termination_is_not_proposed_before_the_last_three_sessions(owner_client, course):
    _course_with_sessions_taken_place(course, 8)
    page = owner_client.get(course.get_absolute_url()).text
    assert ENDING_PROPOSED not in page
    assert "The termination phase begins within the last three sessions (4 left now)." in page
    assert "Move to the termination phase" in page  # possible earlier, but not proposed


@pytest.mark.parametrize("taken_place", [9, 10, 12])
def test_termination_is_proposed_within_the_last_three_sessions(owner_client, course, taken_place):
    _course_with_sessions_taken_place(course, taken_place, missed=[taken_place])
    page = owner_client.get(course.get_absolute_url()).text
    left = 12 - taken_place
    assert ENDING_PROPOSED in page
    assert f"{left} session{'s' if left != 1 else ''} left of 12." in page


def test_termination_is_not_proposed_to_the_supervisor(client_for, supervisor, course):
    _course_with_sessions_taken_place(course, 10)
    page = client_for(supervisor).get(course.get_absolute_url()).text
    assert ENDING_PROPOSED not in page
    assert "Move to the termination phase" not in page


def test_entering_termination_records_the_transition(owner_client, owner, course):
    _course_with_sessions_taken_place(course, 9)
    response = owner_client.post(
        reverse("course:enter_termination", args=[course.pk]), {"note": "Ending raised today."}
    )
    assert response.url == course.get_absolute_url()
    assert _reload(course).phase == Phase.TERMINATION
    transition = PhaseTransition.objects.get(course=course)
    assert (transition.from_phase, transition.to_phase, transition.by, transition.note) == (
        Phase.MIDDLE, Phase.TERMINATION, owner, "Ending raised today.",
    )  # fmt: skip
    page = owner_client.get(course.get_absolute_url()).text
    assert ENDING_PROPOSED not in page
    # The ending as a role transition is now part of each session page.
    session = course.sessions.get(number=10)
    assert "Feelings about the end of therapy" in owner_client.get(session.get_absolute_url()).text


def test_termination_is_refused_from_the_initial_phase(client_for, owner, patient):
    course = CourseFactory(patient=patient)
    response = client_for(owner).post(reverse("course:enter_termination", args=[course.pk]))
    assert (
        "The course is in the initial phase, so it cannot move to the termination phase."
        in _messages(response)
    )
    assert _reload(course).phase == Phase.INITIAL
    assert not PhaseTransition.objects.exists()


# --- the therapist's day ----------------------------------------------------------------------
def _section(html, start, end):
    return html.split(f'id="{start}"', 1)[1].split(f'id="{end}"', 1)[0]


def _course_for(therapist, name, *, started_days_ago=30, **kwargs):
    patient = PatientFactory(therapist=therapist, full_name=name)
    start = timezone.localdate() - timedelta(days=started_days_ago)
    return CourseFactory(patient=patient, phase=Phase.MIDDLE, start_date=start, **kwargs)


def _session_on(course, number, day, hour=10, **kwargs):
    return SessionFactory(
        course=course, number=number, scheduled_for=_local_at(day, hour), **kwargs
    )


def test_home_shows_todays_sessions_and_the_next_seven_days(client_for, owner, colleague, stranger):
    today = timezone.localdate()
    ann = _course_for(owner, "Ann Today")
    bob = _course_for(owner, "Bob Thursday")
    cat = _course_for(owner, "Cat Later")
    dan = _course_for(owner, "Dan Cancelled")
    _session_on(ann, 4, today, 23, status=Session.Status.PLANNED)
    _session_on(ann, 3, today - timedelta(days=1), status=Session.Status.HELD)
    _session_on(bob, 5, today + timedelta(days=3), status=Session.Status.PLANNED)
    _session_on(cat, 6, today + timedelta(days=8), status=Session.Status.PLANNED)
    _session_on(dan, 2, today, status=Session.Status.CANCELLED, status_note="Clinic closed")
    for other in (colleague, stranger):
        _session_on(_course_for(other, f"Not Mine {other}"), 1, today, status="planned")

    response = client_for(owner).get(reverse("home"))
    html = response.text
    todays = _section(html, "today-heading", "week-heading")
    week = _section(html, "week-heading", "overdue-heading")
    assert "Ann Today: Session 4 of 12" in todays
    assert "23:00" in todays
    assert "Bob" not in todays
    assert "Bob Thursday: Session 5 of 12" in week
    assert "Ann" not in week
    assert "Cat Later" not in html.split('id="overdue-heading"')[0]
    assert "Dan Cancelled" not in html.split('id="overdue-heading"')[0]
    assert "Not Mine" not in html


@pytest.mark.parametrize("zone", ["Europe/London", "Pacific/Auckland", "America/Los_Angeles"])
def test_home_lists_courses_with_no_session_for_more_than_ten_days(
    client_for, owner, colleague, settings, zone
):
    settings.TIME_ZONE = zone
    today = timezone.localdate()
    ten = _course_for(owner, "Ten Days")
    eleven = _course_for(owner, "Eleven Days")
    missed = _course_for(owner, "Missed Eleven")
    new = _course_for(owner, "New Course", started_days_ago=10)
    unstarted = _course_for(owner, "Never Seen", started_days_ago=11)
    # A session in the small hours is counted on its local day.
    _session_on(ten, 2, today - timedelta(days=10), hour=0)
    _session_on(eleven, 2, today - timedelta(days=11), hour=23)
    _session_on(eleven, 3, today - timedelta(days=4), status=Session.Status.PLANNED)
    _session_on(missed, 2, today - timedelta(days=11), status="missed", status_note="Ill")
    _session_on(unstarted, 1, today - timedelta(days=4), status=Session.Status.CANCELLED)
    _course_for(colleague, "Colleague Patient", started_days_ago=40)
    assert new and ten

    html = client_for(owner).get(reverse("home")).text
    overdue = html.split('id="overdue-heading"', 1)[1]
    assert "Eleven Days" in overdue
    assert "Missed Eleven" in overdue
    assert "Never Seen" in overdue
    assert "no session held since the start" in overdue
    assert "Ten Days" not in overdue
    assert "New Course" not in overdue
    assert "Colleague Patient" not in html


@pytest.mark.parametrize(
    ("last", "overdue"),
    [(date(2026, 11, 11), False), (date(2026, 11, 10), True), (date(2026, 11, 21), False),
     (datetime(2026, 11, 11, 23, 59), False), (datetime(2026, 11, 10, 0, 1), True)],
)  # fmt: skip
def test_is_overdue_after_more_than_ten_days(last, overdue):
    assert is_overdue(last, date(2026, 9, 7), date(2026, 11, 21)) is overdue


@pytest.mark.parametrize(
    ("started", "overdue"), [(date(2026, 11, 11), False), (date(2026, 11, 10), True)]
)
def test_is_overdue_counts_from_the_start_without_a_session(started, overdue):
    assert is_overdue(None, started, date(2026, 11, 21)) is overdue


def test_home_lists_unassessed_item_9_and_elevated_risk(client_for, owner, stranger):
    unassessed = _course_for(owner, "Item Nine")
    MeasureFactory(course=unassessed, answers=(1,) * 8 + (2,), taken_on=date(2026, 9, 14))
    high = _course_for(owner, "High Risk")
    RiskAssessmentFactory(course=high, level=RiskAssessment.Level.HIGH)
    low = _course_for(owner, "Low Risk")
    measure = MeasureFactory(course=low, answers=(1,) * 9)
    RiskAssessmentFactory(course=low, measure=measure, level=RiskAssessment.Level.LOW)
    _course_for(owner, "No Risk")
    other = _course_for(stranger, "Not Mine")
    MeasureFactory(course=other, answers=(3,) * 9)

    html = client_for(owner).get(reverse("home")).text
    risk = html.split('id="today-heading"', 1)[0]
    assert "PHQ-9 item 9 scored 2 on 14 Sep 2026 with no risk assessment documented." in risk
    assert "Risk assessed as high on 7 Sep 2026" in risk
    assert "Low Risk" not in risk
    assert "No Risk" not in risk
    assert "Not Mine" not in html


def test_home_without_risk_shows_no_banner(client_for, owner):
    _course_for(owner, "Calm Course")
    html = client_for(owner).get(reverse("home")).text
    assert 'id="risk-heading"' not in html


def test_a_supervisor_landing_on_home_is_sent_to_their_own_overview(client_for, supervisor):
    response = client_for(supervisor).get(reverse("home"))
    assert response.status_code == 302
    # The supervisees' caseload, or the supervision dashboard built on it.
    assert response.url in (reverse("patients:caseload"), reverse("dashboard"))
    assert client_for(supervisor).get(response.url).status_code == 200


# --- query counts ------------------------------------------------------------------------------
def _full_course(therapist, name, sessions, rows=1):
    """A middle-phase course with ``sessions`` held sessions, each with everything recorded.

    ``rows`` of each kind (events, analyses, homework) per session, so that a query per row
    shows as well as a query per session.
    """
    patient = PatientFactory(therapist=therapist, full_name=name)
    course = CourseFactory(patient=patient, planned_sessions=16, phase=Phase.MIDDLE)
    ready_for_middle_phase(course)
    people = [InventoryPersonFactory(course=course, name=f"Person {n}") for n in range(3)]
    dispute = ProblemAreaFactory(
        course=course, area=ProblemArea.Area.ROLE_DISPUTE, person=people[0],
        dispute_stage="impasse", from_role="", to_role="",
    )  # fmt: skip
    dispute.set_goals(ProblemArea.DEFAULT_GOALS[ProblemArea.Area.ROLE_DISPUTE])
    previous = None
    for number in range(1, sessions + 1):
        taken_on = course.start_date + timedelta(weeks=number - 1)
        phq9 = MeasureFactory(course=course, taken_on=taken_on, answers=(1,) * 8 + (number % 2,))
        if number % 2:
            RiskAssessmentFactory(course=course, measure=phq9, assessed_on=taken_on)
        session = SessionFactory(
            course=course, number=number, phq9=phq9, mood_rating=5, techniques=["role_play"]
        )
        for n in range(rows):
            InterpersonalEventFactory(session=session, person=people[n % 3])
            CommunicationAnalysisFactory(session=session, person=people[(n + 1) % 3])
            HomeworkFactory(set_in=session, person=people[(n + 2) % 3])
        DisputeStageChange.objects.create(problem_area=dispute, session=session, stage="impasse")
        Addendum.objects.create(session=session, text="Later note.", by=therapist)
        if previous:
            previous.homework_set.update(reviewed_in=session, outcome="done")
        previous = session
    return course, previous


def test_session_page_queries_do_not_grow_with_the_course(
    client_for, owner, django_assert_max_num_queries, django_assert_num_queries
):
    client = client_for(owner)
    # Both middle-phase sessions (the agenda of each phase reads what it shows, in its queries).
    _, small = _full_course(owner, "Small Course", 5)
    _, large = _full_course(owner, "Large Course", 12, rows=3)
    client.get(small.get_absolute_url())  # warm up the session and user lookups

    with django_assert_max_num_queries(60) as captured:
        assert client.get(small.get_absolute_url()).status_code == 200
    expected = len(captured.captured_queries)
    with django_assert_num_queries(expected):
        response = client.get(large.get_absolute_url())
    assert "<h1>Session 12 of 16</h1>" in response.text
    assert response.text.count('class="row-card" id="event-') == 3
    assert response.text.count('class="row-card" id="analysis-') == 3
    assert response.text.count('class="row-card" id="homework-') == 3
    assert response.text.count("Last week's action:") == 3


def test_course_overview_queries_do_not_grow_with_the_course(
    client_for, owner, django_assert_max_num_queries, django_assert_num_queries
):
    client = client_for(owner)
    small, _ = _full_course(owner, "Small Course", 3)
    large, _ = _full_course(owner, "Large Course", 16, rows=3)
    client.get(small.get_absolute_url())
    client.get(large.get_absolute_url())  # stores the watch of a course written by factories

    with django_assert_max_num_queries(60) as captured:
        assert client.get(small.get_absolute_url()).status_code == 200
    expected = len(captured.captured_queries)
    with django_assert_num_queries(expected):
        response = client.get(large.get_absolute_url())
    assert "16 held, of 16 agreed." in response.text


def test_session_list_queries_do_not_grow_with_the_course(
    client_for, owner, django_assert_max_num_queries, django_assert_num_queries
):
    client = client_for(owner)
    small, _ = _full_course(owner, "Small Course", 3)
    large, _ = _full_course(owner, "Large Course", 16, rows=3)
    url = lambda course: reverse("sessions_app:course_sessions", args=[course.pk])  # noqa: E731
    client.get(url(small))

    with django_assert_max_num_queries(40) as captured:
        assert client.get(url(small)).status_code == 200
    expected = len(captured.captured_queries)
    with django_assert_num_queries(expected):
        assert "Session 16 of 16" in client.get(url(large)).text


def test_home_queries_do_not_grow_with_the_caseload(
    client_for, owner, django_assert_max_num_queries, django_assert_num_queries
):
    client = client_for(owner)
    today = timezone.localdate()

    def add_courses(first, count):
        for n in range(first, first + count):
            course = _course_for(owner, f"Patient {n}")
            _session_on(course, 1, today - timedelta(days=12))
            _session_on(course, 2, today, 12 + n % 8, status=Session.Status.PLANNED)
            _session_on(course, 3, today + timedelta(days=2), status=Session.Status.PLANNED)
            MeasureFactory(course=course, answers=(1,) * 9)
            RiskAssessmentFactory(course=course, level=RiskAssessment.Level.HIGH)

    add_courses(0, 1)
    client.get(reverse("home"))
    with django_assert_max_num_queries(30) as captured:
        client.get(reverse("home"))
    expected = len(captured.captured_queries)
    add_courses(1, 5)
    client.get(reverse("home"))  # stores the new courses' watch, as any list would
    with django_assert_num_queries(expected):
        html = client.get(reverse("home")).text
    # Each item 9 is answered by the high-risk assessment written after it that day.
    assert html.count("Risk assessed as high") == 6
