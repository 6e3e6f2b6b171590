from datetime import date, timedelta

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from ipt.models import (
    EndReason,
    MeasureResponse,
    Phase,
    PhaseTransition,
    SuitabilityScreen,
    TransitionRefused,
    TreatmentCourse,
)
from tests.factories import (
    CourseFactory,
    MeasureFactory,
    SuitabilityFactory,
    ready_for_middle_phase,
)

START = {
    "variant": "individual",
    "planned_sessions": 12,
    "session_minutes": 50,
    "initial_phase_sessions": 3,
    "start_date": "2026-09-07",
}


def _reload(course):
    return TreatmentCourse.objects.with_initial_phase().get(pk=course.pk)


# --- starting a course -------------------------------------------------------------------------
def test_therapist_starts_a_course_in_the_initial_phase(client_for, owner, patient):
    response = client_for(owner).post(reverse("course_start", args=[patient.pk]), START)
    course = patient.courses.get()
    assert response.url == course.get_absolute_url()
    assert course.phase == Phase.INITIAL
    assert course.expected_end_date == date(2026, 11, 23)


@pytest.mark.parametrize(
    ("variant", "sessions", "ok"),
    [("individual", 12, True), ("individual", 16, True), ("individual", 17, False),
     ("individual", 11, False), ("brief", 8, True), ("brief", 12, False), ("adolescent", 12, True),
     ("adolescent", 10, False)],
)  # fmt: skip
def test_number_of_sessions_follows_the_variant(client_for, owner, patient, variant, sessions, ok):
    if variant == "adolescent":  # IPT-A is offered to 12-18 year olds
        patient.date_of_birth = date(2011, 1, 1)
        patient.save(update_fields=["date_of_birth"])
    data = {**START, "variant": variant, "planned_sessions": sessions, "initial_phase_sessions": 2}
    response = client_for(owner).post(reverse("course_start", args=[patient.pk]), data)
    assert patient.courses.exists() is ok
    if not ok:
        assert "sessions." in response.text
        assert f'value="{sessions}"' in response.text


def test_initial_phase_must_leave_room_for_the_rest(client_for, owner, patient):
    data = {**START, "initial_phase_sessions": 12}
    response = client_for(owner).post(reverse("course_start", args=[patient.pk]), data)
    assert "must leave sessions for the middle and termination phases" in response.text


def test_a_patient_has_one_active_course_at_a_time(client_for, owner, patient):
    course = CourseFactory(patient=patient)
    response = client_for(owner).post(reverse("course_start", args=[patient.pk]), START)
    assert response.url == course.get_absolute_url()
    assert patient.courses.count() == 1
    with pytest.raises(IntegrityError):
        CourseFactory(patient=patient)


def test_an_ended_course_stays_and_a_new_one_can_start(owner, patient):
    first = CourseFactory(patient=patient)
    first.end_early(owner, EndReason.DROP_OUT, date(2026, 10, 1), note="Stopped attending.")
    second = CourseFactory(patient=patient)
    assert set(patient.courses.all()) == {first, second}


# --- the overview ------------------------------------------------------------------------------
def test_overview_shows_each_step_and_the_next_one(client_for, owner, patient):
    course = CourseFactory(patient=patient)
    SuitabilityFactory(course=course)
    response = client_for(owner).get(course.get_absolute_url())
    assert "Suitability screen" in response.text
    assert "Next step:" in response.text
    assert reverse("course:diagnosis", args=[course.pk]) in response.text
    assert [s.done for s in _reload(course).initial_phase_steps()][:2] == [True, False]


def test_overview_query_count_is_fixed(client_for, owner, patient, django_assert_max_num_queries):
    course = ready_for_middle_phase(CourseFactory(patient=patient))
    client = client_for(owner)
    client.get(course.get_absolute_url())  # stores the course's watch (factories bypass it)
    with django_assert_max_num_queries(25) as small:
        client.get(course.get_absolute_url())
    fewest = len(small.captured_queries)  # read now: the next request clears the query log
    for _ in range(10):
        MeasureFactory(course=course)
    client.get(course.get_absolute_url())
    with django_assert_max_num_queries(fewest):
        client.get(course.get_absolute_url())


# --- entering the middle phase -----------------------------------------------------------------
def test_middle_phase_is_refused_with_every_missing_step_named(owner, patient):
    course = _reload(CourseFactory(patient=patient))
    with pytest.raises(TransitionRefused) as refused:
        course.enter_middle_phase(owner)
    text = " ".join(refused.value.reasons)
    for missing in ("suitability screen", "diagnosis", "baseline PHQ-9", "sick role",
                    "interpersonal inventory", "problem area", "treatment contract"):  # fmt: skip
        assert missing in text
    assert course.phase == Phase.INITIAL
    assert not PhaseTransition.objects.exists()


def test_middle_phase_needs_a_signed_contract(owner, patient):
    course = _reload(ready_for_middle_phase(CourseFactory(patient=patient), sign=False))
    with pytest.raises(TransitionRefused, match="treatment contract has not been signed"):
        course.enter_middle_phase(owner)


def test_middle_phase_needs_a_risk_assessment_when_item_9_is_positive(owner, patient):
    course = ready_for_middle_phase(CourseFactory(patient=patient))
    MeasureFactory(course=course, answers=(1, 1, 1, 1, 1, 1, 1, 1, 1))
    with pytest.raises(TransitionRefused, match="suicide-risk assessment must be documented"):
        _reload(course).enter_middle_phase(owner)


def test_contraindication_blocks_unless_overridden(owner, patient):
    course = ready_for_middle_phase(CourseFactory(patient=patient))
    screen = course.suitability
    screen.active_psychosis = True
    screen.save()
    with pytest.raises(TransitionRefused, match="active psychosis"):
        _reload(course).enter_middle_phase(owner)
    screen.override_reason = "Psychosis resolved on medication; psychiatrist agrees IPT may start."
    screen.save()
    _reload(course).enter_middle_phase(owner)


def test_entering_the_middle_phase_is_recorded(client_for, owner, patient):
    course = ready_for_middle_phase(CourseFactory(patient=patient))
    client_for(owner).post(
        reverse("course:enter_middle", args=[course.pk]), {"note": "Contract signed."}
    )
    course.refresh_from_db()
    assert course.phase == Phase.MIDDLE
    transition = PhaseTransition.objects.get()
    assert (transition.from_phase, transition.to_phase, transition.by, transition.note) == (
        Phase.INITIAL, Phase.MIDDLE, owner, "Contract signed.",
    )  # fmt: skip


def test_refused_transition_tells_the_therapist_what_is_missing(client_for, owner, patient):
    course = CourseFactory(patient=patient)
    response = client_for(owner).post(reverse("course:enter_middle", args=[course.pk]), follow=True)
    assert "No baseline PHQ-9 has been recorded." in response.text
    assert "stays in the initial phase" in response.text


def test_later_transitions_are_guarded_by_phase(owner, patient):
    course = _reload(CourseFactory(patient=patient))
    with pytest.raises(TransitionRefused, match="initial phase"):
        course.enter_termination_phase(owner)
    with pytest.raises(TransitionRefused):
        course.complete(owner)


# --- ending early ------------------------------------------------------------------------------
@pytest.mark.parametrize("phase", [Phase.INITIAL, Phase.MIDDLE, Phase.TERMINATION])
def test_a_course_can_end_early_from_any_active_phase(owner, patient, phase):
    course = CourseFactory(patient=patient, phase=phase)
    course.end_early(owner, EndReason.HOSPITALISATION, date(2026, 10, 2), note="Admitted.")
    course.refresh_from_db()
    assert course.phase == Phase.ENDED_EARLY
    assert course.end_reason == EndReason.HOSPITALISATION
    assert PhaseTransition.objects.get().from_phase == phase


def test_early_ending_needs_a_reason_and_a_sensible_date(client_for, owner, patient):
    course = CourseFactory(patient=patient)
    url = reverse("course:end_early", args=[course.pk])
    response = client_for(owner).post(
        url, {"reason": "other", "ended_on": "2026-01-01", "note": ""}
    )
    assert "Describe what happened" in response.text
    assert "cannot end before it started" in response.text
    course.refresh_from_db()
    assert course.phase == Phase.INITIAL


def test_ended_course_stays_readable_but_not_writable(client_for, owner, patient):
    course = CourseFactory(patient=patient)
    client = client_for(owner)
    client.post(
        reverse("course:end_early", args=[course.pk]),
        {"reason": "drop_out", "ended_on": timezone.localdate().isoformat(), "note": "No contact."},
    )
    assert client.get(course.get_absolute_url()).status_code == 200
    response = client.post(
        reverse("course:suitability", args=[course.pk]), {"screened_on": "2026-09-07"}
    )
    assert response.status_code == 403


# --- suitability, diagnosis, measures, risk -----------------------------------------------------
def screen_answers(**changes):
    """A suitability screen answered in full: nothing present, every capacity there."""
    answers = {
        "screened_on": "2026-09-07",
        **dict.fromkeys(
            [
                "acute_mania",
                "active_psychosis",
                "severe_neurocognitive_impairment",
                "severe_substance_use",
                "acute_suicidality",
            ],
            "no",
        ),
        **dict.fromkeys(["reality_testing", "sustained_attention", "learning", "alliance"], "yes"),
    }
    return answers | changes


def test_an_untouched_suitability_screen_is_not_a_pass(client_for, owner, patient):
    course = CourseFactory(patient=patient)
    response = client_for(owner).post(
        reverse("course:suitability", args=[course.pk]), {"screened_on": "2026-09-07"}
    )
    assert response.status_code == 200
    assert "Answer yes or no: acute mania." in response.text
    assert "Answer yes or no: can reality-test." in response.text
    assert not SuitabilityScreen.objects.filter(course=course).exists()


def test_a_fully_answered_screen_records_capacities(client_for, owner, patient):
    course = CourseFactory(patient=patient)
    client_for(owner).post(reverse("course:suitability", args=[course.pk]), screen_answers())
    screen = _reload(course).suitability
    assert screen.passed and screen.reality_testing is True and screen.acute_mania is False


def test_a_lacking_capacity_blocks_like_a_contraindication(client_for, owner, patient):
    course = CourseFactory(patient=patient)
    client_for(owner).post(
        reverse("course:suitability", args=[course.pk]), screen_answers(alliance="no")
    )
    screen = _reload(course).suitability
    assert not screen.cleared
    assert screen.contraindications == ["not: can form a working alliance"]


def test_positive_screen_warns_and_keeps_the_course_blocked(client_for, owner, patient):
    course = CourseFactory(patient=patient)
    response = client_for(owner).post(
        reverse("course:suitability", args=[course.pk]),
        screen_answers(acute_mania="yes"),
        follow=True,
    )
    assert "stabilisation comes first" in response.text
    assert not _reload(course).suitability.cleared


def test_phq9_is_scored_and_banded(client_for, owner, patient):
    course = CourseFactory(patient=patient)
    answers = {f"item_{i}": 2 for i in range(1, 9)} | {"item_9": 0, "difficulty": 1}
    response = client_for(owner).post(
        reverse("course:measure_new", args=[course.pk, "phq9"]),
        {"taken_on": "2026-09-07", **answers},
        follow=True,
    )
    measure = MeasureResponse.objects.get()
    assert (measure.total, measure.band.label) == (16, "Moderately severe")
    assert "PHQ-9 recorded: 16 (moderately severe)." in response.text


def test_phq9_with_an_unanswered_item_is_explained_and_keeps_the_answers(
    client_for, owner, patient
):
    course = CourseFactory(patient=patient)
    answers = {f"item_{i}": 1 for i in range(1, 9)}
    response = client_for(owner).post(
        reverse("course:measure_new", args=[course.pk, "phq9"]),
        {"taken_on": "2026-09-07", **answers},
    )
    assert "Choose a score for this item." in response.text
    assert response.text.count("checked") >= 8
    assert not MeasureResponse.objects.exists()


def test_positive_item_9_sends_the_therapist_to_a_risk_assessment(client_for, owner, patient):
    course = CourseFactory(patient=patient)
    client = client_for(owner)
    answers = {f"item_{i}": 1 for i in range(1, 10)}
    response = client.post(
        reverse("course:measure_new", args=[course.pk, "phq9"]),
        {"taken_on": "2026-09-07", **answers},
    )
    measure = MeasureResponse.objects.get()
    assert response.url == reverse("course:risk_new", args=[course.pk]) + f"?measure={measure.pk}"
    page = client.get(course.get_absolute_url()).text
    assert "Suicide risk: PHQ-9 item 9 scored 1" in page

    client.post(
        response.url,
        {
            "measure": measure.pk,
            "assessed_on": "2026-09-07",
            "level": "moderate",
            "findings": "Passive thoughts, no plan or intent.",
            "safety_plan": "Call sister Rosa; crisis line numbers given.",
            "actions_taken": "GP informed.",
        },
    )
    assert measure.risk_assessments.get().level == "moderate"
    assert "no risk assessment is documented" not in client.get(course.get_absolute_url()).text


def test_unknown_measure_is_404(client_for, owner, patient):
    course = CourseFactory(patient=patient)
    response = client_for(owner).get(reverse("course:measure_new", args=[course.pk, "bdi"]))
    assert response.status_code == 404


def test_future_measure_date_is_refused(client_for, owner, patient):
    course = CourseFactory(patient=patient)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    answers = {f"item_{i}": 0 for i in range(1, 10)}
    response = client_for(owner).post(
        reverse("course:measure_new", args=[course.pk, "phq9"]), {"taken_on": tomorrow, **answers}
    )
    assert "on or after the day it was taken" in response.text


def test_diagnosis_other_needs_a_name(client_for, owner, patient):
    course = CourseFactory(patient=patient)
    response = client_for(owner).post(
        reverse("course:diagnosis", args=[course.pk]),
        {"disorder": "other", "episode": "single", "severity": "mild",
         "onset": "2026-05-01", "diagnosed_on": "2026-09-07", "notes": "typed notes"},
    )  # fmt: skip
    assert "Name the disorder." in response.text
    assert "typed notes" in response.text


def test_saving_the_diagnosis_leads_to_the_baseline_phq9(client_for, owner, patient):
    course = CourseFactory(patient=patient)
    response = client_for(owner).post(
        reverse("course:diagnosis", args=[course.pk]),
        {"disorder": "mdd", "episode": "recurrent", "severity": "moderate",
         "onset": "2026-05-01", "diagnosed_on": "2026-09-07", "explained_as_illness": "on"},
    )  # fmt: skip
    assert response.url == reverse("course:measure_new", args=[course.pk, "phq9"])
    assert _reload(course).diagnosis.summary == "Major depressive disorder, recurrent, moderate"


@pytest.mark.parametrize("typed", ["2026-03", "March 2026", "Mar 2026", "03/2026", "2026-03-17"])
def test_the_onset_is_a_month_and_reads_as_one(client_for, owner, patient, typed):
    course = CourseFactory(patient=patient)
    client = client_for(owner)
    response = client.post(
        reverse("course:diagnosis", args=[course.pk]),
        {"disorder": "mdd", "episode": "single", "severity": "mild",
         "onset": typed, "diagnosed_on": "2026-09-07", "explained_as_illness": "on"},
    )  # fmt: skip
    assert response.status_code == 302, response.text
    assert _reload(course).diagnosis.onset == date(2026, 3, 1)
    page = client.get(reverse("course:diagnosis", args=[course.pk])).text
    assert 'type="month"' in page and 'value="2026-03"' in page
    assert "March 2026" in client.get(reverse("course:timeline", args=[course.pk])).text


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("sometime", "Enter a month and year, e.g. 2026-03 or March 2026."),
        ("2099-01", "The month cannot be in the future."),
        ("1850-01", "Enter a month from 1900 on."),
        ("2026-10", "The episode&#x27;s onset comes before the diagnosis."),
    ],
)
def test_an_onset_that_is_no_month_is_refused_with_the_text_kept(
    client_for, owner, patient, typed, message
):
    course = CourseFactory(patient=patient)
    response = client_for(owner).post(
        reverse("course:diagnosis", args=[course.pk]),
        {"disorder": "mdd", "episode": "single", "severity": "mild",
         "onset": typed, "diagnosed_on": "2026-09-07", "explained_as_illness": "on"},
    )  # fmt: skip
    assert response.status_code == 200
    assert message in response.text
    assert f'value="{typed}"' in response.text


def test_the_middle_phase_can_begin_on_the_day_it_was_agreed(client_for, owner, patient):
    course = ready_for_middle_phase(CourseFactory(patient=patient))
    agreed = timezone.localdate() - timedelta(days=3)
    client = client_for(owner)
    client.post(reverse("course:enter_middle", args=[course.pk]), {"on": agreed.isoformat()})
    transition = PhaseTransition.objects.get()
    assert (transition.on, transition.began_on) == (agreed, agreed)
    assert f"{agreed:%-d %b %Y}" in client.get(course.get_absolute_url()).text


@pytest.mark.parametrize("days", [1, -400])
def test_a_phase_date_in_the_future_or_before_the_course_is_refused_with_the_note_kept(
    client_for, owner, patient, days
):
    course = ready_for_middle_phase(CourseFactory(patient=patient))
    response = client_for(owner).post(
        reverse("course:enter_middle", args=[course.pk]),
        {"on": (timezone.localdate() + timedelta(days=days)).isoformat(), "note": "typed note"},
    )
    assert response.status_code == 200
    assert "typed note" in response.text
    assert not PhaseTransition.objects.exists()
    assert _reload(course).phase == Phase.INITIAL
