"""What the course overview shows of supervision: feedback and session ratings, newest first."""

from itertools import groupby

from django import template

from ipt.supervision.models import SessionRating

register = template.Library()


@register.simple_tag
def course_supervision(course):
    """Feedback on the course and its sessions, and the sessions' ratings, in two queries."""
    feedback = list(course.feedback.select_related("session", "author"))
    order = {element: i for i, element in enumerate(SessionRating.Element.values)}
    ratings = sorted(
        SessionRating.objects.filter(session__course=course, by_therapist=False).select_related(
            "session", "rater"
        ),
        key=lambda r: (-r.session.number, order.get(r.element, 99), r.pk),
    )
    return {
        "feedback": feedback,
        "unacknowledged": sum(f.acknowledged_at is None for f in feedback),
        "rated_sessions": [
            (session, list(rows)) for session, rows in groupby(ratings, key=lambda r: r.session)
        ],
    }
