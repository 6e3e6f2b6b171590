"""The termination phase: progress review, the closeness circle at the end, completing the
course, and the course summary for the record or the referrer (IPT-REFERENCE.md,
"Termination phase"); the summary itself is prepared in the background (views/summary.py)."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from ipt.course.access import get_course_for
from ipt.course.forms import TransitionForm
from ipt.course.models import Phase, TransitionRefused
from ipt.termination import end_circle
from ipt.termination.end_circle import EndCirclePlace
from ipt.termination.forms.review import (
    ClosenessAtEndForm,
    NewInCircleForm,
    ProgressReviewForm,
    areas_with_goals,
)
from ipt.termination.rules import circle_changes, outcome_rows
from sessions_app.progress import symptom_chart

ONLY_IN_TERMINATION = (
    "The {what} belongs to the termination phase: move the course to it first, in the last "
    "two to three sessions."
)


def _symptoms(course):
    sessions = list(course.sessions.select_related("phq9"))
    chart, chart_rows = symptom_chart(course, sessions)
    return sessions, chart, chart_rows


# --- progress review ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def progress_review(request, pk):
    course, can_write = get_course_for(request, pk, action="progress review")
    if request.method == "POST" and course.phase != Phase.TERMINATION:
        messages.error(request, ONLY_IN_TERMINATION.format(what="progress review"))
        return redirect("course:progress_review", course.pk)
    review = course._one("progress_review")
    form = ProgressReviewForm(
        request.POST or None, instance=review, course=course, areas=areas_with_goals(course)
    )
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            review = form.save(commit=False)
            review.course = course
            with course.changing():
                review.save()
            form.save_goals()
        messages.success(request, "Progress review saved.")
        return redirect("course:progress_review", course.pk)
    _sessions, chart, chart_rows = _symptoms(course)
    return render(
        request,
        "ipt/course/progress_review.html",
        {
            "course": course,
            "form": form,
            "review": review,
            "outcomes": outcome_rows(course),
            "phq9_outcome": course.phq9_outcome,
            "improved": course.improved,
            "chart": chart,
            "chart_rows": chart_rows,
            "can_write": can_write,
            "can_review": can_write and course.phase == Phase.TERMINATION,
        },
    )


# --- closeness circle at the end ------------------------------------------------------------


def _end_circle_page(request, course, can_write, form, add_form, places):
    people = list(course.inventory.all())
    focal = end_circle.focal_people(course)
    intake = end_circle.intake_spots(people, places, focal)
    end = end_circle.end_spots(places, focal)
    name = course.patient.display_name
    return render(
        request,
        "ipt/course/closeness_at_end.html",
        {
            "course": course,
            "form": form,
            "add_form": add_form,
            "people": people,
            "places": places,
            "intake_svg": end_circle.draw(intake, title="At intake", centre_label=name),
            "end_svg": end_circle.draw(end, title="At the end of therapy", centre_label=name),
            "placed": any(p.pk for p in places) or any(p.closeness_at_end for p in people),
            "changes": circle_changes(intake, end),
            "can_write": can_write,
            "can_review": can_write and course.phase == Phase.TERMINATION,
        },
    )


def _places(course):
    return EndCirclePlace.starting_places(course, list(course.inventory.all()))


@require_http_methods(["GET", "POST"])
def closeness_at_end(request, pk):
    course, can_write = get_course_for(request, pk, action="closeness circle at the end")
    if request.method == "POST" and (reason := end_circle.refusal(course)):
        messages.error(request, reason)
        return redirect("course:closeness_at_end", course.pk)
    form = ClosenessAtEndForm(request.POST or None, places=_places(course))
    if request.method == "POST" and form.is_valid():
        try:
            form.save(course)
        except TransitionRefused as refused:
            for reason in refused.reasons:
                messages.error(request, reason)
        else:
            messages.success(request, "The closeness circle at the end of therapy is saved.")
        return redirect("course:closeness_at_end", course.pk)
    return _end_circle_page(request, course, can_write, form, NewInCircleForm(), form.places)


@require_POST
def closeness_at_end_add(request, pk):
    course, can_write = get_course_for(request, pk, action="add to the circle at the end")
    if reason := end_circle.refusal(course):
        messages.error(request, reason)
        return redirect("course:closeness_at_end", course.pk)
    add_form = NewInCircleForm(request.POST)
    if add_form.is_valid():
        try:
            place = add_form.save(course)
        except TransitionRefused as refused:
            for reason in refused.reasons:
                messages.error(request, reason)
        else:
            messages.success(request, f"{place.label} added to the circle at the end.")
        return redirect("course:closeness_at_end", course.pk)
    places = _places(course)
    form = ClosenessAtEndForm(places=places)
    return _end_circle_page(request, course, can_write, form, add_form, places)


# --- completing the course ------------------------------------------------------------------


@require_POST
def complete_course(request, pk):
    course, _ = get_course_for(request, pk, action="complete course")
    form = TransitionForm(request.POST)
    form.is_valid()
    try:
        course.complete(request.user, note=form.cleaned_data.get("note", ""))
    except TransitionRefused as refused:
        for reason in refused.reasons:
            messages.error(request, reason)
        if course.phase == Phase.TERMINATION:
            messages.warning(
                request, "The course stays in the termination phase until these are recorded."
            )
    else:
        messages.success(
            request,
            "The course is completed. Its record stays readable, and the course summary is "
            "ready to print for the record or the referrer.",
        )
    return redirect(course)
