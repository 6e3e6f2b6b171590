"""The group's ending: each member's progress review and relapse plan (their own course's
pages, linked), the group's ending record, and ending the group."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from groups.access import get_group_for
from groups.ending import (
    end_group,
    ending_refusals,
    member_endings,
    members_to_termination,
    save_ending,
)
from groups.forms import EndingForm
from ipt.course.models import Phase, TransitionRefused


@require_http_methods(["GET", "POST"])
def ending(request, pk):
    group, can_write = get_group_for(request, pk, action="group ending")
    members = list(
        group.current_members().select_related(
            "course__patient", "course__progress_review", "course__relapse_plan"
        )
    )
    record = getattr(group, "ending", None)
    data = request.POST if request.method == "POST" else None
    form = EndingForm(data, ending=record, members=members) if can_write else None
    if data is not None and form.is_valid():
        try:
            save_ending(
                group,
                achieved=form.cleaned_data["achieved"],
                feelings=form.cleaned_data["ending_feelings"],
                plans=form.plans(),
                by=request.user,
            )
            if "end" in data:
                end_group(group, by=request.user)
        except TransitionRefused as refused:
            messages.error(request, "The group has not ended yet. " + " ".join(refused.reasons))
        else:
            if group.is_ended:
                messages.success(
                    request,
                    f"{group.name} has ended. Complete each member's course on their own page.",
                )
            else:
                messages.success(request, "The group's ending record is saved.")
        return redirect("groups:ending", group.pk)
    statuses = dict(zip((m.pk for m in members), member_endings(group, members), strict=True))
    return render(
        request,
        "groups/group_ending.html",
        {
            "group": group,
            "can_write": can_write and not group.is_ended,
            "record": record,
            "form": form,
            "rows": [(m, statuses[m.pk]) for m in members],
            "refusals": [] if group.is_ended else ending_refusals(group),
            "to_move": [m for m in members if m.course.phase == Phase.MIDDLE],
        },
    )


@require_POST
def to_termination(request, pk):
    group, _ = get_group_for(request, pk, action="members to termination phase")
    moved, refused = members_to_termination(group, by=request.user)
    if moved:
        messages.success(request, "In the termination phase now: " + ", ".join(moved) + ".")
    if refused:
        messages.error(request, " ".join(refused))
    return redirect("groups:ending", group.pk)
