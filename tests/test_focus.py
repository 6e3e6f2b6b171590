"""Sick role and its handout, problem areas, and the interpersonal formulation."""

import io
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from ipt.models import Formulation, ProblemArea, SickRole, Variant
from tests.factories import (
    CourseFactory,
    DiagnosisFactory,
    InventoryPersonFactory,
    ProblemAreaFactory,
    SickRoleFactory,
)

Area = ProblemArea.Area
TODAY = timezone.localdate()


@pytest.fixture
def course(patient):
    return CourseFactory(patient=patient, start_date=TODAY - timedelta(days=14))


@pytest.fixture
def therapist(client_for, owner):
    return client_for(owner)


def url(name, course, *args):
    return reverse(f"course:{name}", args=[course.pk, *args])


def pdf_text(response):
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, " ".join(text.split())


# --- sick role -----------------------------------------------------------------------------


def test_sick_role_is_saved(therapist, course):
    response = therapist.post(
        url("sick_role", course),
        {
            "given_on": TODAY.isoformat(),
            "excused": "Cooking Sunday lunch for the family.",
            "commitments": "Coming every week.",
            "notes": "Husband present.",
        },
    )
    assert response.status_code == 302
    record = SickRole.objects.get(course=course)
    assert record.excused == "Cooking Sunday lunch for the family."
    assert record.limited is False


def test_sick_role_needs_what_is_excused_and_committed_to(therapist, course):
    response = therapist.post(url("sick_role", course), {"given_on": TODAY.isoformat()})
    assert response.status_code == 200
    assert "Say what the patient may set aside" in response.text
    assert "Say what the patient will do to work at recovery" in response.text
    assert not SickRole.objects.filter(course=course).exists()


def test_sick_role_cannot_be_dated_in_the_future(therapist, course):
    response = therapist.post(
        url("sick_role", course),
        {
            "given_on": (TODAY + timedelta(days=3)).isoformat(),
            "excused": "x",
            "commitments": "y",
        },
    )
    assert "Record the sick role once it has been given." in response.text
    assert not SickRole.objects.filter(course=course).exists()


def test_adolescents_get_a_limited_sick_role_by_default(therapist, patient):
    course = CourseFactory(patient=patient, variant=Variant.ADOLESCENT, initial_phase_sessions=4)
    response = therapist.get(url("sick_role", course))
    assert response.context["form"]["limited"].value() is True
    assert "limited sick role" in response.text
    assert "keeps going to school" in response.text


def test_adults_do_not_get_a_limited_sick_role_by_default(therapist, course):
    response = therapist.get(url("sick_role", course))
    assert not response.context["form"]["limited"].value()


def test_supervisor_sees_the_sick_role_read_only_and_cannot_change_it(
    client_for, supervisor, course
):
    SickRoleFactory(course=course, excused="Hosting.")
    client = client_for(supervisor)
    page = client.get(url("sick_role", course))
    assert page.status_code == 200
    assert "<fieldset disabled>" in page.text
    assert "Save the sick role" not in page.text
    response = client.post(
        url("sick_role", course),
        {"given_on": TODAY.isoformat(), "excused": "Everything.", "commitments": "Nothing."},
    )
    assert response.status_code == 403
    assert SickRole.objects.get(course=course).excused == "Hosting."


def test_handout_is_one_warm_page_with_what_was_agreed_and_crisis_contacts(therapist, course):
    SickRoleFactory(
        course=course,
        excused="Hosting the family on Sundays.",
        commitments="Coming every week and trying the agreed actions.",
        notes="Private clinical note.",
    )
    response = therapist.get(url("sick_role_pdf", course))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    surname = course.patient.full_name.split()[-1]
    assert f"sick-role-{surname}.pdf" in response["Content-Disposition"]
    reader, text = pdf_text(response)
    assert len(reader.pages) == 1
    for phrase in [
        "medical illness",
        "not a weakness",
        "not your fault",
        "treated",
        "Hosting the family on Sundays.",
        "Coming every week and trying the agreed actions.",
        "temporary",
        "getting better",
        "999",
        "A&E",
        "GP",
        "NHS 111",
        "option 2",
        "Samaritans",
        "116 123",
        f"Telephone {settings.CLINIC_PHONE}",  # the clinic's own number
    ]:
        assert phrase in text, phrase
    assert "Private clinical note." not in text


def test_handout_stays_on_one_page_with_a_longer_sick_role(therapist, course):
    SickRoleFactory(
        course=course,
        limited=True,
        excused="\n".join(
            [
                "Hosting the family on Sundays and cooking for everyone.",
                "Volunteering at the church café on Wednesdays.",
                "Organising the school run for the neighbours' children.",
                "Answering work emails in the evenings.",
            ]
        ),
        commitments="\n".join(
            [
                "Coming to every session, and saying so if something gets in the way.",
                "Trying the action we agree each week, and telling me how it went.",
                "Getting up at the same time every day and going for a short walk.",
            ]
        ),
    )
    reader, text = pdf_text(therapist.get(url("sick_role_pdf", course)))
    assert len(reader.pages) == 1
    assert "keep going to school" in text


def test_handout_without_a_sick_role_asks_for_it_first(therapist, course):
    response = therapist.get(url("sick_role_pdf", course), follow=True)
    assert response.status_code == 200
    assert "Record the sick role first" in response.text
    assert response["Content-Type"].startswith("text/html")


# --- problem areas: choosing and defaults --------------------------------------------------


def test_new_problem_area_starts_by_choosing_the_area(therapist, course):
    response = therapist.get(url("problem_area_new", course))
    assert response.status_code == 200
    for area in Area:
        assert f"?area={area.value}" in response.text
    assert response.context["form"] is None


@pytest.mark.parametrize("area", list(Area))
def test_goals_are_prefilled_from_the_ipt_goals_of_each_area(therapist, course, area):
    response = therapist.get(url("problem_area_new", course) + f"?area={area.value}")
    form = response.context["form"]
    assert form["goals"].value() == "\n".join(ProblemArea.DEFAULT_GOALS[area])
    for goal in ProblemArea.DEFAULT_GOALS[area]:
        assert goal in response.text


def test_only_the_fields_of_the_chosen_area_are_shown(therapist, course):
    grief = therapist.get(url("problem_area_new", course) + "?area=grief").text
    assert 'name="date_of_death"' in grief and 'name="dispute_stage"' not in grief
    dispute = therapist.get(url("problem_area_new", course) + "?area=role_dispute").text
    assert 'name="dispute_stage"' in dispute and 'name="from_role"' not in dispute
    transition = therapist.get(url("problem_area_new", course) + "?area=role_transition").text
    assert 'name="from_role"' in transition and 'name="person"' not in transition
    deficits = therapist.get(url("problem_area_new", course) + "?area=interpersonal_deficits")
    assert 'name="person"' not in deficits.text and 'name="goals"' in deficits.text


def test_switching_area_with_htmx_returns_only_the_form_and_keeps_the_rationale(therapist, course):
    response = therapist.get(
        url("problem_area_new", course) + "?area=role_transition&rationale=Began+after+move",
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert 'id="area-form"' in response.text
    assert "Began after move" in response.text


def test_grief_offers_only_people_who_have_died(therapist, course):
    InventoryPersonFactory(course=course, name="Rose", deceased=True)
    InventoryPersonFactory(course=course, name="Tom", deceased=False)
    response = therapist.get(url("problem_area_new", course) + "?area=grief")
    people = list(response.context["form"].fields["person"].queryset)
    assert [p.name for p in people] == ["Rose"]


# --- problem areas: saving and validation --------------------------------------------------


def post_area(client, course, area, **data):
    return client.post(url("problem_area_new", course), {"area": area, **data})


def test_grief_is_saved_with_the_person_who_died_and_goals(therapist, course):
    rose = InventoryPersonFactory(course=course, name="Rose", relationship="mother", deceased=True)
    response = post_area(
        therapist,
        course,
        "grief",
        person=rose.pk,
        date_of_death="2026-03-02",
        rationale="Low since her mother died; has not been able to talk about her.",
        goals="Facilitate the mourning process.\n\n  Go back to the choir.  ",
    )
    assert response.status_code == 302
    area = ProblemArea.objects.get(course=course)
    assert area.person == rose
    assert area.date_of_death == date(2026, 3, 2)
    assert [g.text for g in area.goals.all()] == [
        "Facilitate the mourning process.",
        "Go back to the choir.",
    ]
    assert area.detail == "Grief for Rose (mother, died March 2026)"


def test_grief_needs_the_person_who_died(therapist, course):
    response = post_area(therapist, course, "grief", rationale="r", goals="g")
    assert response.status_code == 200
    assert "Grief needs the person who died." in response.text
    assert not ProblemArea.objects.exists()


def test_grief_refuses_someone_who_has_not_died(therapist, course):
    alive = InventoryPersonFactory(course=course, deceased=False)
    response = post_area(therapist, course, "grief", person=alive.pk, rationale="r", goals="g")
    assert "Choose the person who died" in response.text
    assert not ProblemArea.objects.exists()


def test_date_of_death_cannot_be_in_the_future(therapist, course):
    rose = InventoryPersonFactory(course=course, deceased=True)
    response = post_area(
        therapist,
        course,
        "grief",
        person=rose.pk,
        date_of_death=(TODAY + timedelta(days=1)).isoformat(),
        rationale="r",
        goals="g",
    )
    assert "The date of death cannot be in the future." in response.text
    assert not ProblemArea.objects.exists()


def test_role_dispute_needs_a_person_and_a_stage(therapist, course):
    response = post_area(therapist, course, "role_dispute", rationale="r", goals="g")
    assert response.status_code == 200
    assert "A role dispute is with someone: choose who." in response.text
    assert "Choose renegotiation, impasse or dissolution" in response.text
    assert not ProblemArea.objects.exists()


def test_role_dispute_refuses_a_stage_that_does_not_exist(therapist, course):
    maria = InventoryPersonFactory(course=course)
    response = post_area(
        therapist,
        course,
        "role_dispute",
        person=maria.pk,
        dispute_stage="war",
        rationale="r",
        goals="g",
    )
    assert response.status_code == 200
    assert not ProblemArea.objects.exists()


def test_role_dispute_with_someone_who_died_is_pointed_to_grief(therapist, course):
    rose = InventoryPersonFactory(course=course, name="Rose", deceased=True)
    response = post_area(
        therapist,
        course,
        "role_dispute",
        person=rose.pk,
        dispute_stage="impasse",
        rationale="r",
        goals="g",
    )
    assert "is worked on as grief" in response.text
    assert not ProblemArea.objects.exists()


def test_role_dispute_is_saved_with_its_stage(therapist, course):
    maria = InventoryPersonFactory(course=course, name="Maria", relationship="wife")
    response = post_area(
        therapist,
        course,
        "role_dispute",
        person=maria.pk,
        dispute_stage="impasse",
        rationale="They have stopped talking about money.",
        goals="Identify the dispute.",
    )
    assert response.status_code == 302
    assert ProblemArea.objects.get().detail == "Role dispute with Maria (wife): impasse"


def test_role_transition_needs_both_roles(therapist, course):
    response = post_area(therapist, course, "role_transition", rationale="r", goals="g")
    assert "Name the role the patient is leaving." in response.text
    assert "Name the role the patient is moving into." in response.text
    assert not ProblemArea.objects.exists()


def test_goals_cannot_be_empty(therapist, course):
    response = post_area(therapist, course, "interpersonal_deficits", rationale="r", goals=" \n ")
    assert "Agree at least one goal for this problem area." in response.text
    assert not ProblemArea.objects.exists()


def test_rationale_is_required_and_typed_text_stays(therapist, course):
    response = post_area(therapist, course, "interpersonal_deficits", goals="Join a club.")
    assert "Say how this area links to the onset or course of the depression." in response.text
    assert "Join a club." in response.text


def test_fields_of_other_areas_are_cleared_never_reaching_the_constraints(therapist, course):
    maria = InventoryPersonFactory(course=course)
    response = post_area(
        therapist,
        course,
        "role_transition",
        from_role="employed",
        to_role="retired",
        person=maria.pk,
        dispute_stage="impasse",
        date_of_death="2026-01-01",
        rationale="Retired in spring.",
        goals="See the new role more positively.",
    )
    assert response.status_code == 302
    area = ProblemArea.objects.get()
    assert (area.person, area.dispute_stage, area.date_of_death) == (None, "", None)
    assert (area.from_role, area.to_role) == ("employed", "retired")


def test_a_forged_person_from_another_course_is_a_form_error(therapist, course):
    elsewhere = InventoryPersonFactory(name="Not Yours")
    response = post_area(
        therapist,
        course,
        "role_dispute",
        person=elsewhere.pk,
        dispute_stage="impasse",
        rationale="r",
        goals="g",
    )
    assert response.status_code == 200
    assert "Choose someone from this patient&#x27;s interpersonal inventory." in response.text
    assert not ProblemArea.objects.exists()


def test_a_nonsense_person_id_is_a_form_error(therapist, course):
    response = post_area(
        therapist, course, "role_dispute", person="abc", dispute_stage="impasse", rationale="r"
    )
    assert response.status_code == 200
    assert not ProblemArea.objects.exists()


def test_an_unknown_area_goes_back_to_choosing(therapist, course):
    response = post_area(therapist, course, "bereavement", rationale="r", goals="g")
    assert response.status_code == 200
    assert response.context["form"] is None
    assert "Choose a problem area first." in response.text
    assert not ProblemArea.objects.exists()


def test_the_same_area_cannot_be_chosen_twice(therapist, course):
    ProblemAreaFactory(course=course)  # a role transition
    response = post_area(
        therapist, course, "role_transition", from_role="a", to_role="b", rationale="r", goals="g"
    )
    assert response.status_code == 200
    assert "Role transition is already a problem area of this course" in response.text
    assert ProblemArea.objects.count() == 1


def test_at_most_two_problem_areas(therapist, course):
    ProblemAreaFactory(course=course)
    ProblemAreaFactory(course=course, area=Area.INTERPERSONAL_DEFICITS, from_role="", to_role="")
    response = post_area(therapist, course, "grief", rationale="r", goals="g")
    assert response.status_code == 302
    assert ProblemArea.objects.count() == 2
    page = therapist.get(response.url)
    assert "IPT focuses on one problem area, at most two" in page.text
    assert '<button type="button" disabled' in page.text


def test_a_third_area_is_refused_by_the_form_itself(course):
    from ipt.initial.forms.focus import ProblemAreaForm

    ProblemAreaFactory(course=course)
    ProblemAreaFactory(course=course, area=Area.INTERPERSONAL_DEFICITS, from_role="", to_role="")
    rose = InventoryPersonFactory(course=course, deceased=True)
    form = ProblemAreaForm(
        {"person": rose.pk, "rationale": "r", "goals": "g"}, course=course, area=Area.GRIEF
    )
    assert not form.is_valid()
    assert "at most two" in " ".join(form.non_field_errors())


def test_problem_area_list_shows_details_and_goals_in_fixed_queries(
    therapist, course, django_assert_max_num_queries
):
    maria = InventoryPersonFactory(course=course, name="Maria")
    dispute = ProblemAreaFactory(
        course=course,
        area=Area.ROLE_DISPUTE,
        person=maria,
        dispute_stage="renegotiation",
        from_role="",
        to_role="",
    )
    dispute.set_goals(["Identify the dispute."])
    with CaptureQueriesContext(connection) as one:
        response = therapist.get(url("problem_areas", course))
    assert "Role dispute with Maria (friend): renegotiation" in response.text
    assert "Identify the dispute." in response.text
    ProblemAreaFactory(course=course).set_goals(["Restore self-esteem."])
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = therapist.get(url("problem_areas", course))
    assert "Role transition from warehouse manager to job seeker" in response.text
    assert "Restore self-esteem." in response.text


# --- problem areas: edit and delete --------------------------------------------------------


def test_edit_shows_current_goals_and_saves_new_ones(therapist, course):
    area = ProblemAreaFactory(course=course)
    area.set_goals(["Mourn and accept the loss of the old role."])
    page = therapist.get(url("problem_area_edit", course, area.pk))
    assert page.context["form"]["goals"].value() == "Mourn and accept the loss of the old role."
    response = therapist.post(
        url("problem_area_edit", course, area.pk),
        {
            "area": "grief",  # the area is fixed on edit: ignored
            "from_role": "warehouse manager",
            "to_role": "retired",
            "rationale": "Retired, not redundant.",
            "goals": "Restore self-esteem.\nBuild a weekly routine with friends.",
        },
    )
    assert response.status_code == 302
    area.refresh_from_db()
    assert area.area == Area.ROLE_TRANSITION
    assert area.to_role == "retired"
    assert [g.text for g in area.goals.all()] == [
        "Restore self-esteem.",
        "Build a weekly routine with friends.",
    ]


def test_editing_keeps_its_own_area_without_counting_it_twice(therapist, course):
    area = ProblemAreaFactory(course=course)
    ProblemAreaFactory(course=course, area=Area.INTERPERSONAL_DEFICITS, from_role="", to_role="")
    response = therapist.post(
        url("problem_area_edit", course, area.pk),
        {"from_role": "a", "to_role": "b", "rationale": "r", "goals": "g"},
    )
    assert response.status_code == 302


def test_problem_area_of_another_course_cannot_be_edited_or_deleted(therapist, course):
    other = ProblemAreaFactory()
    assert therapist.get(url("problem_area_edit", course, other.pk)).status_code == 404
    assert therapist.post(url("problem_area_delete", course, other.pk)).status_code == 404
    assert ProblemArea.objects.filter(pk=other.pk).exists()


def test_delete_removes_the_area_and_its_goals(therapist, course):
    area = ProblemAreaFactory(course=course)
    area.set_goals(["Restore self-esteem."])
    response = therapist.post(url("problem_area_delete", course, area.pk))
    assert response.status_code == 302
    assert not ProblemArea.objects.filter(pk=area.pk).exists()


def test_delete_with_htmx_asks_the_browser_to_reload_the_list(therapist, course):
    area = ProblemAreaFactory(course=course)
    response = therapist.post(
        url("problem_area_delete", course, area.pk), headers={"HX-Request": "true"}
    )
    assert response["HX-Redirect"] == url("problem_areas", course)


def test_delete_needs_post(therapist, course):
    area = ProblemAreaFactory(course=course)
    assert therapist.get(url("problem_area_delete", course, area.pk)).status_code == 405
    assert ProblemArea.objects.filter(pk=area.pk).exists()


def test_supervisor_cannot_add_edit_or_delete_problem_areas(client_for, supervisor, course):
    area = ProblemAreaFactory(course=course)
    client = client_for(supervisor)
    list_page = client.get(url("problem_areas", course))
    assert list_page.status_code == 200
    assert "Add a problem area" not in list_page.text
    assert "Remove" not in list_page.text
    assert (
        post_area(client, course, "interpersonal_deficits", rationale="r", goals="g").status_code
        == 403
    )
    assert client.post(url("problem_area_delete", course, area.pk)).status_code == 403
    assert ProblemArea.objects.count() == 1


# --- formulation ---------------------------------------------------------------------------


def test_formulation_starts_from_a_draft_with_diagnosis_and_area(therapist, course):
    DiagnosisFactory(course=course)
    ProblemAreaFactory(course=course)
    response = therapist.get(url("formulation", course))
    text = response.context["form"]["text"].value()
    assert "major depressive disorder" in text
    # The patient's words: what happened, not the clinical name of the area.
    assert "the change from warehouse manager to job seeker" in text
    assert "role transition" not in text.lower()
    assert "Role transition from warehouse manager to job seeker" in response.text
    assert not Formulation.objects.exists()


def test_formulation_warns_softly_without_a_problem_area(therapist, course):
    response = therapist.get(url("formulation", course))
    assert response.status_code == 200
    assert "No problem area has been chosen yet" in response.text


def test_formulation_is_saved(therapist, course):
    response = therapist.post(
        url("formulation", course),
        {"text": "Since the job went, you have felt cut off.", "shared_on": TODAY.isoformat()},
    )
    assert response.status_code == 302
    saved = Formulation.objects.get(course=course)
    assert saved.text == "Since the job went, you have felt cut off."
    assert saved.shared_on == TODAY


def test_saved_formulation_is_shown_not_the_draft_until_asked(therapist, course):
    ProblemAreaFactory(course=course)
    Formulation.objects.create(course=course, text="Our own words.")
    page = therapist.get(url("formulation", course))
    assert page.context["form"]["text"].value() == "Our own words."
    redraft = therapist.get(url("formulation", course) + "?draft=1")
    assert "the change from warehouse manager" in redraft.context["form"]["text"].value()
    assert Formulation.objects.get(course=course).text == "Our own words."
    partial = therapist.get(url("formulation", course) + "?draft=1", headers={"HX-Request": "true"})
    assert "<html" not in partial.text and 'id="formulation-form"' in partial.text


def test_formulation_cannot_be_shared_in_the_future(therapist, course):
    response = therapist.post(
        url("formulation", course),
        {"text": "x", "shared_on": (TODAY + timedelta(days=2)).isoformat()},
    )
    assert "Record the date once it has been shared." in response.text
    assert not Formulation.objects.exists()


def test_supervisor_reads_the_formulation_but_cannot_change_it(client_for, supervisor, course):
    Formulation.objects.create(course=course, text="Agreed words.")
    client = client_for(supervisor)
    page = client.get(url("formulation", course))
    assert page.status_code == 200
    assert "<fieldset disabled>" in page.text
    response = client.post(url("formulation", course), {"text": "Changed."})
    assert response.status_code == 403
    assert Formulation.objects.get(course=course).text == "Agreed words."


@pytest.mark.parametrize(
    ("area", "fields", "words"),
    [
        ("grief", {}, "the death of"),
        ("role_dispute", {"dispute_stage": "impasse"}, "where talking seems to have stopped"),
        ("interpersonal_deficits", {}, "feeling cut off from people"),
    ],
)
def test_the_formulation_draft_is_in_the_patient_s_language(therapist, course, area, fields, words):
    person = InventoryPersonFactory(course=course, name="Maria")
    ProblemAreaFactory(course=course, area=area, person=person, from_role="", to_role="", **fields)
    text = therapist.get(url("formulation", course)).context["form"]["text"].value()
    assert words in text
    for jargon in ("interpersonal deficits", "role dispute", "impasse", "role transition"):
        assert jargon not in text.lower()
