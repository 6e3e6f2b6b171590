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

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from ipt.accounts.models import AccessEvent

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def wants_write(request, write=None):
    """``write`` when a view says so, otherwise whether the request's method changes things."""
    return request.method not in SAFE_METHODS if write is None else write


def is_treating_therapist(user, patient):
    return patient.therapist_id == user.pk


def group_member_courses(user):
    """The courses a therapist runs in a group without treating the patient: the current
    members of the groups they lead or co-facilitate (Group IPT: the facilitators write the
    members' records alike). Ids, for a subquery."""
    members = apps.get_model("groups", "GroupMember").objects.filter(left_on__isnull=True)
    return members.filter(Q(group__lead=user) | Q(group__co_facilitators=user)).values("course")


def may_write(user, patient, course=None):
    """The treating therapist, or a facilitator of a group the patient's ``course`` (any of
    the patient's courses when none is given) is in now."""
    if is_treating_therapist(user, patient):
        return True
    member_courses = group_member_courses(user)
    if course is not None:
        return member_courses.filter(course=course).exists()
    return member_courses.filter(course__patient=patient).exists()


def authorise(request, patient, *, write, action, course=None):
    """Refuse writes to anyone but the treating therapist (or, for a group member's course,
    the group's facilitators), then record the access."""
    if write and not may_write(request.user, patient, course):
        raise PermissionDenied("Only the treating therapist can change this record.")
    AccessEvent.record(request, patient, action or ("change" if write else "view"))
