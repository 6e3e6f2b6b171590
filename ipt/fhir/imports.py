"""A referral imported as a FHIR Patient (JSON upload): checked, shown, completed, recorded.

Two steps, both POSTs to one page: the upload is read (ipt/fhir/referral.py) and every reason
it cannot be used is shown next to the upload field; a usable file is shown as the record will
hold it, what the record has no field for is listed, and the therapist completes what a
Patient resource does not carry (who referred and why; the emergency contact when the file has
none). The values from the file are not editable: the record holds them as the file gave
them, and the file's text is kept beside it (patients.models.ImportedReferral).
"""

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms.utils import ErrorDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ipt import typed
from ipt.accounts.models import AccessEvent
from ipt.fhir.referral import IDENTIFIER_NAMES, MAX_BYTES, ReferralError, read_referral
from patients.forms import PatientForm
from patients.models import DuplicatePatient, ImportedReferral, Patient, PatientIdentifier

PAGE = "patients/referral_import.html"


class ReferralUploadForm(typed.Form):
    referral = forms.FileField(
        label="Referral file",
        help_text="The patient's FHIR R4 Patient resource (JSON), as exported by the "
        "referrer's system, for example the GP's.",
        widget=forms.ClearableFileInput(
            attrs={"accept": ".json,application/json,application/fhir+json"}
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.referral = None
        self.duplicate = None

    @classmethod
    def refused(cls, user, error):
        """The upload form showing ``error`` next to its field (a file refused at the second
        step: changed meanwhile, or its identifier taken)."""
        form = cls({}, {}, user=user)
        form.full_clean()
        form._errors = ErrorDict(
            {"referral": form.error_class(forms.ValidationError(error).messages)}
        )
        return form

    def clean_referral(self):
        raw = self.cleaned_data["referral"].read(MAX_BYTES + 1)
        self.referral = checked(raw, self.user)
        return self.cleaned_data["referral"]


def checked(raw, user):
    """The referral in ``raw``, or ``ValidationError`` with each reason it cannot be used: the
    file's own problems, values the record's fields refuse, an identifier already a patient's."""
    try:
        referral = read_referral(raw)
    except ReferralError as error:
        raise forms.ValidationError(error.problems) from None
    form = ReferralPatientForm({}, referral=referral)
    problems = [
        f"{form[name].label}: {error}"
        for name, errors in form.errors.items()
        if name in referral.fields
        for error in errors
    ]
    if problems:
        raise forms.ValidationError(
            ["The record cannot hold these values from the file as they are:", *problems]
        )
    if (found := PatientIdentifier.holder(referral.identifiers)) is not None:
        raise forms.ValidationError(duplicate_message(found, user))
    return referral


def duplicate_message(found, user):
    (system, value), patient = found
    which = f"{IDENTIFIER_NAMES.get(system, system)} {value}"
    if Patient.objects.visible_to(user).filter(pk=patient.pk).exists():
        return f"This referral's {which} is already the record of {patient.full_name}: open it from your caseload."
    return (
        f"This referral's {which} is already a patient's at the clinic, with another therapist: "
        "ask the clinic admin before adding a second record."
    )


class ReferralPatientForm(PatientForm):
    """The add-patient form, its fields from the file shown but not editable (a disabled field
    takes the file's value whatever is sent), with the file's text carried to the second step."""

    resource = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.referral = referral
        self.initial["resource"] = referral.text
        for name, value in referral.fields.items():
            self.initial[name] = value
            self.fields[name].disabled = True

    def from_file(self):
        return [(self[name].label, self.referral.fields[name]) for name in self.referral.fields]

    def to_complete(self):
        return [self[name] for name in self.fields if name not in self.referral.fields]


@require_http_methods(["GET", "POST"])
def referral_import(request):
    if not request.user.is_therapist:
        raise PermissionDenied("Only therapists add patients to their caseload.")
    context = {"upload": ReferralUploadForm(user=request.user), "form": None}
    if request.method == "POST" and "resource" not in request.POST:
        upload = ReferralUploadForm(request.POST, request.FILES, user=request.user)
        context["upload"] = upload
        if upload.is_valid():
            context["form"] = ReferralPatientForm(referral=upload.referral)
    elif request.method == "POST":
        return _confirm(request, context)
    return render(request, PAGE, context)


def _submitted_before(request):
    """The patient this very form already added (a double click), if any."""
    try:
        submission = uuid.UUID(request.POST.get("submission", ""))
    except ValueError:
        return None
    return Patient.objects.filter(therapist=request.user, submission=submission).first()


def _confirm(request, context):
    if (earlier := _submitted_before(request)) is not None:
        messages.info(request, f"{earlier.full_name} was already added: here is the record.")
        return redirect(earlier)
    try:
        referral = checked(request.POST["resource"].encode(), request.user)
    except forms.ValidationError as error:
        context["upload"] = ReferralUploadForm.refused(request.user, error)
        return render(request, PAGE, context)
    form = ReferralPatientForm(request.POST, referral=referral)
    context["form"] = form
    if not form.is_valid():
        return render(request, PAGE, context)
    patient = form.save(commit=False)
    patient.therapist = request.user
    patient.submission = form.cleaned_data.get("submission")
    try:
        with transaction.atomic():
            patient, new = ImportedReferral.make_patient(
                patient, text=referral.text, identifiers=referral.identifiers, user=request.user
            )
            if new:
                AccessEvent.record(request, patient, "import referral (FHIR)")
    except DuplicatePatient as duplicate:
        message = duplicate_message((duplicate.identifier, duplicate.patient), request.user)
        context["upload"] = ReferralUploadForm.refused(request.user, message)
        context["form"] = None
        return render(request, PAGE, context)
    if not new:
        messages.info(request, f"{patient.full_name} was already added: here is the record.")
    else:
        messages.success(
            request, f"{patient.full_name} has been added to your caseload from the referral."
        )
    return redirect(patient)
