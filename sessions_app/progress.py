"""Where a course stands in its sessions: what the course page and caseload lists show."""

from dataclasses import dataclass

from django.utils import timezone

from ipt import charts
from ipt.measures import instruments
from sessions_app.models import InterpersonalEvent, Session


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


def sessions_between(user_courses, start, end):
    return (
        Session.objects.counted()
        .filter(course__in=user_courses, scheduled_for__gte=start, scheduled_for__lt=end)
        .select_related("course__patient")
        .order_by("scheduled_for")
    )


@dataclass(frozen=True)
class ChartRow:
    """One line of the symptom chart's data table (its text alternative)."""

    when: object
    session: str
    total: int | None
    band: str
    risk: bool
    events: list


def symptom_chart(course, sessions=None):
    """The PHQ-9 chart of a course with its sessions and interpersonal events, plus table rows."""
    sessions = list(course.sessions.all()) if sessions is None else sessions
    by_measure = {s.phq9_id: s for s in sessions if s.phq9_id}
    responses = course.phq9_responses(include_follow_ups=True)
    baseline = course.baseline_phq9
    events = list(
        InterpersonalEvent.objects.filter(session__course=course)
        .select_related("person", "session")
        .order_by("session__scheduled_for", "pk")
    )
    points = [
        charts.ScorePoint(
            when=m.taken_on,
            total=m.total,
            label=f"Session {by_measure[m.pk].number}"
            if m.pk in by_measure
            else "Baseline"
            if m == baseline
            else "",
            risk=m.needs_risk_assessment,
        )
        for m in responses
    ]
    svg = charts.symptom_chart(
        points,
        bands=[(b.low, b.high, b.label) for b in instruments.PHQ9.bands],
        max_score=instruments.PHQ9.max_total,
        sessions=[
            charts.SessionMark(timezone.localtime(s.scheduled_for).date(), s.number, s.status)
            for s in sessions
        ],
        events=[
            charts.ChartEvent(
                timezone.localtime(e.session.scheduled_for).date(),
                _event_label(e),
                focal=e.focal,
            )
            for e in events
        ],
        baseline=baseline.total if baseline else None,
        title=f"PHQ-9 over the course of {course.patient.full_name}",
    )
    rows = [
        ChartRow(
            when=m.taken_on,
            session=point.label,
            total=m.total,
            band=m.band.label,
            risk=m.needs_risk_assessment,
            events=[
                _event_label(e)
                for e in events
                if e.session_id == getattr(by_measure.get(m.pk), "pk", None)
            ],
        )
        for m, point in zip(responses, points, strict=True)
    ]
    return svg, rows


def _event_label(event):
    who = event.person.name if event.person else "Someone"
    what = event.what_happened.strip().split("\n")[0]
    return f"{who}: {what[:60]}" if what else who
