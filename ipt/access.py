"""The single gate to patient data.

Every view that shows or changes anything about a patient gets its object from an access
function (``get_patient_for``, ``get_course_for``, ...). Each one is built on a
``visible_to(user)`` queryset, so a stranger gets 404 and learns nothing; a read-only
supervisor gets 403 on writes; and every successful call leaves an AccessEvent.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from ipt.models import AccessEvent, Phase, TreatmentCourse


def authorise(request, patient, *, write, action):
    """Refuse writes to anyone but the treating therapist, then record the access."""
    if write and patient.therapist_id != request.user.pk:
        raise PermissionDenied("Only the treating therapist can change this record.")
    AccessEvent.record(request, patient, action or ("change" if write else "view"))


def get_course_for(request, pk, *, write=False, action="", after_completion=False):
    """The course with everything its pages read, or 404 for anyone outside its care team.

    Writes to a closed course (completed or ended early) are refused: its record is final.
    ``after_completion`` lets the maintenance contract and its follow-ups, which happen after
    a completed course, still be written.
    """
    course = get_object_or_404(
        TreatmentCourse.objects.visible_to(request.user).with_initial_phase(), pk=pk
    )
    open_after = after_completion and course.phase == Phase.COMPLETED
    if write and not course.is_active and not open_after:
        raise PermissionDenied(
            f"This course is {course.get_phase_display().lower()}: its record can be read but not changed."
        )
    authorise(request, course.patient, write=write, action=action)
    return course


def get_course_for_supervision(request, pk, *, action="supervision"):
    """A course for its therapist's supervisor to review and give feedback on.

    Only the supervisor of the treating therapist gets it (the therapist gets 403, anyone else
    404); supervision never changes the clinical record, it only adds feedback and ratings.
    """
    course = get_object_or_404(
        TreatmentCourse.objects.visible_to(request.user).with_initial_phase(), pk=pk
    )
    if course.patient.therapist.supervisor_id != request.user.pk:
        raise PermissionDenied("Only the therapist's supervisor gives supervision feedback.")
    AccessEvent.record(request, course.patient, action)
    return course
