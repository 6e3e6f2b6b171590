"""After a group session: the facilitator's fidelity checklist, corrections until it is
finalised, and finalising it with each member's session."""

from django.contrib import messages
from django.db.models import prefetch_related_objects
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from groups.access import get_group_for
from groups.forms import ChecklistForm, CorrectionForm, MemberCorrectionForm
from groups.views import held_attendance
from ipt.course.models import TransitionRefused


def _held_session(request, pk, session_pk, *, write, action):
    group, can_write = get_group_for(request, pk, write=write, action=action)
    return group, can_write, get_object_or_404(group.group_sessions, pk=session_pk)


@require_POST
def checklist(request, pk, session_pk):
    _, _, group_session = _held_session(
        request, pk, session_pk, write=True, action="group session checklist"
    )
    prefetch_related_objects([group_session], held_attendance())
    form = ChecklistForm(request.POST, group_session=group_session)
    if form.is_valid():
        try:
            group_session.record_checklist(
                linked=form.linked(), items=form.items(), note=form.cleaned_data["note"],
                by=request.user,
            )  # fmt: skip
        except TransitionRefused as refused:
            messages.error(request, " ".join(refused.reasons))
        else:
            messages.success(request, "The checklist is saved.")
    else:
        messages.error(request, "The checklist could not be saved: check the note's length.")
    return redirect(group_session.get_absolute_url() + "#checklist-heading")


@require_POST
def finalise(request, pk, session_pk):
    _, _, group_session = _held_session(
        request, pk, session_pk, write=True, action="finalise group session"
    )
    try:
        group_session.finalise(request.user)
    except TransitionRefused as refused:
        messages.error(request, "The group session was not finalised. " + " ".join(refused.reasons))
    else:
        messages.success(
            request,
            f"{group_session.label} is finalised, with the session of each member who came. "
            "Later changes are addenda in a member's own session.",
        )
    return redirect(group_session)


@require_http_methods(["GET", "POST"])
def correct(request, pk, session_pk):
    group, _, group_session = _held_session(
        request, pk, session_pk, write=True, action="correct group session"
    )
    if not group_session.is_held or group_session.is_finalised:
        messages.error(
            request,
            "Only a group session recorded as held and not yet finalised can be corrected.",
        )
        return redirect(group_session)
    rows = list(group_session.attendance.select_related("member__course__patient", "session__phq9"))
    data = request.POST if request.method == "POST" else None
    forms = [MemberCorrectionForm(data, row=row) for row in rows]
    form = CorrectionForm(
        data,
        initial={"theme": group_session.theme, "process_notes": group_session.process_notes},
    )
    refusals = []
    valid = [f.is_valid() for f in forms]
    if data is not None and form.is_valid() and all(valid):
        try:
            group_session.correct(
                [f.entry() for f in forms],
                theme=form.cleaned_data["theme"],
                process_notes=form.cleaned_data["process_notes"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except TransitionRefused as refused:
            refusals = refused.reasons
        else:
            messages.success(
                request, f"{group_session.label} is corrected; each member's session follows."
            )
            return redirect(group_session)
    return render(
        request,
        "groups/group_session_correct.html",
        {
            "group": group,
            "group_session": group_session,
            "form": form,
            "member_forms": forms,
            "refusals": refusals,
            "has_errors": data is not None and (form.errors or any(f.errors for f in forms)),
        },
    )
