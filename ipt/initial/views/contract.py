"""The treatment contract: draft, edit, sign with the patient, amend, print.

A signed contract is never changed (the database refuses it): every write here first locks
the course row and re-reads the newest version, so a draft signed a moment ago in another tab
is refused with a message instead of reaching the database trigger.
"""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from ipt.course.access import get_course_for
from ipt.course.models import TransitionRefused, TreatmentCourse
from ipt.initial.contract import TreatmentContract
from ipt.initial.forms.contract import ContractAmendForm, ContractForm, ContractSignForm
from ipt.pdf import pdf_response, render_pdf

SIGNED_CANNOT_CHANGE = (
    "Version {version} is signed and can no longer be changed. To change its terms, amend it: "
    "the amendment is a new version for you and the patient to sign."
)


def _lock_latest(course):
    """Lock the course, then read its newest contract version afresh (or None)."""
    TreatmentCourse.objects.select_for_update().only("pk").get(pk=course.pk)
    latest = course.contracts.order_by("-version").first()
    if latest is not None:
        latest.course = course
    return latest


def _page(request, course, can_write, *, form=None, sign_form=None, amend_form=None):
    versions = sorted(course.contracts.all(), key=lambda c: c.version)
    current = versions[-1] if versions else None
    if current is not None and not current.is_signed and can_write:
        form = form or ContractForm(instance=current, course=course)
        sign_form = sign_form or ContractSignForm(contract=current)
    if current is not None and current.is_signed and can_write:
        amend_form = amend_form or ContractAmendForm()
    return render(
        request,
        "ipt/course/contract.html",
        {
            "course": course,
            "contract": current,
            "versions": list(reversed(versions)),
            "can_write": can_write,
            "form": form,
            "sign_form": sign_form,
            "amend_form": amend_form,
            "has_problem_areas": bool(course.problem_areas.all()),
        },
    )


@require_http_methods(["GET", "POST"])
def contract(request, pk):
    course, can_write = get_course_for(request, pk, action="treatment contract")
    if request.method != "POST":
        return _page(request, course, can_write)

    action = request.POST.get("action", "save")
    with transaction.atomic():
        current = _lock_latest(course)
        if action == "draft":
            if current is not None:
                messages.info(request, "The contract is already drafted: it is shown here.")
            else:
                TreatmentContract.draft_for(course).save()
                messages.success(
                    request,
                    "Contract drafted from the course. Go through each term with the patient, "
                    "then sign it together.",
                )
            return redirect("course:contract", course.pk)
        if current is None:
            messages.error(request, "There is no contract yet: draft it first.")
            return redirect("course:contract", course.pk)
        if current.is_signed:
            messages.error(request, SIGNED_CANNOT_CHANGE.format(version=current.version))
            return redirect("course:contract", course.pk)

        if action == "refresh":
            fresh = TreatmentContract.draft_for(course)
            if not fresh.focal_areas:
                messages.warning(
                    request, "No problem area has been chosen yet: there is nothing to copy."
                )
            else:
                current.focal_areas, current.goals = fresh.focal_areas, fresh.goals
                current.save(update_fields=["focal_areas", "goals"])
                messages.success(
                    request, "Focal areas and goals copied from the problem areas. Check them."
                )
            return redirect("course:contract", course.pk)

        form = ContractForm(request.POST, instance=current, course=course)
        if form.is_valid():
            form.save()
            messages.success(request, f"Draft of version {current.version} saved.")
            return redirect("course:contract", course.pk)
    return _page(request, course, can_write, form=form)


@require_POST
def contract_sign(request, pk):
    course, can_write = get_course_for(request, pk, action="sign treatment contract")
    with transaction.atomic():
        current = _lock_latest(course)
        if current is None:
            messages.error(request, "There is no contract to sign yet: draft it first.")
            return redirect("course:contract", course.pk)
        if current.is_signed:
            messages.info(request, f"Version {current.version} is already signed.")
            return redirect("course:contract", course.pk)
        form = ContractSignForm(request.POST, contract=current)
        if form.is_valid():
            try:
                current.sign(
                    patient_name=form.cleaned_data["patient_name"],
                    patient_date=form.cleaned_data["patient_signed_on"],
                    therapist=request.user,
                    therapist_date=form.cleaned_data["therapist_signed_on"],
                )
            except TransitionRefused as refused:
                for reason in refused.reasons:
                    form.add_error(None, reason)
            else:
                messages.success(
                    request,
                    f"Version {current.version} of the contract is signed. Give the patient a "
                    "printed copy.",
                )
                return redirect("course:contract", course.pk)
    return _page(request, course, can_write, sign_form=form)


@require_POST
def contract_amend(request, pk):
    course, can_write = get_course_for(request, pk, action="amend treatment contract")
    form = ContractAmendForm(request.POST)
    with transaction.atomic():
        current = _lock_latest(course)
        if current is None or not current.is_signed:
            messages.error(
                request,
                "Only a signed contract is amended; an unsigned draft is edited directly.",
            )
            return redirect("course:contract", course.pk)
        if form.is_valid():
            try:
                new = current.amend(reason=form.cleaned_data["reason"])
            except TransitionRefused as refused:
                for reason in refused.reasons:
                    form.add_error(None, reason)
            else:
                messages.success(
                    request,
                    f"Version {new.version} drafted from version {current.version}. Change the "
                    "terms, then sign it with the patient.",
                )
                return redirect("course:contract", course.pk)
    return _page(request, course, can_write, amend_form=form)


def contract_pdf(request, pk, version):
    course, _ = get_course_for(request, pk, action="treatment contract PDF")
    contract = get_object_or_404(
        course.contracts.select_related("therapist_signed_by", "previous"), version=version
    )
    pdf = render_pdf(
        "ipt/pdf/contract.html",
        {
            "course": course,
            "patient": course.patient,
            "therapist": course.therapist,
            "contract": contract,
        },
        request,
    )
    return pdf_response(pdf, f"treatment-contract-v{contract.version}.pdf")
