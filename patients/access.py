"""Access to a patient's record (the rules every gate shares: ipt/accounts/access.py)."""

from django.shortcuts import get_object_or_404

from ipt.accounts.access import authorise, may_write, wants_write
from patients.models import Patient


def get_patient_for(request, pk, *, write=None, action=""):
    """``(patient, can_write)``, or 404 for anyone outside the patient's care team."""
    write = wants_write(request, write)
    patient = get_object_or_404(Patient.objects.visible_to(request.user), pk=pk)
    authorise(request, patient, write=write, action=action)
    return patient, may_write(request.user, patient)
