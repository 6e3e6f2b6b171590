"""The supervisor's caseload review lists the supervisees' groups with each member's flags and
the facilitators' fidelity checklists, in a fixed number of queries."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from groups.models import GroupSession, GroupStatus
from ipt.models import AccessEvent
from tests.factories import (
    GroupCourseFactory,
    MeasureFactory,
    PatientFactory,
    SupervisorFactory,
    TherapistFactory,
    TherapyGroupFactory,
    pre_group_done,
)
from tests.test_group_sessions import absent, entries

pytestmark = pytest.mark.django_db
DASHBOARD = reverse("dashboard")


def a_group(lead, name, members, *, held=1):
    start = timezone.localdate() - timedelta(weeks=3)
    group = TherapyGroupFactory(
        lead=lead, name=name, status=GroupStatus.RUNNING, start_date=start,
        weekday=start.weekday(),
    )  # fmt: skip
    for first in members:
        course = pre_group_done(
            GroupCourseFactory(
                patient=PatientFactory(therapist=lead, full_name=f"{first} {name}"),
                start_date=start,
            )
        )
        group.add_member(course, by=lead, on=start)
    for _ in range(held):
        gs = GroupSession.plan_next(group)
        gs.hold(entries(group), theme="", process_notes="", by=lead)
        came = set(gs.attendance.values_list("pk", flat=True)[:1])
        gs.record_checklist(linked=came, items={"members_helped": True}, note="", by=lead)
    return group


def test_groups_are_listed_with_each_members_flags_and_the_checklists(client_for):
    supervisor = SupervisorFactory()
    lead = TherapistFactory(supervisor=supervisor)
    group = a_group(lead, "Tuesday", ["Ana", "Ben"], held=0)
    gs = GroupSession.plan_next(group)
    ana = group.current_members().get(course__patient__full_name="Ana Tuesday")
    gs.hold(entries(group, Ana={"phq9": "2 1 1 0 2 1 1 0 1"}), theme="", process_notes="",
            by=lead)  # fmt: skip
    gs.record_checklist(linked=set(), items={"problem_area_work": True}, note="", by=lead)
    TherapyGroupFactory(lead=TherapistFactory(supervisor=SupervisorFactory()), name="Other")
    html = client_for(supervisor).get(DASHBOARD).content.decode()
    section = html.split('id="groups-heading"')[1]
    assert "Tuesday" in section and "Other" not in section
    assert "checklist filled for 1 of 1 held (1 of 4 items done)" in " ".join(section.split())
    rows = {n: section.split(n)[1].split("</tr>")[0] for n in ("Ana Tuesday", "Ben Tuesday")}
    assert "Assess risk" in rows["Ana Tuesday"] and "Assess risk" not in rows["Ben Tuesday"]
    assert AccessEvent.objects.filter(
        user=supervisor, patient=ana.course.patient, action="caseload review: groups"
    ).exists()


def test_the_groups_cost_the_same_queries_for_one_group_and_for_four(client_for):
    supervisor = SupervisorFactory()
    lead = TherapistFactory(supervisor=supervisor)
    a_group(lead, "First", ["Ana", "Ben"])
    client = client_for(supervisor)
    client.get(DASHBOARD)  # the watches written outside a request are stored
    with CaptureQueriesContext(connection) as one:
        client.get(DASHBOARD)
    for n, name in enumerate(("Second", "Third", "Fourth")):
        group = a_group(TherapistFactory(supervisor=supervisor), name, ["Cy", "Di", "Ed", "Flo"],
                        held=2)  # fmt: skip
        if n == 0:
            MeasureFactory(course=group.current_members().first().course)
    GroupSession.plan_next(group).hold(
        entries(group, Cy=absent()), theme="", process_notes="", by=group.lead
    )
    client.get(DASHBOARD)
    with CaptureQueriesContext(connection) as four:
        response = client.get(DASHBOARD)
    assert len(response.context["groups"]) == 4
    assert sum(len(g.members) for g in response.context["groups"]) == 14
    assert len(four) == len(one), [q["sql"][:120] for q in four.captured_queries]
