"""The timeline: life events beside the onset and course of the depression."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ipt.models import LifeEvent
from tests.factories import (
    CourseFactory,
    DiagnosisFactory,
    InventoryPersonFactory,
    LifeEventFactory,
)

HTMX = {"HX-Request": "true"}
ONSET_PROMPT = "Mark when the symptoms began, to link the depression to what was happening."


@pytest.fixture
def course(patient):
    return CourseFactory(patient=patient)


@pytest.fixture
def maria(course):
    return InventoryPersonFactory(course=course, name="Maria", relationship="wife", closeness=1)


def url(name, course, event=None):
    args = [course.pk] if event is None else [course.pk, event.pk]
    return reverse(f"course:{name}", args=args)


def event_data(**overrides):
    return {
        "happened_on": "2026-03-14",
        "description": "Moved to a new city for work",
        "kind": "move",
        "person": "",
        **overrides,
    }


# --- the page --------------------------------------------------------------------------------


def test_page_draws_the_chart_and_a_table_sorted_by_date(client_for, owner, course, maria):
    LifeEventFactory(
        course=course,
        happened_on=date(2026, 5, 2),
        description="Low mood began",
        kind="symptom_onset",
    )
    LifeEventFactory(
        course=course,
        happened_on=date(2025, 11, 20),
        description="Argued about the move",
        kind="conflict",
        person=maria,
    )
    LifeEventFactory(
        course=course,
        happened_on=date(2026, 1, 10),
        description="Started the new job",
        kind="role_change",
    )
    response = client_for(owner).get(url("timeline", course))
    assert response.status_code == 200
    html = response.text
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart timeline"' in html
    assert 'data-kind="symptom_onset"' in html
    table = html[html.index('<table class="events-table">') :]
    positions = [
        table.index(text)
        for text in ("Argued about the move", "Started the new job", "Low mood began")
    ]
    assert positions == sorted(positions)
    assert "20 Nov 2025" in table and "Conflict" in table and "Maria" in table
    assert ONSET_PROMPT not in html


def test_without_an_onset_the_page_prompts_for_it(client_for, owner, course):
    LifeEventFactory(course=course)
    html = client_for(owner).get(url("timeline", course)).text
    assert ONSET_PROMPT in html


def test_diagnosis_onset_is_shown_as_a_hint(client_for, owner, course):
    DiagnosisFactory(course=course, onset=date(2026, 5, 1))
    html = client_for(owner).get(url("timeline", course)).text
    assert "onset of the current episode as" in html and "May 2026" in html


def test_mark_the_onset_starts_from_the_diagnosis_date(client_for, owner, course):
    DiagnosisFactory(course=course, onset=date(2026, 5, 1))
    html = client_for(owner).get(url("timeline", course) + "?kind=symptom_onset").text
    assert 'value="2026-05-01"' in html
    assert '<option value="symptom_onset" selected>' in html


def test_empty_timeline(client_for, owner, course):
    html = client_for(owner).get(url("timeline", course)).text
    assert "No events yet" in html
    assert ONSET_PROMPT in html


def test_person_select_offers_only_this_courses_people(client_for, owner, course, maria):
    InventoryPersonFactory(course=CourseFactory(patient__therapist=owner), name="Zed")
    html = client_for(owner).get(url("timeline", course)).text
    assert f'<option value="{maria.pk}">' in html
    assert "Zed" not in html


def test_timeline_page_queries_do_not_grow_with_events(
    client_for, owner, course, maria, django_assert_max_num_queries
):
    client = client_for(owner)
    for count in (3, 15):
        LifeEventFactory.create_batch(
            count - course.life_events.count(), course=course, person=maria
        )
        with django_assert_max_num_queries(16):
            response = client.get(url("timeline", course))
        assert response.text.count('<tr id="event-') == count


# --- adding ----------------------------------------------------------------------------------


def test_owner_adds_an_event_with_a_plain_post(client_for, owner, course, maria):
    data = event_data(person=maria.pk, kind="conflict", description="Row about money")
    response = client_for(owner).post(url("timeline", course), data)
    assert response.status_code == 302
    assert response.url == url("timeline", course)
    event = course.life_events.get()
    assert (event.happened_on, event.kind, event.person) == (date(2026, 3, 14), "conflict", maria)


def test_htmx_add_returns_fresh_form_with_chart_and_table_out_of_band(client_for, owner, course):
    response = client_for(owner).post(url("timeline", course), event_data(), headers=HTMX)
    assert response.status_code == 200
    html = response.text
    assert "<html" not in html
    assert html.lstrip().startswith('<form id="event-add"')
    assert 'value="Moved to a new city for work"' not in html  # the form is reset
    assert '<div id="timeline-region" hx-swap-oob="true">' in html
    assert "Moved to a new city for work</td>" in html
    assert 'data-kind="move"' in html
    assert course.life_events.count() == 1


def test_future_dates_are_refused(client_for, owner, course):
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = event_data(happened_on=tomorrow.isoformat())
    response = client_for(owner).post(url("timeline", course), data)
    assert response.status_code == 200
    assert "That date is in the future: give today or an earlier date." in response.text
    assert 'value="Moved to a new city for work"' in response.text  # typed text kept
    assert not course.life_events.exists()


def test_today_is_accepted(client_for, owner, course):
    data = event_data(happened_on=timezone.localdate().isoformat())
    assert client_for(owner).post(url("timeline", course), data).status_code == 302


def test_forged_person_from_another_course_is_a_validation_error(client_for, owner, course):
    other = InventoryPersonFactory(course=CourseFactory(patient__therapist=owner))
    response = client_for(owner).post(url("timeline", course), event_data(person=other.pk))
    assert response.status_code == 200
    assert "Choose someone from this patient&#x27;s interpersonal inventory." in response.text
    assert not course.life_events.exists()


def test_nonsense_person_id_is_a_validation_error(client_for, owner, course):
    response = client_for(owner).post(url("timeline", course), event_data(person="abc"))
    assert response.status_code == 200
    assert not course.life_events.exists()


def test_invalid_event_with_htmx_returns_only_the_form(client_for, owner, course):
    data = event_data(kind="", description="Lost my father")
    response = client_for(owner).post(url("timeline", course), data, headers=HTMX)
    assert response.status_code == 200
    html = response.text
    assert "<html" not in html and "hx-swap-oob" not in html
    assert html.lstrip().startswith('<form id="event-add"')
    assert "Choose what kind of event this was." in html
    assert 'value="Lost my father"' in html


# --- editing and removing --------------------------------------------------------------------


def test_owner_edits_an_event(client_for, owner, course, maria):
    event = LifeEventFactory(course=course)
    client = client_for(owner)
    page = client.get(url("event_edit", course, event))
    assert page.status_code == 200 and 'value="Made redundant"' in page.text
    data = event_data(
        description="Made redundant after 12 years", kind="role_change", person=maria.pk
    )
    response = client.post(url("event_edit", course, event), data)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.description == "Made redundant after 12 years" and event.person == maria


def test_edit_refuses_a_forged_person_and_a_future_date(client_for, owner, course):
    event = LifeEventFactory(course=course)
    other = InventoryPersonFactory(course=CourseFactory(patient__therapist=owner))
    future = (timezone.localdate() + timedelta(days=30)).isoformat()
    data = event_data(person=other.pk, happened_on=future)
    response = client_for(owner).post(url("event_edit", course, event), data)
    assert response.status_code == 200
    assert (
        "interpersonal inventory" in response.text and "That date is in the future" in response.text
    )
    event.refresh_from_db()
    assert event.person is None and event.happened_on == date(2026, 4, 1)


def test_owner_removes_an_event(client_for, owner, course):
    event = LifeEventFactory(course=course)
    response = client_for(owner).post(url("event_delete", course, event))
    assert response.status_code == 302
    assert not LifeEvent.objects.filter(pk=event.pk).exists()


def test_htmx_remove_returns_the_region_without_it(client_for, owner, course):
    keep = LifeEventFactory(course=course, description="Father died", kind="loss")
    gone = LifeEventFactory(course=course, description="Moved house", kind="move")
    response = client_for(owner).post(url("event_delete", course, gone), headers=HTMX)
    assert response.status_code == 200
    html = response.text
    assert "<html" not in html
    assert html.lstrip().startswith('<div id="timeline-region"')
    assert f'id="event-{keep.pk}"' in html and f'id="event-{gone.pk}"' not in html
    assert "Removed from the timeline" in html


def test_event_of_another_course_is_not_found(client_for, owner, course):
    other = LifeEventFactory(course=CourseFactory(patient__therapist=owner))
    client = client_for(owner)
    assert client.get(url("event_edit", course, other)).status_code == 404
    assert client.post(url("event_delete", course, other)).status_code == 404
    assert LifeEvent.objects.filter(pk=other.pk).exists()


# --- who may change it -----------------------------------------------------------------------


def test_supervisor_reads_without_edit_controls(client_for, supervisor, course):
    event = LifeEventFactory(course=course)
    response = client_for(supervisor).get(url("timeline", course))
    assert response.status_code == 200
    assert "Made redundant" in response.text
    assert 'id="event-add"' not in response.text
    assert url("event_edit", course, event) not in response.text


@pytest.mark.parametrize("htmx", [False, True])
def test_supervisor_posts_are_refused(client_for, supervisor, course, htmx):
    event = LifeEventFactory(course=course)
    client = client_for(supervisor)
    headers = HTMX if htmx else {}
    add = client.post(url("timeline", course), event_data(), headers=headers)
    edit = client.post(url("event_edit", course, event), event_data(), headers=headers)
    remove = client.post(url("event_delete", course, event), headers=headers)
    assert (add.status_code, edit.status_code, remove.status_code) == (403, 403, 403)
    assert list(course.life_events.values_list("description", flat=True)) == ["Made redundant"]
