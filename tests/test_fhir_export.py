"""The FHIR R4 download of a course: every resource valid, LOINC codes right, who may have it."""

import json
from datetime import date

import pytest
from django.urls import reverse
from fhir.resources.R4B import get_fhir_model_class

from ipt.fhir.codes import PHQ9_ITEMS
from ipt.models import AccessEvent, Phase, Role
from tests.factories import (
    CourseFactory,
    MeasureFactory,
    PatientFactory,
    SessionFactory,
    TherapistFactory,
    UserFactory,
)


def test_phq9_item_codes_are_loincs_own():
    assert PHQ9_ITEMS == (
        "44250-9", "44255-8", "44259-0", "44254-1", "44251-7",
        "44258-2", "44252-5", "44253-3", "44260-8",
    )  # fmt: skip


@pytest.fixture
def course(db):
    course = CourseFactory(patient=PatientFactory(therapist=TherapistFactory()))
    SessionFactory(course=course, number=1, notes="Talked about the dispute.")
    SessionFactory(course=course, number=2, status="missed")
    MeasureFactory(course=course, answers=(1, 2, 3, 0, 1, 2, 3, 0, 0), total=12, difficulty=2)
    MeasureFactory(
        course=course,
        instrument_code="gad7",
        answers=(1, 1, 1, 1, 1, 1, 1),
        total=7,
        taken_on=date(2026, 9, 8),
    )
    return course


def _bundle(client, course, **params):
    response = client.get(reverse("course:fhir_export", kwargs={"pk": course.pk}), params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/fhir+json"
    return json.loads(response.content)


def test_every_resource_validates_and_carries_the_loinc_codes(client_for, course):
    data = _bundle(client_for(course.patient.therapist), course)
    bundle = get_fhir_model_class("Bundle").model_validate(data)  # the text sent, parsed again
    kinds = [e.resource.get_resource_type() for e in bundle.entry]
    for entry in data["entry"]:
        get_fhir_model_class(entry["resource"]["resourceType"]).model_validate(entry["resource"])
    assert {"Patient", "Practitioner", "EpisodeOfCare", "Encounter"} <= set(kinds)
    assert kinds.count("Encounter") == 1  # the missed session is no encounter
    responses = [
        e["resource"]
        for e in data["entry"]
        if e["resource"]["resourceType"] == "QuestionnaireResponse"
    ]
    phq9, gad7 = responses
    assert phq9["questionnaire"].endswith("44249-1")
    assert [i["linkId"] for i in phq9["item"]] == [*PHQ9_ITEMS, "69722-7"]
    assert [i["answer"][0]["valueInteger"] for i in phq9["item"]][:9] == [1, 2, 3, 0, 1, 2, 3, 0, 0]
    assert gad7["questionnaire"].endswith("69737-5")
    totals = {
        e["resource"]["code"]["coding"][0]["code"]: e["resource"]["valueInteger"]
        for e in data["entry"]
        if e["resource"]["resourceType"] == "Observation"
    }
    assert totals == {"44261-6": 12, "70274-6": 7}
    assert "Talked about the dispute" not in json.dumps(data)
    assert AccessEvent.objects.filter(patient=course.patient, action="FHIR export").exists()


def test_notes_only_when_asked_for(client_for, course):
    data = _bundle(client_for(course.patient.therapist), course, notes="1")
    assert "Talked about the dispute" in json.dumps(data)


def test_a_closed_course_still_exports_with_its_phases(client_for, course):
    course.phase = Phase.ENDED_EARLY
    course.end_reason = "drop_out"
    course.ended_on = date(2026, 10, 1)
    course.save()
    data = _bundle(client_for(course.patient.therapist), course)
    episode = next(
        e["resource"] for e in data["entry"] if e["resource"]["resourceType"] == "EpisodeOfCare"
    )
    assert episode["status"] == "finished"


def test_the_supervisor_and_the_clinic_lead_are_refused(client_for, course):
    url = reverse("course:fhir_export", kwargs={"pk": course.pk})
    assert client_for(course.patient.therapist.supervisor).get(url).status_code == 403
    assert client_for(UserFactory(role=Role.CLINIC_LEAD)).get(url).status_code == 404
    assert not AccessEvent.objects.filter(action__startswith="FHIR").exists()
