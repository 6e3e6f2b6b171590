"""The single gate to patient data, and the record of every pass through it.

Every view that shows or changes anything about a patient gets its object from one access
function per top-level object (``get_patient_for``, ``get_course_for``, ``get_session_for``).
Each is built on a ``visible_to(user)`` queryset, so a stranger gets 404 and learns nothing;
each returns the object *and* whether this user may change it, so views and templates ask
once (``can_write``) instead of working it out again; a write by anyone but the treating
therapist is refused with 403; and every successful call leaves an AccessEvent.

Whether a request is a write is read from its method here, in one place: a view passes
``write=True`` only for a page that exists solely to change the record (an edit form).
"""

from django.core.exceptions import PermissionDenied

from ipt.accounts.models import AccessEvent

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def wants_write(request, write=None):
    """``write`` when a view says so, otherwise whether the request's method changes things."""
    return request.method not in SAFE_METHODS if write is None else write


def is_treating_therapist(user, patient):
    return patient.therapist_id == user.pk


def authorise(request, patient, *, write, action):
    """Refuse writes to anyone but the treating therapist, then record the access."""
    if write and not is_treating_therapist(request.user, patient):
        raise PermissionDenied("Only the treating therapist can change this record.")
    AccessEvent.record(request, patient, action or ("change" if write else "view"))
