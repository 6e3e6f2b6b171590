"""Where a course stands in its sessions: what the course page and caseload lists show."""

from dataclasses import dataclass

from django.db.models import Max, Q
from django.utils import timezone

from sessions_app.models import Session


@dataclass(frozen=True)
class Progress:
    planned: int
    held: int
    missed: int
    current: Session | None  # the latest session that took place (held or missed)
    next: Session | None  # the next planned session

    @property
    def position(self):
        """'Session k of N': the place of the latest session that took place."""
        return self.current.number if self.current else 0

    @property
    def sessions_left(self):
        return self.planned - self.position

    @property
    def ending_due(self):
        # IPT: the ending is raised 2-3 sessions before the last, so within the last three.
        return self.planned - self.position <= 3


def course_progress(course, sessions=None):
    sessions = list(course.sessions.all()) if sessions is None else sessions
    now = timezone.now()
    took_place = [s for s in sessions if s.status in (Session.Status.HELD, Session.Status.MISSED)]
    upcoming = [
        s for s in sessions if s.status == Session.Status.PLANNED and s.scheduled_for >= now
    ]
    return Progress(
        planned=course.planned_sessions,
        held=sum(s.status == Session.Status.HELD for s in sessions),
        missed=sum(s.status == Session.Status.MISSED for s in sessions),
        current=took_place[-1] if took_place else None,
        next=min(upcoming, key=lambda s: s.scheduled_for) if upcoming else None,
    )


def with_last_session(courses):
    """Annotate ``last_session_at``: when the latest session that took place was held (or missed)."""
    took_place = Q(sessions__status__in=[Session.Status.HELD, Session.Status.MISSED])
    return courses.annotate(last_session_at=Max("sessions__scheduled_for", filter=took_place))


def sessions_between(user_courses, start, end):
    return (
        Session.objects.filter(
            course__in=user_courses, scheduled_for__gte=start, scheduled_for__lt=end
        )
        .exclude(status=Session.Status.CANCELLED)
        .select_related("course__patient")
        .order_by("scheduled_for")
    )
