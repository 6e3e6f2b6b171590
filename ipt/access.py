"""The single gate to patient data.

Every view that shows or changes anything about a patient gets its object from an access
function (``get_patient_for``, ``get_course_for``, ...). Each one is built on a
``visible_to(user)`` queryset, so a stranger gets 404 and learns nothing; a read-only
supervisor gets 403 on writes; and every successful call leaves an AccessEvent.
"""

from django.core.exceptions import PermissionDenied

from ipt.models import AccessEvent


def authorise(request, patient, *, write, action):
    """Refuse writes to anyone but the treating therapist, then record the access."""
    if write and patient.therapist_id != request.user.pk:
        raise PermissionDenied("Only the treating therapist can change this record.")
    AccessEvent.record(request, patient, action or ("change" if write else "view"))
