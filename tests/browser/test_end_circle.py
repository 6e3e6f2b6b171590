"""A therapist redraws the closeness circle at the end of therapy: it starts as the intake's
copy, people are moved, one is no longer in it, someone new is added, and the page lists what
changed beside the two circles."""

import math
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from ipt.models import EndCirclePlace
from tests.factories import CourseFactory, InventoryPersonFactory, PatientFactory, TherapistFactory
from tests.test_termination import in_termination

THERAPIST = "endcircle"
# The centre of a circle drawn at 400: (size * 1.5 / 2, size / 2).
CENTRE = (300, 200)

DOTS = """() => [...document.querySelectorAll('svg.closeness-circle')].map(svg =>
  Object.fromEntries([...svg.querySelectorAll('g.person')].map(g => {
    const dot = g.querySelector('.person-dot');
    return [g.querySelector('title').textContent.split(' (')[0],
            [+dot.getAttribute('cx'), +dot.getAttribute('cy')]];
  })))"""


def angle(point):
    return (math.degrees(math.atan2(point[1] - CENTRE[1], point[0] - CENTRE[0])) + 90) % 360


@pytest.fixture
def course(db):
    therapist = TherapistFactory(username=THERAPIST)
    patient = PatientFactory(therapist=therapist, full_name="Sofia Vale")
    course = in_termination(CourseFactory(patient=patient), therapist)
    for name, relationship, ring in [
        ("Ana", "sister", 1),
        ("Marco", "ex-husband", 2),
        ("Lea", "friend", 3),
    ]:
        InventoryPersonFactory(course=course, name=name, relationship=relationship, closeness=ring)
    return course


def ring_group(page, label):
    return page.get_by_role("group", name=re.compile("^" + re.escape(label)))


def test_therapist_moves_people_in_the_end_circle_and_sees_what_changed(
    live_server, page, login, course
):
    login(THERAPIST)
    page.goto(live_server.url + reverse("course:closeness_at_end", args=[course.pk]))
    expect(
        page.get_by_role("heading", name="Closeness circle at the end of therapy")
    ).to_be_visible()
    changed = page.get_by_role("complementary", name="What changed")
    expect(changed).to_contain_text("starts as a copy of the one at intake")
    intake, end = page.evaluate(DOTS)
    assert intake == end  # everyone in their place

    ring_group(page, "Lea (friend)").get_by_label("Closest", exact=True).check()
    ring_group(page, "Marco (ex-husband)").get_by_label("No longer in the circle").check()
    page.get_by_role("button", name="Save the circle at the end").click()
    expect(page.get_by_text("The closeness circle at the end of therapy is saved.")).to_be_visible()
    expect(changed.get_by_role("heading", name="Moved closer")).to_be_visible()
    expect(changed).to_contain_text("Lea (friend): Less close → Closest")
    expect(changed.get_by_role("heading", name="No longer in the circle")).to_be_visible()
    expect(changed).to_contain_text("Marco (ex-husband), was close")

    new = page.get_by_role("region", name="Someone new in the circle")
    new.get_by_label(re.compile("^Name")).fill("Jo")
    new.get_by_label(re.compile("^Relationship")).fill("friend from the choir")
    new.get_by_label("Close", exact=True).check()
    new.get_by_role("button", name="Add to the circle at the end").click()
    expect(
        page.get_by_text("Jo (friend from the choir) added to the circle at the end.")
    ).to_be_visible()
    expect(changed.get_by_role("heading", name="New in the circle")).to_be_visible()
    expect(changed).to_contain_text("Jo (friend from the choir): close")
    expect(ring_group(page, "Jo (friend from the choir)")).to_contain_text("New since intake.")

    after_intake, after_end = page.evaluate(DOTS)
    assert after_intake == intake  # the intake circle has not moved
    assert after_end["Ana"] == intake["Ana"]  # not moved: same place
    assert "Marco" not in after_end and "Marco" in after_intake
    assert angle(after_end["Lea"]) == pytest.approx(angle(intake["Lea"]), abs=0.5)
    assert after_end["Lea"] != intake["Lea"]  # moved in along the same line
    assert "Jo" in after_end and "Jo" not in after_intake

    places = {p.display_name: p for p in EndCirclePlace.objects.filter(course=course)}
    assert (places["Lea"].closeness, places["Marco"].in_circle, places["Jo"].is_new) == (
        1,
        False,
        True,
    )
