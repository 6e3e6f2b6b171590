"""The course's sessions kept in step with its number of sessions (an amended contract)."""

from datetime import timedelta
from types import SimpleNamespace

from django.db.models import Max, Q

from ipt.course.models import TreatmentCourse
from sessions_app.models import Session


def _recorded():
    """Sessions holding anything beyond their place in the plan."""
    written = Q()
    for field in Session.AUTOSAVE_FIELDS:
        written |= ~Q(**{field: ""})
    return (
        ~Q(status=Session.Status.PLANNED)
        | Q(finalised_at__isnull=False)
        | Q(phq9__isnull=False)
        | Q(mood_rating__isnull=False)
        | Q(events__isnull=False)
        | Q(homework_set__isnull=False)
        | written
    )


def last_recorded(course):
    """The highest session number that holds a record (0 when none does)."""
    found = course.sessions.filter(_recorded()).aggregate(last=Max("number"))["last"]
    return found or 0


def match_plan(course):
    """Sessions numbered 1..N for the course's N, in the caller's transaction.

    A course whose sessions are not planned yet is left alone (the sessions page plans them
    from the contract). Planned sessions beyond N that hold nothing are removed; new sessions
    continue weekly from the last one, at its time of day."""
    sessions = list(course.sessions.order_by("number"))
    if not sessions:
        return
    n = course.planned_sessions
    beyond = [s.pk for s in sessions if s.number > n]
    if beyond:
        Session.objects.filter(pk__in=beyond).exclude(_recorded()).delete()
    kept = [s for s in sessions if s.number <= n]
    if not kept:
        return
    last = kept[-1]
    Session.objects.bulk_create(
        Session(
            course=course,
            number=k,
            scheduled_for=last.scheduled_for + timedelta(weeks=k - last.number),
        )
        for k in range(last.number + 1, n + 1)
    )


def install():
    """Called once by the app's ready(): the hook of ``TreatmentCourse.session_planner``."""
    TreatmentCourse.session_planner = SimpleNamespace(
        last_recorded=last_recorded, match_plan=match_plan
    )
