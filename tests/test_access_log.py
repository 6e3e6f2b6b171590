"""Who opened this record: the patient's own page of the audit trail, for the care team."""

from django.urls import reverse

from ipt.accounts.models import AccessEvent


def test_the_care_team_sees_who_opened_the_record(client, owner, supervisor, patient):
    client.force_login(supervisor)
    client.get(reverse("patients:detail", args=[patient.pk]))
    client.force_login(owner)
    response = client.get(reverse("patients:access_log", args=[patient.pk]))
    assert response.status_code == 200
    rows = response.text.split("<tbody>", 1)[1]
    assert supervisor.get_full_name() in rows or supervisor.username in rows
    assert "Read access log" in rows  # this look is on the record as well
    assert AccessEvent.objects.filter(patient=patient, action="read access log").count() == 1


def test_the_log_is_paged_newest_first(client, owner, patient):
    client.force_login(owner)
    for _ in range(55):
        client.get(reverse("patients:detail", args=[patient.pk]))
    first = client.get(reverse("patients:access_log", args=[patient.pk])).text
    assert "Page 1 of 2" in first and "Older" in first
    second = client.get(reverse("patients:access_log", args=[patient.pk]) + "?page=2").text
    assert "Page 2 of 2" in second and "Newer" in second


def test_the_patient_page_links_to_the_log(client, owner, patient):
    client.force_login(owner)
    page = client.get(reverse("patients:detail", args=[patient.pk])).text
    assert reverse("patients:access_log", args=[patient.pk]) in page
