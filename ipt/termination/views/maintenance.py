"""The maintenance contract, its follow-ups and booster sessions (IPT-REFERENCE.md,
"Termination phase"): the only records still written once a course is completed
(``after_completion=True``)."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from ipt.course.access import get_course_for
from ipt.course.models import TransitionRefused, TreatmentCourse
from ipt.termination.forms.aftercare import (
    BoosterForm,
    FocalWorkForm,
    FollowUpForm,
    FollowUpPHQ9Form,
    MaintenanceForm,
)
from ipt.termination.models import (
    MAINTENANCE_PHASES,
    FollowUp,
    MaintenanceContract,
    maintenance_refusal,
)
from ipt.termination.rules import followup_rows
from sessions_app.selfreport.models import QuestionnaireLink


def _maintenance_page(request, course, can_write, contract, *, form=None, booster_form=None):
    followups = list(contract.followups.all()) if contract else []
    rows, baseline, end = followup_rows(course, followups)
    boosters = sum(1 for f in followups if f.kind == FollowUp.Kind.BOOSTER)
    refusal = maintenance_refusal(course)
    return render(
        request,
        "ipt/course/maintenance.html",
        {
            "course": course,
            "contract": contract,
            "form": form or MaintenanceForm(instance=contract, course=course),
            "booster_form": booster_form or BoosterForm(course=course),
            "rows": rows,
            "baseline": baseline,
            "end": end,
            "boosters_used": boosters,
            "boosters_left": max((contract.booster_sessions if contract else 0) - boosters, 0),
            "refusal": refusal,
            "can_write": can_write and not refusal,
        },
    )


@require_http_methods(["GET", "POST"])
def maintenance(request, pk):
    course, can_write = get_course_for(
        request, pk, action="maintenance contract", after_completion=True
    )
    contract = course._one("maintenance")
    if request.method != "POST":
        return _maintenance_page(request, course, can_write, contract)
    if refusal := maintenance_refusal(course):
        messages.error(request, refusal)
        return redirect("course:maintenance", course.pk)
    if request.POST.get("form") == "booster":
        return _add_booster(request, course, can_write, contract)
    form = MaintenanceForm(request.POST, instance=contract, course=course)
    if not form.is_valid():
        return _maintenance_page(request, course, can_write, contract, form=form)
    first = contract is None
    with transaction.atomic():
        # Lock the course and look again: two first agreements at once make one contract.
        TreatmentCourse.objects.select_for_update().only("pk").get(pk=course.pk)
        if first and MaintenanceContract.objects.filter(course=course).exists():
            messages.info(request, "The maintenance contract was agreed a moment ago.")
            return redirect("course:maintenance", course.pk)
        contract = form.save(commit=False)
        contract.course = course
        with course.changing():
            contract.save()
        if form.replans or not contract.has_regular_followups():
            contract.plan_followups()
    if first:
        messages.success(
            request,
            f"Maintenance contract agreed: {contract.plan_words}.",
        )
    elif form.replans:
        messages.success(
            request, "Maintenance contract saved; the appointments still due are re-planned."
        )
    else:
        messages.success(request, "Maintenance contract saved.")
    return redirect("course:maintenance", course.pk)


def _add_booster(request, course, can_write, contract):
    if contract is None:
        messages.error(
            request, "Agree the maintenance contract first: it sets the booster sessions."
        )
        return redirect("course:maintenance", course.pk)
    form = BoosterForm(request.POST, course=course)
    if not form.is_valid():
        return _maintenance_page(request, course, can_write, contract, booster_form=form)
    try:
        booster = contract.add_booster(form.cleaned_data["due_on"], form.cleaned_data["notes"])
    except TransitionRefused as refused:
        for reason in refused.reasons:
            messages.error(request, reason)
        return redirect("course:maintenance", course.pk)
    messages.success(
        request, f"Booster session planned for {booster.due_on.day} {booster.due_on:%B %Y}."
    )
    return redirect("course:maintenance", course.pk)


@require_http_methods(["GET", "POST"])
def followup(request, pk, followup_pk):
    course, can_write = get_course_for(
        request, pk, action="maintenance follow-up", after_completion=True
    )
    visit = get_object_or_404(
        FollowUp.objects.filter(maintenance__course=course).select_related("maintenance"),
        pk=followup_pk,
    )
    form = FollowUpForm(request.POST or None, instance=visit)
    # Once recorded, a follow-up's PHQ-9 is part of the record: it is shown, not re-entered.
    phq9_form = None if visit.phq9_id else FollowUpPHQ9Form(request.POST or None)
    focal_forms = _focal_forms(request, course, visit)
    if request.method == "POST" and _save_followup(
        request, course, visit, form, phq9_form, focal_forms
    ):
        response = visit.phq9
        if response is not None:
            messages.success(
                request,
                f"{visit.label} recorded. PHQ-9 {response.total} ({response.band.label.lower()}).",
            )
            if response.needs_risk_assessment:
                messages.error(
                    request,
                    f"PHQ-9 item 9 scored {response.item9}: document a suicide-risk assessment now.",
                )
                return redirect(
                    f"{reverse('course:risk_new', args=[course.pk])}?measure={response.pk}"
                )
        else:
            messages.success(request, f"{visit.label} recorded.")
        return redirect("course:maintenance", course.pk)
    followups = list(visit.maintenance.followups.all())
    rows, baseline, end = followup_rows(course, followups)
    return render(
        request,
        "ipt/course/followup.html",
        {
            "course": course,
            "visit": visit,
            "row": next(r for r in rows if r.followup.pk == visit.pk),
            "baseline": baseline,
            "end": end,
            "form": form,
            "phq9_form": phq9_form,
            "can_write": can_write and course.phase in MAINTENANCE_PHASES,
            "questionnaire": QuestionnaireLink.on_page(visit),
            "focal_forms": focal_forms,
            "focal_errors": any(f.errors for f in focal_forms),
        },
    )


def _focal_forms(request, course, visit):
    """Under maintenance IPT (and at a booster) the session keeps the focal work: a form per
    agreed problem area, the primary first, filled from what was recorded."""
    if not visit.takes_focal_work:
        return []
    done = {w.problem_area_id: w for w in visit.focal_work.all()}
    return [
        FocalWorkForm(request.POST or None, area=a, work=done.get(a.pk))
        for a in course.problem_areas.all()  # the primary area first
    ]


def _save_followup(request, course, visit, form, phq9_form, focal_forms=()):
    """Validate the forms together; record the PHQ-9 (if given) and link it, and the focal
    work. True if saved."""
    valid = form.is_valid()
    for focal in focal_forms:  # every form validated, so that each shows its own errors
        valid = focal.is_valid() and valid
    phq9_given = phq9_form is not None and phq9_form.started
    if phq9_given and valid and form.cleaned_data["status"] == FollowUp.Status.MISSED:
        form.add_error("status", "A PHQ-9 was entered, so the follow-up was held.")
        valid = False
    if phq9_given and not phq9_form.is_valid():
        valid = False
    if not valid:
        return False
    visit = form.save(commit=False)
    try:
        visit.record(
            by=request.user,
            phq9_answers=phq9_form.answers if phq9_given else None,
            difficulty=phq9_form.cleaned_data.get("difficulty") if phq9_given else None,
            focal_work={f.area: f.text() for f in focal_forms},
        )
    except TransitionRefused as refused:
        form.add_error(None, " ".join(refused.reasons))
        return False
    return True
