"""What was changed: every addition, change and removal in a patient's record, by whom, field by
field, kept by the database (ipt/accounts/history.py) and shown to the care team."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ipt.accounts import history
from ipt.accounts.models import AccessEvent
from patients.models import Patient
from tests.factories import CourseFactory, SessionFactory


def _edit(client, patient, **changes):
    data = {
        "full_name": patient.full_name,
        "preferred_name": patient.preferred_name,
        "date_of_birth": patient.date_of_birth.isoformat(),
        "phone": patient.phone,
        "email": patient.email,
        "address": patient.address,
        "emergency_contact_name": patient.emergency_contact_name,
        "emergency_contact_relationship": patient.emergency_contact_relationship,
        "emergency_contact_phone": patient.emergency_contact_phone,
        "referral_source": patient.referral_source,
        "referral_reason": patient.referral_reason,
        **changes,
    }
    response = client.post(reverse("patients:edit", args=[patient.pk]), data)
    assert response.status_code == 302, response.text
    patient.refresh_from_db()


def _rows(page):
    return page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def test_a_change_shows_who_made_it_and_the_field_before_and_after(
    client, owner, supervisor, patient
):
    client.force_login(owner)
    before = patient.phone
    _edit(client, patient, phone="07700 900123")
    client.force_login(supervisor)  # the supervisor reads it too (read-only)
    response = client.get(reverse("patients:history", args=[patient.pk]))
    assert response.status_code == 200
    rows = _rows(response.text)
    newest = rows.split("</tr>", 1)[0]
    assert "Changed: Patient" in newest
    assert owner.get_full_name() in newest
    assert "07700 900123" in newest and (before or "—") in newest
    assert "Full name" not in newest  # only what changed
    assert "Added: Patient" in rows
    assert AccessEvent.objects.filter(patient=patient, action="read change history").exists()


def test_the_whole_record_is_kept_course_included(client, owner, patient):
    course = CourseFactory(patient=patient)
    client.force_login(owner)
    page = client.get(reverse("patients:history", args=[patient.pk])).text
    assert "Added: Treatment course" in _rows(page)
    kinds = {label for label, _, _ in history.changes_to(patient)}
    assert course._meta.label in kinds and Patient._meta.label in kinds


def test_a_session_is_named_by_its_number(client, owner, patient):
    session = SessionFactory(course=CourseFactory(patient=patient), number=3)
    type(session).objects.filter(pk=session.pk).update(notes="Talked about Dave.")
    client.force_login(owner)
    rows = _rows(client.get(reverse("patients:history", args=[patient.pk])).text).split("</tr>")
    # (One test is one transaction: every change in it has the same time, so look for the row.)
    changed = [row for row in rows if "Changed: Session 3" in row]
    assert len(changed) == 1 and "Talked about Dave." in changed[0]


def test_changes_made_outside_a_request_are_the_systems(client, owner, patient):
    Patient.objects.filter(pk=patient.pk).update(phone="0000")
    client.force_login(owner)
    newest = _rows(client.get(reverse("patients:history", args=[patient.pk])).text)
    assert "The system (no one signed in)" in newest.split("</tr>", 1)[0]


def test_another_patients_changes_are_not_listed(client, owner, patient):
    type(patient).objects.create(
        therapist=owner, full_name="Otto Elsewhere", date_of_birth=patient.date_of_birth
    )
    client.force_login(owner)
    page = client.get(reverse("patients:history", args=[patient.pk])).text
    assert "Otto Elsewhere" not in page and patient.full_name in _rows(page)


def test_the_history_is_paged_and_its_queries_do_not_grow_with_the_page(client, owner, patient):
    client.force_login(owner)
    url = reverse("patients:history", args=[patient.pk])
    for n in range(3):
        _edit(client, patient, phone=f"0{n}")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(60):
        _edit(client, patient, phone=f"1{n}")
    CourseFactory(patient=patient)
    with CaptureQueriesContext(connection) as many:
        first = client.get(url).text
    assert len(many) <= len(few) + 2  # a second kind of record on the page: two more
    assert "Page 1 of 2" in first and "Older" in first
    assert "Page 2 of 2" in client.get(url + "?page=2").text


def test_the_patient_page_links_to_the_history(client, owner, patient):
    client.force_login(owner)
    page = client.get(reverse("patients:detail", args=[patient.pk])).text
    assert reverse("patients:history", args=[patient.pk]) in page
