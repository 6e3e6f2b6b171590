from datetime import date

from django.urls import reverse

from ipt.models import AccessEvent
from patients.models import Patient
from tests.factories import CourseFactory, MeasureFactory, PatientFactory

VALID = {
    "full_name": "Jo Bloggs",
    "date_of_birth": "1990-02-03",
    "phone": "07700 900999",
    "emergency_contact_name": "Sam Bloggs",
    "emergency_contact_phone": "07700 900998",
    "referral_source": "GP",
    "referral_reason": "Low mood since a bereavement.",
}


def test_caseload_lists_only_the_therapists_own_patients(client_for, owner, patient, colleague):
    PatientFactory(therapist=colleague, full_name="Someone Else")
    response = client_for(owner).get(reverse("patients:caseload"))
    assert patient.full_name in response.text
    assert "Someone Else" not in response.text


def test_supervisor_sees_all_supervisees_patients_with_therapist(
    client_for, supervisor, patient, colleague, stranger
):
    PatientFactory(therapist=colleague, full_name="Colleague Case")
    PatientFactory(therapist=stranger, full_name="Stranger Case")
    response = client_for(supervisor).get(reverse("patients:caseload"))
    assert "Pat Owner-Case" in response.text
    assert "Colleague Case" in response.text
    assert "Stranger Case" not in response.text


def _caseload_with_courses(owner, n):
    for patient in PatientFactory.create_batch(n, therapist=owner):
        MeasureFactory(course=CourseFactory(patient=patient), answers=(1,) * 9)


def test_caseload_query_count_does_not_grow_with_patients(
    client_for, owner, django_assert_num_queries
):
    client = client_for(owner)
    _caseload_with_courses(owner, 2)
    client.get(reverse("patients:caseload"))  # stores the watch of courses made by factories
    # The patients, the active courses and the closed ones still at risk, with their watch.
    with django_assert_num_queries(9):
        client.get(reverse("patients:caseload"))
    _caseload_with_courses(owner, 18)
    client.get(reverse("patients:caseload"))
    with django_assert_num_queries(9):
        response = client.get(reverse("patients:caseload"))
    assert response.text.count("Assess risk: PHQ-9 item 9 scored 1") == 20


def test_therapist_adds_a_patient_to_their_own_caseload(client_for, owner):
    response = client_for(owner).post(reverse("patients:create"), VALID)
    patient = Patient.objects.get(full_name="Jo Bloggs")
    assert response.status_code == 302
    assert response.url == patient.get_absolute_url()
    assert patient.therapist == owner


def test_invalid_patient_form_explains_next_to_the_field_and_keeps_the_text(client_for, owner):
    data = {**VALID, "date_of_birth": "2999-01-01", "phone": "", "email": ""}
    response = client_for(owner).post(reverse("patients:create"), data)
    assert response.status_code == 200
    assert "The date of birth cannot be in the future." in response.text
    assert "Give at least a phone number or an email address." in response.text
    assert 'value="Jo Bloggs"' in response.text
    assert "Low mood since a bereavement." in response.text
    assert 'aria-invalid="true"' in response.text
    assert not Patient.objects.exists()


def test_supervisor_cannot_add_patients(client_for, supervisor):
    response = client_for(supervisor).post(reverse("patients:create"), VALID)
    assert response.status_code == 403
    assert not Patient.objects.exists()


def test_owner_edits_details_and_the_change_is_recorded(client_for, owner, patient):
    data = {**VALID, "full_name": "Pat Renamed"}
    client_for(owner).post(reverse("patients:edit", args=[patient.pk]), data)
    patient.refresh_from_db()
    assert patient.full_name == "Pat Renamed"
    assert patient.date_of_birth == date(1990, 2, 3)
    assert AccessEvent.objects.filter(patient=patient, action="edit details").exists()


def test_supervisor_post_to_edit_is_refused(client_for, supervisor, patient):
    data = {**VALID, "full_name": "Changed"}
    response = client_for(supervisor).post(reverse("patients:edit", args=[patient.pk]), data)
    assert response.status_code == 403
    patient.refresh_from_db()
    assert patient.full_name == "Pat Owner-Case"
