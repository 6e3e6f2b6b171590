from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ipt.models import Phase
from patients.access import get_patient_for
from patients.forms import PatientForm
from patients.models import Patient


def caseload(request):
    patients = Patient.objects.visible_to(request.user).with_active_course()
    return render(request, "patients/caseload.html", {"patients": patients})


@require_http_methods(["GET", "POST"])
def patient_create(request):
    if not request.user.is_therapist:
        raise PermissionDenied("Only therapists add patients to their caseload.")
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        patient = form.save(commit=False)
        patient.therapist = request.user
        patient.save()
        messages.success(request, f"{patient.full_name} has been added to your caseload.")
        return redirect(patient)
    return render(request, "patients/patient_form.html", {"form": form})


def patient_detail(request, pk):
    patient = get_patient_for(request, pk)
    courses = patient.courses.order_by(
        # the active course first, then earlier ones, newest first
        models.Case(models.When(phase__in=Phase.active(), then=0), default=1),
        "-start_date",
    )
    return render(request, "patients/patient_detail.html", {"patient": patient, "courses": courses})


@require_http_methods(["GET", "POST"])
def patient_edit(request, pk):
    patient = get_patient_for(request, pk, write=True, action="edit details")
    form = PatientForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "The patient's details have been saved.")
        return redirect(patient)
    return render(request, "patients/patient_form.html", {"form": form, "patient": patient})
