"""Access to a treatment course (see ipt/accounts/access.py for the rules every gate shares)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from ipt.accounts.access import authorise, may_write, wants_write
from ipt.accounts.models import AccessEvent
from ipt.course.models import Phase, TreatmentCourse


def course_is_open(course, *, after_completion=False, any_phase=False):
    """A closed course (completed or ended early) is final, except what follows completion
    (``after_completion``) and a risk assessment, which is written whatever the phase
    (``any_phase``: a risk signal must always be answerable)."""
    if any_phase:
        return True
    return course.is_active or (after_completion and course.phase == Phase.COMPLETED)


def get_course_for(request, pk, *, write=None, action="", after_completion=False, any_phase=False):
    """``(course, can_write)``: the course with everything its pages read, or 404 for anyone
    outside its care team.

    Writes to a closed course (completed or ended early) are refused: its record is final.
    ``after_completion`` lets the maintenance contract and its follow-ups, which happen after
    a completed course, still be written.
    """
    write = wants_write(request, write)
    course = get_object_or_404(
        TreatmentCourse.objects.visible_to(request.user).with_initial_phase(), pk=pk
    )
    is_open = course_is_open(course, after_completion=after_completion, any_phase=any_phase)
    if write and not is_open:
        raise PermissionDenied(
            f"This course is {course.get_phase_display().lower()}: its record can be read but not changed."
        )
    authorise(request, course.patient, write=write, action=action, course=course)
    return course, is_open and may_write(request.user, course.patient, course)


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
