from django.shortcuts import get_object_or_404

from ipt.access import authorise
from patients.models import Patient


def get_patient_for(request, pk, *, write=False, action=""):
    patient = get_object_or_404(Patient.objects.visible_to(request.user), pk=pk)
    authorise(request, patient, write=write, action=action)
    return patient
