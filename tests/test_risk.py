"""Risk: the pure rules of ipt/rules/risk.py at their boundaries, then the safety net through
the pages (signals raised, closing refused while one is open, the assessment always writable,
the risk history wherever the course is read).

IPT-REFERENCE.md, "Risk and measurement-based care": every risk signal needs a dated risk
assessment, and a course cannot close over an unanswered signal.
"""

import html
import io
import re
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from ipt.models import (
    EndReason,
    Phase,
    PhaseTransition,
    ProblemAreaGoal,
    ProgressReview,
    RelapsePreventionPlan,
    RelapseTrigger,
    RiskAssessment,
    TreatmentCourse,
)
from ipt.rules import risk
from ipt.rules.flags import risk_flag_for
from ipt.rules.risk import (
    Assessment,
    Signal,
    answers,
    assessment_errors,
    closing_blockers,
    current_assessment,
    history,
    risk_state,
)
from sessions_app.models import Session
from tests.factories import (
    CourseFactory,
    MeasureFactory,
    RiskAssessmentFactory,
    SessionFactory,
    ready_for_middle_phase,
)
from tests.test_course_summary import prepared_summary

# =============================================================================================
# The pure rules (no database)
# =============================================================================================
DAY = date(2026, 12, 3)


def at(day, hour, minute=0):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


ITEM9 = Signal(risk.PHQ9_ITEM9, DAY, "PHQ-9 item 9 scored 2", at(DAY, 10), measure_id=7)


def assessed(on, level="low", recorded_at=None, **fields):
    return Assessment(on, level, recorded_at, **fields)


# --- answers() -------------------------------------------------------------------------------
def test_an_assessment_the_day_before_the_signal_does_not_answer_it():
    # Even written "later" in the day: the date is what counts across days.
    assert not answers(assessed(DAY - timedelta(days=1), recorded_at=at(DAY, 23)), ITEM9, DAY)
    assert not answers(assessed(DAY - timedelta(days=1)), ITEM9, DAY)


@pytest.mark.parametrize(
    ("recorded_at", "answered"),
    [
        (at(DAY, 9, 59), False),  # written before the PHQ-9 was entered that day
        (at(DAY, 10), True),
        (at(DAY, 10, 1), True),
        (None, True),  # no time to order them by: the same day answers
    ],
)
def test_on_the_same_day_the_order_of_recording_decides(recorded_at, answered):
    assert answers(assessed(DAY, recorded_at=recorded_at), ITEM9, DAY) is answered


def test_a_signal_without_a_recording_time_is_answered_by_the_same_day():
    screen = Signal(risk.SUICIDALITY_SCREEN, DAY, "Acute suicidality recorded")
    assert answers(assessed(DAY, recorded_at=at(DAY, 8)), screen, DAY)


def test_an_assessment_dated_after_the_signal_answers_it_whatever_it_follows():
    later = DAY + timedelta(days=1)
    assert answers(assessed(later, recorded_at=at(later, 8)), ITEM9, later)
    assert answers(assessed(later, measure_id=99), ITEM9, later)  # written for another PHQ-9


def test_a_linked_assessment_answers_its_own_score_on_the_same_day():
    # Linked to the PHQ-9 it follows: the recording order does not matter.
    linked = assessed(DAY, recorded_at=at(DAY, 9), measure_id=ITEM9.measure_id)
    assert answers(linked, ITEM9, DAY)
    # ...but a linked assessment dated before its score answers nothing.
    early = assessed(DAY - timedelta(days=1), measure_id=ITEM9.measure_id)
    assert not answers(early, ITEM9, DAY)
    # An assessment linked to another score, written before this one that day, does not.
    other = assessed(DAY, recorded_at=at(DAY, 9), measure_id=99)
    assert not answers(other, ITEM9, DAY)


def test_a_future_dated_assessment_answers_nothing():
    future = assessed(DAY + timedelta(days=1), recorded_at=at(DAY, 11))
    assert not answers(future, ITEM9, DAY)
    linked = assessed(DAY + timedelta(days=1), measure_id=ITEM9.measure_id)
    assert not answers(linked, ITEM9, DAY)
    # The day it comes, it would (it was never meant to hide the score, only mistyped).
    assert answers(future, ITEM9, DAY + timedelta(days=1))


# --- current_assessment() ----------------------------------------------------------------------
def test_no_assessment_no_current_one():
    assert current_assessment([], DAY) is None
    assert current_assessment([assessed(DAY + timedelta(days=1))], DAY) is None


def test_the_current_assessment_is_the_latest_dated_today_or_before():
    old = assessed(DAY - timedelta(days=9), "high", at(DAY, 12), pk=1)
    new = assessed(DAY - timedelta(days=1), "low", at(DAY - timedelta(days=1), 9), pk=2)
    assert current_assessment([new, old], DAY) == new  # by date, not by when it was typed


def test_on_the_same_day_the_later_recorded_then_the_higher_pk_is_current():
    morning = assessed(DAY, "moderate", at(DAY, 9), pk=5)
    evening = assessed(DAY, "low", at(DAY, 17), pk=4)
    assert current_assessment([evening, morning], DAY) == evening
    twin = assessed(DAY, "high", at(DAY, 17), pk=6)
    assert current_assessment([twin, evening], DAY) == twin


def test_a_future_dated_low_never_hides_an_imminent_risk_assessed_today():
    """The issue's case: a low assessment typed as 31 Dec 9999 next to an imminent one today."""
    typo = assessed(date(9999, 12, 31), "low", at(DAY, 11), pk=2)
    today = assessed(DAY, "imminent", at(DAY, 10, 30), measure_id=ITEM9.measure_id, pk=1)
    for order in ([typo, today], [today, typo]):
        state = risk_state([ITEM9], order, DAY)
        assert state.current == today
        assert state.level == "imminent"
        assert state.elevated
        assert state.open_signals == ()  # the imminent one answers the score; the typo does not
        assert state.needs_attention  # the patient stays flagged
        flag = risk_flag_for(SimpleNamespace(risk=state))
        assert flag.kind == "elevated"
        assert flag.message == "Risk assessed as imminent on 3 Dec 2026: review the safety plan."


def test_a_future_dated_assessment_alone_leaves_the_signal_open():
    state = risk_state([ITEM9], [assessed(date(9999, 12, 31), "low", at(DAY, 11))], DAY)
    assert state.open_signals == (ITEM9,)
    assert state.current is None
    assert state.level is None
    assert closing_blockers(state)


# --- risk_state() ------------------------------------------------------------------------------
def test_a_later_unanswered_signal_does_not_hide_an_earlier_high_level():
    high = assessed(DAY - timedelta(days=20), "high", at(DAY - timedelta(days=20), 12), pk=1)
    later = Signal(risk.PHQ9_ITEM9, DAY - timedelta(days=2), "PHQ-9 item 9 scored 1", at(DAY, 9))
    state = risk_state([later], [high], DAY)
    assert state.open_signals == (later,)
    assert state.elevated
    assert state.level == "high"
    assert state.needs_attention
    flag = risk_flag_for(SimpleNamespace(risk=state))
    assert flag.kind == "unassessed"
    assert "PHQ-9 item 9 scored 1 on 1 Dec 2026 with no risk assessment documented." in flag.message
    assert "Risk assessed as high on 13 Nov 2026: review the safety plan." in flag.message


def test_a_later_low_assessment_answers_earlier_signals_and_lowers_the_level():
    high = assessed(DAY - timedelta(days=20), "high", pk=1)
    signal = Signal(risk.HAMD_ITEM3, DAY - timedelta(days=2), "HAM-D-17 item 3 (suicide) rated 1")
    low = assessed(DAY - timedelta(days=1), "low", pk=2)
    state = risk_state([signal, ITEM9], [high, low], DAY + timedelta(days=1))
    assert state.open_signals == (ITEM9,)  # dated after the low one: still open
    assert not state.elevated
    assert state.level == "low"
    assert state.needs_attention  # because of the open signal only
    assert not risk_state([signal], [high, low], DAY).needs_attention


def test_open_signals_are_listed_oldest_first():
    a = Signal(risk.PHQ9_ITEM9, DAY, "PHQ-9 item 9 scored 1")
    b = Signal(risk.SUICIDALITY_SCREEN, DAY - timedelta(days=30), "Acute suicidality")
    c = Signal(risk.HAMD_ITEM3, DAY - timedelta(days=3), "HAM-D-17 item 3 (suicide) rated 2")
    assert risk_state([a, b, c], [], DAY).open_signals == (b, c, a)


@pytest.mark.parametrize(
    ("review_on", "due"),
    [
        (DAY - timedelta(days=1), True),
        (DAY, False),
        (DAY + timedelta(days=7), False),
        (None, False),
    ],
)
def test_review_due_once_the_review_date_has_passed(review_on, due):
    current = assessed(DAY - timedelta(days=14), "moderate", review_on=review_on)
    assert risk_state([], [current], DAY).review_due is due


def test_only_the_current_assessment_s_review_date_counts():
    overdue_review = assessed(
        DAY - timedelta(days=30), "moderate", review_on=DAY - timedelta(days=9)
    )
    reviewed = assessed(DAY - timedelta(days=10), "low", review_on=DAY + timedelta(days=20))
    assert not risk_state([], [overdue_review, reviewed], DAY).review_due
    # A future-dated assessment is not current: its review date is not read either.
    typo = assessed(date(9999, 1, 1), "low", review_on=date(9999, 2, 1))
    assert risk_state([], [overdue_review, typo], DAY).review_due


def test_no_record_no_state():
    state = risk_state([], [], DAY)
    assert state == risk.RiskState()
    assert not state.needs_attention
    assert closing_blockers(state) == []


# --- history() ---------------------------------------------------------------------------------
def test_history_is_in_date_order_with_a_signal_before_its_same_day_assessment():
    early = DAY - timedelta(days=30)
    middle = DAY - timedelta(days=10)
    a_early = assessed(early, "moderate", at(early, 12), pk=1)
    s_middle = Signal(risk.PHQ9_ITEM9, middle, "PHQ-9 item 9 scored 1", at(middle, 10), 3)
    a_middle = assessed(middle, "high", at(middle, 11), measure_id=3, pk=2)
    s_today = Signal(risk.PHQ9_ITEM9, DAY, "PHQ-9 item 9 scored 2", at(DAY, 10), 4)
    rows = history([s_today, s_middle], [a_middle, a_early], DAY)
    assert [(r.on, r.signal, r.assessment) for r in rows] == [
        (early, None, a_early),
        (middle, s_middle, None),
        (middle, None, a_middle),
        (DAY, s_today, None),
    ]
    assert [r.answered for r in rows if r.signal] == [True, False]


def test_history_lists_a_future_dated_assessment_last_and_it_answers_nothing():
    typo = assessed(date(9999, 12, 31), "low", at(DAY, 11), pk=1)
    rows = history([ITEM9], [typo], DAY)
    assert [r.assessment for r in rows] == [None, typo]
    assert rows[0].answered is False


# --- closing_blockers() ------------------------------------------------------------------------
def test_closing_blockers_name_the_score_and_the_date():
    assert closing_blockers(risk_state([ITEM9], [], DAY)) == [
        "PHQ-9 item 9 scored 2 on 3 Dec 2026: a suicide-risk assessment must be documented."
    ]


def test_closing_blockers_give_one_sentence_per_open_signal_oldest_first():
    hamd = Signal(risk.HAMD_ITEM3, date(2026, 9, 7), "HAM-D-17 item 3 (suicide) rated 2")
    screen = Signal(
        risk.SUICIDALITY_SCREEN,
        date(2026, 9, 1),
        "Acute suicidality recorded on the suitability screen (overridden to go on with IPT)",
    )
    assert closing_blockers(risk_state([ITEM9, hamd, screen], [], DAY)) == [
        "Acute suicidality recorded on the suitability screen (overridden to go on with IPT) "
        "on 1 Sep 2026: a suicide-risk assessment must be documented.",
        "HAM-D-17 item 3 (suicide) rated 2 on 7 Sep 2026: a suicide-risk assessment must be "
        "documented.",
        "PHQ-9 item 9 scored 2 on 3 Dec 2026: a suicide-risk assessment must be documented.",
    ]


def test_an_answered_high_risk_does_not_block_closing():
    # The course can close (a referral, a hospitalisation); the high level keeps it in sight.
    high = assessed(DAY, "high", at(DAY, 11), measure_id=ITEM9.measure_id)
    state = risk_state([ITEM9], [high], DAY)
    assert closing_blockers(state) == []
    assert state.needs_attention


# --- assessment_errors() -----------------------------------------------------------------------
def errors(**fields):
    values = {
        "assessed_on": DAY,
        "level": "low",
        "safety_plan": "",
        "actions": "",
        "review_on": None,
        "today": DAY,
    }
    return assessment_errors(**(values | fields))


def test_a_plain_low_assessment_today_has_no_errors():
    assert errors() == {}
    assert errors(level="moderate", review_on=DAY) == {}  # a review the same day is allowed


def test_an_assessment_cannot_be_dated_in_the_future():
    assert errors(assessed_on=DAY + timedelta(days=1)) == {
        "assessed_on": "An assessment is recorded on or after the day it was made."
    }
    assert errors(assessed_on=date(9999, 12, 31), signal_on=DAY) == {
        "assessed_on": "An assessment is recorded on or after the day it was made."
    }


def test_an_assessment_cannot_be_dated_before_the_signal_it_answers():
    assert errors(assessed_on=DAY - timedelta(days=1), signal_on=DAY) == {
        "assessed_on": "This assessment answers a score of 3 Dec 2026: it cannot be dated before it."
    }
    assert errors(assessed_on=DAY, signal_on=DAY) == {}
    assert errors(assessed_on=DAY, signal_on=DAY - timedelta(days=5)) == {}


@pytest.mark.parametrize("level", ["high", "imminent"])
def test_a_high_or_imminent_risk_needs_a_safety_plan_and_the_actions(level):
    assert errors(level=level) == {
        "safety_plan": "A high or imminent risk needs a safety plan.",
        "actions_taken": "A high or imminent risk needs the actions taken.",
    }
    assert errors(level=level, safety_plan="  \n ", actions="GP called.") == {
        "safety_plan": "A high or imminent risk needs a safety plan."
    }
    assert errors(level=level, safety_plan="Crisis line.", actions="\t") == {
        "actions_taken": "A high or imminent risk needs the actions taken."
    }
    assert errors(level=level, safety_plan="Crisis line.", actions="GP called.") == {}


@pytest.mark.parametrize("level", ["low", "moderate", None])
def test_a_low_or_moderate_risk_needs_no_safety_plan(level):
    assert errors(level=level) == {}


def test_the_review_comes_after_the_assessment():
    assert errors(review_on=DAY - timedelta(days=1)) == {
        "review_on": "The review comes after the assessment."
    }
    assert errors(assessed_on=None, review_on=DAY - timedelta(days=1)) == {}


def test_every_error_is_given_at_once():
    assert set(
        errors(
            assessed_on=DAY + timedelta(days=2), level="imminent", review_on=DAY + timedelta(days=1)
        )
    ) == {"assessed_on", "safety_plan", "actions_taken", "review_on"}


# =============================================================================================
# Through the pages (database)
# =============================================================================================
def today():
    return timezone.localdate()


def day(d):
    return f"{d.day} {d:%b %Y}"


def blocker(text, on):
    return f"{text} on {day(on)}: a suicide-risk assessment must be documented."


@pytest.fixture
def therapist(client_for, owner):
    return client_for(owner)


def middle_course(patient, **fields):
    return CourseFactory(
        patient=patient, phase=Phase.MIDDLE, start_date=today() - timedelta(days=60), **fields
    )


def phq9(course, item9, *, ago=0):
    return MeasureFactory(
        course=course,
        answers=(2, 2, 2, 2, 1, 1, 1, 1, item9),
        taken_on=today() - timedelta(days=ago),
    )


def fresh(course):
    return TreatmentCourse.objects.with_initial_phase().get(pk=course.pk)


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def risk_url(course, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("course:risk_new", args=[course.pk]) + (f"?{query}" if query else "")


def risk_data(**overrides):
    return {
        "assessed_on": today().isoformat(),
        "level": RiskAssessment.Level.LOW,
        "asked": "Thoughts of death, plans, intent, means, past attempts.",
        "findings": "Passive thoughts on bad days; no plan, no intent.",
        "protective_factors": "Her children; her sister.",
        "safety_plan": "",
        "actions_taken": "",
        "informed": "",
        "review_on": "",
    } | overrides


def link(page_html, text):
    """The href of the link with this text (unescaped, as a browser would follow it)."""
    found = re.findall(rf'<a href="([^"]*)">{re.escape(text)}</a>', page_html)
    assert found, f"no link {text!r} on the page"
    return html.unescape(found[0])


def banner(page_html):
    found = re.search(
        r'<div class="risk-banner" role="alert" id="risk-banner">.*?</div>', page_html, re.S
    )
    return " ".join(found.group(0).split()) if found else ""


def pdf_text(response):
    reader = PdfReader(io.BytesIO(response.content))
    return " ".join("\n".join(page.extract_text() for page in reader.pages).split())


# --- signals raised by what is recorded ---------------------------------------------------------
def hamd_data(item3, on=None):
    answers = [0] * 17
    answers[2] = item3
    return {"taken_on": (on or today()).isoformat()} | {
        f"item_{n}": a for n, a in enumerate(answers, start=1)
    }


def test_hamd17_item3_above_zero_raises_a_signal(therapist, patient):
    course = middle_course(patient)
    response = therapist.post(
        reverse("course:measure_new", args=[course.pk, "hamd17"]), hamd_data(2)
    )
    measure = course.measures.get()
    assert response.status_code == 302
    assert response.url == risk_url(course, measure=measure.pk)  # straight to the assessment
    state = fresh(course).risk_state()
    assert [(s.kind, s.text, s.on) for s in state.open_signals] == [
        (risk.HAMD_ITEM3, "HAM-D-17 item 3 (suicide) rated 2", today())
    ]
    form = therapist.get(response.url).text
    assert f"Prompted by: HAM-D-17 item 3 (suicide) rated 2 on {day(today())}." in form
    assert 'name="reason"' not in form  # what prompted it follows from the score
    therapist.post(response.url, risk_data(measure=measure.pk))
    assert course.risk_assessments.get().reason == risk.HAMD_ITEM3
    assert fresh(course).risk_state().open_signals == ()
    phq9(course, 0, ago=0)  # a later score with item 9 at 0 raises nothing new
    assert fresh(course).risk_state().open_signals == ()


def test_a_hamd17_signal_shows_in_the_banner(therapist, patient):
    course = middle_course(patient)
    therapist.post(reverse("course:measure_new", args=[course.pk, "hamd17"]), hamd_data(1))
    page = therapist.get(course.get_absolute_url()).text
    assert f"Suicide risk: HAM-D-17 item 3 (suicide) rated 1 on {day(today())}" in banner(page)


def test_hamd17_item3_at_zero_raises_no_signal(therapist, patient):
    course = middle_course(patient)
    response = therapist.post(
        reverse("course:measure_new", args=[course.pk, "hamd17"]), hamd_data(0)
    )
    assert response.url == course.get_absolute_url()
    assert fresh(course).risk_state().open_signals == ()


def test_the_message_after_a_hamd17_names_its_item_3(therapist, patient):
    course = middle_course(patient)
    response = therapist.post(
        reverse("course:measure_new", args=[course.pk, "hamd17"]), hamd_data(2)
    )
    said = " ".join(messages_of(response))
    assert "None" not in said
    assert "HAM-D-17 item 3" in said


def suitability_data(*, suicidality, override=""):
    data = {"screened_on": today().isoformat(), "notes": "", "override_reason": override}
    for name in (
        "acute_mania",
        "active_psychosis",
        "severe_neurocognitive_impairment",
        "severe_substance_use",
    ):
        data[name] = "no"
    data["acute_suicidality"] = "yes" if suicidality else "no"
    for name in ("reality_testing", "sustained_attention", "learning", "alliance"):
        data[name] = "yes"
    return data


def test_acute_suicidality_on_the_screen_raises_a_signal_even_when_overridden(therapist, patient):
    course = CourseFactory(patient=patient, start_date=today() - timedelta(days=3))
    override = "Passive ideation only, no plan; safety plan agreed; weekly risk review in IPT."
    response = therapist.post(
        reverse("course:suitability", args=[course.pk]),
        suitability_data(suicidality=True, override=override),
    )
    assert response.url == course.get_absolute_url()  # cleared by the override
    loaded = fresh(course)
    assert loaded.suitability.overridden
    text = "Acute suicidality recorded on the suitability screen (overridden to go on with IPT)"
    assert [(s.kind, s.text, s.on) for s in loaded.risk_state().open_signals] == [
        (risk.SUICIDALITY_SCREEN, text, today())
    ]
    assert blocker(text, today()) in loaded.middle_phase_blockers()
    page = therapist.get(course.get_absolute_url()).text
    assert f"Suicide risk: {text} on {day(today())}" in banner(page)

    # Answered by an assessment the same day (the screen has no recording time: same day counts).
    href = link(page, "Document the risk assessment now")
    answered = therapist.post(href, risk_data(reason=risk.SUICIDALITY_SCREEN))
    assert answered.status_code == 302, answered.text
    assert fresh(course).risk_state().open_signals == ()


def test_no_suicidality_on_the_screen_no_signal(therapist, patient):
    course = CourseFactory(patient=patient, start_date=today() - timedelta(days=3))
    therapist.post(
        reverse("course:suitability", args=[course.pk]), suitability_data(suicidality=False)
    )
    assert fresh(course).risk_state().open_signals == ()


# --- an assessment at any time, from where the therapist is -----------------------------------
def test_a_risk_assessment_can_be_started_at_any_time_from_the_course_page(therapist, patient):
    course = middle_course(patient)  # no signal at all: the therapist's own concern
    page = therapist.get(course.get_absolute_url()).text
    assert banner(page) == ""
    href = link(page, "Assess suicide risk")
    assert href == risk_url(course, next=quote(course.get_absolute_url()))
    form = therapist.get(href)
    assert form.status_code == 200
    assert "Record the assessment" in form.text
    assert re.search(r'value="concern"[^>]*checked', form.text)
    assert f'name="next" value="{course.get_absolute_url()}"' in form.text
    response = therapist.post(href, risk_data(next=course.get_absolute_url(), level="moderate"))
    assert response.status_code == 302
    assert response.url == course.get_absolute_url()
    saved = course.risk_assessments.get()
    assert (saved.level, saved.reason, saved.measure) == ("moderate", "concern", None)
    page = therapist.get(course.get_absolute_url()).text
    assert f"Current risk: moderate, assessed on {day(today())}." in page


def test_a_risk_assessment_from_the_session_page_returns_to_it(therapist, patient, owner):
    course = middle_course(patient)
    session = SessionFactory(
        course=course, number=1, scheduled_for=timezone.now() - timedelta(minutes=30)
    )
    session.phq9 = phq9(course, 2, ago=0)
    session.save()
    page = therapist.get(session.get_absolute_url()).text
    assert f"Suicide risk: PHQ-9 item 9 scored 2 on {day(today())}" in banner(page)
    href = link(page, "Document the risk assessment now")
    assert href == risk_url(course, measure=session.phq9.pk, next=quote(session.get_absolute_url()))
    # The session's own mood section links to the same form, back to the session too.
    assert link(page, "Document the risk assessment") == href

    form = therapist.get(href).text
    assert f"Prompted by: PHQ-9 item 9 scored 2 on {day(today())}." in form
    assert f'name="next" value="{session.get_absolute_url()}"' in form
    assert f'name="measure" value="{session.phq9.pk}"' in form
    response = therapist.post(
        href,
        risk_data(measure=session.phq9.pk, next=session.get_absolute_url()),
    )
    assert response.url == session.get_absolute_url()
    saved = course.risk_assessments.get()
    assert (saved.measure, saved.reason, saved.assessed_by) == (
        session.phq9,
        risk.PHQ9_ITEM9,
        owner,
    )
    assert banner(therapist.get(session.get_absolute_url()).text) == ""


def test_a_risk_assessment_can_be_started_from_a_session_page_without_a_signal(therapist, patient):
    course = middle_course(patient)
    session = SessionFactory(
        course=course, number=1, scheduled_for=timezone.now() - timedelta(minutes=30)
    )
    page = therapist.get(session.get_absolute_url()).text
    href = link(page, "Assess suicide risk")
    assert href == risk_url(course, next=quote(session.get_absolute_url()))
    response = therapist.post(href, risk_data(next=session.get_absolute_url()))
    assert response.url == session.get_absolute_url()
    assert course.risk_assessments.get().reason == RiskAssessment.Reason.CONCERN


def test_a_review_date_that_has_passed_asks_for_a_review(therapist, patient):
    course = middle_course(patient)
    RiskAssessmentFactory(
        course=course,
        assessed_on=today() - timedelta(days=14),
        level=RiskAssessment.Level.MODERATE,
        review_on=today() - timedelta(days=1),
    )
    page = therapist.get(course.get_absolute_url()).text
    assert f"The risk review planned for {day(today() - timedelta(days=1))} is due." in banner(page)
    href = link(page, "Review the risk")
    assert href == risk_url(course, reason="review", next=quote(course.get_absolute_url()))
    assert re.search(r'value="review"[^>]*checked', therapist.get(href).text)
    therapist.post(href, risk_data(reason="review", next=course.get_absolute_url()))
    assert course.risk_assessments.latest("pk").reason == RiskAssessment.Reason.REVIEW
    assert banner(therapist.get(course.get_absolute_url()).text) == ""


def test_the_banner_on_the_risk_form_keeps_the_way_back(therapist, patient):
    course = middle_course(patient)
    measure = phq9(course, 2)
    where = reverse("course:end_early", args=[course.pk])
    url = risk_url(course, measure=measure.pk, next=quote(where))
    form_page = therapist.get(url).text
    # On the risk form the banner still shows the signal but links nowhere: the form is the
    # answer, and its own way back is kept.
    assert "no risk assessment answers it yet" in form_page
    assert "Document the risk assessment now" not in form_page
    response = therapist.post(url, risk_data(measure=measure.pk))
    assert response.url == where


def test_next_pointing_off_the_site_goes_back_to_the_course(therapist, patient):
    course = middle_course(patient)
    response = therapist.post(risk_url(course), risk_data(next="https://evil.example/"))
    assert response.url == course.get_absolute_url()


def test_the_form_refuses_a_date_before_the_score_and_a_mistyped_future_year(therapist, patient):
    course = middle_course(patient)
    measure = phq9(course, 1, ago=2)
    response = therapist.post(
        risk_url(course, measure=measure.pk),
        risk_data(assessed_on=(today() - timedelta(days=3)).isoformat()),
    )
    assert response.status_code == 200
    assert (
        f"This assessment answers a score of {day(measure.taken_on)}: it cannot be dated before it."
        in response.text
    )
    response = therapist.post(risk_url(course), risk_data(assessed_on="9999-12-31"))
    assert "An assessment is recorded on or after the day it was made." in response.text
    assert not course.risk_assessments.exists()


def test_high_risk_without_a_plan_is_refused_with_the_typed_text_kept(therapist, patient):
    course = middle_course(patient)
    findings = "Thinks about overdosing most nights; has saved tablets."
    response = therapist.post(risk_url(course), risk_data(level="high", findings=findings))
    assert response.status_code == 200
    text = response.text
    assert (
        'id="id_safety_plan_error"><span class="visually-hidden">Error:</span> A high or imminent risk needs a safety plan.'
        in text
    )
    assert (
        'id="id_actions_taken_error"><span class="visually-hidden">Error:</span> A high or imminent risk needs the actions taken.'
        in text
    )
    assert findings in text
    assert re.search(r'value="high"[^>]*checked', text)
    assert not course.risk_assessments.exists()


# --- the future-dated assessment of the issue, on the pages ------------------------------------
def test_a_low_assessment_dated_9999_does_not_hide_an_imminent_one_on_the_pages(
    therapist, supervisor, patient
):
    course = middle_course(patient)
    measure = phq9(course, 3)
    RiskAssessmentFactory(
        course=course,
        measure=measure,
        assessed_on=today(),
        level=RiskAssessment.Level.IMMINENT,
        safety_plan="Crisis team visiting tonight.",
    )
    RiskAssessmentFactory(course=course, assessed_on=date(9999, 12, 31), level="low")
    loaded = fresh(course)
    assert loaded.current_risk_assessment.level == RiskAssessment.Level.IMMINENT
    page = therapist.get(course.get_absolute_url()).text
    assert (
        f"Current risk: <strong>imminent: emergency procedure started</strong>, assessed on "
        f"{day(today())}" in banner(page)
    )
    assert "Crisis team visiting tonight." in banner(page)
    home = therapist.get(reverse("home")).text
    assert f"Risk assessed as imminent on {day(today())}: review the safety plan." in home
    supervising = Client()
    supervising.force_login(supervisor)
    rows = supervising.get(reverse("dashboard")).context["rows"]
    assert [r.risk for r in rows] == [
        f"Risk assessed as imminent on {day(today())}: review the safety plan."
    ]


# --- closing is refused while a signal is open ------------------------------------------------
def in_termination_ready_to_complete(course, owner):
    """Every record completion asks for, so that only the risk can stand in the way."""
    ready_for_middle_phase(course)
    course.enter_middle_phase(owner)
    course.enter_termination_phase(owner)
    area = course.problem_areas.get()
    area.set_goals(["Mourn the old role.", "Build mastery in the new role."])
    ProblemAreaGoal.objects.filter(problem_area__course=course).update(
        review=ProblemAreaGoal.Review.ACHIEVED
    )
    ProgressReview.objects.create(
        course=course,
        reviewed_on=today(),
        what_helped="Speaking up early.",
        further_treatment="Referred back to the GP for a medication review.",
    )
    plan = RelapsePreventionPlan.objects.create(
        course=course, written_on=today(), if_symptoms_return="Ring the clinic."
    )
    RelapseTrigger.objects.create(
        plan=plan, trigger="Rows", warning_signs="Going quiet", coping="Talk", people="Maria"
    )
    return course


def test_completing_the_course_is_refused_while_a_signal_is_open(therapist, patient, owner):
    course = in_termination_ready_to_complete(CourseFactory(patient=patient), owner)
    measure = phq9(course, 2, ago=1)
    response = therapist.post(reverse("course:complete", args=[course.pk]))
    assert messages_of(response) == [
        blocker("PHQ-9 item 9 scored 2", measure.taken_on),
        "The course stays in the termination phase until these are recorded.",
    ]
    course.refresh_from_db()
    assert course.phase == Phase.TERMINATION
    assert not PhaseTransition.objects.filter(course=course, to_phase=Phase.COMPLETED).exists()

    therapist.post(risk_url(course, measure=measure.pk), risk_data())
    response = therapist.post(reverse("course:complete", args=[course.pk]))
    course.refresh_from_db()
    assert course.phase == Phase.COMPLETED, messages_of(response)


@pytest.mark.parametrize("reason", EndReason.values)
def test_ending_early_is_refused_for_every_reason_while_a_signal_is_open(
    therapist, patient, reason
):
    course = middle_course(patient)
    measure = phq9(course, 2, ago=3)
    url = reverse("course:end_early", args=[course.pk])
    data = {
        "reason": reason,
        "ended_on": today().isoformat(),
        "note": "Moved away; referred to the local team.",
    }
    response = therapist.post(url, data)
    assert response.status_code == 200
    assert blocker("PHQ-9 item 9 scored 2", measure.taken_on) in response.text
    course.refresh_from_db()
    assert course.phase == Phase.MIDDLE
    assert course.ended_on is None
    assert not course.transitions.exists()

    therapist.post(risk_url(course, measure=measure.pk), risk_data())
    assert therapist.post(url, data).status_code == 302
    course.refresh_from_db()
    assert (course.phase, course.end_reason) == (Phase.ENDED_EARLY, reason)


def test_ending_early_is_refused_over_a_hamd_signal_too(therapist, patient):
    course = middle_course(patient)
    MeasureFactory(
        course=course,
        instrument_code="hamd17",
        answers=[0, 0, 1] + [0] * 14,
        taken_on=today(),
    )
    response = therapist.post(
        reverse("course:end_early", args=[course.pk]),
        {"reason": EndReason.DROP_OUT, "ended_on": today().isoformat(), "note": ""},
    )
    assert blocker("HAM-D-17 item 3 (suicide) rated 1", today()) in response.text
    course.refresh_from_db()
    assert course.phase == Phase.MIDDLE


def test_finalising_a_session_is_refused_while_a_course_signal_is_open(therapist, patient):
    course = middle_course(patient)
    measure = phq9(course, 1, ago=2)  # taken outside this session
    session = SessionFactory(
        course=course, number=1, scheduled_for=timezone.now() - timedelta(hours=1)
    )
    response = therapist.post(reverse("sessions_app:finalise", args=[session.pk]))
    assert blocker("PHQ-9 item 9 scored 1", measure.taken_on) in messages_of(response)
    session.refresh_from_db()
    assert not session.is_finalised

    RiskAssessmentFactory(course=course, assessed_on=today(), level="low")  # any later one
    therapist.post(reverse("sessions_app:finalise", args=[session.pk]))
    session.refresh_from_db()
    assert session.is_finalised


# --- a risk assessment is written whatever the phase ------------------------------------------
@pytest.mark.parametrize("phase", [Phase.ENDED_EARLY, Phase.COMPLETED])
def test_a_risk_assessment_stays_writable_after_the_course_closed(therapist, patient, phase):
    course = CourseFactory(
        patient=patient,
        phase=phase,
        start_date=today() - timedelta(days=90),
        ended_on=today() - timedelta(days=5),
        end_reason=EndReason.DROP_OUT if phase == Phase.ENDED_EARLY else "",
    )
    measure = phq9(course, 2, ago=1)  # e.g. at a follow-up after the ending
    page = therapist.get(course.get_absolute_url()).text
    assert f"Suicide risk: PHQ-9 item 9 scored 2 on {day(measure.taken_on)}" in banner(page)
    href = link(page, "Document the risk assessment now")
    form = therapist.get(href)
    assert form.status_code == 200
    assert "Record the assessment" in form.text
    assert "<fieldset disabled>" not in form.text
    response = therapist.post(href, risk_data(measure=measure.pk))
    assert response.status_code == 302
    assert response.url == course.get_absolute_url()
    assert course.risk_assessments.count() == 1
    assert banner(therapist.get(course.get_absolute_url()).text) == ""
    # Only the risk assessment: the rest of the closed record stays final.
    new_measure = reverse("course:measure_new", args=[course.pk, "phq9"])
    assert therapist.post(new_measure, {}).status_code == 403


def test_a_supervisor_cannot_write_a_risk_assessment(client_for, supervisor, patient):
    course = middle_course(patient)
    measure = phq9(course, 2)
    sup = client_for(supervisor)
    page = sup.get(course.get_absolute_url()).text
    assert f"Suicide risk: PHQ-9 item 9 scored 2 on {day(today())}" in banner(page)
    assert "Document the risk assessment now" not in page  # the links are the therapist's
    assert sup.get(risk_url(course, measure=measure.pk)).status_code == 200  # read-only
    response = sup.post(risk_url(course, measure=measure.pk), risk_data())
    assert response.status_code == 403
    assert not RiskAssessment.objects.exists()


# --- the risk history wherever the course is read -----------------------------------------------
@pytest.fixture
def course_with_history(patient):
    course = middle_course(patient)
    first = phq9(course, 2, ago=10)
    RiskAssessmentFactory(
        course=course,
        measure=first,
        reason=RiskAssessment.Reason.PHQ9_ITEM9,
        assessed_on=first.taken_on,
        level=RiskAssessment.Level.HIGH,
        safety_plan="Call the crisis line; stay with Maria tonight.",
        actions_taken="Crisis team informed.",
    )
    phq9(course, 1, ago=1)  # not yet answered
    return course


def in_order(text, *parts):
    positions = [text.find(p) for p in parts]
    assert -1 not in positions, [p for p, at in zip(parts, positions, strict=True) if at == -1]
    assert positions == sorted(positions), parts


def test_the_risk_history_is_on_the_course_page(therapist, course_with_history):
    page = therapist.get(course_with_history.get_absolute_url()).text
    history_html = page[page.index('id="risk-history-heading"') :]
    in_order(
        " ".join(history_html.split()),
        "Risk signal: PHQ-9 item 9 scored 2",
        "Answered by an assessment",
        "Risk assessment (phq-9 item 9 above 0)",
        "<strong>High</strong>. Safety plan: Call the crisis line; stay with Maria tonight.",
        "Risk signal: PHQ-9 item 9 scored 1",
        "<strong>No risk assessment yet</strong>",
    )
    # Both shown at the top: the open signal and the high level behind it.
    top = banner(page)
    assert "PHQ-9 item 9 scored 1" in top
    assert "Current risk: <strong>high</strong>" in top


def test_the_risk_history_is_on_the_supervisor_s_course_review(
    client_for, supervisor, course_with_history
):
    response = client_for(supervisor).get(reverse("course:review", args=[course_with_history.pk]))
    assert response.status_code == 200
    text = " ".join(response.text.split())
    in_order(
        text,
        "Risk history",
        "Risk signal: PHQ-9 item 9 scored 2",
        "<strong>High</strong>",
        "Risk signal: PHQ-9 item 9 scored 1",
        "<strong>No risk assessment yet</strong>",
    )


def test_the_risk_history_is_in_the_course_summary_pdf(therapist, course_with_history):
    response = prepared_summary(therapist, course_with_history)
    assert response.status_code == 200
    text = pdf_text(response)
    in_order(
        text,
        "Risk history",
        "Risk signal: PHQ-9 item 9 scored 2",
        "Risk assessment: high (phq-9 item 9 above 0).",
        "Safety plan: Call the crisis line; stay with Maria tonight.",
        "Actions: Crisis team informed.",
        "Risk signal: PHQ-9 item 9 scored 1 (no risk assessment)",
    )


def test_a_course_without_risk_says_so_in_its_history(therapist, patient):
    course = middle_course(patient)
    page = therapist.get(course.get_absolute_url()).text
    assert "No risk signal and no risk assessment in this course." in page


def test_a_missed_session_is_refused_with_both_reasons_named(therapist, patient):
    """A missed session is never finalised; the open signal is named as well."""
    course = middle_course(patient)
    measure = phq9(course, 1, ago=2)
    session = SessionFactory(
        course=course,
        number=1,
        scheduled_for=timezone.now() - timedelta(hours=1),
        status=Session.Status.MISSED,
    )
    said = messages_of(therapist.post(reverse("sessions_app:finalise", args=[session.pk])))
    assert "Only a session that was held is finalised: mark it as held first." in said
    assert blocker("PHQ-9 item 9 scored 1", measure.taken_on) in said
