"""The groups list, a new group, the group page, its members joining and leaving, and its
group sessions planned and recorded as held."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from groups.access import get_group_for
from groups.ending import members_to_move_to_middle, members_to_phase
from groups.forms import (
    AddMemberForm,
    ChecklistForm,
    GroupForm,
    GroupSessionForm,
    LeaveForm,
    MemberEntryForm,
)
from groups.models import (
    GroupAttendance,
    GroupMember,
    GroupSession,
    GroupStatus,
    JoinRefused,
    TherapyGroup,
)
from ipt.course.models import Phase, TransitionRefused, TreatmentCourse, Variant
from sessions_app.watch import refresh_due


@require_GET
def group_list(request):
    groups = (
        TherapyGroup.objects.visible_to(request.user)
        .select_related("lead")
        .prefetch_related("co_facilitators", "members")
    )
    return render(request, "groups/group_list.html", {"groups": groups})


@require_http_methods(["GET", "POST"])
def group_new(request):
    if not request.user.is_therapist:
        raise PermissionDenied("A therapist leads a group.")
    form = GroupForm(request.POST or None, lead=request.user)
    if request.method == "POST" and form.is_valid():
        group = form.save()
        messages.success(
            request, f"{group.name} is forming: add members once their pre-group session is done."
        )
        return redirect(group)
    return render(request, "groups/group_form.html", {"form": form})


def _candidates(request, group):
    """Group IPT courses on the user's own caseload that could be added (not yet in a group)."""
    return (
        TreatmentCourse.objects.visible_to(request.user)
        .active()
        .filter(variant=Variant.GROUP)
        .exclude(pk__in=GroupMember.objects.filter(left_on__isnull=True).values("course"))
        .select_related("patient")
        .order_by("patient__full_name")
    )


@require_GET
def group_detail(request, pk):
    group, can_write = get_group_for(request, pk)
    refresh_due(TreatmentCourse.objects.filter(group_memberships__group=group))
    members = list(
        group.members.select_related("course__patient", "course__watch").order_by(
            "-left_on", "joined_on", "pk"
        )
    )
    current = [m for m in members if m.left_on is None]
    context = {
        "group": group,
        "can_write": can_write,
        "members": current,
        "former": [m for m in members if m.left_on is not None],
        "places_left": max(group.member_limit - len(current), 0),
        "group_sessions": group.group_sessions.prefetch_related("attendance"),
        "ending_in_sight": group.status in (GroupStatus.CLOSING, GroupStatus.ENDED),
        "to_middle": members_to_move_to_middle(group, current) if can_write else [],
    }
    if can_write and group.is_open:
        courses = _candidates(request, group)
        context["add_form"] = AddMemberForm(courses=courses) if courses.exists() else None
    if can_write and not group.is_ended:  # a member may leave until the group has ended
        context["leave_form"] = LeaveForm()
    return render(request, "groups/group_detail.html", context)


@require_POST
def member_add(request, pk):
    group, _ = get_group_for(request, pk, action="add group member")
    form = AddMemberForm(request.POST, courses=_candidates(request, group))
    if not form.is_valid():
        messages.error(request, "Choose a group IPT course from your caseload to add.")
        return redirect(group)
    course = form.cleaned_data["course"]
    try:
        member = group.add_member(course, by=request.user)
    except JoinRefused as refused:
        messages.error(
            request, f"{course.patient.full_name} cannot join yet. " + " ".join(refused.reasons)
        )
    else:
        messages.success(request, f"{member.first_name} joined {group.name}.")
    return redirect(group)


@require_POST
def member_leave(request, pk, member_pk):
    group, _ = get_group_for(request, pk, action="record leaving the group")
    member = get_object_or_404(group.members.select_related("course__patient"), pk=member_pk)
    form = LeaveForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the reason and the date the member left.")
        return redirect(group)
    try:
        member.leave(
            reason=form.cleaned_data["reason"],
            on=form.cleaned_data["left_on"],
            note=form.cleaned_data["note"],
        )
    except JoinRefused as refused:
        messages.error(request, " ".join(refused.reasons))
    else:
        messages.success(request, f"{member.first_name}'s leaving is recorded.")
    return redirect(group)


# --- group sessions ----------------------------------------------------------------------------
def held_attendance():
    """A held group session's attendance, with what its page shows of each member's session."""
    return Prefetch(
        "attendance",
        queryset=GroupAttendance.objects.select_related(
            "member__course__patient", "session__phq9"
        ).prefetch_related("session__events", "session__homework_set"),
    )


@require_POST
def group_session_plan(request, pk):
    group, _ = get_group_for(request, pk, action="plan a group session")
    try:
        planned = GroupSession.plan_next(group)
    except TransitionRefused as refused:
        messages.error(request, " ".join(refused.reasons))
        return redirect(group)
    messages.success(
        request,
        f"{planned.label} is planned for {timezone.localtime(planned.scheduled_for):%-d %b %Y, %H:%M}.",
    )
    return redirect(planned)


@require_http_methods(["GET", "POST"])
def group_session_detail(request, pk, session_pk):
    group, can_write = get_group_for(
        request, pk, write=request.method == "POST", action="group session"
    )
    group_session = get_object_or_404(group.group_sessions, pk=session_pk)
    members = list(group.current_members().select_related("course__patient"))
    context = {"group": group, "group_session": group_session, "can_write": can_write}
    if group_session.is_held:
        prefetch_related_objects([group_session], held_attendance())
        context["attendance"] = group_session.attendance.all()
        context["corrections"] = group_session.corrections.select_related("by")
        if can_write and not group_session.is_finalised:
            context["checklist_form"] = ChecklistForm(group_session=group_session)
        return render(request, "groups/group_session.html", context)
    data = request.POST if request.method == "POST" else None
    forms = [MemberEntryForm(data, member=m) for m in members]
    form = GroupSessionForm(data)
    valid = [f.is_valid() for f in forms]  # every member form validated, for its errors
    if data is not None and form.is_valid() and all(valid):
        try:
            group_session.hold(
                [f.entry() for f in forms],
                theme=form.cleaned_data["theme"],
                process_notes=form.cleaned_data["process_notes"],
                by=request.user,
            )
        except TransitionRefused as refused:
            context["refusals"] = refused.reasons
        else:
            messages.success(
                request,
                f"{group_session.label} is recorded as held; each member's session is in their own course.",
            )
            return redirect(group_session)
    context.update(
        form=form,
        member_forms=forms if can_write else None,
        has_errors=data is not None and (form.errors or any(f.errors for f in forms)),
    )
    return render(request, "groups/group_session.html", context)


@require_POST
def to_middle(request, pk):
    group, _ = get_group_for(request, pk, action="members to middle phase")
    moved, refused = members_to_phase(group, Phase.MIDDLE, by=request.user)
    if moved:
        messages.success(request, "In the middle phase now: " + ", ".join(moved) + ".")
    if refused:
        messages.error(request, " ".join(refused))
    return redirect(group)
