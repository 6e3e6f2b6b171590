"""Access to an IPT group: the lead and co-facilitators read and write it, the lead's
supervisor reads it, anyone else gets 404 (see ipt/accounts/access.py)."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from groups.models import TherapyGroup
from ipt.accounts.access import wants_write
from ipt.accounts.models import AccessEvent


def get_group_for(request, pk, *, write=None, action=""):
    """``(group, can_write)``. The group page shows each member's flags, so every look is
    recorded against each current member's record."""
    write = wants_write(request, write)
    group = get_object_or_404(
        TherapyGroup.objects.visible_to(request.user).select_related("lead"), pk=pk
    )
    can_write = group.facilitated_by(request.user)
    if write and not can_write:
        raise PermissionDenied("Only the group's facilitators can change it.")
    members = group.current_members().select_related("course__patient")
    for member in members:
        AccessEvent.record(
            request, member.course.patient, action or ("group change" if write else "group view")
        )
    return group, can_write
