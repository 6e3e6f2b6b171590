"""Access to a session (the rules every gate shares: ipt/accounts/access.py)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from ipt.accounts.access import authorise, may_write, wants_write
from ipt.accounts.models import AccessEvent
from ipt.course.models import TreatmentCourse
from sessions_app.models import ParentSession, Session


def get_session_for(request, pk, *, write=None, action=""):
    """``(session, can_write)``: a session of a course the user may see (404 otherwise), with
    what its page reads. A closed course's sessions can be read, not changed."""
    write = wants_write(request, write)
    session = get_object_or_404(
        Session.objects.filter(
            course__in=TreatmentCourse.objects.visible_to(request.user)
        ).select_related("course__patient__therapist", "phq9", "finalised_by"),
        pk=pk,
    )
    if write and not session.course.is_active:
        raise PermissionDenied("This course is closed: its sessions can be read but not changed.")
    course = session.course
    authorise(request, course.patient, write=write, action=action or "session", course=course)
    return session, course.is_active and may_write(request.user, course.patient, course)


def get_session_for_supervision(request, pk, *, action="session rating"):
    """A session for the treating therapist's supervisor to rate (therapist 403, others 404)."""
    session = get_object_or_404(
        Session.objects.filter(
            course__in=TreatmentCourse.objects.visible_to(request.user)
        ).select_related("course__patient__therapist"),
        pk=pk,
    )
    if session.course.patient.therapist.supervisor_id != request.user.pk:
        raise PermissionDenied("Only the therapist's supervisor rates sessions.")
    AccessEvent.record(request, session.course.patient, action)
    return session


def get_parent_session_for(request, pk, *, write=None, action=""):
    """``(parent session, can_write)``: a parent session of a course the user may see (404
    otherwise); a closed course's, or a finalised one, is read, not changed."""
    write = wants_write(request, write)
    record = get_object_or_404(
        ParentSession.objects.filter(
            course__in=TreatmentCourse.objects.visible_to(request.user)
        ).select_related("course__patient__therapist", "parent", "finalised_by"),
        pk=pk,
    )
    course = record.course
    if write and not course.is_active:
        raise PermissionDenied("This course is closed: its record can be read but not changed.")
    authorise(
        request, course.patient, write=write, action=action or "parent session", course=course
    )
    return record, course.is_active and may_write(request.user, course.patient, course)
