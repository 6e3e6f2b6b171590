"""Adherence to the IPT model (ipt/rules/adherence.py): each rule at its boundary, then the course page.

Pure rules are tested on plain CourseFacts; facts_for is tested against the database.
"""

from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from ipt.devtools.demo.builders import backdating
from ipt.models import (
    Phase,
    PhaseTransition,
    ProblemArea,
    RelapsePreventionPlan,
    RelapseTrigger,
    TreatmentCourse,
)
from ipt.rules import adherence
from ipt.rules.adherence import (
    CourseFacts,
    HomeworkFacts,
    SessionFacts,
    check_ending_raised,
    check_homework,
    check_middle_sessions,
    check_problem_area_and_contract,
    check_relapse_plan,
    check_sick_role_and_inventory,
    run_checks,
    summarise,
)
from sessions_app.adherence import facts_for, prefetch_for_adherence, sessions_for_adherence
from sessions_app.models import DisputeStageChange
from tests.factories import (
    CommunicationAnalysisFactory,
    ContractFactory,
    CourseFactory,
    HomeworkFactory,
    InterpersonalEventFactory,
    InventoryPersonFactory,
    MeasureFactory,
    ProblemAreaFactory,
    SessionFactory,
    SuitabilityFactory,
    ready_for_middle_phase,
)

START = date(2026, 9, 7)  # a Monday; session n is on START + (n - 1) weeks


def on(n):
    return START + timedelta(weeks=n - 1)


def good(n, status="held", **kw):
    """A session that did everything a middle session should."""
    return SessionFacts(
        number=n,
        on=on(n),
        status=status,
        mood_checked=True,
        interpersonal=True,
        focal_work=True,
        **kw,
    )


def facts(*, sessions=12, held=0, **kw):
    """A 12-session course with sessions 1..held held and the rest planned."""
    defaults = {
        "planned_sessions": 12,
        "initial_phase_sessions": 3,
        "phase": Phase.MIDDLE,
        "today": on(held) + timedelta(days=1) if held else START,
        "sessions": tuple(
            good(n) if n <= held else good(n, "planned") for n in range(1, sessions + 1)
        ),
        "sick_role_given_on": START,
        "inventory_people": 2,
        "inventory_started_on": START,
        "problem_areas": 1,
        "contract_signed_on": on(3),
        "middle_entered_on": on(3) + timedelta(days=1),
        "formulation_shared_on": on(3),
    }
    defaults.update(kw)
    return CourseFacts(**defaults)


def with_session(f, number, **changes):
    return replace(
        f, sessions=tuple(replace(s, **changes) if s.number == number else s for s in f.sessions)
    )


# --- sick role and inventory in the initial phase ---------------------------------------------
def test_sick_role_given_on_the_last_initial_phase_session_is_in_time():
    assert check_sick_role_and_inventory(facts(held=5, sick_role_given_on=on(3))).ok is True


def test_sick_role_given_a_day_after_the_last_initial_phase_session_is_a_gap():
    result = check_sick_role_and_inventory(facts(held=5, sick_role_given_on=on(3) + timedelta(1)))
    assert result.ok is False
    assert result.message == (
        "The sick role was given on 22 Sep 2026, after the last initial-phase session "
        "(session 3, 21 Sep 2026)."
    )


def test_sick_role_not_given_is_not_yet_due_until_the_last_initial_phase_session_has_passed():
    waiting = facts(held=3, sick_role_given_on=None, middle_entered_on=None, phase=Phase.INITIAL)
    assert check_sick_role_and_inventory(replace(waiting, today=on(3))).ok is None
    late = check_sick_role_and_inventory(replace(waiting, today=on(3) + timedelta(1)))
    assert late.ok is False
    assert "The sick role was not given by the end of the initial phase" in late.message


def test_inventory_counts_from_entering_the_middle_phase_when_entered_later():
    # The middle phase cannot begin without an inventory: entering it shows it was done.
    f = facts(held=5, inventory_started_on=on(5), middle_entered_on=on(3))
    assert check_sick_role_and_inventory(f).ok is True
    late = replace(f, middle_entered_on=on(4))
    result = check_sick_role_and_inventory(late)
    assert result.ok is False
    assert "The interpersonal inventory was begun on 28 Sep 2026" in result.message


def test_empty_inventory_is_not_yet_in_the_initial_phase():
    f = facts(held=1, inventory_people=0, inventory_started_on=None, middle_entered_on=None)
    assert check_sick_role_and_inventory(f).ok is None


def test_cancelled_sessions_do_not_count_towards_the_initial_phase():
    f = facts(held=5, sick_role_given_on=on(4))
    assert check_sick_role_and_inventory(f).ok is False
    cancelled = with_session(f, 2, status="cancelled")  # session 4 is now the third that counts
    assert check_sick_role_and_inventory(cancelled).ok is True


# --- problem area and contract by the end of the initial phase -----------------------------------
def test_contract_signed_on_the_last_initial_phase_session_is_in_time():
    f = facts(held=3, phase=Phase.INITIAL, middle_entered_on=None, contract_signed_on=on(3))
    assert check_problem_area_and_contract(f).ok is True


def test_contract_signed_a_day_after_the_last_initial_phase_session_is_a_gap():
    f = facts(
        held=3,
        phase=Phase.INITIAL,
        middle_entered_on=None,
        contract_signed_on=on(3) + timedelta(1),
    )
    result = check_problem_area_and_contract(f)
    assert result.ok is False
    assert result.message.startswith("The problem area and contract were agreed on 22 Sep 2026")


def test_entering_the_middle_phase_in_time_shows_the_contract_was_agreed():
    f = facts(held=5, contract_signed_on=None, middle_entered_on=on(3))
    assert check_problem_area_and_contract(f).ok is True


def test_no_contract_is_a_gap_only_once_the_initial_phase_has_passed():
    f = facts(held=3, phase=Phase.INITIAL, middle_entered_on=None, contract_signed_on=None)
    assert check_problem_area_and_contract(replace(f, today=on(3))).ok is None
    result = check_problem_area_and_contract(replace(f, today=on(3) + timedelta(1)))
    assert result.ok is False
    assert "were not agreed by the end of the initial phase (session 3, 21 Sep 2026)" in (
        result.message
    )


def test_a_signed_contract_without_a_problem_area_is_not_agreement():
    f = facts(held=5, phase=Phase.INITIAL, middle_entered_on=None, problem_areas=0)
    assert check_problem_area_and_contract(f).ok is False


# --- each middle session: mood tied to interpersonal events, work on the focal area -------------
def test_middle_sessions_that_do_both_are_met():
    result = check_middle_sessions(facts(held=6))
    assert result.ok is True
    assert result.message.startswith("All 3 middle-phase sessions")


def test_no_middle_session_held_is_not_yet():
    assert check_middle_sessions(facts(held=3)).ok is None


@pytest.mark.parametrize(
    ("change", "missing"),
    [
        ({"mood_checked": False}, "No mood check tied to interpersonal events in session 5."),
        ({"interpersonal": False}, "No mood check tied to interpersonal events in session 5."),
        ({"focal_work": False}, "No work on the focal area recorded in session 5."),
    ],
)
def test_a_middle_session_missing_a_marker_is_named(change, missing):
    result = check_middle_sessions(with_session(facts(held=6), 5, **change))
    assert result.ok is False
    assert result.message == missing
    assert result.sessions == (5,)


def test_several_sessions_are_named_together():
    f = facts(held=7)
    for n in (4, 6):
        f = with_session(f, n, focal_work=False)
    assert (
        check_middle_sessions(f).message
        == "No work on the focal area recorded in sessions 4 and 6."
    )


def test_initial_termination_missed_and_pre_middle_sessions_are_not_middle_sessions():
    f = facts(held=12, phase=Phase.TERMINATION, termination_entered_on=on(10))
    bare = {"mood_checked": False, "interpersonal": False, "focal_work": False}
    for n in (1, 2, 3, 10, 11, 12):
        f = with_session(f, n, **bare)
    f = with_session(f, 7, status="missed", **bare)
    assert check_middle_sessions(f).ok is True
    # A fourth session held before the middle phase began belongs to the initial phase.
    late_start = with_session(replace(f, middle_entered_on=on(5)), 4, **bare)
    assert check_middle_sessions(late_start).ok is True


# --- homework set and reviewed ---------------------------------------------------------------
def homework(*numbers, reviewed=True):
    return tuple(
        HomeworkFacts(n, "done" if reviewed else "", n + 1 if reviewed else None) for n in numbers
    )


def test_homework_set_in_each_middle_session_and_reviewed_at_the_next_is_met():
    f = facts(held=7, homework=homework(3, 4, 5, 6) + homework(7, reviewed=False))
    result = check_homework(f)
    assert result.ok is True  # session 7's homework is reviewed in session 8, still to come


def test_homework_in_two_thirds_of_the_middle_sessions_is_enough():
    # IPT sets homework in most sessions, not every one (seed 001: "occasionally").
    assert check_homework(facts(held=6, homework=homework(4, 6))).ok is True


def test_too_few_middle_sessions_with_homework_are_named():
    result = check_homework(facts(held=6, homework=homework(4)))
    assert result.ok is False
    assert result.message == (
        "Homework was set in 1 of 3 middle-phase sessions (IPT expects most, at least two "
        "thirds): none in sessions 5 and 6."
    )
    assert result.sessions == (5, 6)


def test_homework_not_reviewed_at_the_next_held_session_is_a_gap():
    f = facts(held=6, homework=homework(4, 5) + homework(6, reviewed=False))
    assert check_homework(f).ok is True
    f = replace(f, sessions=(*f.sessions[:6], good(7), *f.sessions[7:]))
    result = check_homework(f)
    assert result.ok is False
    assert "Homework set in session 6 was not reviewed in session 7." in result.message


def test_homework_reviewed_later_than_the_next_held_session_is_a_gap():
    f = facts(held=6, homework=(*homework(4), HomeworkFacts(5, "done", 7), *homework(6)))
    assert check_homework(replace(f, homework=homework(4, 5, 6))).ok is True
    result = check_homework(f)
    assert result.ok is False
    assert "Homework set in session 5 was not reviewed in session 6." in result.message


def test_homework_is_reviewed_at_the_next_session_held_after_a_missed_one():
    f = with_session(facts(held=6), 5, status="missed")
    assert check_homework(replace(f, homework=(HomeworkFacts(4, "partly", 6), *homework(6)))).ok
    result = check_homework(replace(f, homework=(HomeworkFacts(4), *homework(6))))
    assert result.ok is False
    assert result.message == "Homework set in session 4 was not reviewed in session 6."


def test_homework_is_not_yet_due_before_the_middle_phase():
    assert check_homework(facts(held=2, middle_entered_on=None, phase=Phase.INITIAL)).ok is None


# --- the ending raised at least two sessions before the last -------------------------------------
def test_termination_entered_at_session_n_minus_2_is_in_time():
    f = facts(held=11, phase=Phase.TERMINATION, termination_entered_on=on(10))
    result = check_ending_raised(f)
    assert result.ok is True
    assert result.message == "The termination phase began at session 10 of 12."


def test_termination_entered_at_session_n_minus_1_is_a_gap():
    f = facts(held=11, phase=Phase.TERMINATION, termination_entered_on=on(11))
    result = check_ending_raised(f)
    assert result.ok is False
    assert result.message == (
        "The termination phase began at session 11 of 12: the ending should be raised by "
        "session 10."
    )


def test_termination_entered_the_day_after_session_n_minus_2_belongs_to_the_next_session():
    f = facts(held=11, phase=Phase.TERMINATION, termination_entered_on=on(10) + timedelta(days=1))
    assert check_ending_raised(f).ok is False


def test_ending_not_raised_is_not_yet_until_session_n_minus_2_has_passed():
    f = facts(held=9)
    assert check_ending_raised(replace(f, today=on(10))).ok is None
    result = check_ending_raised(replace(f, today=on(10) + timedelta(days=1)))
    assert result.ok is False
    assert "session 10 of 12 is past" in result.message


def test_ending_is_not_applicable_in_the_initial_phase_or_after_an_early_ending():
    assert check_ending_raised(facts(held=2, phase=Phase.INITIAL)).ok is None
    assert check_ending_raised(facts(held=11, phase=Phase.ENDED_EARLY)).ok is None


def test_ending_follows_the_contracted_number_of_sessions():
    f = facts(
        sessions=16, held=15, planned_sessions=16, phase=Phase.TERMINATION,
        termination_entered_on=on(14),
    )  # fmt: skip
    assert check_ending_raised(f).ok is True
    assert check_ending_raised(replace(f, termination_entered_on=on(15))).ok is False


# --- relapse-prevention plan -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("phase", "triggers", "ok"),
    [
        (Phase.MIDDLE, None, None),
        (Phase.TERMINATION, None, None),
        (Phase.TERMINATION, 0, None),
        (Phase.TERMINATION, 1, True),
        (Phase.COMPLETED, None, False),
        (Phase.COMPLETED, 0, False),
        (Phase.COMPLETED, 1, True),
        (Phase.ENDED_EARLY, None, None),
    ],
)
def test_relapse_plan_is_due_before_completion(phase, triggers, ok):
    assert check_relapse_plan(facts(held=10, phase=phase, relapse_triggers=triggers)).ok is ok


def test_completed_without_a_plan_says_so():
    result = check_relapse_plan(facts(held=12, phase=Phase.COMPLETED))
    assert result.message == (
        "The course was completed without a relapse-prevention plan mapping at least one trigger."
    )


# --- summary ---------------------------------------------------------------------------------
def test_summarise_counts_met_gaps_and_not_yet():
    f = facts(held=6, homework=homework(4))
    summary = summarise(run_checks(f))
    assert [r.state for r in summary.results] == [
        "met",
        "met",
        "met",
        "met",
        "gap",
        "not_yet",
        "not_yet",
    ]
    assert (summary.met, summary.gap_count, summary.not_yet, summary.applicable) == (4, 1, 2, 5)
    assert [g.key for g in summary.gaps] == ["homework"]


@pytest.mark.parametrize(
    ("states", "headline"),
    [
        ((None, None), "No marker is due yet."),
        ((True, None), "The one marker due so far is met."),
        ((True, True, None), "All 2 markers due so far are met."),
        ((True, False), "1 of the 2 markers due so far is met; 1 gap to look at."),
        ((True, True, False, False), "2 of the 4 markers due so far are met; 2 gaps to look at."),
        ((False, None), "1 gap to look at: no marker due so far is met."),
    ],
)
def test_summary_headline(states, headline):
    results = [adherence.CheckResult(str(n), "", ok, "") for n, ok in enumerate(states)]
    assert summarise(results).headline == headline


def test_ending_is_announced_from_the_initial_phase():
    result = check_ending_raised(facts(held=2, phase=Phase.INITIAL, middle_entered_on=None))
    assert (result.ok, result.message) == (None, "To be raised by session 10 of 12.")


# --- facts from the record --------------------------------------------------------------------
def _at(day, hour=11):
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _transition(course, by, to_phase, day, from_phase=None):
    t = PhaseTransition.objects.create(
        course=course,
        from_phase=from_phase or Phase.INITIAL,
        to_phase=to_phase,
        by=by,
    )
    with backdating():
        PhaseTransition.objects.filter(pk=t.pk).update(at=_at(day))


def _load(course):
    return TreatmentCourse.objects.with_initial_phase().get(pk=course.pk)


@pytest.fixture
def course(patient):
    return CourseFactory(patient=patient, start_date=START)


def test_contract_counts_from_the_later_signature(course, owner):
    SuitabilityFactory(course=course)
    ProblemAreaFactory(course=course)
    for n in range(1, 4):
        SessionFactory(course=course, number=n)
    contract = ContractFactory(course=course)
    contract.sign(patient_name="Pat", patient_date=on(3), therapist=owner, therapist_date=on(3))
    f = facts_for(_load(course), sessions_for_adherence(course), today=on(4))
    assert f.contract_signed_on == on(3)
    assert check_problem_area_and_contract(f).ok is True


def test_contract_signed_by_the_therapist_a_day_late_is_a_gap(course, owner):
    SuitabilityFactory(course=course)
    ProblemAreaFactory(course=course)
    for n in range(1, 4):
        SessionFactory(course=course, number=n)
    ContractFactory(course=course).sign(
        patient_name="Pat", patient_date=on(3), therapist=owner, therapist_date=on(3) + timedelta(1)
    )
    f = facts_for(_load(course), sessions_for_adherence(course), today=on(4))
    assert check_problem_area_and_contract(f).ok is False


def test_facts_read_what_each_session_recorded(course, owner):
    ready_for_middle_phase(course)
    maria = InventoryPersonFactory(course=course, name="Maria")
    dispute = ProblemAreaFactory(
        course=course, area=ProblemArea.Area.ROLE_DISPUTE, person=maria,
        dispute_stage="impasse", from_role="", to_role="",
    )  # fmt: skip
    phq9 = MeasureFactory(course=course, taken_on=on(4), answers=(1,) * 8 + (0,))
    s = {n: SessionFactory(course=course, number=n) for n in range(1, 10)}
    s[4].phq9 = phq9
    s[4].focal_notes = "Grieving the old job."
    s[4].save()
    InterpersonalEventFactory(session=s[4], person=maria)
    s[5].mood_rating = 4
    s[5].mood_context = "Low after the row with Maria."
    s[5].save()
    CommunicationAnalysisFactory(session=s[5], person=maria)
    s[6].mood_rating = 5
    s[6].techniques = ["role_play"]
    s[6].save()
    InterpersonalEventFactory(session=s[6], what_happened=" ", feelings="")  # an untyped row
    DisputeStageChange.objects.create(problem_area=dispute, session=s[7], stage="renegotiation")
    s[8].techniques = ["clarification"]
    s[8].save()
    s[9].status = "cancelled"
    s[9].save()
    HomeworkFactory(set_in=s[4], outcome="done", reviewed_in=s[5])
    HomeworkFactory(set_in=s[5], action="")  # an untyped row is not homework
    _transition(course, owner, Phase.MIDDLE, on(3))

    f = facts_for(_load(course), sessions_for_adherence(course), today=on(9))
    by_number = {x.number: x for x in f.sessions}
    assert (by_number[4].mood_checked, by_number[4].interpersonal, by_number[4].focal_work) == (
        True,
        True,
        True,
    )
    assert by_number[4].phq9 == 8
    assert (by_number[5].mood_checked, by_number[5].interpersonal, by_number[5].focal_work) == (
        True,
        True,
        True,
    )
    # A technique ticked without naming the focal area or its people is no focal work on record.
    assert (by_number[6].interpersonal, by_number[6].focal_work) == (False, False)
    assert by_number[7].focal_work is True  # a dispute stage reassessed
    assert by_number[8].focal_work is False  # clarification alone is not focal work on record
    assert by_number[9].status == "cancelled"
    assert f.homework == (HomeworkFacts(4, "done", 5),)
    assert f.middle_entered_on == on(3)
    assert f.termination_entered_on is None
    assert f.sick_role_given_on == START
    assert (f.baseline_phq9, f.latest_phq9, f.latest_phq9_session) == (13, 8, 4)

    result = check_middle_sessions(f)
    assert result.sessions == (6, 7, 8)


def test_facts_for_runs_no_query_of_its_own(course, owner, django_assert_num_queries):
    ready_for_middle_phase(course)
    for n in range(1, 6):
        session = SessionFactory(course=course, number=n)
        InterpersonalEventFactory(session=session)
        HomeworkFactory(set_in=session)
    plan = RelapsePreventionPlan.objects.create(
        course=course, written_on=on(5), if_symptoms_return="Book a booster session."
    )
    RelapseTrigger.objects.create(
        plan=plan, trigger="Rows about money", warning_signs="x", coping="y"
    )
    _transition(course, owner, Phase.MIDDLE, on(3))
    loaded = _load(course)
    sessions = sessions_for_adherence(loaded)
    with django_assert_num_queries(0):
        f = facts_for(loaded, sessions, today=on(6))
        summarise(run_checks(f))
    assert f.relapse_triggers == 1


def test_prefetch_for_adherence_serves_a_list_of_courses(owner, django_assert_num_queries):
    for _ in range(2):
        course = ready_for_middle_phase(CourseFactory(patient__therapist=owner))
        _transition(course, owner, Phase.MIDDLE, on(3))
        for n in range(1, 5):
            HomeworkFactory(set_in=SessionFactory(course=course, number=n))
    courses = list(prefetch_for_adherence(TreatmentCourse.objects.filter(patient__therapist=owner)))
    with django_assert_num_queries(0):
        results = [
            summarise(run_checks(facts_for(c, c.sessions.all(), today=on(5)))) for c in courses
        ]
    assert len(results) == 2


# --- on the course page ------------------------------------------------------------------------
def _middle_course(patient, owner, sessions):
    course = ready_for_middle_phase(
        CourseFactory(patient=patient, start_date=START, planned_sessions=16)
    )
    maria = InventoryPersonFactory(course=course, name="Maria")
    dispute = ProblemAreaFactory(
        course=course, area=ProblemArea.Area.ROLE_DISPUTE, person=maria,
        dispute_stage="impasse", from_role="", to_role="",
    )  # fmt: skip
    previous = None
    for number in range(1, sessions + 1):
        phq9 = MeasureFactory(course=course, taken_on=on(number))
        session = SessionFactory(
            course=course, number=number, phq9=phq9, mood_rating=5, techniques=["role_play"]
        )
        InterpersonalEventFactory(session=session, person=maria)
        CommunicationAnalysisFactory(session=session, person=maria)
        HomeworkFactory(set_in=session, person=maria)
        DisputeStageChange.objects.create(problem_area=dispute, session=session, stage="impasse")
        if previous:
            previous.homework_set.update(reviewed_in=session, outcome="done")
        previous = session
    _transition(course, owner, Phase.MIDDLE, on(3))
    TreatmentCourse.objects.filter(pk=course.pk).update(phase=Phase.MIDDLE)
    return course


def test_overview_query_count_does_not_grow_with_sessions(
    client_for, owner, supervisor, django_assert_max_num_queries, django_assert_num_queries
):
    from tests.factories import PatientFactory

    small = _middle_course(PatientFactory(therapist=owner), owner, 3)
    large = _middle_course(PatientFactory(therapist=owner), owner, 16)
    client = client_for(owner)
    client.get(small.get_absolute_url())  # warm up the session and user lookups
    client.get(large.get_absolute_url())  # and store the courses' watch, written by factories

    with django_assert_max_num_queries(80) as captured:
        assert "Fidelity to the IPT model" in client.get(small.get_absolute_url()).text
    with django_assert_num_queries(len(captured.captured_queries)):
        assert "Fidelity to the IPT model" in client.get(large.get_absolute_url()).text


def test_overview_shows_each_marker_and_the_gaps(client_for, owner, supervisor, patient):
    course = _middle_course(patient, owner, 6)
    for number in (5, 6):
        course.sessions.get(number=number).homework_set.all().delete()
    for user in (owner, supervisor):
        page = client_for(user).get(course.get_absolute_url()).text
        assert "Fidelity to the IPT model" in page
        assert page.count('class="adherence-check ') == len(adherence.CHECKS)
        assert "adherence-gap" in page
        assert "none in sessions 5 and 6." in page
        assert "Not yet" in page  # the ending and the relapse plan are still to come
        assert "4 of the 5 markers due so far are met; 1 gap to look at." in page
