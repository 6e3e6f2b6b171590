"""The FHIR export of a period: prepared by the worker, its progress shown, every resource
valid, only the requester's own courses (or, for the clinic lead, the clinic's, pseudonymised),
audited, and downloaded by whoever asked for it alone."""

import json
from datetime import date

import pytest
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from ipt.fhir import bulk
from ipt.fhir.bulk import PreparedExport
from ipt.fhir.codes import PHQ9_ITEMS
from ipt.models import AccessEvent, Role
from tests.factories import (
    CourseFactory,
    MeasureFactory,
    PatientFactory,
    SessionFactory,
    TherapistFactory,
    UserFactory,
)

PERIOD = {"start": "2026-01-01", "end": "2026-11-30"}


def _course(therapist, start=date(2026, 3, 2), name=None):
    patient = PatientFactory(therapist=therapist, **({"full_name": name} if name else {}))
    course = CourseFactory(patient=patient, start_date=start)
    SessionFactory(course=course, number=1, notes="Spoke about the row with her sister.")
    MeasureFactory(course=course, answers=(1, 2, 3, 0, 1, 2, 3, 0, 0), total=12, taken_on=start)
    return course


@pytest.fixture
def therapist(db):
    return TherapistFactory()


@pytest.fixture
def clinic(therapist):
    """Two of the therapist's courses in 2026, one in 2025, and a colleague's in 2026."""
    return {
        "mine": [_course(therapist, name="Ada Lovelace"), _course(therapist, date(2026, 6, 1))],
        "old": _course(therapist, date(2025, 5, 1)),
        "colleague": _course(TherapistFactory(), name="Grace Hopper"),
    }


def _export(client, **data):
    response = client.post(reverse("fhir_exports"), {**PERIOD, **data}, follow=True)
    assert response.status_code == 200
    return response


def _download(client, user):
    export = PreparedExport.objects.get(requested_by=user)
    assert export.is_ready, export.error
    response = client.get(reverse("fhir_export_download", args=[export.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    assert response["Content-Disposition"].startswith('attachment; filename="ipt-fhir-')
    return export, json.loads(response.content)


def _validate_every_resource(data):
    Bundle.model_validate(data)  # the file as sent, parsed again
    for entry in data["entry"]:
        resource = entry["resource"]
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return [e["resource"] for e in data["entry"]]


def _of(resources, kind):
    return [r for r in resources if r["resourceType"] == kind]


def test_a_therapist_exports_their_own_courses_of_the_period(client_for, therapist, clinic):
    client = client_for(therapist)
    page = _export(client)
    export, data = _download(client, therapist)
    assert "Download the export (FHIR JSON)" in page.text

    resources = _validate_every_resource(data)
    episodes = {r["id"] for r in _of(resources, "EpisodeOfCare")}
    assert episodes == {f"course-{c.pk}" for c in clinic["mine"]}  # not 2025's, not the colleague's
    assert {r["id"] for r in _of(resources, "Practitioner")} == {str(therapist.pk)}  # once
    assert len(_of(resources, "Patient")) == 2
    assert any(p["name"][0]["text"] == "Ada Lovelace" for p in _of(resources, "Patient"))
    for response in _of(resources, "QuestionnaireResponse"):
        assert response["questionnaire"].endswith("44249-1")
        assert [i["linkId"] for i in response["item"]] == list(PHQ9_ITEMS)
    assert {o["code"]["coding"][0]["code"] for o in _of(resources, "Observation")} == {"44261-6"}
    assert "row with her sister" not in json.dumps(data)  # notes only when asked for
    assert export.done == export.total == 2

    # Audited: asked for and downloaded, for each of the two patients, and no one else.
    for action in ("FHIR export of a period", "FHIR export of a period, downloaded"):
        events = AccessEvent.objects.filter(action=action, user=therapist)
        assert {e.patient_id for e in events} == {c.patient_id for c in clinic["mine"]}


def test_notes_when_asked_for(client_for, therapist, clinic):
    client = client_for(therapist)
    _export(client, with_notes="on")
    _, data = _download(client, therapist)
    assert "row with her sister" in json.dumps(data)
    assert AccessEvent.objects.filter(action="FHIR export of a period with notes").count() == 2


def test_the_clinic_lead_exports_the_clinic_pseudonymised(client_for, clinic):
    lead = UserFactory(role=Role.CLINIC_LEAD)
    client = client_for(lead)
    assert "with_notes" not in client.get(reverse("fhir_exports")).text
    _export(client, with_notes="on")  # not offered, and ignored if sent
    export, data = _download(client, lead)
    resources = _validate_every_resource(data)
    assert len(_of(resources, "EpisodeOfCare")) == 3  # both therapists' 2026 courses
    text = json.dumps(data)
    for private in ("Ada Lovelace", "Grace Hopper", "1985-05-17", "07700", "row with her sister"):
        assert private not in text
    for patient in _of(resources, "Patient"):
        assert set(patient) == {"resourceType", "id", "meta"}
        assert patient["meta"]["security"][0]["code"] == "PSEUDED"
    assert export.pseudonymised and "pseudonymised" in export.filename
    assert (
        AccessEvent.objects.filter(
            user=lead, action="FHIR export of a period, pseudonymised"
        ).count()
        == 3
    )


def test_the_queue_holds_only_the_exports_id_and_the_page_shows_progress(
    client_for, therapist, clinic, settings
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    client = client_for(therapist)
    client.post(reverse("fhir_exports"), PERIOD)
    export = PreparedExport.objects.get()
    assert export.status == PreparedExport.Status.QUEUED
    queued = DBTaskResult.objects.get(id=export.task_id)
    assert queued.task_path == "ipt.fhir.bulk.prepare_fhir_export"
    assert queued.args_kwargs == {"args": [str(export.pk)], "kwargs": {}}

    page = client.get(reverse("fhir_exports")).text
    assert 'hx-trigger="every 2s"' in page
    assert "0 of 2 courses" in page and "(0%)" in page
    assert f'href="{reverse("fhir_exports")}">refresh</a>' in page
    # A second request while it waits gets the same export.
    again = client.post(reverse("fhir_exports"), PERIOD, follow=True)
    assert "already being prepared" in again.text
    assert PreparedExport.objects.count() == 1

    export.done = 1
    export.save(update_fields=["done"])
    partial = client.get(reverse("fhir_exports"), headers={"HX-Request": "true"}).text
    assert partial.lstrip().startswith('<section id="export-status"')
    assert "1 of 2 courses" in partial and "(50%)" in partial

    assert bulk.prepare_fhir_export.call(str(export.pk)) == "ready"
    partial = client.get(reverse("fhir_exports"), headers={"HX-Request": "true"}).text
    assert "Download the export" in partial and "hx-trigger" not in partial
    assert bulk.prepare_fhir_export.call(str(export.pk)) == "skipped"


def test_a_failed_export_is_shown(client_for, therapist, clinic, monkeypatch):
    def broken(export, progress=None):
        raise ValueError("a resource the model refused")

    monkeypatch.setattr(bulk, "export_bytes", broken)
    client = client_for(therapist)
    client.post(reverse("fhir_exports"), PERIOD)  # the task fails (the backend logs it)
    export = PreparedExport.objects.get()
    assert export.status == PreparedExport.Status.FAILED
    assert "could not be prepared" in client.get(reverse("fhir_exports")).text


def test_a_period_without_courses_and_a_bad_period_are_said_so(client_for, therapist, clinic):
    client = client_for(therapist)
    empty = client.post(reverse("fhir_exports"), {"start": "2020-01-01", "end": "2020-12-31"})
    assert "No course started in this period" in empty.text
    backwards = client.post(reverse("fhir_exports"), {"start": "2026-11-01", "end": "2026-01-01"})
    assert "The end of the period is before its start." in backwards.text
    assert not PreparedExport.objects.exists()
    assert not AccessEvent.objects.exists()


def test_only_the_requester_downloads_and_other_roles_are_refused(client_for, therapist, clinic):
    client_for(therapist).post(reverse("fhir_exports"), PERIOD)
    export = PreparedExport.objects.get()
    url = reverse("fhir_export_download", args=[export.pk])
    colleague = clinic["colleague"].patient.therapist
    assert client_for(colleague).get(url).status_code == 404
    assert client_for(UserFactory(role=Role.CLINIC_LEAD)).get(url).status_code == 404
    supervisor = UserFactory(role=Role.SUPERVISOR)
    assert client_for(supervisor).get(url).status_code == 403
    assert client_for(supervisor).get(reverse("fhir_exports")).status_code == 403
    admin = UserFactory(role=Role.CLINIC_ADMIN)
    assert client_for(admin).post(reverse("fhir_exports"), PERIOD).status_code == 403
    assert PreparedExport.objects.count() == 1
