"""A facilitator runs a group session for six members in the browser: attendance, moods, one
member absent with the reason, each member's action for the week; then the fidelity checklist,
finalising, and the group page afterwards.

The group and its members are made with the factories (each member's pre-group session done);
from the login on only what is on the page is used. The database is read at the end."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from groups.models import GroupSession, GroupStatus
from sessions_app.models import Session
from tests.factories import (
    GroupCourseFactory,
    PatientFactory,
    TherapistFactory,
    TherapyGroupFactory,
    pre_group_done,
)

pytestmark = pytest.mark.django_db(transaction=True)

MEMBERS = {  # first name: (mood, action); None: absent
    "Amara": (6, "Tell my partner calmly what worries me."),
    "Ben": None,
    "Chloe": (3, "Ask my sister to phone on Sunday."),
    "Dev": (5, "Say one thing I miss about the old flat."),
    "Elena": (7, "Meet a friend for coffee."),
    "Farah": (6, "Thank him and say what it meant."),
}
SURNAMES = ("Okoye", "Carter", "Evans", "Patel", "Rossi", "Khan")


@pytest.fixture
def group():
    lead = TherapistFactory(username="facilitator", first_name="Sam", last_name="Reyes")
    today = timezone.localdate()
    start = today - timedelta(weeks=1)
    group = TherapyGroupFactory(
        lead=lead, name="Tuesday afternoon group", status=GroupStatus.RUNNING,
        start_date=start, weekday=today.weekday(),
    )  # fmt: skip
    for first, last in zip(MEMBERS, SURNAMES, strict=True):
        course = pre_group_done(
            GroupCourseFactory(
                patient=PatientFactory(therapist=lead, full_name=f"{first} {last}"),
                start_date=start,
            )
        )
        group.add_member(course, by=lead, on=start)
    return group


def test_a_facilitator_runs_a_group_session_for_six_members(live_server, login, group):
    page = login("facilitator")
    page.get_by_role("link", name="Groups").first.click()
    page.get_by_role("link", name="Tuesday afternoon group").click()
    page.get_by_role("button", name="Plan the next group session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Group session 1 of 8"))
    for first, entry in MEMBERS.items():
        member = page.get_by_role("group", name=first, exact=True)
        if entry is None:
            member.get_by_label("Absent", exact=True).check()
            member.get_by_label("Reason for absence").fill("Caring for his mother")
            continue
        mood, action = entry
        member.get_by_label("Present", exact=True).check()
        member.get_by_label(re.compile("^Mood")).fill(str(mood))
        member.get_by_label("Their action for the week").fill(action)
    page.get_by_label("The group's theme").fill("Arguments at home and what was said")
    page.get_by_role("button", name="Record the session as held").click()
    expect(page.get_by_text("is recorded as held")).to_be_visible()
    table = page.get_by_role("table")
    expect(table.get_by_role("row")).to_have_count(7)
    expect(table.get_by_role("row", name=re.compile("^Ben"))).to_contain_text(
        "Absent: Caring for his mother"
    )
    expect(table.get_by_role("row", name=re.compile("^Chloe"))).to_contain_text(
        "Action: Ask my sister to phone on Sunday."
    )

    # The fidelity checklist, then finalising with every member who came.
    page.get_by_role("button", name="Finalise the group session").click()
    expect(page.get_by_text("Fill in the fidelity checklist first.")).to_be_visible()
    links = page.get_by_role("group", name=re.compile("linked how they felt"))
    expect(links.get_by_role("checkbox")).to_have_count(5)  # Ben was absent
    for first in ("Amara", "Chloe", "Dev", "Elena", "Farah"):
        links.get_by_label(first, exact=True).check()
    page.get_by_label(re.compile("Members helped each other")).check()
    page.get_by_label(re.compile("Every member who came left with a plan")).check()
    page.get_by_role("button", name="Save the checklist").click()
    expect(page.get_by_text("3 of 4", exact=False)).to_be_visible()
    page.get_by_role("button", name="Finalise the group session").click()
    expect(
        page.get_by_text(re.compile("is finalised, with the session of each member"))
    ).to_be_visible()

    page.get_by_role("link", name="Tuesday afternoon group").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tuesday afternoon group")
    expect(page.get_by_text(re.compile("Group session 1 of 8"))).to_be_visible()
    expect(page.get_by_text(re.compile(r"Held, finalised"))).to_be_visible()
    expect(page.get_by_text("checklist 3 of 4")).to_be_visible()
    rows = page.get_by_role("table").first.get_by_role("row")
    expect(rows).to_have_count(7)

    gs = GroupSession.objects.get(group=group)
    assert gs.is_finalised and gs.theme == "Arguments at home and what was said"
    sessions = {
        a.member.first_name: Session.objects.get(pk=a.session_id)
        for a in gs.attendance.select_related("member__course__patient")
    }
    assert (sessions["Ben"].status, sessions["Ben"].status_note) == (
        "missed",
        "Caring for his mother",
    )
    assert sessions["Chloe"].mood_rating == 3 and sessions["Chloe"].is_finalised
    assert sessions["Elena"].homework_set.get().action == "Meet a friend for coffee."
