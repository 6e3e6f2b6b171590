"""Importing a referral as a FHIR Patient: the record made from the file unchanged, every
reason a file cannot be used shown next to the upload field, duplicates found, audited."""

import copy
import hashlib
import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from ipt.models import AccessEvent, Role
from patients.models import ImportedReferral, Patient, PatientIdentifier
from tests.factories import PatientFactory, TherapistFactory, UserFactory

NHS = "https://fhir.nhs.uk/Id/nhs-number"
REFERRAL = {
    "resourceType": "Patient",
    "id": "gp-4711",
    "identifier": [{"system": NHS, "value": "9434765919"}],
    "name": [
        {"use": "official", "family": "Okonkwo", "given": ["Adaeze", "Ngozi"]},
        {"use": "usual", "given": ["Ada"]},
        {"use": "maiden", "family": "Eze", "given": ["Adaeze"]},
    ],
    "birthDate": "1990-04-12",
    "gender": "female",
    "telecom": [
        {"system": "phone", "value": "07700 900123", "use": "mobile", "rank": 1},
        {"system": "phone", "value": "01632 960555", "use": "home", "rank": 2},
        {"system": "email", "value": "ada@example.org"},
    ],
    "address": [{"line": ["12 Mill Lane"], "city": "Riverside", "postalCode": "RV1 2AB"}],
    "contact": [
        {
            "relationship": [
                {
                    "coding": [
                        {"system": "http://terminology.hl7.org/CodeSystem/v2-0131", "code": "C"}
                    ]
                },
                {"text": "Sister"},
            ],
            "name": {"given": ["Chioma"], "family": "Okonkwo"},
            "telecom": [{"system": "phone", "value": "07700 900456"}],
        }
    ],
}
COMPLETION = {"referral_source": "Riverside Surgery", "referral_reason": "Low mood since March."}


def _upload(content, name="referral.json"):
    if not isinstance(content, bytes):
        content = json.dumps(content).encode()
    return SimpleUploadedFile(name, content, content_type="application/json")


@pytest.fixture
def client(owner):
    client = Client()
    client.force_login(owner)
    return client


def _read(client, content):
    return client.post(reverse("patients:import"), {"referral": _upload(content)})


def _add(client, content=REFERRAL, **fields):
    page = _read(client, content)
    assert page.status_code == 200 and page.context["form"] is not None, page.context[
        "upload"
    ].errors
    form = page.context["form"]
    data = {"resource": form.initial["resource"], "submission": form.initial["submission"]}
    return page, client.post(reverse("patients:import"), {**data, **COMPLETION, **fields})


def test_the_caseload_leads_to_the_import(client):
    assert f'href="{reverse("patients:import")}"' in client.get(reverse("patients:caseload")).text


def test_the_record_holds_the_files_values_and_the_file(client, owner):
    page, added = _add(client)
    shown = page.text
    assert "Adaeze Ngozi Okonkwo" in shown and "NHS number: 9434765919" in shown
    # What the record has no field for is listed, not dropped silently.
    for left_out in ("Another name: Adaeze Eze", "Another phone number: 01632 960555", "gender"):
        assert left_out in shown
    patient = Patient.objects.get(therapist=owner)
    assert added.status_code == 302 and added.url == patient.get_absolute_url()
    assert (patient.full_name, patient.preferred_name) == ("Adaeze Ngozi Okonkwo", "Ada")
    assert patient.date_of_birth == date(1990, 4, 12)
    assert (patient.phone, patient.email) == ("07700 900123", "ada@example.org")
    assert patient.address == "12 Mill Lane\nRiverside\nRV1 2AB"
    assert patient.emergency_contact_name == "Chioma Okonkwo"
    assert patient.emergency_contact_relationship == "Sister"
    assert patient.emergency_contact_phone == "07700 900456"
    assert patient.referral_source == "Riverside Surgery"
    kept = ImportedReferral.objects.get(patient=patient)
    assert json.loads(kept.resource) == REFERRAL
    assert kept.sha256 == hashlib.sha256(kept.resource.encode()).hexdigest()
    assert list(patient.identifiers.values_list("system", "value")) == [(NHS, "9434765919")]
    assert AccessEvent.objects.filter(patient=patient, action="import referral (FHIR)").exists()


def test_values_from_the_file_cannot_be_changed_on_the_way(client, owner):
    _add(client, full_name="Someone Else", date_of_birth="2000-01-01")
    patient = Patient.objects.get(therapist=owner)
    assert patient.full_name == "Adaeze Ngozi Okonkwo"
    assert patient.date_of_birth == date(1990, 4, 12)


def test_what_the_file_lacks_is_asked_for(client, owner):
    bare = {"resourceType": "Patient", "name": [{"text": "Li Wei"}], "birthDate": "1970-01-30"}
    page, refused = _add(client, bare)
    for field in ("emergency_contact_name", "phone", "referral_reason"):
        assert (
            field in page.context["form"].fields and not page.context["form"][field].field.disabled
        )
    assert refused.status_code == 200 and refused.context["form"].errors["phone"]
    assert not Patient.objects.filter(therapist=owner).exists()
    _, added = _add(
        client,
        bare,
        phone="07700 900789",
        emergency_contact_name="Zhang Min",
        emergency_contact_phone="07700 900790",
    )
    assert added.status_code == 302
    assert Patient.objects.get(therapist=owner).full_name == "Li Wei"


def _without(key):
    data = copy.deepcopy(REFERRAL)
    del data[key]
    return data


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The submitted file is empty."),  # Django's own message
        (b'{"resourceType": "Patient",', "The file is not valid JSON (line 1, column 28"),
        (b"\xff\xfe\x00", "not text in UTF-8"),
        (b"[1, 2]", "not a FHIR resource"),
        ({"resourceType": "Bundle", "type": "collection"}, "The file holds a Bundle, not a Patient"),
        ({"name": [{"text": "X"}]}, "The file holds no resourceType, not a Patient"),
        (_without("name"), "The Patient has no name"),
        (_without("birthDate"), "The Patient has no birthDate"),
        ({**REFERRAL, "birthDate": "1990-04"}, "The birthDate is 1990-04, without the day"),
        ({**REFERRAL, "birthDate": "12/04/1990"}, "birthDate: Value error, Date value string"),
        ({**REFERRAL, "colour": "blue"}, "colour: Extra inputs are not permitted"),
        ({**REFERRAL, "birthDate": "2999-01-01"}, "Date of birth: The date of birth cannot be"),
        (
            {**REFERRAL, "telecom": [{"system": "email", "value": "not-an-address"}]},
            "Email: Enter a valid email address.",
        ),
    ],
    ids=[
        "empty", "bad-json", "not-utf8", "not-an-object", "wrong-type", "no-type", "no-name",
        "no-birthdate", "partial-birthdate", "invalid-date", "invalid-element", "future-birth",
        "bad-email",
    ],
)  # fmt: skip
def test_each_problem_is_shown_next_to_the_upload_field(client, owner, content, message):
    page = _read(client, content)
    assert page.status_code == 200
    assert page.context["form"] is None
    errors = " ".join(page.context["upload"].errors["referral"])
    assert message.lower() in errors.lower(), errors
    html = page.text
    assert 'id="id_referral_error"' in html or "error-summary" in html
    assert not Patient.objects.filter(therapist=owner).exists()
    assert not ImportedReferral.objects.exists()


def test_a_second_referral_with_the_same_identifier_is_refused(client, owner):
    _add(client)
    again = _read(client, REFERRAL)
    assert "already the record of Adaeze Ngozi Okonkwo" in " ".join(
        again.context["upload"].errors["referral"]
    )
    # With another therapist: said so, without naming the patient.
    colleague = Client()
    colleague.force_login(TherapistFactory())
    refused = _read(colleague, REFERRAL)
    errors = " ".join(refused.context["upload"].errors["referral"])
    assert "with another therapist" in errors and "Okonkwo" not in errors
    assert Patient.objects.count() == 1


def test_a_duplicate_made_between_the_two_steps_is_refused(client, owner):
    page = _read(client, REFERRAL)
    form = page.context["form"]
    PatientIdentifier.objects.create(patient=PatientFactory(), system=NHS, value="9434765919")
    refused = client.post(
        reverse("patients:import"),
        {
            "resource": form.initial["resource"],
            "submission": form.initial["submission"],
            **COMPLETION,
        },
    )
    assert refused.status_code == 200
    assert "already a patient's at the clinic" in " ".join(
        refused.context["upload"].errors["referral"]
    )
    assert not Patient.objects.filter(therapist=owner).exists()


def test_a_double_submission_adds_the_patient_once(client, owner):
    page = _read(client, REFERRAL)
    form = page.context["form"]
    data = {
        "resource": form.initial["resource"],
        "submission": form.initial["submission"],
        **COMPLETION,
    }
    first = client.post(reverse("patients:import"), data)
    second = client.post(reverse("patients:import"), data)
    assert first.url == second.url
    assert Patient.objects.filter(therapist=owner).count() == 1


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.CLINIC_LEAD, Role.CLINIC_ADMIN])
def test_only_therapists_import(client_for, db, role):
    client = client_for(UserFactory(role=role))
    assert client.get(reverse("patients:import")).status_code == 403
    assert (
        client.post(reverse("patients:import"), {"referral": _upload(REFERRAL)}).status_code == 403
    )
    assert not Patient.objects.exists()
