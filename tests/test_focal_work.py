"""The IPT work in the problem area: strategies, primary area, decision analysis, agendas."""

from datetime import date

import pytest
from django.urls import reverse

from ipt.models import Phase
from sessions_app import strategies
from sessions_app.models import DecisionAnalysis, Homework, StrategyNote
from tests.factories import (
    CourseFactory,
    InventoryPersonFactory,
    ProblemAreaFactory,
    SessionFactory,
    ready_for_middle_phase,
)


# --- the catalogue (pure) ---------------------------------------------------------------------
def test_each_area_has_its_manual_strategies():
    assert [s.key for s in strategies.strategies_for("grief")] == [
        "story", "relationship", "feelings", "reminders", "reconnecting",
    ]  # fmt: skip
    assert "idealisation" in strategies.GRIEF[1].hint.lower()
    assert strategies.strategies_for("nonsense") == ()
    for area in strategies.BY_AREA.values():
        assert len({s.key for s in area}) == len(area)
        assert all(s.hint and s.title for s in area)


def test_the_dispute_stage_has_its_strategy():
    assert "communication" in strategies.stage_strategy("renegotiation").lower()
    assert "into the open" in strategies.stage_strategy("impasse")
    assert "transition" in strategies.stage_strategy("dissolution")
    assert strategies.stage_strategy("") == ""


def test_coverage_counts_sessions_once_and_ignores_unknown_keys():
    worked = [
        ("story", 2, date(2026, 1, 5)),
        ("story", 2, date(2026, 1, 5)),
        ("story", 4, date(2026, 1, 19)),
        ("gone", 3, date(2026, 1, 12)),
    ]
    summary = strategies.coverage_summary("grief", worked)
    assert (summary["done"], summary["total"]) == (1, 5)
    story = summary["rows"][0]
    assert story.sessions == (2, 4) and story.last_on == date(2026, 1, 19)
    assert "The feelings" in summary["untouched"]


# --- on the session page ----------------------------------------------------------------------
@pytest.fixture
def course(patient):
    course = ready_for_middle_phase(CourseFactory(patient=patient, phase=Phase.MIDDLE))
    return course


def _autosave(client, session, target, value, version=0):
    return client.post(
        reverse("sessions_app:autosave", args=[session.pk]),
        {"target": target, "field": "text", "version": version, "value": value},
    )


def test_a_strategy_note_is_saved_and_shown_in_later_sessions(client_for, owner, course):
    area = course.problem_areas.first()
    key = strategies.strategies_for(area.area)[0].key
    s4, s5 = (SessionFactory(course=course, number=n) for n in (4, 5))
    client = client_for(owner)
    response = _autosave(client, s4, f"strategy:{area.pk}:{key}", "Talked it through.")
    assert response.status_code == 200
    assert StrategyNote.objects.get(session=s4, key=key).text == "Talked it through."
    page = client.get(s5.get_absolute_url()).content.decode()
    assert "Worked on in session 4" in page


def test_a_strategy_not_of_the_area_is_refused(client_for, owner, course):
    area = course.problem_areas.first()
    session = SessionFactory(course=course, number=4)
    assert _autosave(client_for(owner), session, f"strategy:{area.pk}:nope", "x").status_code == 404
    assert _autosave(client_for(owner), session, "strategy:999999:story", "x").status_code == 404
    assert not StrategyNote.objects.exists()


def test_the_primary_area_leads(client_for, owner, course):
    person = InventoryPersonFactory(course=course)
    dispute = ProblemAreaFactory(
        course=course, area="role_dispute", person=person, dispute_stage="impasse",
        from_role="", to_role="",
    )  # fmt: skip
    first = course.problem_areas.exclude(pk=dispute.pk).first()
    assert course.problem_areas.all()[0] == first
    response = client_for(owner).post(
        reverse("course:problem_area_primary", args=[course.pk, dispute.pk])
    )
    assert response.status_code == 302
    assert course.problem_areas.all()[0] == dispute
    page = client_for(owner).get(SessionFactory(course=course, number=4).get_absolute_url())
    text = page.content.decode()
    assert text.index(dispute.detail) < text.index(first.detail)
    assert "Bring the hidden disagreement into the open" in text


def test_the_first_step_becomes_the_homework_once(client_for, owner, course):
    session = SessionFactory(course=course, number=4)
    decision = DecisionAnalysis.objects.create(session=session, first_step="Ask Tom for lunch.")
    url = reverse("sessions_app:decision_homework", args=[session.pk, decision.pk])
    client = client_for(owner)
    client.post(url)
    client.post(url)
    assert list(Homework.objects.filter(set_in=session).values_list("action", flat=True)) == [
        "Ask Tom for lunch."
    ]
    session.refresh_from_db()
    assert "decision_analysis" in session.techniques


def test_an_empty_first_step_sets_no_homework(client_for, owner, course):
    session = SessionFactory(course=course, number=4)
    decision = DecisionAnalysis.objects.create(session=session)
    client_for(owner).post(
        reverse("sessions_app:decision_homework", args=[session.pk, decision.pk])
    )
    assert not Homework.objects.filter(set_in=session).exists()


# --- agendas per phase ------------------------------------------------------------------------
def test_an_initial_session_shows_the_steps_with_their_status(client_for, owner, patient):
    course = CourseFactory(patient=patient)
    session = SessionFactory(course=course, number=1)
    page = client_for(owner).get(session.get_absolute_url()).content.decode()
    assert "Initial phase: today&#x27;s agenda" in page or "Initial phase: today's agenda" in page
    assert "Giving the diagnosis and the sick role" in page
    assert "Still to do: Not yet given." in page
    assert reverse("course:inventory", args=[course.pk]) in page


def test_a_termination_session_puts_the_ending_first(client_for, owner, course):
    session = SessionFactory(course=course, number=course.planned_sessions)
    page = client_for(owner).get(session.get_absolute_url()).content.decode()
    assert page.index("Relapse-prevention plan") < page.index("1. Mood check")
    assert page.index("ending-heading") < page.index("1. Mood check")
    assert "This is the last session." in page


def test_the_clock_shows_the_start_and_the_agreed_length(client_for, owner, course):
    session = SessionFactory(course=course, number=4)
    page = client_for(owner).get(session.get_absolute_url()).content.decode()
    assert f"agreed length {course.session_minutes} min" in page
    assert "js/session-clock" in page


# --- the demo clinic ----------------------------------------------------------------------------
def test_the_demo_clinic_shows_strategy_work_in_each_area_and_a_decision_analysis(db, settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo")
    areas = set(StrategyNote.objects.values_list("problem_area__area", flat=True))
    assert areas == set(strategies.BY_AREA)
    decision = DecisionAnalysis.objects.get()
    assert decision.first_step and decision.option_3_other
