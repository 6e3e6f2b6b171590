"""IPT for adolescents (IPT-A): the age range, the parent or carer and their consent, parent
sessions, the parent's signature on the contract and their part at the ending."""

import uuid
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from ipt.course.models import TransitionRefused
from ipt.course.parents import ParentCarer
from ipt.course.variants import Variant, age_on, variant_age_problem
from ipt.models import TreatmentContract
from sessions_app.models import ParentSession
from tests.factories import (
    ContractFactory,
    CourseFactory,
    InventoryPersonFactory,
    PatientFactory,
    SessionFactory,
    SuitabilityFactory,
)
from tests.test_pdf import pdf_text, squashed

TODAY = timezone.localdate()
START = date(2026, 9, 7)


# --- the age rule (pure) -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("born", "day", "age"),
    [
        (date(2014, 9, 7), date(2026, 9, 7), 12),  # the birthday itself
        (date(2014, 9, 8), date(2026, 9, 7), 11),  # the day before it
        (date(2008, 2, 29), date(2026, 2, 28), 17),  # a leap-day birthday, not yet
        (date(2008, 2, 29), date(2026, 3, 1), 18),
    ],
)
def test_age_is_counted_in_whole_years_on_the_day(born, day, age):
    assert age_on(born, day) == age


@pytest.mark.parametrize(
    ("born", "offered"),
    [
        (date(2014, 9, 8), False),  # 11 on the start day, 12 the day after
        (date(2014, 9, 7), True),  # 12 on the start day
        (date(2010, 1, 1), True),  # 16
        (date(2007, 9, 8), True),  # 18, the day before the 19th birthday
        (date(2007, 9, 7), False),  # 19 on the start day
        (date(1985, 5, 17), False),
    ],
)
def test_ipt_a_is_offered_from_the_12th_birthday_to_the_day_before_the_19th(born, offered):
    problem = variant_age_problem(Variant.ADOLESCENT, born, START)
    assert (problem is None) is offered
    if not offered:
        assert "aged 12 to 18" in problem


def test_the_age_range_is_ipt_a_s_only():
    assert variant_age_problem(Variant.INDIVIDUAL, date(2014, 9, 8), START) is None
    assert variant_age_problem(Variant.INDIVIDUAL, date(1940, 1, 1), START) is None


def test_the_message_says_the_age_and_what_to_do_instead():
    young = variant_age_problem(Variant.ADOLESCENT, date(2015, 3, 1), START)
    old = variant_age_problem(Variant.ADOLESCENT, date(1990, 3, 1), START)
    assert "the patient is 11 on 7 Sep 2026" in young and "child service" in young
    assert "the patient is 36 on 7 Sep 2026" in old and "individual IPT" in old


def _start_data(**changes):
    return {
        "variant": "adolescent",
        "planned_sessions": 12,
        "session_minutes": 50,
        "initial_phase_sessions": 4,
        "start_date": TODAY.isoformat(),
        **changes,
    }


def test_starting_ipt_a_for_an_adult_is_refused_beside_the_variant(client_for, owner, patient):
    response = client_for(owner).post(reverse("course_start", args=[patient.pk]), _start_data())
    assert response.status_code == 200
    form = response.context["form"]
    assert "aged 12 to 18" in " ".join(form.errors["variant"])
    assert not patient.courses.exists()
    # Shown beside the field (and in the summary at the top).
    assert 'id="id_variant_error"' in response.text or "field-error" in response.text


def test_starting_ipt_a_for_a_fifteen_year_old_starts_it(client_for, owner):
    teen = PatientFactory(therapist=owner, date_of_birth=TODAY.replace(year=TODAY.year - 15))
    response = client_for(owner).post(reverse("course_start", args=[teen.pk]), _start_data())
    assert response.status_code == 302
    assert teen.courses.get().variant == Variant.ADOLESCENT


# --- parents and carers --------------------------------------------------------------------------
@pytest.fixture
def teen(owner):
    return PatientFactory(therapist=owner, full_name="Jess Taylor", date_of_birth=date(2011, 4, 2))


@pytest.fixture
def course(teen):
    return CourseFactory(
        patient=teen, variant=Variant.ADOLESCENT, initial_phase_sessions=4, start_date=START
    )


@pytest.fixture
def parent(course):
    return ParentCarer.add(course, name="Claire Taylor", relationship="mother")


def _consent(parent, owner, **changes):
    fields = {
        "by": owner,
        "on": START,
        "given_by": "Claire Taylor",
        "sessions": True,
        "sharing": True,
        "assent": True,
        **changes,
    }
    parent.record_consent(**fields)
    return parent


def test_a_parent_is_added_from_the_inventory(client_for, owner, course):
    mum = InventoryPersonFactory(course=course, name="Claire Taylor", relationship="mother")
    response = client_for(owner).post(
        reverse("course:parents", args=[course.pk]),
        {"person": mum.pk, "name": "", "relationship": "", "parental_responsibility": "on"},
    )
    assert response.status_code == 302
    parent = course.parents.get()
    assert (parent.name, parent.relationship, parent.person) == ("Claire Taylor", "mother", mum)
    assert not parent.consent_recorded


def test_a_parent_added_directly_needs_a_name_and_relationship(client_for, owner, course):
    response = client_for(owner).post(reverse("course:parents", args=[course.pk]), {})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "relationship"}
    assert not course.parents.exists()


def test_parents_belong_to_adolescent_courses_only(patient):
    adult = CourseFactory(patient=patient)
    with pytest.raises(TransitionRefused, match="IPT for adolescents"):
        ParentCarer.add(adult, name="Someone", relationship="mother")


def test_consent_records_who_when_and_what_to(client_for, owner, parent):
    response = client_for(owner).post(
        reverse("course:parent_consent", args=[parent.course_id, parent.pk]),
        {
            "consent_on": START.isoformat(),
            "consent_given_by": "Claire Taylor",
            "consent_to_sessions": "on",
            "adolescent_assent": "on",
            "consent_notes": "What Jess says alone stays private, except a risk to her safety.",
        },
    )
    assert response.status_code == 302
    parent.refresh_from_db()
    assert parent.consent_on == START and parent.consent_recorded_by == owner
    assert parent.may_attend and not parent.consent_to_sharing
    assert parent.consent_summary() == (
        "Consent to taking part in sessions, given by Claire Taylor on 7 Sep 2026, with the "
        "adolescent's assent."
    )


def test_consent_cannot_be_dated_in_the_future(owner, parent):
    with pytest.raises(TransitionRefused, match="future"):
        _consent(parent, owner, on=TODAY + timedelta(days=1))


def test_parent_changes_are_kept_in_the_record_history(owner, parent):
    from ipt.accounts.history import changes_to, described

    _consent(parent, owner)
    parts = [e.part for e in described(list(changes_to(parent.course.patient)))]
    assert parts.count("Parent or carer") == 2  # added, then consent recorded


# --- parent sessions ------------------------------------------------------------------------------
def _session_data(parent, **changes):
    return {
        "parent": parent.pk,
        "kind": "joint",
        "held_on": (START + timedelta(days=7)).isoformat(),
        "others_present": "",
        "focus": "sick_role",
        "focus_detail": "Keeping school going",
        "notes": "Claire worried Jess is lazy; we talked about depression as an illness.",
        "agreed_actions": "Claire eases chores for four weeks; Jess keeps going to school.",
        **changes,
    }


def test_no_parent_session_without_consent_and_assent(owner, parent):
    _consent(parent, owner, assent=False)
    with pytest.raises(TransitionRefused, match="record their consent"):
        ParentSession.record(
            parent.course, by=owner, parent=parent, held_on=START, kind="parent",
            focus="psychoeducation",
        )  # fmt: skip


def test_a_joint_session_is_recorded_and_listed_with_the_sessions(client_for, owner, parent):
    _consent(parent, owner)
    course = parent.course
    SessionFactory(course=course, number=1)
    SessionFactory(course=course, number=2)
    client = client_for(owner)
    response = client.post(
        reverse("sessions_app:parent_session_new", args=[course.pk]), _session_data(parent)
    )
    record = course.parent_sessions.get()
    assert response.status_code == 302 and response.url == record.get_absolute_url()
    assert record.kind == "joint" and record.created_by == owner
    listed = client.get(reverse("sessions_app:course_sessions", args=[course.pk]))
    rows = listed.context["rows"]
    # Between session 1 (7 Sep) and session 2 (14 Sep): same day as session 2, listed before it.
    assert [getattr(r, "number", "parent") for r in rows] == [1, "parent", 2]
    assert "Joint session with Claire Taylor" in listed.text


def test_a_finalised_parent_session_is_kept(client_for, owner, parent):
    _consent(parent, owner)
    record = ParentSession.record(
        parent.course, by=owner, parent=parent, held_on=START, kind="parent",
        focus="psychoeducation", notes="Explained depression and IPT-A.",
    )  # fmt: skip
    client = client_for(owner)
    client.post(reverse("sessions_app:parent_session_finalise", args=[record.pk]))
    record.refresh_from_db()
    assert record.is_finalised and record.finalised_by == owner
    response = client.post(record.get_absolute_url(), _session_data(parent))
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.notes == "Explained depression and IPT-A."
    with pytest.raises(IntegrityError, match="finalised parent session"), transaction.atomic():
        ParentSession.objects.filter(pk=record.pk).update(notes="changed")


def test_a_parent_session_is_not_dated_in_the_future(client_for, owner, parent):
    _consent(parent, owner)
    response = client_for(owner).post(
        reverse("sessions_app:parent_session_new", args=[parent.course_id]),
        _session_data(parent, held_on=(TODAY + timedelta(days=3)).isoformat()),
    )
    assert response.status_code == 200
    assert not ParentSession.objects.exists()


@pytest.fixture
def held(owner, parent):
    _consent(parent, owner)
    return ParentSession.record(
        parent.course, by=owner, parent=parent, held_on=START, kind="parent",
        focus="psychoeducation", notes="Explained depression and IPT-A.",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("course:parents", lambda h: {"pk": h.course_id}),
        ("course:parent_consent", lambda h: {"pk": h.course_id, "parent_pk": h.parent_id}),
        ("course:parent_edit", lambda h: {"pk": h.course_id, "parent_pk": h.parent_id}),
        ("sessions_app:parent_session", lambda h: {"pk": h.pk}),
        ("sessions_app:parent_session_new", lambda h: {"pk": h.course_id}),
    ],
)
def test_strangers_learn_nothing_of_parents_and_parent_sessions(
    client_for, stranger, colleague, held, name, kwargs
):
    url = reverse(name, kwargs=kwargs(held))
    for user in (stranger, colleague):
        assert client_for(user).get(url).status_code == 404
        assert client_for(user).post(url, {}).status_code == 404


def test_the_supervisor_reads_parent_records_but_never_writes(client_for, supervisor, held):
    client = client_for(supervisor)
    assert client.get(reverse("course:parents", args=[held.course_id])).status_code == 200
    page = client.get(held.get_absolute_url())
    assert page.status_code == 200 and "Explained depression" in page.text
    assert page.context["form"] is None
    refused = [
        client.post(held.get_absolute_url(), _session_data(held.parent)),
        client.post(reverse("sessions_app:parent_session_finalise", args=[held.pk])),
        client.post(reverse("course:parents", args=[held.course_id]), {"name": "X"}),
        client.get(reverse("course:parent_consent", args=[held.course_id, held.parent_id])),
        client.get(reverse("sessions_app:parent_session_new", args=[held.course_id])),
    ]
    assert [r.status_code for r in refused] == [403] * 5
    held.refresh_from_db()
    assert not held.is_finalised and held.parent.course.parents.count() == 1


# --- the contract --------------------------------------------------------------------------------
@pytest.fixture
def draft(course):
    SuitabilityFactory(course=course)
    return ContractFactory(course=course)


def _sign(contract, owner, **extra):
    contract.sign(
        patient_name="Jess Taylor",
        patient_date=TODAY,
        therapist=owner,
        therapist_date=TODAY,
        **extra,
    )


def test_the_draft_pdf_has_a_parent_line_when_the_clinic_requires_it(
    client_for, owner, draft, settings
):
    settings.IPTA_PARENT_SIGNS_CONTRACT = True
    pdf = client_for(owner).get(reverse("course:contract_pdf", args=[draft.course_id, 1]))
    assert squashed("Parent or carer signature") in squashed(pdf_text(pdf.content))
    settings.IPTA_PARENT_SIGNS_CONTRACT = False
    pdf = client_for(owner).get(reverse("course:contract_pdf", args=[draft.course_id, 1]))
    assert squashed("Parent or carer signature") not in squashed(pdf_text(pdf.content))


def test_signing_needs_a_consenting_parent_when_required(owner, draft, parent, settings):
    settings.IPTA_PARENT_SIGNS_CONTRACT = True
    with pytest.raises(TransitionRefused, match="choose who signs"):
        _sign(draft, owner)
    with pytest.raises(TransitionRefused, match="Record Claire Taylor's consent"):
        _sign(draft, owner, parent=parent, parent_date=TODAY)
    _consent(parent, owner)
    _sign(draft, owner, parent=parent, parent_date=TODAY)
    draft.refresh_from_db()
    assert (draft.parent_signed_name, draft.parent_signed_relationship) == (
        "Claire Taylor",
        "mother",
    )


def test_the_signed_pdf_names_the_parent_who_signed(client_for, owner, draft, parent, settings):
    settings.IPTA_PARENT_SIGNS_CONTRACT = True
    _consent(parent, owner)
    form_page = client_for(owner).get(reverse("course:contract", args=[draft.course_id]))
    assert "Parent or carer who signs" in form_page.text
    response = client_for(owner).post(
        reverse("course:contract_sign", args=[draft.course_id]),
        {
            "patient_name": "Jess Taylor",
            "patient_signed_on": TODAY.isoformat(),
            "therapist_signed_on": TODAY.isoformat(),
            "parent": parent.pk,
            "parent_signed_on": TODAY.isoformat(),
            "agreed": "on",
        },
    )
    assert response.status_code == 302
    pdf = client_for(owner).get(reverse("course:contract_pdf", args=[draft.course_id, 1]))
    text = squashed(pdf_text(pdf.content))
    assert squashed("Claire Taylor (mother)") in text
    assert squashed("Parent or carer signature (typed name)") in text


def test_an_adult_s_contract_has_no_parent_line(client_for, owner, patient, settings):
    settings.IPTA_PARENT_SIGNS_CONTRACT = True
    contract = ContractFactory(course=CourseFactory(patient=patient))
    assert not contract.parent_signs
    pdf = client_for(owner).get(reverse("course:contract_pdf", args=[contract.course_id, 1]))
    assert squashed("Parent or carer") not in squashed(pdf_text(pdf.content))


def test_an_amendment_is_signed_by_the_parent_afresh(owner, draft, parent, settings):
    settings.IPTA_PARENT_SIGNS_CONTRACT = True
    _consent(parent, owner)
    _sign(draft, owner, parent=parent, parent_date=TODAY)
    new = draft.amend(reason="A new day and time.")
    assert new.parent_signed_name == "" and new.parent_signed_on is None
    assert TreatmentContract.objects.get(pk=new.pk).parent_signs


# --- the ending ----------------------------------------------------------------------------------
def test_the_relapse_plan_names_the_parent(client_for, owner, course, parent):
    from ipt.termination.models import RelapsePreventionPlan

    RelapsePreventionPlan.objects.create(
        course=course,
        written_on=START,
        if_symptoms_return="Tell Mum and call the clinic.",
        parent=parent,
        parent_role="Claire notices when Jess stops seeing friends.",
    )
    pdf = client_for(owner).get(reverse("course:relapse_plan_pdf", args=[course.pk]))
    text = squashed(pdf_text(pdf.content))
    assert squashed("Your mother is part of this plan") in text
    assert squashed("Claire notices when Jess stops seeing friends.") in text


def test_the_review_and_plan_forms_ask_about_the_parent_for_ipt_a_only(owner, course, patient):
    from ipt.termination.forms.aftercare import RelapsePlanForm
    from ipt.termination.forms.review import ProgressReviewForm

    adult = CourseFactory(patient=patient)
    assert "parent_involvement" in ProgressReviewForm(course=course, areas=[]).fields
    assert "parent_involvement" not in ProgressReviewForm(course=adult, areas=[]).fields
    assert "parent" in RelapsePlanForm(course=course).fields
    assert "parent" not in RelapsePlanForm(course=adult).fields


def test_the_same_forms_sent_twice_add_one_parent_and_one_parent_session(client_for, owner, course):
    client = client_for(owner)
    data = {"name": "Claire Taylor", "relationship": "mother", "submission": str(uuid.uuid4())}
    for _ in range(2):
        assert client.post(reverse("course:parents", args=[course.pk]), data).status_code == 302
    parent = course.parents.get()
    _consent(parent, owner)
    data = {**_session_data(parent), "submission": str(uuid.uuid4())}
    url = reverse("sessions_app:parent_session_new", args=[course.pk])
    assert client.post(url, data).url == client.post(url, data).url
    assert course.parent_sessions.count() == 1
