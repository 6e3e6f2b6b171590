"""A treatment course as a FHIR R4 Bundle (the R4B models of ``fhir.resources`` validate each
resource: R4B differs from R4 only in resources this export does not use).

Session notes are left out unless asked for. A pseudonymised export (the clinic lead's: an
aggregate role that never reads an individual record) keeps the clinical resources and drops
everything that names or reaches the patient: the Patient is its id alone, labelled PSEUDED,
and the free text of the care plans is left out. Every resource is built as a plain dict, then
validated by its model; a value the model refuses raises, so a bad export is never sent.
"""

from django.utils import timezone
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.careplan import CarePlan
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.encounter import Encounter
from fhir.resources.R4B.episodeofcare import EpisodeOfCare
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient
from fhir.resources.R4B.practitioner import Practitioner
from fhir.resources.R4B.questionnaireresponse import QuestionnaireResponse

from ipt.fhir.codes import LOINC, PANELS, PHQ9_DIFFICULTY

# EpisodeOfCare.status for each phase of a course.
EPISODE_STATUS = {
    "initial": "active",
    "middle": "active",
    "termination": "active",
    "completed": "finished",
    "ended_early": "finished",
}
MODELS = {
    "Patient": Patient,
    "Practitioner": Practitioner,
    "EpisodeOfCare": EpisodeOfCare,
    "Condition": Condition,
    "QuestionnaireResponse": QuestionnaireResponse,
    "Observation": Observation,
    "CarePlan": CarePlan,
    "Encounter": Encounter,
}


def ref(kind, pk):
    return {"reference": f"{kind}/{pk}"}


# HL7's security label for a pseudonymised resource.
PSEUDONYMISED = {
    "system": "http://terminology.hl7.org/CodeSystem/v3-ObservationValue",
    "code": "PSEUDED",
    "display": "pseudonymized",
}


def _patient(patient, pseudonymised=False):
    if pseudonymised:
        return {
            "resourceType": "Patient",
            "id": f"{patient.pk}",
            "meta": {"security": [PSEUDONYMISED]},
        }
    return {
        "resourceType": "Patient",
        "id": f"{patient.pk}",
        "name": [{"text": patient.full_name}],
        "birthDate": patient.date_of_birth.isoformat(),
        "telecom": [{"system": "phone", "value": patient.phone}] if patient.phone else None,
    }


def _practitioner(user):
    return {
        "resourceType": "Practitioner",
        "id": f"{user.pk}",
        "name": [{"text": str(user)}],
    }


def _episode(course):
    # The day each phase began: the one recorded, else the day the change was made.
    began = [(t.on or timezone.localdate(t.at), t) for t in course.transitions.all()]
    history, since = [], course.start_date
    for on, t in sorted(began, key=lambda pair: (pair[0], pair[1].pk)):
        history.append(
            {
                "status": EPISODE_STATUS[t.from_phase],
                "period": {"start": since.isoformat(), "end": on.isoformat()},
            }
        )
        since = on
    return {
        "resourceType": "EpisodeOfCare",
        "id": f"course-{course.pk}",
        "status": EPISODE_STATUS[course.phase],
        "statusHistory": history or None,
        "type": [{"text": f"Interpersonal psychotherapy: {course.get_variant_display()}"}],
        "patient": ref("Patient", course.patient_id),
        "careManager": ref("Practitioner", course.patient.therapist_id),
        "period": {
            "start": course.start_date.isoformat(),
            "end": course.ended_on.isoformat() if course.ended_on else None,
        },
    }


def _condition(course, diagnosis):
    return {
        "resourceType": "Condition",
        "id": f"diagnosis-{course.pk}",
        "clinicalStatus": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                    "code": "active",
                }
            ]
        },
        "code": {"text": diagnosis.get_disorder_display()},
        "severity": {"text": diagnosis.get_severity_display()},
        "subject": ref("Patient", course.patient_id),
        "recordedDate": diagnosis.diagnosed_on.isoformat(),
    }


def _measure(course, measure):
    """A QuestionnaireResponse with its LOINC-coded items, and the total as an Observation."""
    panel, title, items, total_code = PANELS[measure.instrument_code]
    answers = [
        {"linkId": code, "answer": [{"valueInteger": value}]}
        for code, value in zip(items, measure.answers, strict=False)
    ]
    if measure.instrument_code == "phq9" and measure.difficulty is not None:
        answers.append(
            {"linkId": PHQ9_DIFFICULTY, "answer": [{"valueInteger": measure.difficulty}]}
        )
    response = {
        "resourceType": "QuestionnaireResponse",
        "id": f"measure-{measure.pk}",
        "questionnaire": f"{LOINC}/{panel}",
        "status": "completed",
        "subject": ref("Patient", course.patient_id),
        "authored": measure.taken_on.isoformat(),
        "item": answers,
    }
    total = {
        "resourceType": "Observation",
        "id": f"measure-{measure.pk}-total",
        "status": "final",
        "code": {"coding": [{"system": LOINC, "code": total_code}], "text": f"{title} total"},
        "subject": ref("Patient", course.patient_id),
        "effectiveDateTime": measure.taken_on.isoformat(),
        "valueInteger": measure.total,
        "derivedFrom": [ref("QuestionnaireResponse", f"measure-{measure.pk}")],
    }
    return [response, total]


def _care_plans(course, contract, plan, pseudonymised=False):
    plans = []
    if contract is not None:
        plans.append(
            {
                "resourceType": "CarePlan",
                "id": f"contract-{contract.pk}",
                "status": "active" if course.is_active else "completed",
                "intent": "plan",
                "title": f"Treatment contract (version {contract.version})",
                "subject": ref("Patient", course.patient_id),
                "description": None if pseudonymised else "; ".join(contract.goal_lines),
                "created": contract.signed_at.date().isoformat() if contract.signed_at else None,
            }
        )
    if plan is not None:
        plans.append(
            {
                "resourceType": "CarePlan",
                "id": f"relapse-plan-{course.pk}",
                "status": "active",
                "intent": "plan",
                "title": "Relapse-prevention plan",
                "subject": ref("Patient", course.patient_id),
                "description": None if pseudonymised else (plan.if_symptoms_return or None),
                "created": plan.written_on.isoformat(),
            }
        )
    return plans


def _encounter(course, session, with_notes):
    encounter = {
        "resourceType": "Encounter",
        "id": f"session-{session.pk}",
        "status": "finished",
        "class": {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": "AMB",
            "display": "ambulatory",
        },
        "type": [{"text": f"IPT session {session.number}"}],
        "subject": ref("Patient", course.patient_id),
        "episodeOfCare": [ref("EpisodeOfCare", f"course-{course.pk}")],
        "period": {"start": session.scheduled_for.isoformat()},
    }
    if with_notes and session.notes:
        encounter["extension"] = [
            {"url": "https://ipt.example/fhir/session-notes", "valueString": session.notes}
        ]
    return encounter


def _clean(value):
    """Drop the None values (FHIR has no nulls)."""
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_clean(v) for v in value]
    return value


def course_resources(course, *, with_notes=False, pseudonymised=False):
    """Every resource of one course, as validated models (no database writes)."""
    with_notes = with_notes and not pseudonymised
    contracts = sorted(course.contracts.all(), key=lambda c: c.version)
    signed = [c for c in contracts if c.signed_at] or contracts
    diagnosis = getattr(course, "diagnosis", None)
    plan = getattr(course, "relapse_plan", None)
    raw = [
        _patient(course.patient, pseudonymised),
        _practitioner(course.patient.therapist),
        _episode(course),
    ]
    if diagnosis is not None:
        raw.append(_condition(course, diagnosis))
    for measure in sorted(course.measures.all(), key=lambda m: (m.taken_on, m.pk)):
        if measure.instrument_code in PANELS:
            raw.extend(_measure(course, measure))
    raw.extend(_care_plans(course, signed[-1] if signed else None, plan, pseudonymised))
    for session in course.sessions.all():
        if session.status == "held":
            raw.append(_encounter(course, session, with_notes))
    return [validated(r) for r in raw]


def validated(resource):
    resource = _clean(resource)
    model = MODELS[resource["resourceType"]].model_validate(resource)
    return model


def bundle(resources, base):
    """A collection Bundle of validated resources, as JSON text; each resource once. ``base``
    is the app's FHIR base address (the entries' full URLs)."""
    seen, entries = set(), []
    for resource in resources:
        key = (resource.get_resource_type(), resource.id)
        if key in seen:
            continue
        seen.add(key)
        entries.append({"fullUrl": f"{base}{key[0]}/{key[1]}", "resource": resource})
    return Bundle.model_validate({"type": "collection", "entry": entries}).model_dump_json(
        exclude_none=True
    )
