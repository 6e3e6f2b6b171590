"""The closeness circle at the end: a copy of the intake circle, everyone in their place, then
moved, added to and thinned out; and the list of what changed."""

import math
import re

import pytest
from django.urls import reverse

from ipt.accounts.history import changes_to
from ipt.charts import CirclePerson, closeness_circle, layout_angles
from ipt.charts.circle import spread
from ipt.models import EndCirclePlace, Phase, TransitionRefused, TreatmentCourse
from ipt.termination.end_circle import CIRCLE_SIZE
from ipt.termination.rules import Spot, circle_changes, free_angle
from tests.factories import CourseFactory, InventoryPersonFactory, ready_for_middle_phase
from tests.test_races import race
from tests.test_termination import in_termination

# --- what changed: a pure function -----------------------------------------------------------


def spot(key, name, ring):
    return Spot(key=key, name=name, relationship="friend", closeness=ring)


def test_changes_name_who_moved_closer_and_further():
    intake = [spot("a", "Ana", 2), spot("b", "Ben", 1), spot("c", "Cy", 3)]
    end = [spot("a", "Ana", 1), spot("b", "Ben", 3), spot("c", "Cy", 3)]
    changes = circle_changes(intake, end)
    assert [str(m) for m in changes.closer] == ["Ana (friend): Close → Closest"]
    assert [str(m) for m in changes.further] == ["Ben (friend): Closest → Less close"]
    assert (changes.new, changes.gone, changes.same) == ([], [], 1)
    assert changes.changed


def test_changes_name_who_is_new_and_who_is_no_longer_in_the_circle():
    intake = [spot("a", "Ana", 2), spot("m", "Marco", 2)]
    end = [spot("a", "Ana", 2), spot("n1", "Jo", 2)]
    changes = circle_changes(intake, end)
    assert changes.new == ["Jo (friend): close"]
    assert changes.gone == ["Marco (friend), was close"]
    assert (changes.closer, changes.further, changes.same) == ([], [], 1)


def test_an_unchanged_circle_has_no_changes():
    people = [spot("a", "Ana", 2), spot("b", "Ben", 1)]
    changes = circle_changes(people, list(people))
    assert not changes.changed and changes.same == 2
    assert not circle_changes([], []).changed


def test_someone_new_goes_in_the_widest_free_stretch_of_the_ring():
    assert free_angle([]) == 0
    assert free_angle([0]) == 180
    assert free_angle([0, 90]) == 225
    assert free_angle([350, 10, 180]) == 95  # 10 -> 180 is the widest stretch


def test_dots_brought_onto_one_place_are_moved_apart_just_enough():
    assert spread([40, 200], 14) == [40, 200]  # far apart: untouched
    a, b, c = spread([10, 10, 200], 14)
    assert b - a == pytest.approx(14) and (a + b) / 2 == pytest.approx(10) and c == 200
    first, second = spread([355, 5], 14)  # across the top
    assert (second - first) % 360 == pytest.approx(14)


# --- the chart keeps a place given to it ------------------------------------------------------


def dots(svg):
    """{person's name: (x, y)} of each dot in a drawn circle."""
    found = {}
    for group in re.findall(r'<g class="person[^"]*">(.*?)</g>', str(svg), re.S):
        name = re.search(r"<title>([^<(]+) \(", group).group(1)
        x, y = re.search(r'cx="([\d.]+)" cy="([\d.]+)"[^>]*class="person-dot"', group).groups()
        found[name] = (float(x), float(y))
    return found


def angle(point, size=CIRCLE_SIZE):
    cx, cy = size * 1.5 / 2, size / 2
    return (math.degrees(math.atan2(point[1] - cy, point[0] - cx)) + 90) % 360


PEOPLE = [
    CirclePerson("Ana", "sister", 1),
    CirclePerson("Ben", "friend", 1),
    CirclePerson("Cy", "colleague", 2),
    CirclePerson("Di", "neighbour", 3),
]


def test_layout_angles_are_where_the_circle_draws_each_person():
    angles = layout_angles(PEOPLE, CIRCLE_SIZE)
    drawn = dots(closeness_circle(PEOPLE, size=CIRCLE_SIZE))
    for person, expected in zip(PEOPLE, angles, strict=True):
        assert angle(drawn[person.name]) == pytest.approx(expected, abs=0.2)


def test_a_person_given_an_angle_is_drawn_there_in_another_ring():
    angles = layout_angles(PEOPLE, CIRCLE_SIZE)
    moved = [
        CirclePerson(p.name, p.relationship, 3 if p.name == "Ana" else p.ring, angle=a)
        for p, a in zip(PEOPLE, angles, strict=True)
    ]
    before = dots(closeness_circle(PEOPLE, size=CIRCLE_SIZE))
    after = dots(closeness_circle(moved, size=CIRCLE_SIZE))
    assert angle(after["Ana"]) == pytest.approx(angle(before["Ana"]), abs=0.2)
    assert after["Ana"] != before["Ana"]  # further out, on the same line from the centre
    for name in ("Ben", "Cy"):
        assert after[name] == pytest.approx(before[name], abs=0.05)


# --- the page ---------------------------------------------------------------------------------


def url(name, course):
    return reverse(f"course:{name}", args=[course.pk])


@pytest.fixture
def course(patient, owner):
    course = in_termination(CourseFactory(patient=patient), owner)
    InventoryPersonFactory(course=course, name="Rosa", relationship="sister", closeness=2)
    InventoryPersonFactory(course=course, name="Marco", relationship="ex-husband", closeness=1)
    InventoryPersonFactory(course=course, name="Lea", relationship="friend", closeness=3)
    return course


@pytest.fixture
def therapist(client_for, owner):
    return client_for(owner)


def circles(html):
    intake, end = re.findall(r"<svg .*?</svg>", html, re.S)
    return dots(intake), dots(end)


def rings_of(course, **changes):
    """The form's data: everyone where they are now, with ``changes`` by name."""
    data = {}
    for place in EndCirclePlace.starting_places(course, list(course.inventory.all())):
        data[place.key] = changes.get(place.display_name, place.closeness)
    return data


def test_the_end_circle_starts_as_a_copy_with_everyone_in_their_place(therapist, course):
    html = therapist.get(url("closeness_at_end", course)).text
    intake, end = circles(html)
    assert intake == end and len(intake) == 4
    assert "starts as a copy of the one at intake" in html
    assert not EndCirclePlace.objects.filter(course=course).exists()  # a GET writes nothing


def test_saving_copies_the_circle_and_moved_people_keep_their_place(therapist, course):
    before, _ = circles(therapist.get(url("closeness_at_end", course)).text)
    response = therapist.post(url("closeness_at_end", course), rings_of(course, Rosa=1))
    assert response.status_code == 302
    places = {p.display_name: p for p in EndCirclePlace.objects.filter(course=course)}
    assert len(places) == 4  # the whole intake circle copied
    assert places["Rosa"].closeness == 1 and places["Marco"].closeness == 1
    for name, place in places.items():
        assert place.angle == pytest.approx(angle(before[name]), abs=0.2)

    html = therapist.get(url("closeness_at_end", course)).text
    intake, end = circles(html)
    assert intake == before  # the intake circle is drawn as it was
    assert angle(end["Rosa"]) == pytest.approx(angle(before["Rosa"]), abs=0.2)
    assert end["Rosa"] != before["Rosa"]  # moved in, to the closest ring
    assert "Rosa (sister): Close → Closest" in html
    assert "<h4>Moved closer</h4>" in html


def test_places_stay_when_someone_joins_the_inventory_later(therapist, course):
    therapist.post(url("closeness_at_end", course), rings_of(course))
    angles = dict(EndCirclePlace.objects.values_list("person__name", "angle"))
    InventoryPersonFactory(course=course, name="Zed", relationship="cousin", closeness=1)
    intake, end = circles(therapist.get(url("closeness_at_end", course)).text)
    for name, kept in angles.items():
        assert angle(end[name]) == pytest.approx(kept, abs=8)  # only nudged clear of Zed
        assert angle(intake[name]) == pytest.approx(kept, abs=8)
    assert "Zed" in end  # copied from the intake ring until placed


def test_someone_no_longer_in_the_circle_is_listed_and_not_drawn(therapist, course):
    therapist.post(url("closeness_at_end", course), rings_of(course, Marco=0))
    marco = EndCirclePlace.objects.get(person__name="Marco")
    assert not marco.in_circle and marco.closeness == 1  # kept, with where he was
    html = therapist.get(url("closeness_at_end", course)).text
    intake, end = circles(html)
    assert "Marco" in intake and "Marco" not in end
    assert "<h4>No longer in the circle</h4>" in html
    assert "Marco (ex-husband), was closest" in html
    assert re.search(rf'name="{marco.key}" value="0"[^>]*checked', html)


def test_someone_new_is_added_on_a_free_side_and_can_be_taken_out(therapist, course):
    response = therapist.post(
        url("closeness_at_end_add", course),
        {"name": " Jo ", "relationship": "new friend from the choir", "closeness": "2"},
    )
    assert response.status_code == 302
    jo = EndCirclePlace.objects.get(name="Jo")
    assert (jo.person, jo.closeness, jo.relationship) == (None, 2, "new friend from the choir")
    # The copy was made first; Jo sits in the widest free stretch of the middle ring.
    ring = EndCirclePlace.objects.filter(closeness=2, person__isnull=False)
    assert ring.count() == course.inventory.filter(closeness=2).count()
    assert jo.angle == free_angle(list(ring.values_list("angle", flat=True)))
    html = therapist.get(url("closeness_at_end", course)).text
    intake, end = circles(html)
    assert "Jo" in end and "Jo" not in intake
    assert "<h4>New in the circle</h4>" in html
    assert "Jo (new friend from the choir): close" in html

    therapist.post(url("closeness_at_end", course), rings_of(course, Jo=0))
    assert not EndCirclePlace.objects.filter(name="Jo").exists()


def test_a_new_person_needs_a_name_and_a_relationship(therapist, course):
    response = therapist.post(url("closeness_at_end_add", course), {"closeness": "2"})
    assert response.status_code == 200
    assert "Give the person&#x27;s name" in response.text
    assert "Say who they are to the patient." in response.text
    assert not EndCirclePlace.objects.filter(person=None).exists()


def test_a_circle_recorded_before_places_were_kept_starts_from_its_end_rings(therapist, course):
    rosa = course.inventory.get(name="Rosa")
    rosa.closeness_at_end = 3
    rosa.save()
    html = therapist.get(url("closeness_at_end", course)).text
    assert "Rosa (sister): Close → Less close" in html
    assert re.search(rf'name="person_{rosa.pk}" value="3"[^>]*checked', html)


def test_the_end_circle_is_refused_outside_the_termination_phase(therapist, patient, owner):
    course = CourseFactory(patient=patient)
    ready_for_middle_phase(course)
    course.enter_middle_phase(owner)
    response = therapist.post(url("closeness_at_end", course), rings_of(course), follow=True)
    assert "belongs to the termination phase" in response.text
    response = therapist.post(
        url("closeness_at_end_add", course), {"name": "Jo", "relationship": "x", "closeness": 2}
    )
    assert response.status_code == 302
    assert not EndCirclePlace.objects.filter(course=course).exists()
    with pytest.raises(TransitionRefused):
        EndCirclePlace.add_new(course, name="Jo", relationship="x", closeness=2)
    assert course.phase == Phase.MIDDLE


def test_the_supervisor_cannot_change_the_end_circle(client_for, supervisor, course):
    client = client_for(supervisor)
    assert client.post(url("closeness_at_end", course), rings_of(course)).status_code == 403
    data = {"name": "Jo", "relationship": "x", "closeness": 2}
    assert client.post(url("closeness_at_end_add", course), data).status_code == 403
    assert not EndCirclePlace.objects.filter(course=course).exists()


def test_the_end_circle_is_kept_in_the_record_history(therapist, course):
    therapist.post(url("closeness_at_end", course), rings_of(course, Lea=1))
    labels = {row[0] for row in changes_to(course.patient)}
    assert "ipt.EndCirclePlace" in labels


@pytest.mark.django_db(transaction=True)
def test_two_first_saves_at_once_copy_the_circle_once(patient, owner):
    course = in_termination(CourseFactory(patient=patient), owner)
    InventoryPersonFactory(course=course, name="Rosa", relationship="sister", closeness=2)
    rings = rings_of(course, Rosa=1)

    def save():
        fresh = TreatmentCourse.objects.get(pk=course.pk)
        EndCirclePlace.save_rings(fresh, rings)
        EndCirclePlace.add_new(fresh, name="Jo", relationship="friend", closeness=2)

    outcomes = race(save, n=4)
    assert outcomes == ["done"] * 4, outcomes
    places = EndCirclePlace.objects.filter(course=course)
    assert places.filter(person__isnull=False).count() == course.inventory.count()
    assert places.get(person__name="Rosa").closeness == 1
    assert places.filter(name="Jo").count() == 4  # each save added its own Jo
