"""Group IPT: who sees a group and its members, who may join, and the member limit."""

from datetime import date

import pytest
from django.db import IntegrityError
from django.urls import reverse

from groups import rules
from groups.models import GroupMember, GroupStatus, JoinRefused, TherapyGroup
from ipt.models import AccessEvent, EndReason, Phase
from tests.factories import (
    CourseFactory,
    GroupCourseFactory,
    MeasureFactory,
    PatientFactory,
    RiskAssessmentFactory,
    SessionFactory,
    SupervisorFactory,
    TherapistFactory,
    TherapyGroupFactory,
    pre_group_done,
)

pytestmark = pytest.mark.django_db


def ready_member(therapist, name="Ana Lima"):
    return pre_group_done(
        GroupCourseFactory(patient=PatientFactory(therapist=therapist, full_name=name))
    )


def test_rule_lists_every_reason_a_course_cannot_join():
    candidate = rules.Candidate(
        is_group_course=False, is_active=True, already_member=False, steps_missing=("Sick role",)
    )
    reasons = rules.join_refusals(candidate, group_open=True, members=8, limit=8)
    assert len(reasons) == 3
    assert any("full (8 members)" in r for r in reasons)
    assert any("sick role" in r for r in reasons)
    ok = rules.Candidate(True, True, False, ())
    assert rules.join_refusals(ok, group_open=True, members=7, limit=8) == []
    assert rules.join_refusals(ok, group_open=False, members=0, limit=8)


def test_member_joins_only_after_the_pre_group_session():
    lead = TherapistFactory()
    group = TherapyGroupFactory(lead=lead)
    course = GroupCourseFactory(patient=PatientFactory(therapist=lead))
    with pytest.raises(JoinRefused) as refused:
        group.add_member(course, by=lead)
    assert "pre-group session is not finished" in str(refused.value)
    pre_group_done(course)
    member = group.add_member(course, by=lead)
    assert member.group == group
    with pytest.raises(JoinRefused, match="already in a group"):
        TherapyGroupFactory(lead=lead).add_member(course, by=lead)


def test_individual_course_cannot_join_a_group():
    lead = TherapistFactory()
    course = pre_group_done(
        GroupCourseFactory(patient=PatientFactory(therapist=lead), variant="individual")
    )
    with pytest.raises(JoinRefused, match="Only a course of group IPT"):
        TherapyGroupFactory(lead=lead).add_member(course, by=lead)


def test_member_limit_is_enforced():
    lead = TherapistFactory()
    group = TherapyGroupFactory(lead=lead, member_limit=6)
    for n in range(6):
        group.add_member(ready_member(lead, f"Member{n} X"), by=lead)
    with pytest.raises(JoinRefused, match="full"):
        group.add_member(ready_member(lead, "Seventh Y"), by=lead)
    assert group.current_members().count() == 6


def test_limits_outside_who_ranges_are_refused_by_the_database():
    with pytest.raises(IntegrityError):
        TherapyGroupFactory(member_limit=12)


def test_leaving_is_recorded_and_frees_the_place():
    lead = TherapistFactory()
    group = TherapyGroupFactory(lead=lead, member_limit=6)
    member = group.add_member(ready_member(lead), by=lead, on=date(2026, 9, 15))
    member.leave(reason="drop_out", on=date(2026, 10, 6), note="Moved away.")
    member.refresh_from_db()
    assert (member.left_on, member.leave_reason) == (date(2026, 10, 6), "drop_out")
    assert group.current_members().count() == 0
    with pytest.raises(JoinRefused, match="left the group"):
        member.leave(reason="other", on=date(2026, 10, 7))
    assert GroupMember.objects.filter(pk=member.pk).exists()  # never deleted


def test_group_is_seen_by_facilitators_and_the_leads_supervisor_only():
    supervisor = SupervisorFactory()
    lead = TherapistFactory(supervisor=supervisor)
    co = TherapistFactory()
    stranger = TherapistFactory()
    group = TherapyGroupFactory(lead=lead)
    group.co_facilitators.add(co)
    assert list(TherapyGroup.objects.visible_to(lead)) == [group]
    assert list(TherapyGroup.objects.visible_to(co)) == [group]
    assert list(TherapyGroup.objects.visible_to(supervisor)) == [group]
    assert not TherapyGroup.objects.visible_to(stranger).exists()
    assert not TherapyGroup.objects.visible_to(SupervisorFactory()).exists()


def test_group_page_access(client_for):
    supervisor = SupervisorFactory()
    lead = TherapistFactory(supervisor=supervisor)
    co = TherapistFactory()
    group = TherapyGroupFactory(lead=lead)
    group.co_facilitators.add(co)
    member = group.add_member(ready_member(lead), by=lead)
    url = group.get_absolute_url()
    add = reverse("groups:member_add", args=[group.pk])
    assert client_for(TherapistFactory()).get(url).status_code == 404
    assert client_for(supervisor).get(url).status_code == 200
    assert client_for(supervisor).post(add).status_code == 403
    page = client_for(co).get(url)
    assert page.status_code == 200
    assert AccessEvent.objects.filter(user=co, patient=member.course.patient).exists()
    assert client_for(lead).post(add).status_code == 302


def test_group_page_shows_each_members_own_flags(client_for):
    lead = TherapistFactory()
    group = TherapyGroupFactory(lead=lead, status=GroupStatus.RUNNING)
    at_risk = ready_member(lead, "Bea Risk")
    calm = ready_member(lead, "Cal Calm")
    for course in (at_risk, calm):
        group.add_member(course, by=lead)
    measure = MeasureFactory(course=at_risk, answers=(2, 2, 2, 2, 2, 2, 2, 2, 1))
    with at_risk.changing():
        pass
    html = client_for(lead).get(group.get_absolute_url()).content.decode()
    rows = {name: html.split(name)[1].split("</tr>")[0] for name in ("Bea Risk", "Cal Calm")}
    assert "Assess risk" in rows["Bea Risk"]
    assert "Assess risk" not in rows["Cal Calm"]
    RiskAssessmentFactory(course=at_risk, measure=measure, assessed_on=measure.taken_on)
    html = client_for(lead).get(group.get_absolute_url()).content.decode()
    assert "Assess risk" not in html.split("Bea Risk")[1].split("</tr>")[0]


def test_facilitator_creates_a_group_and_adds_a_member(client_for):
    lead = TherapistFactory()
    course = ready_member(lead, "Dee Ready")
    client = client_for(lead)
    bad = client.post(
        reverse("groups:new"),
        {
            "name": "Thursday",
            "weekday": 3,
            "meets_at": "10:00",
            "start_date": "2026-10-01",
            "planned_sessions": 14,
            "member_limit": 8,
        },
    )
    assert bad.status_code == 200
    assert "Give the room or site" in bad.content.decode()
    assert "Between 8 and 12" in bad.content.decode()
    response = client.post(
        reverse("groups:new"),
        {
            "name": "Thursday",
            "venue": "Room 1",
            "weekday": 3,
            "meets_at": "10:00",
            "start_date": "2026-10-01",
            "planned_sessions": 8,
            "member_limit": 8,
        },
    )
    group = TherapyGroup.objects.get(name="Thursday")
    assert response.url == group.get_absolute_url()
    assert group.lead == lead
    client.post(reverse("groups:member_add", args=[group.pk]), {"course": course.pk})
    assert group.current_members().get().course == course
    assert "Groups" in client.get(reverse("home")).content.decode()


def test_demo_clinic_has_a_running_group_of_six_and_a_forming_group(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo")
    running = TherapyGroup.objects.get(status=GroupStatus.RUNNING)
    members = list(running.current_members().select_related("course__watch", "course__patient"))
    assert len(members) == 6
    watches = {m.first_name: m.course.watch for m in members}
    assert watches["Chloe"].risk_signals
    assert watches["Ben"].contact
    assert running.co_facilitators.get().username == "therapist2"
    assert TherapyGroup.objects.filter(status=GroupStatus.FORMING).exists()
    held = list(running.group_sessions.filter(status="held"))
    assert len(held) == 3 and running.group_sessions.filter(status="planned").count() == 1
    ben = next(m for m in members if m.first_name == "Ben")
    assert [a.attendance for a in ben.attendance.order_by("group_session__number")] == [
        "present",
        "absent",
        "absent",
    ]


def test_a_co_facilitator_opens_and_writes_the_members_course_in_the_group_only(client_for):
    lead, co, colleague = TherapistFactory(), TherapistFactory(), TherapistFactory()
    group = TherapyGroupFactory(lead=lead, status=GroupStatus.RUNNING)
    group.co_facilitators.add(co)
    course = ready_member(lead, "Dee Member")
    earlier = CourseFactory(
        patient=course.patient, phase=Phase.COMPLETED, ended_on=date(2026, 1, 9)
    )
    member = group.add_member(course, by=lead)
    session = SessionFactory(course=course, number=2)
    mood = reverse("sessions_app:mood", args=[session.pk])

    assert client_for(co).get(reverse("course:overview", args=[course.pk])).status_code == 200
    assert client_for(co).get(session.get_absolute_url()).status_code == 200
    assert client_for(co).post(mood, {"mood_rating": "6"}).status_code == 302
    session.refresh_from_db()
    assert session.mood_rating == 6
    patient_page = client_for(co).get(reverse("patients:detail", args=[course.patient.pk]))
    assert patient_page.status_code == 200
    assert list(patient_page.context["courses"]) == [course]  # not the patient's earlier course
    assert client_for(co).get(reverse("course:overview", args=[earlier.pk])).status_code == 404
    for url in (reverse("course:overview", args=[course.pk]), session.get_absolute_url()):
        assert client_for(colleague).get(url).status_code == 404

    member.leave(reason=EndReason.DROP_OUT, on=member.joined_on)
    assert client_for(co).get(reverse("course:overview", args=[course.pk])).status_code == 404
    assert client_for(co).post(mood, {"mood_rating": "7"}).status_code == 404
