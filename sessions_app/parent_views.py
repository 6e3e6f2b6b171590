"""Parent sessions of an adolescent course (IPT-A): recorded, corrected, finalised."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from ipt.course.access import get_course_for
from ipt.course.models import TransitionRefused
from ipt.course.parents import ParentCarer
from sessions_app.access import get_parent_session_for
from sessions_app.parent_forms import ParentSessionForm
from sessions_app.parentsessions import ParentSession

PAGE = "sessions_app/parent_session.html"


def _fields(form):
    return {name: form.cleaned_data[name] for name in ParentSessionForm.Meta.fields}


def _refused(form, action):
    try:
        return action() or True
    except TransitionRefused as refused:
        for reason in refused.reasons:
            form.add_error(None, reason)
        return None


@require_http_methods(["GET", "POST"])
def parent_session_new(request, pk):
    course, can_write = get_course_for(request, pk, write=True, action="record parent session")
    form = ParentSessionForm(request.POST if request.method == "POST" else None, course=course)
    blockers = ParentCarer.change_blockers(course)
    if not course.parents.may_attend().exists():
        blockers.append(
            "No parent or carer has consented to take part in sessions with the adolescent's "
            "assent yet: record their consent on the Parents and carers page first."
        )
    if request.method == "POST" and form.is_valid():
        submission = form.cleaned_data.get("submission")
        record = _refused(
            form,
            lambda: ParentSession.record(
                course, by=request.user, submission=submission, **_fields(form)
            ),
        )
        if record:
            messages.success(request, f"{record.label} recorded.")
            return redirect(record)
    return render(
        request,
        PAGE,
        {"course": course, "form": form, "blockers": blockers, "can_write": can_write},
    )


@require_http_methods(["GET", "POST"])
def parent_session(request, pk):
    """A parent session's record; a POST saves a correction until it is finalised."""
    record, can_write = get_parent_session_for(request, pk)
    course = record.course
    form = None
    if can_write and not record.is_finalised:
        form = ParentSessionForm(
            request.POST if request.method == "POST" else None, instance=record, course=course
        )
    elif request.method == "POST":
        messages.error(request, "This parent session is finalised: its record is kept as it was.")
        return redirect(record)
    if request.method == "POST" and form.is_valid():
        fields = _fields(form)
        record.refresh_from_db()
        if _refused(form, lambda: record.update(**fields)):
            messages.success(request, "Parent session saved.")
            return redirect(record)
    return render(
        request,
        PAGE,
        {"course": course, "record": record, "form": form, "can_write": can_write},
    )


@require_POST
def parent_session_finalise(request, pk):
    record, _ = get_parent_session_for(request, pk, action="finalise parent session")
    try:
        record.finalise(request.user)
    except TransitionRefused as refused:
        for reason in refused.reasons:
            messages.error(request, reason)
    else:
        messages.success(request, f"{record.label} is finalised.")
    return redirect(record)
