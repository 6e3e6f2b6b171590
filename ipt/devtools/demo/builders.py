"""The demo's generic builders: a course and its initial phase, measures, sessions, the ending.

Dates are given in days before today, so the demo clinic stays current whenever it is seeded.
Records go through the product's own methods where it has them (PHQ-9 scoring, goals,
contract signing, phase transitions, finalising), so the demo cannot hold what the app
would refuse.
"""

from datetime import time, timedelta

import pgtrigger
from django.utils import timezone

from ipt.course.models import VARIANT_RULES, Phase, TreatmentCourse, Variant
from ipt.dates import shift
from ipt.devtools.demo.focal_work import write_strategy_notes
from ipt.initial.contract import TreatmentContract
from ipt.initial.models import (
    Diagnosis,
    Formulation,
    InventoryPerson,
    LifeEvent,
    ProblemArea,
    ProblemAreaGoal,
    SickRole,
    SuitabilityScreen,
)
from ipt.measures.instruments import PHQ9, PHQ9_RISK_ITEM
from ipt.measures.models import MeasureResponse, RiskAssessment
from ipt.rules import risk
from ipt.termination import models as termination
from ipt.termination.end_circle import EndCirclePlace
from sessions_app.models import (
    CommunicationAnalysis,
    FocalRating,
    Homework,
    InterpersonalEvent,
    Session,
)


def days_ago(days):
    return timezone.localdate() - timedelta(days=days)


# --- the course and its initial phase -----------------------------------------------------------
def open_course(patient, by, started_days_ago, *, variant=Variant.INDIVIDUAL, **fields):
    """A course of the variant's usual length (``fields`` may say otherwise), suitability screened."""
    rule = VARIANT_RULES[Variant(variant)]
    fields = {
        "planned_sessions": rule.default_sessions,
        "initial_phase_sessions": rule.initial_phase_sessions,
        **fields,
    }
    course = TreatmentCourse.objects.create(
        patient=patient, variant=variant, start_date=days_ago(started_days_ago), **fields
    )
    SuitabilityScreen.objects.create(
        course=course,
        screened_on=days_ago(started_days_ago),
        screened_by=by,
        notes="Able to reflect on relationships and engage; no psychotic features.",
    )
    return course


def diagnose(course, *, onset, on, disorder="mdd", episode="single", severity="moderate"):
    """The diagnosis (``onset`` and ``on`` in days ago), explained to the patient as an illness."""
    return Diagnosis.objects.create(
        course=course, disorder=disorder, episode=episode, severity=severity,
        onset=days_ago(onset), diagnosed_on=days_ago(on), explained_as_illness=True,
    )  # fmt: skip


def give_sick_role(course, on, excused, commitments="Weekly sessions and the agreed actions."):
    return SickRole.objects.create(
        course=course, given_on=days_ago(on), excused=excused, commitments=commitments
    )


def record_phq9(course, answers, taken_days_ago, by):
    """A PHQ-9 taken outside a session (at assessment)."""
    return MeasureResponse.record(
        course, PHQ9.code, answers, taken_on=days_ago(taken_days_ago), by=by, difficulty=2
    )


def add_people(course, rows):
    """The interpersonal inventory: rows of (name, relationship, closeness[, other fields])."""
    return {
        row[0]: InventoryPerson.objects.create(
            course=course,
            name=row[0],
            relationship=row[1],
            closeness=row[2],
            **(row[3] if len(row) > 3 else {}),
        )
        for row in rows
    }


def add_events(course, rows, people):
    """The timeline: rows of (days ago, description, kind[, name of the person in it])."""
    for happened_days_ago, description, kind, *who in rows:
        LifeEvent.objects.create(
            course=course,
            happened_on=days_ago(happened_days_ago),
            description=description,
            kind=kind,
            person=people.get(who[0]) if who else None,
        )


def add_area(course, area, rationale, **fields):
    """A problem area with the product's default IPT goals for it."""
    problem_area = ProblemArea.objects.create(
        course=course, area=area, rationale=rationale, **fields
    )
    problem_area.set_goals(ProblemArea.DEFAULT_GOALS[area])
    return problem_area


def formulate(course, **fields):
    return Formulation.objects.create(course=course, text=Formulation.draft(course), **fields)


def sign_contract(course, by, signed_days_ago):
    contract = TreatmentContract.draft_for(course)
    contract.save()
    contract.sign(
        patient_name=course.patient.full_name,
        patient_date=days_ago(signed_days_ago),
        therapist=by,
        therapist_date=days_ago(signed_days_ago),
    )
    return contract


# --- sessions ------------------------------------------------------------------------------------
def plan_sessions(course, started_days_ago):
    start = days_ago(started_days_ago)
    Session.plan_course(course, weekday=start.weekday(), at=time(10, 0), start=start)
    return list(course.sessions.all())


def _ended(session):
    """When a session's record was closed: an hour after it began, as it would be in clinic."""
    return session.scheduled_for + timedelta(hours=1)


def hold(session, by, *, phq9=None, mood=None, events=(), analysis=None, homework=None,
         techniques=(), role_play="", stage=None, ratings=(), finalise=True,
         before_finalise=None, **texts):  # fmt: skip
    """A held session with what was done in it; homework = (action, person, outcome, review);
    stage = (problem area, stage) when the dispute's stage was reassessed in it; ratings =
    (problem area, 0-10) pairs: the patient's focal-relationship ratings.

    Finalised through ``Session.finalise`` unless ``finalise`` is False (a note still open).
    """
    session.status = Session.Status.HELD
    session.mood_rating = mood
    session.techniques = list(techniques)
    session.role_play_notes = role_play
    for field, text in texts.items():
        setattr(session, field, text)
    if phq9:
        session.phq9 = MeasureResponse.record(
            session.course, PHQ9.code, phq9, taken_on=session.scheduled_for.date(), by=by,
            difficulty=1,
        )  # fmt: skip
    session.save()
    for person, what, feelings, focal in events:
        InterpersonalEvent.objects.create(
            session=session, person=person, what_happened=what, feelings=feelings, focal=focal
        )
    if analysis:
        person, scene, verbatim, intended, impact, alternatives, role_played = analysis
        CommunicationAnalysis.objects.create(
            session=session, person=person, scene=scene, verbatim=verbatim, intended=intended,
            impact=impact, alternatives=alternatives, role_played=role_played,
        )  # fmt: skip
    if homework:
        _set_homework(session, *homework)
    if stage:
        session.change_dispute_stage(*stage)
    for area, rating in ratings:
        FocalRating.record(session, area, rating)
    if before_finalise:
        before_finalise(session)
    if finalise:
        session.finalise(by, at=_ended(session))


def _set_homework(session, action, person, outcome, review):
    following = session.course.sessions.filter(number=session.number + 1).first()
    Homework.objects.create(
        set_in=session, action=action, person=person, due_by=session.scheduled_for.date() + timedelta(days=6),
        outcome=outcome, review_notes=review, reviewed_in=following if outcome else None,
    )  # fmt: skip


def miss(session, reason, *, cancelled=False):
    """A session missed (did not attend) or, with ``cancelled``, called off beforehand."""
    session.status = Session.Status.CANCELLED if cancelled else Session.Status.MISSED
    session.status_note = reason
    session.save()


def backdating():
    """Phase transitions are append-only (a trigger); the demo dates them as if they had
    happened in clinic, which only the tables' owner may do (seed_demo runs as the owner)."""
    return pgtrigger.ignore("ipt.PhaseTransition:append_only_update")


def agree_contract(course, by, session, note=""):
    """The contract signed in ``session`` and the middle phase begun at its end."""
    on = timezone.localtime(session.scheduled_for).date()
    sign_contract(course, by, (timezone.localdate() - on).days)
    enter_middle(course, by, session, note=note)


def enter_middle(course, by, session, note=""):
    course.enter_middle_phase(by, note=note)
    # Dated as if it had happened at the end of that session, as it would have in clinic.
    with backdating():
        course.transitions.update(at=_ended(session))


# --- risk -----------------------------------------------------------------------------------------
def assess_risk(course, by, on, level, *, reason, measure=None, review_in=None, **texts):
    """A risk assessment ``on`` days ago (its review ``review_in`` days after it), checked as
    the product's form checks one: not in the future, not before the score it answers.

    ``texts``: asked, findings, protective_factors, safety_plan, actions_taken, informed.
    """
    assessed_on = days_ago(on)
    review_on = assessed_on + timedelta(days=review_in) if review_in is not None else None
    errors = risk.assessment_errors(
        assessed_on=assessed_on, level=level, safety_plan=texts.get("safety_plan", ""),
        actions=texts.get("actions_taken", ""), review_on=review_on, today=timezone.localdate(),
        signal_on=measure.taken_on if measure else None,
    )  # fmt: skip
    if errors:
        raise ValueError(f"Demo risk assessment for {course.patient}: {errors}")
    return RiskAssessment.objects.create(
        course=course, measure=measure, reason=reason, assessed_on=assessed_on, level=level,
        review_on=review_on, assessed_by=by, **texts,
    )  # fmt: skip


# --- courses told by their PHQ-9 totals, and their ending -----------------------------------------
def phq9_answers(total):
    """PHQ-9 answers adding up to ``total``, the risk item at 0 (spread as evenly as possible)."""
    answers = [0] * len(PHQ9.items)
    scored = [i for i in range(len(answers)) if i != PHQ9_RISK_ITEM - 1]
    for i in range(total):
        answers[scored[i % len(scored)]] += 1
    return answers


WEEKS = [
    "Talked openly for the first time in weeks",
    "A tense evening; they left it unresolved",
    "Asked for help and got it",
    "Planned something together",
    "Avoided a difficult conversation",
    "Shared how the week had been",
]

# What the middle sessions of a course told by its scores worked on, week by week: each names
# the focal area, its person or its roles, as IPT's focal work does (ipt/rules/adherence.py).
FOCAL_WORK = {
    ProblemArea.Area.GRIEF: (
        "Grief: the story of {person}'s death and the weeks around it.",
        "Grief: the relationship with {person}, the good sides and the hard ones.",
        "Mourning: anniversaries and reminders of {person}; the guilt and the anger.",
        "Grief: taking up again the interests and people that can fill some of the gap.",
    ),
    ProblemArea.Area.ROLE_DISPUTE: (
        "Dispute with {person}: each side's expectations, and where they differ.",
        "Dispute with {person}: communication analysis of the week's row.",
        "Dispute with {person}: the options for the next conversation, and their costs.",
        "Dispute with {person}: what has changed, and what is still stuck.",
    ),
    ProblemArea.Area.ROLE_TRANSITION: (
        "Transition: the old role ({from_role}): what it gave, and what was lost with it.",
        "Transition: the new role ({to_role}): what is hard in it, and what could be good.",
        "Transition: the skills and the support the new role needs.",
        "Transition: self-esteem in the new role; what has gone well this week.",
    ),
    ProblemArea.Area.INTERPERSONAL_DEFICITS: (
        "Isolation: the pattern of past relationships, and how it repeats.",
        "Isolation: one small step towards someone this week, and how it went.",
    ),
}

HOMEWORK = (
    "Tell {name} one thing that went well this week, and one that was hard.",
    "Ask {name} for help with one thing this week.",
    "Plan one thing to do with {name} this week, and do it.",
)


def run_course(
    patient,
    by,
    *,
    weeks_ago,
    area,
    people,
    scores,
    missed=(),
    rationale,
    focal=None,
    episode="single",
    **area_fields,
):
    """A course whose initial phase is done and whose sessions were held with these PHQ-9 totals
    (and, in ``focal``, session number -> the patient's 0-10 rating of the focal area).

    The first person in ``people`` is the area's person when ``person=True`` (the one grieved
    for, or the other side of the dispute); the week's events and homework are with the first
    living one.
    """
    started = weeks_ago * 7
    course = open_course(patient, by, started)
    diagnose(course, onset=started + 90, on=started, episode=episode)
    give_sick_role(course, started, "Some household duties, for now.")
    folk = add_people(course, people)
    first = next(iter(folk.values()))
    ally = next(p for p in folk.values() if not p.deceased)
    problem_area = add_area(
        course, area, rationale, person=area_fields.pop("person", None) and first, **area_fields
    )
    formulate(course, shared_on=days_ago(started - 7 * (course.initial_phase_sessions - 1)))
    sessions = plan_sessions(course, started)
    for number, total in enumerate(scores, start=1):
        if number in missed:
            miss(sessions[number - 1], "Did not attend.")
            continue
        rating = (focal or {}).get(number)
        _run_session(
            sessions[number - 1], by, total, problem_area, ally, reviewed=number < len(scores),
            ratings=[(problem_area, rating)] if rating is not None else [],
        )  # fmt: skip
        if number == course.initial_phase_sessions:
            agree_contract(course, by, sessions[number - 1])
    return course, sessions


def _run_session(session, by, total, problem_area, ally, *, reviewed, ratings=()):
    """One session of ``run_course``: the focal work of its area, homework till the last."""
    number = session.number
    work = FOCAL_WORK[problem_area.area]
    focal = work[number % len(work)].format(
        person=problem_area.person.name if problem_area.person else ally.name,
        from_role=problem_area.from_role, to_role=problem_area.to_role,
    )  # fmt: skip
    action = HOMEWORK[number % len(HOMEWORK)].format(name=ally.name)
    hold(
        session, by, phq9=phq9_answers(total), techniques=["clarification"],
        mood_context=f"The week with {ally.name} and the others who matter, and how it felt.",
        events=[(ally, WEEKS[number % len(WEEKS)], "Mixed.", True)] if number % 3 else [],
        focal_notes=focal,
        homework=(action, ally, "done" if reviewed else "", "Did it." if reviewed else "")
        if number < session.course.planned_sessions else None,
        ratings=ratings,
        before_finalise=lambda s: write_strategy_notes(s, problem_area, ally, number)
        if number > s.course.initial_phase_sessions else None,
    )  # fmt: skip


def terminate(
    course, by, sessions, at, *, helped, further="", triggers=(), circle=None, new_people=()
):
    """The termination phase from session ``at``, then the course completed after its last.

    The closeness circle at the end starts as the intake's copy: ``circle`` gives names their
    ring now (GONE: no longer in it; by default everyone one ring closer if the course
    improved), ``new_people`` (name, relationship, ring) came into the patient's life since.
    """
    course.enter_termination_phase(by, note="Ending raised with the patient.")
    with backdating():
        course.transitions.filter(to_phase=Phase.TERMINATION).update(at=_ended(sessions[at - 1]))
    review = ProblemAreaGoal.Review.ACHIEVED if course.improved else ProblemAreaGoal.Review.PARTLY
    ProblemAreaGoal.objects.filter(problem_area__course=course).update(review=review)
    last = sessions[-1].scheduled_for.date()
    termination.ProgressReview.objects.create(
        course=course, reviewed_on=last, what_helped=helped, further_treatment=further
    )
    _relapse_plan(course, last, triggers)
    _end_circle(course, circle, new_people)
    course.complete(by, note="Course completed as contracted.")
    course.ended_on = last
    course.save(update_fields=["ended_on"])
    with backdating():
        course.transitions.filter(to_phase=Phase.COMPLETED).update(at=_ended(sessions[-1]))


def _end_circle(course, circle, new_people):
    people = list(course.inventory.all())
    rings = {}
    for place in EndCirclePlace.starting_places(course, people):
        moved = max(1, place.closeness - 1) if course.improved else place.closeness
        rings[place.key] = (circle or {}).get(place.display_name, moved)
    EndCirclePlace.save_rings(course, rings)
    for name, relationship, ring in new_people:
        EndCirclePlace.add_new(course, name=name, relationship=relationship, closeness=ring)


def renegotiate(course, by, session, number, reason):
    """The contract amended in ``session`` to ``number`` sessions, and signed by both: the
    course and its planned sessions follow (TreatmentContract.sign)."""
    amendment = course.contracts.order_by("-version").first().amend(reason=reason)
    amendment.number_of_sessions = number
    amendment.expected_end_date = shift(amendment.start_date, weeks=number - 1)
    amendment.save()
    on = timezone.localtime(session.scheduled_for).date()
    amendment.sign(
        patient_name=course.patient.full_name, patient_date=on, therapist=by, therapist_date=on
    )
    return amendment


def _relapse_plan(course, written_on, triggers):
    """triggers: (trigger, warning signs, coping, people) rows."""
    plan = termination.RelapsePreventionPlan.objects.create(
        course=course, written_on=written_on,
        if_symptoms_return="Book a booster session through the clinic; restart the weekly actions; see the GP.",
    )  # fmt: skip
    for i, (trigger, signs, coping, people) in enumerate(triggers):
        termination.RelapseTrigger.objects.create(
            plan=plan, trigger=trigger, warning_signs=signs, coping=coping, people=people,
            position=i,
        )  # fmt: skip
