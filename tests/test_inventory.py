"""The interpersonal inventory: people added, edited and removed in place, and the circle."""

import re

import pytest
from django.urls import reverse

from ipt.accounts.history import changes_to, described
from ipt.models import InventoryPerson, Phase
from tests.factories import (
    CourseFactory,
    InventoryPersonFactory,
    LifeEventFactory,
    ProblemAreaFactory,
)

HTMX = {"HX-Request": "true"}
QUERIES = 15  # session, user, the course with its prefetches, the access log: none per person
MARIA = {
    "name": "Maria",
    "relationship": "wife",
    "closeness": "1",
    "what_like": "Warm but busy with work.",
    "feelings": "Lonely, even when she is there.",
    "conflicts": "Arguments about money.",
    "conflicts_resolve": "rarely",
    "knows_about_depression": "partly",
}


@pytest.fixture
def course(patient):
    return CourseFactory(patient=patient)


@pytest.fixture
def maria(course):
    return InventoryPersonFactory(course=course, name="Maria", relationship="wife", closeness=1)


def url(name, course, person=None):
    args = [course.pk] if person is None else [course.pk, person.pk]
    return reverse(f"course:{name}", args=args)


# --- the page and the circle -----------------------------------------------------------------


def test_page_shows_each_person_and_the_closeness_circle(client_for, owner, course, maria):
    InventoryPersonFactory(course=course, name="Tom", relationship="son", closeness=2)
    InventoryPersonFactory(course=course, name="Dev", relationship="manager", closeness=3)
    response = client_for(owner).get(url("inventory", course))
    assert response.status_code == 200
    html = response.text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart closeness-circle"' in html
    for name in ("Maria", "Tom", "Dev"):
        assert f"{name}</text>" in html  # drawn in the circle
        assert f'id="person-{InventoryPerson.objects.get(name=name).pk}"' in html  # and a card
    # The text alternative, grouped by ring.
    assert "<strong>Closest:</strong>" in html and "Maria (wife" in html
    assert "<strong>Close:</strong>" in html and "Tom (son" in html
    assert "<strong>Less close:</strong>" in html and "Dev (manager" in html


def test_person_in_a_focal_problem_area_is_marked(client_for, owner, course, maria):
    ProblemAreaFactory(
        course=course,
        area="role_dispute",
        dispute_stage="impasse",
        person=maria,
        from_role="",
        to_role="",
    )
    html = client_for(owner).get(url("inventory", course)).text
    assert 'class="person person-focal"' in html
    assert "Maria (wife, focal problem area)" in html
    assert "Focal: role dispute" in html


def test_card_shows_answers_and_what_is_still_to_explore(client_for, owner, course):
    InventoryPersonFactory(
        course=course,
        name="Maria",
        relationship="wife",
        feelings="Lonely",
        conflicts_resolve="rarely",
    )
    html = client_for(owner).get(url("inventory", course)).text
    assert "Lonely" in html
    assert "Rarely or never resolved" in html
    assert "Not yet explored:" in html and "what cannot be talked about" in html


def test_empty_inventory_invites_the_first_person(client_for, owner, course):
    html = client_for(owner).get(url("inventory", course)).text
    assert "No one in the inventory yet" in html
    assert "No one added yet" in html  # in the circle too


def test_inventory_page_queries_do_not_grow_with_people(
    client_for, owner, course, django_assert_max_num_queries
):
    client = client_for(owner)
    people = InventoryPersonFactory.create_batch(3, course=course)
    LifeEventFactory(course=course, person=people[0])
    ProblemAreaFactory(course=course, area="grief", person=people[1], from_role="", to_role="")
    for count in (3, 15):
        InventoryPersonFactory.create_batch(count - course.inventory.count(), course=course)
        with django_assert_max_num_queries(QUERIES):
            response = client.get(url("inventory", course))
        assert response.text.count('<article id="person-') == count


# --- adding ----------------------------------------------------------------------------------


def test_owner_adds_a_person_with_a_plain_post(client_for, owner, course):
    response = client_for(owner).post(url("inventory", course), MARIA)
    assert response.status_code == 302
    assert response.url == url("inventory", course)
    person = course.inventory.get()
    assert (person.name, person.closeness, person.conflicts_resolve) == ("Maria", 1, "rarely")


def test_htmx_add_returns_fresh_form_card_and_circle_out_of_band(client_for, owner, course):
    response = client_for(owner).post(url("inventory", course), MARIA, headers=HTMX)
    assert response.status_code == 200
    html = response.text
    assert "<html" not in html
    person = course.inventory.get()
    # The form is swapped for an empty one, ready for the next person.
    assert html.lstrip().startswith('<form id="person-add"')
    assert 'value="Maria"' not in html
    assert "autofocus" in html
    # The card is appended to the list, and the circle replaced, out of band.
    assert '<div hx-swap-oob="beforeend:#people">' in html
    assert f'id="person-{person.pk}"' in html
    assert 'id="closeness-circle"' in html and 'hx-swap-oob="true"' in html
    assert "Maria</text>" in html
    assert "Maria (wife) added to the inventory." in html


def test_invalid_person_keeps_the_typed_text_and_explains(client_for, owner, course):
    data = {**MARIA, "name": "  "}
    response = client_for(owner).post(url("inventory", course), data)
    assert response.status_code == 200
    assert "Give the person&#x27;s name" in response.text
    assert "Lonely, even when she is there." in response.text
    assert 'value="wife"' in response.text
    assert not course.inventory.exists()


def test_invalid_person_with_htmx_returns_only_the_form_with_errors(client_for, owner, course):
    data = {**MARIA, "relationship": "", "closeness": "7"}
    response = client_for(owner).post(url("inventory", course), data, headers=HTMX)
    assert response.status_code == 200
    html = response.text
    assert "<html" not in html
    assert html.lstrip().startswith('<form id="person-add"')
    assert "hx-swap-oob" not in html
    assert "Say who they are to the patient" in html
    assert 'class="field-error"' in html
    assert 'value="Maria"' in html and "Arguments about money." in html
    assert not course.inventory.exists()


# --- editing ---------------------------------------------------------------------------------


def test_edit_in_place_returns_the_form_partial(client_for, owner, course, maria):
    response = client_for(owner).get(url("person_edit", course, maria), headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith(f'<form id="person-{maria.pk}"')
    assert 'value="Maria"' in response.text


def test_edit_without_htmx_is_a_full_page(client_for, owner, course, maria):
    response = client_for(owner).get(url("person_edit", course, maria))
    assert response.status_code == 200
    assert "<html" in response.text and "Edit Maria" in response.text


def test_owner_edits_a_person_with_a_plain_post(client_for, owner, course, maria):
    data = {**MARIA, "closeness": "3"}
    response = client_for(owner).post(url("person_edit", course, maria), data)
    assert response.status_code == 302
    assert response.url == f"{url('inventory', course)}#person-{maria.pk}"
    maria.refresh_from_db()
    assert maria.closeness == 3 and maria.feelings == MARIA["feelings"]


def test_htmx_edit_swaps_back_the_card_and_the_circle(client_for, owner, course, maria):
    data = {**MARIA, "closeness": "3"}
    response = client_for(owner).post(url("person_edit", course, maria), data, headers=HTMX)
    assert response.status_code == 200
    html = response.text
    assert "<html" not in html
    assert html.lstrip().startswith(f'<article id="person-{maria.pk}"')
    assert "Less close" in html
    assert 'id="closeness-circle"' in html and 'hx-swap-oob="true"' in html
    assert 'data-ring="3"' in html  # the circle already shows the new ring
    maria.refresh_from_db()
    assert maria.closeness == 3


def test_invalid_edit_with_htmx_returns_the_form_with_errors(client_for, owner, course, maria):
    data = {**MARIA, "name": "", "feelings": "Tired of trying."}
    response = client_for(owner).post(url("person_edit", course, maria), data, headers=HTMX)
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<form id="person-{maria.pk}"')
    assert "Give the person&#x27;s name" in response.text
    assert "Tired of trying." in response.text
    maria.refresh_from_db()
    assert maria.name == "Maria"


def test_cancel_in_place_brings_back_the_card(client_for, owner, course, maria):
    response = client_for(owner).get(url("person_detail", course, maria), headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith(f'<article id="person-{maria.pk}"')


def test_person_page_without_htmx_lists_their_timeline_events(client_for, owner, course, maria):
    LifeEventFactory(course=course, person=maria, description="Moved in together")
    response = client_for(owner).get(url("person_detail", course, maria))
    assert "<html" in response.text
    assert "Moved in together" in response.text


def test_person_of_another_course_is_not_found(client_for, owner, course, patient):
    other = InventoryPersonFactory(course=CourseFactory(patient__therapist=owner))
    client = client_for(owner)
    assert client.get(url("person_edit", course, other)).status_code == 404
    assert client.post(url("person_delete", course, other)).status_code == 404
    assert InventoryPerson.objects.filter(pk=other.pk).exists()


# --- removing --------------------------------------------------------------------------------


def test_owner_removes_a_person_with_a_plain_post(client_for, owner, course, maria):
    event = LifeEventFactory(course=course, person=maria)
    response = client_for(owner).post(url("person_delete", course, maria))
    assert response.status_code == 302
    assert not course.inventory.exists()
    event.refresh_from_db()
    assert event.person is None  # the event stays on the timeline


def test_htmx_remove_answers_with_the_circle_only(client_for, owner, course, maria):
    response = client_for(owner).post(url("person_delete", course, maria), headers=HTMX)
    assert response.status_code == 200
    html = response.text
    assert "<html" not in html
    assert f'id="person-{maria.pk}"' not in html  # the card's place is left empty
    assert 'id="closeness-circle"' in html and 'hx-swap-oob="true"' in html
    assert "Maria</text>" not in html
    assert "Maria (wife) removed from the inventory." in html
    assert not course.inventory.exists()


def test_remove_asks_for_confirmation(client_for, owner, course, maria):
    html = client_for(owner).get(url("inventory", course)).text
    assert 'hx-confirm="Remove Maria from the inventory?"' in html


def test_remove_only_by_post(client_for, owner, course, maria):
    assert client_for(owner).get(url("person_delete", course, maria)).status_code == 405
    assert course.inventory.exists()


# --- who may change it -----------------------------------------------------------------------


def test_supervisor_reads_without_edit_controls(client_for, supervisor, course, maria):
    response = client_for(supervisor).get(url("inventory", course))
    assert response.status_code == 200
    assert "Maria</text>" in response.text
    assert 'id="person-add"' not in response.text
    assert url("person_edit", course, maria) not in response.text


@pytest.mark.parametrize("htmx", [False, True])
def test_supervisor_posts_are_refused(client_for, supervisor, course, maria, htmx):
    client = client_for(supervisor)
    headers = HTMX if htmx else {}
    add = client.post(url("inventory", course), {**MARIA, "name": "Tom"}, headers=headers)
    edit = client.post(url("person_edit", course, maria), {**MARIA, "name": "X"}, headers=headers)
    remove = client.post(url("person_delete", course, maria), headers=headers)
    assert (add.status_code, edit.status_code, remove.status_code) == (403, 403, 403)
    assert list(course.inventory.values_list("name", flat=True)) == ["Maria"]


def test_closed_course_inventory_is_read_only(client_for, owner, course, maria):
    course.phase = Phase.COMPLETED
    course.save()
    client = client_for(owner)
    html = client.get(url("inventory", course)).text
    assert 'id="person-add"' not in html
    assert client.post(url("inventory", course), MARIA).status_code == 403
    assert client.post(url("person_delete", course, maria)).status_code == 403


# --- expectations and what the relationship gives -------------------------------------------

EXPECTATIONS = {
    "patient_expects": "That she asks how his day went.",
    "they_expect": "That he shares the money worries instead of hiding them.",
    "expectations_met": "partly",
    "satisfying": "Laughing together at the weekend.",
    "unsatisfying": "Evenings in silence in front of the television.",
}


def test_expectations_and_aspects_round_trip_through_the_edit_form(
    client_for, owner, course, maria
):
    client = client_for(owner)
    data = {**MARIA, **EXPECTATIONS}
    response = client.post(url("person_edit", course, maria), data)
    assert response.status_code == 302
    maria.refresh_from_db()
    assert {name: getattr(maria, name) for name in EXPECTATIONS} == EXPECTATIONS
    # The edit form shows what was saved, the choice checked.
    html = client.get(url("person_edit", course, maria)).text
    assert "That she asks how his day went.</textarea>" in html
    assert re.search(r'name="expectations_met" value="partly"[^>]*checked', html)
    # The card, on the inventory and on the person's own page, shows them under their labels.
    for page in (url("inventory", course), url("person_detail", course, maria)):
        html = client.get(page).text
        assert "<dt>Expects of them</dt>" in html
        assert "That he shares the money worries" in html
        assert "<dt>Expectations met?</dt>" in html and "Partly met" in html
        assert "<dt>Unsatisfying</dt>" in html and "Evenings in silence" in html


def test_not_known_is_an_answer_and_blank_is_not_asked_yet(client_for, owner, course, maria):
    client = client_for(owner)
    client.post(url("person_edit", course, maria), {**MARIA, "expectations_met": "not_known"})
    maria.refresh_from_db()
    assert maria.expectations_met == InventoryPerson.Met.NOT_KNOWN
    html = client.get(url("inventory", course)).text
    assert "Not known" in html
    assert "whether the expectations are met" not in html
    client.post(url("person_edit", course, maria), MARIA)
    maria.refresh_from_db()
    assert maria.expectations_met == ""
    assert "whether the expectations are met" in client.get(url("inventory", course)).text


def test_a_person_recorded_before_the_expectations_still_renders(client_for, owner, course):
    # A row from before these questions: every new field blank.
    person = InventoryPersonFactory(course=course, name="Old", relationship="friend")
    html = client_for(owner).get(url("inventory", course)).text
    assert f'id="person-{person.pk}"' in html
    assert "what the patient expects of them" in html  # listed as still to explore
    assert "<dt>Expects of them</dt>" not in html


def test_the_expectations_are_kept_in_the_record_history(client_for, owner, course, maria):
    client_for(owner).post(url("person_edit", course, maria), {**MARIA, **EXPECTATIONS})
    # One transaction in a test: every change has the same time, so pick the person's own.
    rows = [r for r in changes_to(course.patient) if r[0] == "ipt.InventoryPerson"][:1]
    entries = described(rows)
    labels = {c.label for c in entries[0].changes}
    assert "what the patient expects of them" in {label.lower() for label in labels}
