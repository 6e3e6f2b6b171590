"""The suitability screen and the diagnosis (its baseline measures: ipt/measures/views.py)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ipt.course.access import get_course_for
from ipt.initial.forms.screening import (
    DiagnosisForm,
    SuitabilityForm,
)


@require_http_methods(["GET", "POST"])
def suitability(request, pk):
    course, can_write = get_course_for(request, pk, action="suitability")
    screen = course._one("suitability")
    form = SuitabilityForm(request.POST or None, instance=screen)
    if request.method == "POST" and form.is_valid():
        screen = form.save(commit=False)
        screen.course = course
        screen.screened_by = request.user
        with course.changing():
            screen.save()
        if screen.cleared:
            messages.success(request, "Suitability screen saved.")
            return redirect(course)
        messages.warning(
            request,
            "A contraindication is recorded: stabilisation comes first. The course cannot go on "
            "unless you record a reasoned override.",
        )
        return redirect("course:suitability", course.pk)
    return render(
        request,
        "ipt/course/suitability.html",
        {"course": course, "form": form, "screen": screen, "can_write": can_write},
    )


@require_http_methods(["GET", "POST"])
def diagnosis(request, pk):
    course, can_write = get_course_for(request, pk, action="diagnosis")
    form = DiagnosisForm(request.POST or None, instance=course._one("diagnosis"))
    if request.method == "POST" and form.is_valid():
        record = form.save(commit=False)
        record.course = course
        with course.changing():
            record.save()
        messages.success(request, "Diagnosis saved.")
        if course.baseline_phq9 is None:
            return redirect("course:measure_new", course.pk, "phq9")
        return redirect(course)
    return render(
        request,
        "ipt/course/diagnosis.html",
        {
            "course": course,
            "form": form,
            "measures": course.measures.all(),
            "can_write": can_write,
        },
    )
