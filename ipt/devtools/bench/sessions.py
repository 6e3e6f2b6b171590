"""The benchmark's weekly sessions: the PHQ-9s taken in them and the risk assessments their
item 9 called for, the sessions with what was done in them, and the phase transitions."""

from datetime import datetime, time, timedelta

from django.db import connection
from django.utils import timezone

from ipt.course.models import Phase, PhaseTransition
from ipt.devtools.bench.bulk import BATCH, bulk, dated
from ipt.devtools.bench.vignettes import (
    ANALYSIS,
    EVENTS,
    FOCAL_NOTES,
    HOMEWORK,
    MOOD_CONTEXT,
    REVIEWS,
)
from ipt.initial.models import ProblemArea
from ipt.measures.instruments import PHQ9, PHQ9_CASENESS, PHQ9_RISK_ITEM
from ipt.measures.models import MeasureResponse, RiskAssessment
from sessions_app import models as sessions_app

Session = sessions_app.Session
TECHNIQUES = [t.value for t in sessions_app.Technique]
RISK_LEVELS = (
    [RiskAssessment.Level.LOW] * 7
    + [RiskAssessment.Level.MODERATE] * 2
    + [RiskAssessment.Level.HIGH]
)


def phq9_answers(rng, total, item9=0):
    """PHQ-9 answers adding up to ``total`` (as far as the items allow), the risk item as given."""
    items = [item for item in PHQ9.items if item.number != PHQ9_RISK_ITEM]
    answers = {item.number: 0 for item in items}
    for _ in range(max(0, min(total - item9, sum(item.max_score for item in items)))):
        answers[rng.choice([i.number for i in items if answers[i.number] < i.max_score])] += 1
    answers[PHQ9_RISK_ITEM] = item9
    return [answers[item.number] for item in PHQ9.items]


def measures(rng, plans, counts):
    """The baseline PHQ-9, then one in most held sessions: {course pk: {session number: measure}}.

    The baseline is taken at the first session (at assessment when none has been held yet);
    courses start at caseness, and about two in three fall below it by the end.
    """
    records, by_session = [], {}
    for p in plans:
        baseline = rng.randint(PHQ9_CASENESS, 24)
        responds = rng.random() < 0.65
        final = (
            rng.randint(3, PHQ9_CASENESS - 1) if responds else max(5, baseline - rng.randint(0, 4))
        )
        risky = rng.random() < 0.07
        held = [n for n in range(2, p.took_place + 1) if p.held(n) and rng.random() < 0.7]
        mine = by_session.setdefault(p.course.pk, {})
        for n in [1, *held]:
            trend = baseline + (final - baseline) * (n - 1) / (p.planned - 1)
            total = max(0, min(PHQ9.max_total, round(trend) + rng.randint(-2, 2)))
            answers = phq9_answers(rng, total, rng.randint(1, 2) if risky and n <= 2 else 0)
            mine[n] = MeasureResponse(
                course=p.course, instrument_code=PHQ9.code, answers=answers, total=sum(answers),
                difficulty=rng.randint(0, 3), taken_on=p.when(n).date() if p.took_place else p.start,
                recorded_by=p.therapist,
            )  # fmt: skip
            records.append(mine[n])
    bulk(MeasureResponse, records, counts)
    _risk_assessments(rng, plans, by_session, counts)
    return by_session


def _risk_assessments(rng, plans, by_session, counts):
    """Item 9 above 0 needs one; for about one course in five it is still to be written."""
    risks = []
    for p in plans:
        needing = {n: m for n, m in by_session[p.course.pk].items() if m.needs_risk_assessment}
        if rng.random() < 0.2:
            p.unassessed = set(needing)  # not yet assessed: the caseload review flags it
            continue
        for m in needing.values():
            risks.append(
                RiskAssessment(
                    course=p.course, measure=m, assessed_on=m.taken_on,
                    level=rng.choice(RISK_LEVELS),
                    findings="Passive thoughts, no plan or intent; protective factors: children.",
                    safety_plan="Call the crisis line; stay with a friend.",
                    actions_taken="GP informed.", assessed_by=p.therapist,
                )
            )  # fmt: skip
    bulk(RiskAssessment, risks, counts)


def weekly_sessions(rng, plans, measures, people, areas, today, counts):
    """Every course's session rows, then what was done in the held ones, then its transitions."""
    rows = []
    for p in plans:
        for n, status in enumerate(p.statuses, start=1):
            p.sessions.append(_session(rng, p, n, status, measures[p.course.pk], today))
        rows += p.sessions
    # Written open, then finalised once what was done in them is written, as in the room (the
    # database refuses rows added to a finalised session).
    finalised = [(s, s.finalised_at, s.finalised_by) for s in rows if s.finalised_at]
    for s, _, _ in finalised:
        s.finalised_at = s.finalised_by = None
    bulk(Session, rows, counts)
    _session_work(rng, plans, people, areas, counts)
    for s, at, by in finalised:
        s.finalised_at, s.finalised_by = at, by
    _finalise(finalised)
    _transitions(plans, counts)


def _session(rng, p, n, status, measures, today):
    held = status == Session.Status.HELD
    when = p.when(n)
    latest_open = p.phase in Phase.active() and n == p.took_place and rng.random() < 0.5
    phq9 = measures.get(n) if held else None
    # As Session.finalise refuses to: a PHQ-9 item 9 above 0 is risk-assessed before finalising.
    finalised = held and when.date() < today and not latest_open and n not in p.unassessed
    return Session(
        course=p.course,
        number=n,
        scheduled_for=when,
        status=status,
        status_note="Unwell, phoned on the day." if status == Session.Status.MISSED else "",
        mood_rating=rng.randint(2, 8) if held and phq9 is None else None,
        phq9=phq9,
        mood_context=rng.choice(MOOD_CONTEXT) if held else "",
        focal_notes=rng.choice(FOCAL_NOTES) if held and n > p.initial else "",
        techniques=rng.sample(TECHNIQUES, rng.randint(1, 3)) if held else [],
        notes="Engaged well; agreed the action for the week." if held else "",
        ending_feelings="Sad it is ending, proud of the change."
        if held and n > p.planned - 3
        else "",
        finalised_at=when + timedelta(hours=2) if finalised else None,
        finalised_by=p.therapist if finalised else None,
    )


def _session_work(rng, plans, people, areas, counts):
    """Interpersonal events, homework reviewed the next week, communication analyses and the
    dispute stage reassessed once in the middle phase."""
    events, homework, analyses, stages = [], [], [], []
    for p in plans:
        inventory = people[p.course.pk]
        held = [s for s in p.sessions if s.status == Session.Status.HELD]
        for i, s in enumerate(held):
            events += _events(rng, s, inventory)
            if rng.random() < 0.85:
                homework.append(
                    _homework(rng, s, inventory, held[i + 1] if i + 1 < len(held) else None)
                )
            if s.number > p.initial and rng.random() < 0.2:
                analyses.append(
                    sessions_app.CommunicationAnalysis(
                        session=s, person=rng.choice(inventory),
                        **dict(zip(sessions_app.CommunicationAnalysis.AUTOSAVE_FIELDS, ANALYSIS, strict=True)),
                        role_played=rng.random() < 0.5,
                    )
                )  # fmt: skip
        middle = [s for s in held if s.number > p.initial + 1]
        for area in areas[p.course.pk]:
            if area.dispute_stage and middle:
                stage = rng.choice(list(ProblemArea.DisputeStage))
                stages.append(
                    sessions_app.DisputeStageChange(
                        problem_area=area, session=rng.choice(middle), stage=stage
                    )
                )
    bulk(sessions_app.InterpersonalEvent, events, counts)
    bulk(sessions_app.Homework, homework, counts)
    bulk(sessions_app.CommunicationAnalysis, analyses, counts)
    bulk(sessions_app.DisputeStageChange, stages, counts)


def _events(rng, s, inventory):
    return [
        sessions_app.InterpersonalEvent(
            session=s, person=rng.choice(inventory), what_happened=what, feelings=feelings,
            focal=rng.random() < 0.8,
        )
        for what, feelings in rng.sample(EVENTS, rng.randint(1, 2))
    ]  # fmt: skip


def _homework(rng, s, inventory, following):
    """Homework set in ``s``, reviewed in the following held session if there is one."""
    reviewed = following is not None
    return sessions_app.Homework(
        set_in=s,
        action=rng.choice(HOMEWORK),
        person=rng.choice(inventory),
        due_by=s.scheduled_for.date() + timedelta(days=6),
        reviewed_in=following,
        outcome=rng.choice(list(Session.HomeworkOutcome)) if reviewed else "",
        review_notes=rng.choice(REVIEWS) if reviewed else "",
    )


def _phases_reached(p):
    if p.phase != Phase.ENDED_EARLY:
        return {
            Phase.INITIAL: [],
            Phase.MIDDLE: [Phase.MIDDLE],
            Phase.TERMINATION: [Phase.MIDDLE, Phase.TERMINATION],
            Phase.COMPLETED: [Phase.MIDDLE, Phase.TERMINATION, Phase.COMPLETED],
        }[p.phase]
    reached = [Phase.MIDDLE] if p.took_place > p.initial else []
    if p.took_place > p.planned - 3:
        reached.append(Phase.TERMINATION)
    return [*reached, Phase.ENDED_EARLY]


def _transitions(plans, counts):
    """Each phase change, dated at the end of the session it was made in."""
    rows = []
    for p in plans:
        end = timedelta(minutes=55)
        when = {
            Phase.MIDDLE: p.when(p.initial + 1) + end,
            Phase.TERMINATION: p.when(max(p.initial + 2, p.planned - 2)) + end,
            Phase.COMPLETED: p.when(p.planned) + end,
            Phase.ENDED_EARLY: timezone.make_aware(
                datetime.combine(p.ended_on or p.start, time(17))
            ),
        }
        previous = Phase.INITIAL
        for phase in _phases_reached(p):
            rows.append(
                PhaseTransition(
                    course=p.course, from_phase=previous, to_phase=phase, by=p.therapist,
                    at=when[phase],
                )
            )  # fmt: skip
            previous = phase
    with dated(PhaseTransition._meta.get_field("at")):
        bulk(PhaseTransition, rows, counts)


def _finalise(finalised):
    """One UPDATE per batch joined to the new values (bulk_update's CASE per row would make
    each batch quadratic in its size)."""
    with connection.cursor() as cursor:
        for start in range(0, len(finalised), BATCH):
            chunk = finalised[start : start + BATCH]
            cursor.execute(
                "UPDATE sessions_app_session AS s"
                " SET finalised_at = v.at, finalised_by_id = v.by"
                " FROM unnest(%s::bigint[], %s::timestamptz[], %s::bigint[]) AS v(id, at, by)"
                " WHERE s.id = v.id",
                [
                    [s.pk for s, _, _ in chunk],
                    [at for _, at, _ in chunk],
                    [by.pk if by else None for _, _, by in chunk],
                ],
            )
