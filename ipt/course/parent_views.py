"""Parents and carers of an adolescent course (IPT-A): added, edited, their consent recorded."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from ipt.course.access import get_course_for
from ipt.course.models import TransitionRefused
from ipt.course.parent_forms import ConsentForm, ParentForm
from ipt.course.parents import ParentCarer


def _refused(form, action):
    """Run a model change; its refusal reasons become the form's errors (False when refused)."""
    try:
        action()
    except TransitionRefused as refused:
        for reason in refused.reasons:
            form.add_error(None, reason)
        return False
    return True


@require_http_methods(["GET", "POST"])
def parents(request, pk):
    """The course's parents and carers, each with their consent and their sessions; a POST
    adds one."""
    course, can_write = get_course_for(request, pk, action="parents and carers")
    blockers = ParentCarer.change_blockers(course)
    form = ParentForm(request.POST if request.method == "POST" else None, course=course)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ParentForm.Meta.fields}
        submission = form.cleaned_data.get("submission")
        if _refused(form, lambda: ParentCarer.add(course, submission=submission, **fields)):
            messages.success(
                request,
                f"{fields['name']} added. Record their consent before they join a session.",
            )
            return redirect("course:parents", course.pk)
    return render(
        request,
        "ipt/course/parents.html",
        {
            "course": course,
            "can_write": can_write and not blockers,
            "blockers": blockers,
            "parents": course.parents.select_related("person", "consent_recorded_by"),
            "parent_sessions": course.parent_sessions.select_related("parent"),
            "form": form,
        },
    )


def _parent(course, parent_pk):
    return get_object_or_404(course.parents.select_related("course__patient"), pk=parent_pk)


@require_http_methods(["GET", "POST"])
def parent_edit(request, pk, parent_pk):
    course, can_write = get_course_for(request, pk, write=True, action="edit parent or carer")
    parent = _parent(course, parent_pk)
    form = ParentForm(
        request.POST if request.method == "POST" else None, instance=parent, course=course
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in ParentForm.Meta.fields}
        parent.refresh_from_db()  # the form wrote the typed values onto the instance
        if _refused(form, lambda: parent.update(**fields)):
            messages.success(request, f"{parent.name}'s details saved.")
            return redirect("course:parents", course.pk)
    return render(
        request,
        "ipt/course/parent_form.html",
        {"course": course, "parent": parent, "form": form, "can_write": can_write},
    )


@require_http_methods(["GET", "POST"])
def parent_consent(request, pk, parent_pk):
    course, can_write = get_course_for(request, pk, write=True, action="record parent consent")
    parent = _parent(course, parent_pk)
    form = ConsentForm(request.POST if request.method == "POST" else None, parent=parent)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        recorded = _refused(
            form,
            lambda: parent.record_consent(
                by=request.user,
                on=data["consent_on"],
                given_by=data["consent_given_by"],
                sessions=data["consent_to_sessions"],
                sharing=data["consent_to_sharing"],
                assent=data["adolescent_assent"],
                notes=data["consent_notes"],
            ),
        )
        if recorded:
            messages.success(request, f"Consent recorded for {parent.name}.")
            return redirect("course:parents", course.pk)
    return render(
        request,
        "ipt/course/parent_consent.html",
        {"course": course, "parent": parent, "form": form, "can_write": can_write},
    )
