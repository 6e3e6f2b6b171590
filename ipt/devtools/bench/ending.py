"""How benchmark courses end: progress reviews, relapse-prevention plans, maintenance
contracts and their follow-ups; and the supervisors' feedback and session ratings."""

from datetime import timedelta

from django.utils import timezone

from ipt.course.models import Phase
from ipt.devtools.bench.bulk import bulk, dated
from ipt.supervision.models import SessionRating, SupervisionFeedback
from ipt.termination import models as termination
from sessions_app.models import Session

FollowUp = termination.FollowUp
TRIGGERS = ["A row about money", "The anniversary", "Losing the new job", "Christmas"]


def ending(rng, plans, today, counts):
    """Completed courses, and half of those in the termination phase, have reviewed their
    progress and written a relapse-prevention plan; half the completed agreed maintenance."""
    reviews, relapse_plans, maintenance = [], [], []
    for p in plans:
        done = p.phase == Phase.COMPLETED
        if not (done or (p.phase == Phase.TERMINATION and rng.random() < 0.5)):
            continue
        on = p.when(max(1, p.took_place)).date()
        reviews.append(
            termination.ProgressReview(
                course=p.course,
                reviewed_on=on,
                what_helped="Talking to my partner at a calm moment instead of during a row.",
                patient_view="I feel more like myself and less alone.",
                further_treatment=rng.choice(["", "Referred to the GP to review medication."]),
            )
        )
        relapse_plans.append(
            termination.RelapsePreventionPlan(
                course=p.course,
                written_on=on,
                if_symptoms_return="Book a booster session and see the GP.",
            )
        )
        if done and rng.random() < 0.5:
            maintenance.append(
                termination.MaintenanceContract(course=p.course, agreed_on=p.ended_on)
            )
    bulk(termination.ProgressReview, reviews, counts)
    bulk(termination.RelapsePreventionPlan, relapse_plans, counts)
    bulk(termination.RelapseTrigger, _triggers(rng, relapse_plans), counts)
    bulk(termination.MaintenanceContract, maintenance, counts)
    bulk(FollowUp, _followups(rng, maintenance, today), counts)


def _triggers(rng, relapse_plans):
    for plan in relapse_plans:
        for i, trigger in enumerate(rng.sample(TRIGGERS, rng.randint(1, 3))):
            yield termination.RelapseTrigger(
                plan=plan,
                trigger=trigger,
                warning_signs="Sleeping badly, staying in, snapping at home.",
                coping="Say what I need early; call a friend; keep the weekly walk.",
                people="Partner, sister, GP.",
                position=i,
            )


def _followups(rng, maintenance, today):
    """The contract's follow-ups (MaintenanceContract.schedule): those past held or missed."""
    for contract in maintenance:
        for due in contract.schedule(contract.schedule_start):
            past = due < today
            status = (
                rng.choice([FollowUp.Status.HELD] * 2 + [FollowUp.Status.MISSED])
                if past
                else FollowUp.Status.DUE
            )
            yield FollowUp(
                maintenance=contract,
                due_on=due,
                status=status,
                held_on=due if status == FollowUp.Status.HELD else None,
                recorded_by=contract.course.patient.therapist if past else None,
            )  # fmt: skip


def supervision(rng, plans, counts):
    """Feedback on a quarter of the courses, ratings of every element on a session of some."""
    now = timezone.now()
    feedback, ratings = [], []
    for p in plans:
        supervisor = p.therapist.supervisor
        held = [s for s in p.sessions if s.status == Session.Status.HELD]
        if held and rng.random() < 0.25:
            s = rng.choice(held)
            feedback.append(
                SupervisionFeedback(
                    course=p.course,
                    session=s,
                    author=supervisor,
                    text="Good link between the row and the low week; next time role-play it.",
                    created_at=min(now, s.scheduled_for + timedelta(days=2)),
                    acknowledged_at=min(now, s.scheduled_for + timedelta(days=3))
                    if rng.random() < 0.7
                    else None,
                )
            )
        if held and rng.random() < 0.15:
            s = rng.choice(held)
            ratings += [
                SessionRating(session=s, rater=supervisor, element=element, score=rng.randint(2, 5))
                for element in SessionRating.Element
            ]
    with dated(SupervisionFeedback._meta.get_field("created_at")):
        bulk(SupervisionFeedback, feedback, counts)
    bulk(SessionRating, ratings, counts)
