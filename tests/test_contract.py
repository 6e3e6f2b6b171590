"""The treatment contract: drafted from the course, edited while a draft, signed by patient and
therapist, never changed once signed (amended as a new version), and printed as a PDF."""

from datetime import time, timedelta

import pytest
from django.db import IntegrityError, InternalError, transaction
from django.urls import reverse
from django.utils import timezone

from ipt.models import TreatmentContract
from tests.factories import (
    ContractFactory,
    CourseFactory,
    InventoryPersonFactory,
    ProblemAreaFactory,
    SickRoleFactory,
    SuitabilityFactory,
)

# The PDF tests' spy on every fetch WeasyPrint could make, and their text helpers.
from tests.test_pdf import assert_nothing_escaped, fetches, pdf_text, squashed  # noqa: F401

TODAY = timezone.localdate()


@pytest.fixture
def course(patient):
    return CourseFactory(patient=patient)


@pytest.fixture
def cleared(course):
    """A course whose suitability screen found no contraindication."""
    SuitabilityFactory(course=course)
    return course


@pytest.fixture
def draft(cleared):
    return ContractFactory(course=cleared)


@pytest.fixture
def signed(draft, owner):
    draft.sign(
        patient_name="Pat Owner-Case",
        patient_date=TODAY - timedelta(days=1),
        therapist=owner,
        therapist_date=TODAY,
    )
    return draft


def url(name, course, **kwargs):
    return reverse(f"course:{name}", kwargs={"pk": course.pk, **kwargs})


def terms(contract, **changes):
    """The edit form's POST data for a contract, with some terms changed."""
    data = {
        "focal_areas": contract.focal_areas,
        "goals": contract.goals,
        "number_of_sessions": contract.number_of_sessions,
        "weekday": contract.weekday,
        "session_time": contract.session_time.strftime("%H:%M"),
        "session_minutes": contract.session_minutes,
        "start_date": contract.start_date.isoformat(),
        "expected_end_date": contract.expected_end_date.isoformat(),
        "missed_session_policy": contract.missed_session_policy,
        "sick_role": contract.sick_role,
        "time_limit": contract.time_limit,
        "confidentiality": contract.confidentiality,
        "crisis_plan": contract.crisis_plan,
    }
    return {**data, **changes}


def signature(**changes):
    data = {
        "patient_name": "Pat Owner-Case",
        "patient_signed_on": (TODAY - timedelta(days=1)).isoformat(),
        "therapist_signed_on": TODAY.isoformat(),
        "agreed": "on",
    }
    return {**data, **changes}


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- drafting ---------------------------------------------------------------------------------


def test_page_without_a_contract_offers_to_draft_one(client_for, owner, course):
    response = client_for(owner).get(url("contract", course))

    assert response.status_code == 200
    assert b"Draft the contract" in response.content
    assert b"No problem area has been chosen yet" in response.content


def test_contract_is_drafted_from_the_course(client_for, owner, course):
    # Course starts on Monday 7 September 2026.
    wife = InventoryPersonFactory(course=course, name="Maria", relationship="wife")
    dispute = ProblemAreaFactory(
        course=course,
        area="role_dispute",
        person=wife,
        dispute_stage="impasse",
        from_role="",
        to_role="",
    )
    dispute.set_goals(["Identify the dispute.", "Choose a plan of action."])
    SickRoleFactory(course=course)

    response = client_for(owner).post(url("contract_draft", course))

    assert response.status_code == 302
    contract = course.contracts.get()
    assert contract.version == 1
    assert contract.focal_areas == "Role dispute with Maria (wife): impasse"
    assert contract.goal_lines == ["Identify the dispute.", "Choose a plan of action."]
    assert contract.number_of_sessions == course.planned_sessions == 12
    assert contract.weekday == 0  # Monday, the course's start day
    assert contract.session_time == time(10, 0)
    assert contract.expected_end_date == course.start_date + timedelta(weeks=11)
    assert "Hosting the family on Sundays." in contract.sick_role
    assert not contract.is_signed


def test_drafting_twice_keeps_one_contract(client_for, owner, draft):
    client_for(owner).post(url("contract_draft", draft.course))

    assert draft.course.contracts.count() == 1


def test_empty_focal_areas_are_pointed_out(client_for, owner, course):
    client = client_for(owner)
    client.post(url("contract_draft", course))

    response = client.get(url("contract", course))

    assert course.contracts.get().focal_areas == ""
    assert b"The focal problem area or goals are empty" in response.content
    assert b"Choose the problem area" in response.content


def test_focal_areas_and_goals_are_refreshed_from_the_problem_areas(client_for, owner, draft):
    area = ProblemAreaFactory(course=draft.course, from_role="nurse", to_role="retired")
    area.set_goals(["Mourn and accept the loss of the old role."])

    response = client_for(owner).post(url("contract_refresh", draft.course))

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.focal_areas == "Role transition from nurse to retired"
    assert draft.goals == "Mourn and accept the loss of the old role."


# --- editing the draft ------------------------------------------------------------------------


def test_owner_edits_the_draft(client_for, owner, draft):
    data = terms(
        draft,
        goals="Talk with Maria about the money.\n\n  Spend one evening a week with friends.  ",
        weekday=3,
        session_time="16:30",
        crisis_plan="Call the clinic duty line on 01632 960000.",
    )

    response = client_for(owner).post(url("contract", draft.course), data)

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.goal_lines == [
        "Talk with Maria about the money.",
        "Spend one evening a week with friends.",
    ]
    assert draft.get_weekday_display() == "Thursday"
    assert draft.session_time == time(16, 30)
    assert draft.crisis_plan == "Call the clinic duty line on 01632 960000."


def test_invalid_terms_are_refused_and_the_typed_text_stays(client_for, owner, draft):
    data = terms(
        draft,
        focal_areas="Grief for my father, typed just now",
        expected_end_date=(draft.start_date - timedelta(days=7)).isoformat(),
        number_of_sessions=14,
        goals="",
    )

    response = client_for(owner).post(url("contract", draft.course), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Grief for my father, typed just now" in html
    assert "The expected end date must be after the start." in html
    assert "This course is planned for 12 sessions" in html
    assert "Write at least one goal." in html
    assert 'class="error-summary"' in html
    draft.refresh_from_db()
    assert draft.focal_areas == "Role transition from warehouse manager to job seeker"


def test_number_of_sessions_outside_the_variant_is_refused(client_for, owner, draft):
    response = client_for(owner).post(
        url("contract", draft.course), terms(draft, number_of_sessions=20)
    )

    assert "Individual IPT has 12 to 16 sessions." in response.content.decode()


# --- signing ----------------------------------------------------------------------------------


def test_contract_is_signed_by_patient_and_therapist(client_for, owner, draft):
    client = client_for(owner)

    response = client.post(
        url("contract_sign", draft.course), signature(patient_name="  pat   OWNER-case ")
    )

    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.is_signed
    assert draft.patient_signed_name == "pat OWNER-case"
    assert draft.patient_signed_on == TODAY - timedelta(days=1)
    assert draft.therapist_signed_by == owner
    assert draft.therapist_signed_on == TODAY
    page = client.get(url("contract", draft.course)).content.decode()
    assert "Signed by pat OWNER-case on" in page
    assert "Save the draft" not in page
    assert "Amend the contract" in page


def test_signing_is_refused_until_the_suitability_screen_is_cleared(client_for, owner, course):
    SuitabilityFactory(course=course, acute_mania=True)
    contract = ContractFactory(course=course)

    response = client_for(owner).post(url("contract_sign", course), signature())

    assert response.status_code == 200
    assert "The suitability screen must be passed" in response.content.decode()
    contract.refresh_from_db()
    assert not contract.is_signed


def test_signing_is_refused_when_the_typed_name_is_not_the_patients(client_for, owner, draft):
    response = client_for(owner).post(
        url("contract_sign", draft.course), signature(patient_name="Pat Owner")
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "The typed name must be the patient&#x27;s full name as recorded" in html
    assert 'value="Pat Owner"' in html
    draft.refresh_from_db()
    assert not draft.is_signed


def test_signing_needs_the_patients_agreement_and_no_future_dates(client_for, owner, draft):
    data = signature(therapist_signed_on=(TODAY + timedelta(days=1)).isoformat())
    del data["agreed"]

    response = client_for(owner).post(url("contract_sign", draft.course), data)

    html = response.content.decode()
    assert "Confirm that the patient has read and agreed to it." in html
    assert "A signature cannot be dated in the future." in html
    draft.refresh_from_db()
    assert not draft.is_signed


def test_a_contract_without_goals_cannot_be_signed(client_for, owner, cleared):
    contract = ContractFactory(course=cleared, focal_areas="", goals="")

    response = client_for(owner).post(url("contract_sign", cleared), signature())

    assert "no focal problem area or goals yet" in response.content.decode()
    contract.refresh_from_db()
    assert not contract.is_signed


# --- a signed contract never changes ----------------------------------------------------------


def test_contract_cannot_be_edited_once_signed(client_for, owner, signed):
    before = TreatmentContract.objects.filter(pk=signed.pk).values().get()
    client = client_for(owner)

    responses = [
        client.post(url("contract", signed.course), terms(signed, goals="A new goal.")),
        client.post(url("contract_refresh", signed.course)),
        client.post(url("contract_sign", signed.course), signature()),
    ]

    assert [r.status_code for r in responses] == [302, 302, 302]
    page = client.get(url("contract", signed.course))
    assert any("Version 1 is signed and can no longer be changed" in m for m in messages_of(page))
    assert TreatmentContract.objects.filter(pk=signed.pk).values().get() == before
    assert b"Save the draft" not in page.content


def test_database_refuses_to_change_or_delete_a_signed_contract(signed):
    signed.goals = "Changed behind the application's back."
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        signed.save()
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        TreatmentContract.objects.filter(pk=signed.pk).update(goals="Changed.")
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        TreatmentContract.objects.filter(pk=signed.pk).delete()

    signed.refresh_from_db()
    assert signed.goals != "Changed."


def test_amendment_is_a_new_version_referencing_the_signed_one(client_for, owner, signed):
    client = client_for(owner)

    response = client.post(
        url("contract_amend", signed.course),
        {"reason": "Second focal area agreed in session 5."},
    )

    assert response.status_code == 302
    v1, v2 = signed.course.contracts.order_by("version")
    assert v1.is_signed
    assert (v2.version, v2.previous, v2.is_signed) == (2, v1, False)
    assert v2.amendment_reason == "Second focal area agreed in session 5."
    assert v2.goals == v1.goals
    page = client.get(url("contract", signed.course)).content.decode()
    assert "Amends version 1: Second focal area agreed in session 5." in page
    assert "Save the draft" in page
    assert url("contract_pdf", signed.course, version=1) in page
    assert url("contract_pdf", signed.course, version=2) in page
    assert "Signed " + v1.patient_signed_on.strftime("%-d %b %Y") in page


def test_amendment_needs_a_reason(client_for, owner, signed):
    response = client_for(owner).post(url("contract_amend", signed.course), {"reason": "  "})

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert signed.course.contracts.count() == 1


def test_a_draft_is_edited_not_amended(client_for, owner, draft):
    response = client_for(owner).post(url("contract_amend", draft.course), {"reason": "Why not"})

    assert response.status_code == 302
    assert draft.course.contracts.count() == 1


# --- the PDF ----------------------------------------------------------------------------------


def test_signed_contract_pdf_has_the_terms_and_the_signatures(client_for, owner, signed):
    response = client_for(owner).get(url("contract_pdf", signed.course, version=1))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="treatment-contract-v1.pdf"' in response["Content-Disposition"]
    text = pdf_text(response.content)
    flat = " ".join(text.split())
    for expected in (
        "Treatment contract — version 1",
        "Pat Owner-Case",
        "17 May 1985",
        "Role transition from warehouse manager to job seeker",
        "Mourn and accept the loss of the old role.",
        "12 sessions, once a week",
        "Mondays at 10:00",
        "50 minutes",
        "Monday 7 September 2026",
        "Monday 23 November 2026",
        "If you miss a session",
        "the sick role",
        "A time-limited treatment",
        "Confidentiality",
        "In a crisis",
        "Samaritans on 116 123",
        "Patient signature",
        "Therapist signature",
        owner.get_full_name(),
        "Page 1 of",
    ):
        assert expected in flat, expected
    assert "DRAFT" not in text


def test_draft_pdf_is_marked_and_has_blank_signature_lines(client_for, owner, draft):
    response = client_for(owner).get(url("contract_pdf", draft.course, version=1))

    text = " ".join(pdf_text(response.content).split())
    assert "DRAFT — not signed" in text
    assert "Patient signature" in text
    assert "Therapist signature" in text
    assert "Signed electronically" not in text


def test_amended_version_pdf_names_the_version_it_amends(client_for, owner, signed):
    signed.amend(reason="New day: Thursdays.")

    response = client_for(owner).get(url("contract_pdf", signed.course, version=2))

    text = " ".join(pdf_text(response.content).split())
    assert "Treatment contract — version 2" in text
    assert "Amends Version 1: New day: Thursdays." in text


def test_unknown_version_is_404(client_for, owner, draft):
    client = client_for(owner)

    assert client.get(url("contract_pdf", draft.course, version=2)).status_code == 404
    assert client.get(url("contract_pdf", draft.course, version=99999999)).status_code == 404


def test_contract_pdf_prints_urls_in_patient_text_and_fetches_nothing(
    client_for,
    owner,
    draft,
    fetches,  # noqa: F811 (the fixture from tests/test_pdf.py)
):
    hostile = [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x",
        '<img src="http://169.254.169.254/">',
        "@import url(http://evil.example/x.css);",
    ]
    TreatmentContract.objects.filter(pk=draft.pk).update(
        focal_areas="\n".join(hostile),
        goals="\n".join(hostile),
        missed_session_policy=" ".join(hostile),
        sick_role=" ".join(hostile),
        confidentiality=" ".join(hostile),
        crisis_plan=" ".join(hostile),
    )

    response = client_for(owner).get(url("contract_pdf", draft.course, version=1))

    assert response.status_code == 200
    text = squashed(pdf_text(response.content))
    for item in hostile:
        assert text.count(squashed(item)) >= 6
    assert fetches.refused == []
    assert_nothing_escaped(fetches)


# --- supervisors and closed courses -----------------------------------------------------------


def test_supervisor_reads_and_downloads_but_cannot_change_the_contract(
    client_for, supervisor, signed
):
    client = client_for(supervisor)
    course = signed.course
    before = list(TreatmentContract.objects.values())

    assert client.get(url("contract", course)).status_code == 200
    assert client.get(url("contract_pdf", course, version=1)).status_code == 200
    assert client.post(url("contract", course), terms(signed)).status_code == 403
    assert client.post(url("contract_sign", course), signature()).status_code == 403
    assert client.post(url("contract_amend", course), {"reason": "x"}).status_code == 403
    assert list(TreatmentContract.objects.values()) == before


def test_supervisor_sees_a_draft_read_only(client_for, supervisor, draft):
    page = client_for(supervisor).get(url("contract", draft.course)).content.decode()

    assert "Role transition from warehouse manager to job seeker" in page
    assert "Save the draft" not in page
    assert "Sign the contract" not in page
    assert "Draft, not signed" in page


def test_closed_course_contract_is_read_only(client_for, owner, draft):
    course = draft.course
    course.phase = "ended_early"
    course.ended_on = TODAY
    course.end_reason = "drop_out"
    course.save()
    client = client_for(owner)

    page = client.get(url("contract", course)).content.decode()

    assert "Save the draft" not in page
    assert "Sign the contract" not in page
    assert client.post(url("contract_sign", course), signature()).status_code == 403
    assert client.get(url("contract_pdf", course, version=1)).status_code == 200
