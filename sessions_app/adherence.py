"""The record as facts for the adherence rules (ipt/rules/adherence.py): the only place that
reads models for them.

``facts_for(course, sessions)`` reads only prefetched data: the course comes from
``TreatmentCourse.objects.with_initial_phase()`` and the sessions from
``sessions_for_adherence(course)`` (one course) or ``prefetch_for_adherence(courses)``
(a list of courses, then ``course.sessions.all()``).
"""

from django.db.models import Exists, OuterRef, Prefetch, Q, prefetch_related_objects
from django.utils import timezone

from ipt.course.models import Phase
from ipt.rules.adherence import (
    TOOK_PLACE,
    CourseFacts,
    HomeworkFacts,
    SessionFacts,
    focal_terms,
    names_focal_area,
    run_checks,
    summarise,
)
from sessions_app.models import (
    CommunicationAnalysis,
    DisputeStageChange,
    Homework,
    InterpersonalEvent,
    Session,
)


def _typed(field):
    # Text with at least one non-space character: an untyped row is not a record of anything.
    return Q(**{f"{field}__regex": r"\S"})


def sessions_with_facts(sessions):
    """Sessions annotated with what facts_for reads, in a fixed number of queries.

    The database answers "is there one?" for events, analyses and dispute-stage changes, so
    thousands of sessions (a supervisor's caseload) never load every row of every session;
    typed homework is loaded whole (pages also show it).
    """
    row_of = OuterRef("pk")
    return sessions.annotate(
        has_typed_event=Exists(
            InterpersonalEvent.objects.filter(session=row_of).filter(
                _typed("what_happened") | _typed("feelings")
            )
        ),
        has_analysis=Exists(CommunicationAnalysis.objects.filter(session=row_of)),
        # Something in the session linked to a person at the heart of a focal area.
        has_focal_link=Exists(
            InterpersonalEvent.objects.filter(session=row_of, person__problem_areas__isnull=False)
        )
        | Exists(
            CommunicationAnalysis.objects.filter(
                session=row_of, person__problem_areas__isnull=False
            )
        )
        | Exists(Homework.objects.filter(set_in=row_of, person__problem_areas__isnull=False)),
        has_stage_change=Exists(DisputeStageChange.objects.filter(session=row_of)),
    ).prefetch_related(
        Prefetch(
            "homework_set",
            queryset=Homework.objects.filter(_typed("action")),
        )
    )


def sessions_for_adherence(course):
    """A course's sessions with every fact facts_for reads, in a fixed number of queries.

    Also prefetches the course's phase transitions, so that facts_for itself runs no query.
    """
    prefetch_related_objects([course], "transitions")
    return list(sessions_with_facts(course.sessions.all()))


def session_prefetch():
    """The ``sessions`` prefetch for lists of courses: then facts_for(c, c.sessions.all())."""
    return Prefetch("sessions", queryset=sessions_with_facts(Session.objects.all()))


def prefetch_for_adherence(courses):
    """For lists of courses (e.g. a supervisor's caseload): facts_for(c, c.sessions.all())."""
    return courses.with_initial_phase().prefetch_related("transitions", session_prefetch())


def _local_date(moment):
    return timezone.localtime(moment).date()


def _text(value):
    return bool(value and value.strip())


def facts_for(course, sessions, *, today=None):
    """The plain facts the checks read, from prefetched data only (see the module docstring)."""
    sessions = sorted(sessions, key=lambda s: s.number)
    number_of = {s.pk: s.number for s in sessions}
    total_of = {m.pk: m.total for m in course.measures.all()}
    # IPT: focal work names the focal area or its people, not any text at all.
    terms = focal_terms(
        (a.area, a.person.name if a.person else "", a.from_role, a.to_role)
        for a in course.problem_areas.all()
    )
    session_facts = []
    homework = []
    for s in sessions:
        session_facts.append(
            SessionFacts(
                number=s.number,
                on=_local_date(s.scheduled_for),
                status=s.status,
                mood_checked=s.phq9_id is not None or s.mood_rating is not None,
                # An empty row added but never typed in is not an interpersonal event.
                interpersonal=_text(s.mood_context) or s.has_typed_event,
                focal_work=s.has_focal_link
                or s.has_stage_change
                or names_focal_area(s.focal_notes, terms)
                or names_focal_area(s.role_play_notes, terms),
                phq9=total_of.get(s.phq9_id),
            )
        )
        homework.extend(
            HomeworkFacts(
                set_in=s.number,
                outcome=h.outcome,
                reviewed_in=number_of.get(h.reviewed_in_id),
            )
            for h in s.homework_set.all()  # typed homework only: see sessions_with_facts
        )

    transitions = list(course.transitions.all())
    entered = {}
    for t in sorted(transitions, key=lambda t: (t.at, t.pk)):
        entered.setdefault(t.to_phase, t.began_on)

    signed = [
        max(c.patient_signed_on, c.therapist_signed_on)
        for c in course.contracts.all()
        if c.is_signed
    ]
    inventory = list(course.inventory.all())
    plan = course._one("relapse_plan")
    sick_role = course._one("sick_role")
    formulation = course._one("formulation")

    responses = course.phq9_responses()
    session_of = {s.phq9_id: s.number for s in sessions if s.phq9_id}
    latest = responses[-1] if responses else None
    if latest is None:
        latest_session = 0
    elif latest.pk in session_of:
        latest_session = session_of[latest.pk]
    else:  # a PHQ-9 taken outside a session belongs to the latest session on or before it
        before = [
            f.number for f in session_facts if f.status in TOOK_PLACE and f.on <= latest.taken_on
        ]
        latest_session = max(before, default=0)

    return CourseFacts(
        planned_sessions=course.planned_sessions,
        initial_phase_sessions=course.initial_phase_sessions,
        phase=course.phase,
        today=today or timezone.localdate(),
        sessions=tuple(session_facts),
        homework=tuple(homework),
        sick_role_given_on=sick_role.given_on if sick_role else None,
        inventory_people=len(inventory),
        inventory_started_on=min((_local_date(p.created_at) for p in inventory), default=None),
        problem_areas=len(course.problem_areas.all()),
        contract_signed_on=min(signed, default=None),
        middle_entered_on=entered.get(Phase.MIDDLE),
        termination_entered_on=entered.get(Phase.TERMINATION),
        relapse_triggers=len(plan.triggers.all()) if plan else None,
        formulation_shared_on=formulation.shared_on if formulation else None,
        baseline_phq9=responses[0].total if responses else None,
        latest_phq9=latest.total if latest else None,
        latest_phq9_session=latest_session,
    )


def review(course, sessions=None):
    """The course page's fidelity summary: prefetch, build the facts, run every check."""
    if sessions is None:
        sessions = sessions_for_adherence(course)
    return summarise(run_checks(facts_for(course, sessions)))
