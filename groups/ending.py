"""The group's ending, processed together (WHO Group IPT, termination phase).

In the last one or two group sessions the members review their progress, plan how to keep
well and talk about the group ending. Each member's progress review and relapse-prevention
plan are written in their own course (the existing termination pages, linked from the group
page); the group's shared record of the ending is a ``GroupEnding``: what the group achieved,
how members felt about ending, and each member's plan noted by first name. Ending the group
is guarded (``rules.ending_refusals``), locked, re-checked and dated; members' courses are
completed on their own course pages, never by the group.
"""

import pghistory
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from groups import rules
from ipt.accounts.triggers import append_only
from ipt.course.models import Phase, TransitionRefused


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    obj_field=pghistory.ObjForeignKey(related_name="+", related_query_name="+"),
    model_name="GroupEndingEvent",
    meta={"triggers": append_only("Record history entries")},
)
class GroupEnding(models.Model):
    group = models.OneToOneField(
        "groups.TherapyGroup", on_delete=models.CASCADE, related_name="ending"
    )
    achieved = models.TextField("what the group achieved together", blank=True)
    ending_feelings = models.TextField("how members felt about the group ending", blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"The ending of {self.group}"


def member_endings(group, members):
    """What each current member has for the ending (``members`` with ``course__progress_review``
    and ``course__relapse_plan`` selected)."""
    return [
        rules.MemberEnding(
            first_name=m.first_name,
            reviewed=_has(m.course, "progress_review"),
            relapse_plan=_has(m.course, "relapse_plan"),
            plan_noted=bool(m.ending_plan.strip()),
        )
        for m in members
    ]


def _has(course, name):
    try:
        return getattr(course, name) is not None
    except models.ObjectDoesNotExist:
        return False


def ending_refusals(group):
    sessions = list(group.group_sessions.all())
    ending = getattr(group, "ending", None)
    members = group.current_members().select_related(
        "course__patient", "course__progress_review", "course__relapse_plan"
    )
    return rules.ending_refusals(
        ended=group.is_ended,
        sessions_held=sum(s.is_held for s in sessions),
        planned=group.planned_sessions,
        unfinalised=[s.number for s in sessions if s.is_held and not s.is_finalised],
        achieved=ending.achieved if ending else "",
        feelings=ending.ending_feelings if ending else "",
        members=member_endings(group, members),
    )


def save_ending(group, *, achieved, feelings, plans, by):
    """The group's ending record, written until the group has ended. ``plans``: member id ->
    their plan as noted in the group."""
    with transaction.atomic():
        locked = type(group).objects.select_for_update().get(pk=group.pk)
        if locked.is_ended:
            raise TransitionRefused(["The group has ended: its ending record is kept as it was."])
        ending, _ = GroupEnding.objects.get_or_create(group=locked, defaults={"written_by": by})
        ending.achieved, ending.ending_feelings, ending.written_by = achieved, feelings, by
        ending.save()
        for member in locked.current_members():
            plan = plans.get(member.pk, member.ending_plan)
            if plan != member.ending_plan:
                member.ending_plan = plan
                member.save(update_fields=["ending_plan"])
        return ending


def end_group(group, *, by, today=None):
    """Guard -> lock -> re-check -> change: the group's status goes to ended, dated."""
    from groups.models import GroupStatus

    if reasons := ending_refusals(group):
        raise TransitionRefused(reasons)
    with transaction.atomic():
        locked = type(group).objects.select_for_update().get(pk=group.pk)
        if reasons := ending_refusals(locked):
            raise TransitionRefused(reasons)
        locked.status, locked.ended_on = GroupStatus.ENDED, today or timezone.localdate()
        locked.save(update_fields=["status", "ended_on"])
        ending = locked.ending
        ending.ended_by, ending.ended_at = by, timezone.now()
        ending.save(update_fields=["ended_by", "ended_at", "updated_at"])
    group.status, group.ended_on = locked.status, locked.ended_on
    return locked


def members_to_move_to_middle(group, members):
    """Of these current members, those whose course is still in the initial phase once the
    group's work has begun (its first group session held, the group not ended)."""
    if group.is_ended or not group.group_sessions.exclude(status="planned").exists():
        return []
    return [m for m in members if m.course.phase == Phase.INITIAL]


def members_to_phase(group, target, *, by):
    """Move each current member's course on to ``target`` together: the middle phase once the
    group's work begins (each member's pre-group session is their initial phase), the
    termination phase for the group's last sessions. Each move is the course's own guarded
    transition; a member whose course cannot move is named with the reason, the others move.
    Returns (first names moved, reasons refused)."""
    before = {Phase.MIDDLE: Phase.INITIAL, Phase.TERMINATION: Phase.MIDDLE}[target]
    moved, refused = [], []
    for member in group.current_members().select_related("course__patient"):
        course = member.course
        if course.phase == target:
            continue
        if course.phase != before:
            refused.append(
                f"{member.first_name}'s course is in the {course.get_phase_display().lower()}: "
                "move it on from their course page."
            )
            continue
        note = f"With {group.name}'s {target.label.lower()}."
        try:
            if target == Phase.MIDDLE:
                course.enter_middle_phase(by, note=note)
            else:
                course.enter_termination_phase(by, note=note)
        except TransitionRefused as error:
            refused.extend(f"{member.first_name}: {r}" for r in error.reasons)
        else:
            moved.append(member.first_name)
    return moved, refused


def members_to_termination(group, *, by):
    return members_to_phase(group, Phase.TERMINATION, by=by)
