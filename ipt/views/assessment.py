"""Suitability screen, diagnosis with baseline measures, and risk assessment."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ipt import measures
from ipt.access import get_course_for
from ipt.forms.assessment import DiagnosisForm, MeasureForm, RiskAssessmentForm, SuitabilityForm
from ipt.models import MeasureResponse


@require_http_methods(["GET", "POST"])
def suitability(request, pk):
    write = request.method == "POST"
    course = get_course_for(request, pk, write=write, action="suitability")
    screen = course._one("suitability")
    form = SuitabilityForm(request.POST or None, instance=screen)
    if write and form.is_valid():
        screen = form.save(commit=False)
        screen.course = course
        screen.screened_by = request.user
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
        request, "ipt/course/suitability.html", {"course": course, "form": form, "screen": screen}
    )


@require_http_methods(["GET", "POST"])
def diagnosis(request, pk):
    write = request.method == "POST"
    course = get_course_for(request, pk, write=write, action="diagnosis")
    form = DiagnosisForm(request.POST or None, instance=course._one("diagnosis"))
    if write and form.is_valid():
        record = form.save(commit=False)
        record.course = course
        record.save()
        messages.success(request, "Diagnosis saved.")
        if course.baseline_phq9 is None:
            return redirect("course:measure_new", course.pk, "phq9")
        return redirect(course)
    return render(
        request,
        "ipt/course/diagnosis.html",
        {"course": course, "form": form, "measures": course.measures.all()},
    )


def _instrument_or_404(code):
    try:
        return measures.get_instrument(code)
    except ValueError:
        raise Http404("No such measure.") from None


@require_http_methods(["GET", "POST"])
def measure_new(request, pk, instrument):
    instrument = _instrument_or_404(instrument)
    write = request.method == "POST"
    course = get_course_for(request, pk, write=write, action=f"{instrument.name}")
    form = MeasureForm(request.POST or None, instrument=instrument)
    if write and form.is_valid():
        response = MeasureResponse.record(
            course,
            instrument.code,
            form.answers,
            taken_on=form.cleaned_data["taken_on"],
            difficulty=form.cleaned_data.get("difficulty"),
            by=request.user,
        )
        messages.success(
            request,
            f"{instrument.name} recorded: {response.total} ({response.band.label.lower()}).",
        )
        if response.needs_risk_assessment:
            messages.error(
                request,
                f"PHQ-9 item 9 scored {response.item9}: document a suicide-risk assessment now.",
            )
            return redirect(f"{reverse('course:risk_new', args=[course.pk])}?measure={response.pk}")
        return redirect(course)
    return render(
        request,
        "ipt/course/measure_form.html",
        {"course": course, "form": form, "instrument": instrument},
    )


def measure_detail(request, pk, measure_pk):
    course = get_course_for(request, pk, action="view measure")
    response = get_object_or_404(course.measures.all(), pk=measure_pk)
    return render(
        request, "ipt/course/measure_detail.html", {"course": course, "response": response}
    )


@require_http_methods(["GET", "POST"])
def risk_new(request, pk):
    write = request.method == "POST"
    # Risk found at a maintenance follow-up must still be assessed and documented.
    course = get_course_for(
        request, pk, write=write, action="risk assessment", after_completion=True
    )
    measure = None
    if measure_id := request.GET.get("measure") or request.POST.get("measure"):
        measure = next((m for m in course.measures.all() if str(m.pk) == str(measure_id)), None)
    form = RiskAssessmentForm(request.POST or None)
    if write and form.is_valid():
        assessment = form.save(commit=False)
        assessment.course = course
        assessment.measure = measure
        assessment.assessed_by = request.user
        assessment.save()
        messages.success(request, "Risk assessment recorded.")
        if assessment.level == assessment.Level.IMMINENT:
            messages.error(request, "Imminent risk: follow the clinic's emergency procedure now.")
        return redirect(course)
    return render(
        request,
        "ipt/course/risk_form.html",
        {
            "course": course,
            "form": form,
            "measure": measure,
            "assessments": course.risk_assessments.all(),
        },
    )
