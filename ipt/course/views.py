"""Starting a course, its overview page and its phase changes."""

from django.contrib import messages
from django.db import models
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ipt.course.access import get_course_for
from ipt.course.forms import CourseStartForm, EndEarlyForm, TransitionForm
from ipt.course.models import Phase, TransitionRefused, TreatmentCourse
from patients.access import get_patient_for
from patients.models import Patient
from sessions_app.agenda import coverage_by_area
from sessions_app.focal import focal_overview
from sessions_app.progress import course_progress, symptom_chart
from sessions_app.watch import fresh_watch, in_sight, refresh_due


@require_GET
def caseload(request):
    """The caseload: each patient with their active course, and any closed course whose risk
    still needs attention, each with its stored watch (risk is never out of sight)."""
    refresh_due(TreatmentCourse.objects.visible_to(request.user))
    courses = TreatmentCourse.objects.select_related("watch")
    closed = in_sight(courses).exclude(phase__in=Phase.active())
    patients = (
        Patient.objects.visible_to(request.user)
        .select_related("therapist")
        .prefetch_related(
            models.Prefetch("courses", queryset=courses.active(), to_attr="active_courses"),
            models.Prefetch("courses", queryset=closed, to_attr="closed_courses_at_risk"),
        )
    )
    return render(request, "patients/caseload.html", {"patients": patients})


def patient_detail(request, pk):
    patient, can_write = get_patient_for(request, pk)
    # The courses this user may open (a group's co-facilitator: the member's course only).
    courses = (
        TreatmentCourse.objects.visible_to(request.user)
        .filter(patient=patient)
        .order_by(
            # the active course first, then earlier ones, newest first
            models.Case(models.When(phase__in=Phase.active(), then=0), default=1),
            "-start_date",
        )
    )
    return render(
        request,
        "patients/patient_detail.html",
        {"patient": patient, "courses": courses, "can_write": can_write},
    )


@require_http_methods(["GET", "POST"])
def course_start(request, patient_pk):
    patient, _ = get_patient_for(request, patient_pk, write=True, action="start course")
    active = patient.courses.active().first()
    if active:
        messages.info(request, "This patient already has an active course: it is shown here.")
        return redirect(active)
    form = CourseStartForm(request.POST or None, patient=patient)
    if request.method == "POST" and form.is_valid():
        course = form.save(commit=False)
        course.patient = patient
        try:
            TreatmentCourse.start(course)
        except TransitionRefused as refused:
            messages.info(request, " ".join(refused.reasons))
            return redirect(patient.courses.active().first() or patient)
        messages.success(
            request,
            "The course has started in the initial phase. Begin with the suitability screen.",
        )
        return redirect(course)
    return render(request, "ipt/course/start.html", {"patient": patient, "form": form})


def course_overview(request, pk, transition_form=None):
    course, can_write = get_course_for(request, pk)
    stored = fresh_watch(course)
    sessions = list(course.sessions.select_related("phq9"))
    chart, chart_rows = symptom_chart(course, sessions)
    return render(
        request,
        "ipt/course/overview.html",
        {
            "course": course,
            "steps": course.initial_phase_steps(),
            "blockers": course.middle_phase_blockers() if course.phase == Phase.INITIAL else [],
            "transitions": course.transitions.select_related("by"),
            "transition_form": transition_form or TransitionForm(),
            "progress": course_progress(course, sessions),
            "chart": chart,
            "chart_rows": chart_rows,
            "focal": focal_overview(course, sessions),
            "adherence": stored.adherence,
            "strategy_coverage": coverage_by_area(course)
            if course.phase not in (Phase.INITIAL,)
            else [],
            "watch": stored,
            "can_write": can_write,
        },
    )


@require_POST
def enter_middle_phase(request, pk):
    course, _ = get_course_for(request, pk, action="enter middle phase")
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return course_overview(request, pk, transition_form=form)
    try:
        course.enter_middle_phase(request.user, **form.cleaned_data)
    except TransitionRefused as refused:
        for reason in refused.reasons:
            messages.error(request, reason)
        messages.warning(request, "The course stays in the initial phase until these are in place.")
        return course_overview(request, pk, transition_form=form)
    else:
        messages.success(request, "The course is now in the middle phase.")
    return redirect(course)


@require_POST
def enter_termination_phase(request, pk):
    course, _ = get_course_for(request, pk, action="enter termination phase")
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return course_overview(request, pk, transition_form=form)
    try:
        course.enter_termination_phase(request.user, **form.cleaned_data)
    except TransitionRefused as refused:
        for reason in refused.reasons:
            messages.error(request, reason)
        return course_overview(request, pk, transition_form=form)
    else:
        messages.success(
            request,
            "The course is now in the termination phase: review progress, plan for relapse "
            "prevention and talk through the ending as a role transition.",
        )
    return redirect(course)


@require_http_methods(["GET", "POST"])
def end_early(request, pk):
    course, _ = get_course_for(request, pk, write=True, action="end course early")
    form = EndEarlyForm(request.POST or None, course=course)
    if request.method == "POST" and form.is_valid():
        try:
            course.end_early(
                request.user,
                form.cleaned_data["reason"],
                form.cleaned_data["ended_on"],
                note=form.cleaned_data["note"],
            )
        except TransitionRefused as refused:
            form.add_error(None, " ".join(refused.reasons))
        else:
            messages.success(
                request, "The early ending has been recorded. The course record stays readable."
            )
            return redirect(course)
    return render(request, "ipt/course/end_early.html", {"course": course, "form": form})
