"""The termination phase of a group: the last one or two group sessions, each member's
progress review and relapse plan, and the group's ending processed together."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from groups.models import GroupSession, GroupStatus, JoinRefused
from ipt.course.models import TransitionRefused
from ipt.models import ProgressReview, RelapsePreventionPlan
from tests.factories import (
    GroupCourseFactory,
    PatientFactory,
    SupervisorFactory,
    TherapistFactory,
    TherapyGroupFactory,
    pre_group_done,
)
from tests.test_group_sessions import entries

pytestmark = pytest.mark.django_db


@pytest.fixture
def group():
    lead = TherapistFactory(supervisor=SupervisorFactory())
    start = timezone.localdate() - timedelta(weeks=7)
    group = TherapyGroupFactory(
        lead=lead, status=GroupStatus.RUNNING, start_date=start, weekday=start.weekday(),
        planned_sessions=8, ending_sessions=2,
    )  # fmt: skip
    for name in ("Ana Lima", "Ben Costa"):
        course = pre_group_done(
            GroupCourseFactory(
                patient=PatientFactory(therapist=lead, full_name=name), start_date=start
            )
        )
        group.add_member(course, by=lead, on=start)
    return group


def run_sessions(group, count):
    for _ in range(count):
        gs = GroupSession.plan_next(group)
        gs.hold(entries(group), theme="", process_notes="", by=group.lead)
        gs.record_checklist(linked=set(), items={}, note="", by=group.lead)
        gs.finalise(group.lead)
    group.refresh_from_db()


def test_the_last_sessions_are_the_termination_phase_and_the_group_closes_to_new_members(group):
    run_sessions(group, 6)
    assert group.status == GroupStatus.RUNNING
    seventh = GroupSession.plan_next(group)
    assert seventh.phase_label == "Termination phase"
    group.refresh_from_db()
    assert group.status == GroupStatus.CLOSING
    late = pre_group_done(GroupCourseFactory(patient=PatientFactory(therapist=group.lead)))
    with pytest.raises(JoinRefused, match="no longer takes members"):
        group.add_member(late, by=group.lead)
    seventh.group.ending_sessions = 1
    assert seventh.phase_label == "Middle phase"


def write_termination(member):
    today = timezone.localdate()
    ProgressReview.objects.create(course=member.course, reviewed_on=today, what_helped="Talking.")
    RelapsePreventionPlan.objects.create(
        course=member.course, written_on=today, if_symptoms_return="Call the clinic."
    )


def test_the_group_ends_once_every_member_and_the_group_record_are_ready(group, client_for):
    run_sessions(group, 7)
    url = reverse("groups:ending", args=[group.pk])
    client = client_for(group.lead)
    detail = client.get(group.get_absolute_url()).content.decode()
    ana, ben = group.current_members().select_related("course__patient")
    assert url in detail
    assert "Plan the next group session" in detail  # closing, one session still to come
    assert "Record leaving" in detail
    assert reverse("course:progress_review", args=[ana.course.pk]) in detail
    assert reverse("course:relapse_plan", args=[ben.course.pk]) in detail
    data = {"achieved": "Members speak up at home.", "ending_feelings": "Sad, and proud.",
            f"plan_{ana.pk}": "Phone her sister weekly.", "end": "1"}  # fmt: skip
    client.post(url, data)
    group.refresh_from_db()
    assert group.status == GroupStatus.CLOSING  # not yet ended
    assert group.ending.achieved == "Members speak up at home."  # but the record is kept
    page = client.get(url).content.decode()
    assert "7 of the 8 planned group sessions" in page
    assert "Ben still needs the progress review, the relapse-prevention plan and their plan" in page
    assert "Ana still needs the progress review and the relapse-prevention plan." in page
    run_sessions(group, 1)
    assert (
        "Plan the next group session" not in client.get(group.get_absolute_url()).content.decode()
    )
    for member in (ana, ben):
        write_termination(member)
    data[f"plan_{ben.pk}"] = "Keep the Sunday walk."
    client.post(url, data)
    group.refresh_from_db()
    assert group.status == GroupStatus.ENDED and group.ended_on == timezone.localdate()
    assert group.ending.ended_by == group.lead
    with pytest.raises(TransitionRefused, match="already ended"):
        from groups.ending import end_group

        end_group(group, by=group.lead)
    supervisor = group.lead.supervisor
    read = client_for(supervisor).get(url)
    assert read.status_code == 200
    html = read.content.decode()
    assert "Keep the Sunday walk." in html and "Save and end the group" not in html
    assert client_for(supervisor).post(url, data).status_code == 403
    # The members' courses are theirs to complete: the group never completes them.
    ana.course.refresh_from_db()
    assert ana.course.is_active


def test_ending_refusals_name_what_is_missing():
    from groups import rules

    reasons = rules.ending_refusals(
        ended=False, sessions_held=8, planned=8, unfinalised=[8], achieved="x", feelings="",
        members=[rules.MemberEnding("Ana", reviewed=True, relapse_plan=False, plan_noted=False)],
    )  # fmt: skip
    assert reasons == [
        "Finalise group session 8 first.",
        "Write how members felt about the group ending.",
        "Ana still needs the relapse-prevention plan and their plan noted here.",
    ]


def test_members_courses_move_to_the_termination_phase_together(group, client_for):
    from ipt.course.models import Phase

    ana, ben = group.current_members().select_related("course__patient")
    ana.course.phase = Phase.MIDDLE
    ana.course.save(update_fields=["phase"])
    url = reverse("groups:ending_termination", args=[group.pk])
    assert client_for(group.lead.supervisor).post(url).status_code == 403
    client = client_for(group.lead)
    assert (
        "Move the courses in the middle phase"
        in client.get(reverse("groups:ending", args=[group.pk])).content.decode()
    )
    response = client.post(url, follow=True)
    html = response.content.decode()
    assert "In the termination phase now: Ana." in html
    assert "Ben&#x27;s course is in the initial phase" in html
    ana.course.refresh_from_db()
    ben.course.refresh_from_db()
    assert (ana.course.phase, ben.course.phase) == (Phase.TERMINATION, Phase.INITIAL)
    assert ana.course.transitions.get().by == group.lead


def test_once_the_group_has_met_members_courses_move_to_the_middle_phase_together(
    group, client_for
):
    from ipt.course.models import Phase
    from ipt.models import Formulation
    from tests.factories import ContractFactory

    ana, ben = group.current_members().select_related("course__patient")
    Formulation.objects.create(
        course=ana.course, text="Since the move.", shared_on=group.start_date
    )
    ContractFactory(course=ana.course).sign(
        patient_name="Ana Lima", patient_date=group.start_date,
        therapist=group.lead, therapist_date=group.start_date,
    )  # fmt: skip
    client = client_for(group.lead)
    page = reverse("groups:detail", args=[group.pk])
    assert "to the middle phase" not in client.get(page).content.decode()  # not met yet
    run_sessions(group, 1)
    assert "to the middle phase (2)" in client.get(page).content.decode()
    url = reverse("groups:to_middle", args=[group.pk])
    assert client_for(group.lead.supervisor).post(url).status_code == 403
    client = client_for(group.lead)
    html = client.post(url, follow=True).content.decode()
    assert "In the middle phase now: Ana." in html
    assert "Ben: The treatment contract has not been signed" in html
    ana.course.refresh_from_db()
    ben.course.refresh_from_db()
    assert (ana.course.phase, ben.course.phase) == (Phase.MIDDLE, Phase.INITIAL)
    assert "to the middle phase (1)" in client.get(page).content.decode()
