from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from ipt.access import authorise
from ipt.models import AccessEvent, TreatmentCourse
from sessions_app.models import Session


def get_session_for(request, pk, *, write=False, action=""):
    """A session of a course the user may see (404 otherwise), with what its page reads."""
    session = get_object_or_404(
        Session.objects.filter(
            course__in=TreatmentCourse.objects.visible_to(request.user)
        ).select_related("course__patient__therapist", "phq9", "finalised_by"),
        pk=pk,
    )
    if write and not session.course.is_active:
        raise PermissionDenied("This course is closed: its sessions can be read but not changed.")
    authorise(request, session.course.patient, write=write, action=action or "session")
    return session


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
