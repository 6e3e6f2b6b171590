"""Recording a symptom measure, reading one, and documenting a risk assessment."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from ipt.course.access import get_course_for
from ipt.measures import instruments
from ipt.measures.forms import MeasureForm, RiskAssessmentForm
from ipt.measures.models import MeasureResponse, RiskAssessment


def _instrument_or_404(code):
    try:
        return instruments.get_instrument(code)
    except ValueError:
        raise Http404("No such measure.") from None


@require_http_methods(["GET", "POST"])
def measure_new(request, pk, instrument):
    instrument = _instrument_or_404(instrument)
    course, can_write = get_course_for(request, pk, action=f"{instrument.name}")
    form = MeasureForm(request.POST or None, instrument=instrument)
    if request.method == "POST" and form.is_valid():
        response = MeasureResponse.record(
            course,
            instrument.code,
            form.answers,
            taken_on=form.cleaned_data["taken_on"],
            difficulty=form.cleaned_data.get("difficulty"),
            by=request.user,
            submission=form.cleaned_data.get("submission"),
        )
        messages.success(
            request,
            f"{instrument.name} recorded: {response.total} ({response.band.label.lower()}).",
        )
        if response.needs_risk_assessment:
            messages.error(
                request,
                f"{response.risk_signal.text}: document a suicide-risk assessment now.",
            )
            return redirect(f"{reverse('course:risk_new', args=[course.pk])}?measure={response.pk}")
        return redirect(course)
    return render(
        request,
        "ipt/course/measure_form.html",
        {"course": course, "form": form, "instrument": instrument, "can_write": can_write},
    )


def measure_detail(request, pk, measure_pk):
    course, can_write = get_course_for(request, pk, action="view measure")
    response = get_object_or_404(course.measures.all(), pk=measure_pk)
    return render(
        request,
        "ipt/course/measure_detail.html",
        {"course": course, "response": response, "can_write": can_write},
    )


def _back_to(request, course):
    """Where the therapist was (the session page mid-hour), if it is a page of this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return course.get_absolute_url()


@require_http_methods(["GET", "POST"])
def risk_new(request, pk):
    # IPT: every risk signal must be answerable, so an assessment is written whatever the
    # course's phase (a completed course's follow-up, or a course that ended early).
    course, can_write = get_course_for(request, pk, action="risk assessment", any_phase=True)
    measure = None
    if measure_id := request.GET.get("measure") or request.POST.get("measure"):
        measure = next((m for m in course.measures.all() if str(m.pk) == str(measure_id)), None)
    signal = measure.risk_signal if measure is not None else None
    form = RiskAssessmentForm(request.POST or None, signal=signal)
    if request.method == "GET" and request.GET.get("reason") in RiskAssessment.Reason.values:
        form.initial["reason"] = request.GET["reason"]
    if request.method == "POST" and form.is_valid():
        assessment = form.save(commit=False)
        assessment.course = course
        assessment.measure = measure
        assessment.assessed_by = request.user
        with course.changing():
            assessment.save()
        messages.success(request, "Risk assessment recorded.")
        if assessment.level == assessment.Level.IMMINENT:
            messages.error(request, "Imminent risk: follow the clinic's emergency procedure now.")
        return redirect(_back_to(request, course))
    return render(
        request,
        "ipt/course/risk_form.html",
        {
            "course": course,
            "form": form,
            "can_write": can_write,
            "measure": measure,
            "signal": signal,
            "next": _back_to(request, course),
            "history": course.risk_history(),
        },
    )
