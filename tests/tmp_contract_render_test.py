# Renders draft and signed contract PDFs inside a rolled-back test transaction.
import pytest
from datetime import timedelta
from django.utils import timezone
from tests.factories import CourseFactory, SuitabilityFactory, ProblemAreaFactory, SickRoleFactory, InventoryPersonFactory, PatientFactory, TherapistFactory
from ipt.models import TreatmentContract

@pytest.mark.django_db
def test_render(client):
    t = TherapistFactory(first_name="Helen", last_name="Okafor")
    p = PatientFactory(therapist=t, full_name="Maria Fernández López")
    c = CourseFactory(patient=p)
    SuitabilityFactory(course=c)
    SickRoleFactory(course=c)
    w = InventoryPersonFactory(course=c, name="Tom", relationship="husband")
    a = ProblemAreaFactory(course=c, area="role_dispute", person=w, dispute_stage="renegotiation", from_role="", to_role="")
    a.set_goals(["Identify the dispute.", "Choose a plan of action.", "Change expectations and/or faulty communication to bring about a satisfactory resolution."])
    b = ProblemAreaFactory(course=c, from_role="full-time nurse", to_role="part-time work after the baby")
    b.set_goals(["Mourn and accept the loss of the old role.", "Build mastery and social support in the new role."])
    k = TreatmentContract.draft_for(c); k.save()
    client.force_login(t)
    open("/tmp/contract-draft.pdf","wb").write(client.get(f"/courses/{c.pk}/contract/v1.pdf").content)
    k.sign(patient_name=p.full_name, patient_date=timezone.localdate()-timedelta(days=1), therapist=t, therapist_date=timezone.localdate())
    open("/tmp/contract-signed.pdf","wb").write(client.get(f"/courses/{c.pk}/contract/v1.pdf").content)
    k.amend(reason="Sessions move to Thursday afternoons from session 5.")
    open("/tmp/contract-v2.pdf","wb").write(client.get(f"/courses/{c.pk}/contract/v2.pdf").content)
