"""The treatment contract: draft, edit, sign with the patient, amend, print.

A signed contract is never changed (the database refuses it): every write here first locks
the course row and re-reads the newest version, so a draft signed a moment ago in another tab
is refused with a message instead of reaching the database trigger.
"""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ipt.course.access import get_course_for
from ipt.course.models import TransitionRefused
from ipt.initial.contract import SIGNED_CANNOT_CHANGE, TreatmentContract
from ipt.initial.forms.contract import (
    ContractAmendForm,
    ContractForm,
    ContractSignForm,
    ContractVerifyForm,
)
from ipt.initial.signed_pdf import SignedContractPdf, render_contract_pdf
from ipt.pdf import pdf_response


def _page(request, course, can_write, *, form=None, sign_form=None, amend_form=None, verify=None):
    versions = sorted(course.contracts.all(), key=lambda c: c.version)
    stored = {
        s.contract_id: s
        for s in SignedContractPdf.objects.without_bytes().filter(contract__course=course)
    }
    for version in versions:
        version.stored = stored.get(version.pk)
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
            "verify_form": (verify or {}).get("form") or ContractVerifyForm(),
            "verify": verify,
            "any_signed": any(v.is_signed for v in versions),
            "has_problem_areas": bool(course.problem_areas.all()),
        },
    )


@require_http_methods(["GET", "POST"])
def contract(request, pk):
    """The contract page; a POST saves the terms of the current, unsigned draft."""
    course, can_write = get_course_for(request, pk, action="treatment contract")
    if request.method != "POST":
        return _page(request, course, can_write)
    with transaction.atomic():
        current = TreatmentContract.latest_locked(course)
        if current is None:
            messages.error(request, "There is no contract yet: draft it first.")
            return redirect("course:contract", course.pk)
        if current.is_signed:
            messages.error(request, SIGNED_CANNOT_CHANGE.format(version=current.version))
            return redirect("course:contract", course.pk)
        form = ContractForm(request.POST, instance=current, course=course)
        if form.is_valid():
            form.save()
            messages.success(request, f"Draft of version {current.version} saved.")
            return redirect("course:contract", course.pk)
    return _page(request, course, can_write, form=form)


@require_POST
def contract_draft(request, pk):
    course, _ = get_course_for(request, pk, action="draft treatment contract")
    try:
        TreatmentContract.start_draft(course)
    except TransitionRefused as refused:
        for reason in refused.reasons:
            messages.info(request, reason)
    else:
        messages.success(
            request,
            "Contract drafted from the course. Go through each term with the patient, "
            "then sign it together.",
        )
    return redirect("course:contract", course.pk)


@require_POST
def contract_refresh(request, pk):
    course, _ = get_course_for(request, pk, action="refresh treatment contract")
    with transaction.atomic():
        if (current := TreatmentContract.latest_locked(course)) is None:
            messages.error(request, "There is no contract yet: draft it first.")
            return redirect("course:contract", course.pk)
        try:
            copied = current.refresh_from_problem_areas()
        except TransitionRefused as refused:
            for reason in refused.reasons:
                messages.error(request, reason)
        else:
            if copied:
                messages.success(
                    request, "Focal areas and goals copied from the problem areas. Check them."
                )
            else:
                messages.warning(
                    request, "No problem area has been chosen yet: there is nothing to copy."
                )
    return redirect("course:contract", course.pk)


def _refused_into(form, action):
    """Run a contract action; its refusal reasons become the form's errors. The action's
    result (True when it returns nothing), or None when refused."""
    try:
        result = action()
    except TransitionRefused as refused:
        for reason in refused.reasons:
            form.add_error(None, reason)
        return None
    return True if result is None else result


@require_POST
def contract_sign(request, pk):
    course, can_write = get_course_for(request, pk, action="sign treatment contract")
    with transaction.atomic():
        current = TreatmentContract.latest_locked(course)
        if current is None:
            messages.error(request, "There is no contract to sign yet: draft it first.")
            return redirect("course:contract", course.pk)
        if current.is_signed:
            messages.info(request, f"Version {current.version} is already signed.")
            return redirect("course:contract", course.pk)
        form = ContractSignForm(request.POST, contract=current)
        if form.is_valid():
            signed = _refused_into(
                form,
                lambda: current.sign(
                    patient_name=form.cleaned_data["patient_name"],
                    patient_date=form.cleaned_data["patient_signed_on"],
                    therapist=request.user,
                    therapist_date=form.cleaned_data["therapist_signed_on"],
                    parent=form.cleaned_data.get("parent"),
                    parent_date=form.cleaned_data.get("parent_signed_on"),
                ),
            )
            if signed:
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
        current = TreatmentContract.latest_locked(course)
        if current is None or not current.is_signed:
            messages.error(
                request,
                "Only a signed contract is amended; an unsigned draft is edited directly.",
            )
            return redirect("course:contract", course.pk)
        if form.is_valid():
            new = _refused_into(form, lambda: current.amend(reason=form.cleaned_data["reason"]))
            if new:
                messages.success(
                    request,
                    f"Version {new.version} drafted from version {current.version}. Change the "
                    "terms, then sign it with the patient.",
                )
                return redirect("course:contract", course.pk)
    return _page(request, course, can_write, amend_form=form)


@require_POST
def contract_verify(request, pk):
    """Whether an uploaded file is, byte for byte, a signed document of this course. Reads
    the record and writes nothing, so whoever may read the course may ask."""
    course, can_write = get_course_for(
        request, pk, write=False, action="verify a copy of the treatment contract"
    )
    form = ContractVerifyForm(request.POST, request.FILES)
    verify = {"form": form}
    if form.is_valid():
        verify["stored"], verify["sha256"] = SignedContractPdf.matching(
            course, form.cleaned_data["copy"].chunks()
        )
        verify["name"] = form.cleaned_data["copy"].name
    return _page(request, course, can_write, verify=verify)


@require_GET
def contract_pdf(request, pk, version):
    """A signed version's stored document, byte for byte; a draft rendered as it stands."""
    course, _ = get_course_for(request, pk, action="treatment contract PDF")
    contract = get_object_or_404(
        course.contracts.select_related("therapist_signed_by", "previous"), version=version
    )
    contract.course = course
    if contract.is_signed:
        pdf = bytes(SignedContractPdf.for_contract(contract).pdf)
    else:
        pdf = render_contract_pdf(contract, request)
    return pdf_response(pdf, f"treatment-contract-v{contract.version}.pdf")
