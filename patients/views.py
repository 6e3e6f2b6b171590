"""Who is treated: adding a patient to the caseload and editing their details (nothing
clinical: the caseload list and the patient's courses are in ipt/course/views.py)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ipt.accounts import history
from ipt.accounts.models import AccessEvent
from patients.access import get_patient_for
from patients.forms import PatientForm


@require_http_methods(["GET", "POST"])
def patient_create(request):
    if not request.user.is_therapist:
        raise PermissionDenied("Only therapists add patients to their caseload.")
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        patient = form.save(commit=False)
        patient.therapist = request.user
        patient.submission = form.cleaned_data.get("submission")
        saved = patient.add_once()
        if saved is not patient:
            messages.info(request, f"{saved.full_name} was already added: here is the record.")
            return redirect(saved)
        messages.success(request, f"{patient.full_name} has been added to your caseload.")
        return redirect(patient)
    return render(request, "patients/patient_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
def patient_edit(request, pk):
    patient, _ = get_patient_for(request, pk, write=True, action="edit details")
    form = PatientForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "The patient's details have been saved.")
        return redirect(patient)
    return render(request, "patients/patient_form.html", {"form": form, "patient": patient})


@require_http_methods(["GET"])
def access_log(request, pk):
    """Who opened or changed this patient's record, newest first: the audit trail itself,
    for the care team (this look is recorded too)."""
    patient, _ = get_patient_for(request, pk, action="read access log")
    events = AccessEvent.objects.filter(patient=patient).select_related("user")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "patients/access_log.html", {"patient": patient, "page": page})


@require_http_methods(["GET"])
def change_history(request, pk):
    """What was changed in this patient's record, by whom and when, field by field, newest
    first: kept by the database for every part of the record (this look is recorded too)."""
    patient, _ = get_patient_for(request, pk, action="read change history")
    page = Paginator(history.changes_to(patient), 50).get_page(request.GET.get("page"))
    entries = history.described(page.object_list)
    return render(
        request,
        "patients/change_history.html",
        {"patient": patient, "page": page, "entries": entries},
    )
