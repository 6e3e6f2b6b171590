"""Group sessions of group IPT: attendance, and each member's entry written to their own course."""

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from groups import rules
from groups.models import GroupAttendance, GroupSession, GroupStatus
from ipt.course.models import TransitionRefused
from sessions_app.models import Session
from sessions_app.watch import fresh_watch
from tests.factories import (
    GroupCourseFactory,
    PatientFactory,
    SupervisorFactory,
    TherapistFactory,
    TherapyGroupFactory,
    pre_group_done,
)

pytestmark = pytest.mark.django_db

NAMES = ("Ana Lima", "Ben Costa", "Cai Wong")


@pytest.fixture
def group():
    supervisor = SupervisorFactory()
    lead = TherapistFactory(supervisor=supervisor)
    start = timezone.localdate() - timedelta(days=21)
    group = TherapyGroupFactory(
        lead=lead, status=GroupStatus.RUNNING, start_date=start, weekday=start.weekday()
    )
    for name in NAMES:
        course = pre_group_done(
            GroupCourseFactory(
                patient=PatientFactory(therapist=lead, full_name=name), start_date=start
            )
        )
        group.add_member(course, by=lead, on=start)
    return group


def entries(group, **by_first_name):
    """Everyone present unless said otherwise: by_first_name={"Ben": {"attendance": ...}}."""
    rows = []
    for member in group.current_members().select_related("course__patient"):
        row = {"attendance": "present", "reason": "", "mood": None, "phq9": "", "event": "",
               "action": ""}  # fmt: skip
        rows.append({"member": member, **row, **by_first_name.get(member.first_name, {})})
    return rows


def absent(reason="Unwell"):
    return {"attendance": "absent", "reason": reason}


def test_entry_rules():
    base = {"reason": "", "mood": None, "phq9": "", "event": "", "action": ""}
    assert "reason" in rules.entry_errors(**{**base, "attendance": "absent"})
    assert rules.entry_errors(**{**base, "attendance": "absent", "reason": "Ill"}) == {}
    assert "mood" in rules.entry_errors(
        **{**base, "attendance": "absent", "reason": "Ill", "mood": 4}
    )
    assert "mood" in rules.entry_errors(**{**base, "attendance": "present", "mood": 11})
    assert "phq9" in rules.entry_errors(**{**base, "attendance": "late", "phq9": "2 1 4"})
    assert rules.entry_errors(**{**base, "attendance": "late", "phq9": "2 1 1 0 2 1 1 0 1"}) == {}
    assert rules.parse_phq9("211021101") == (2, 1, 1, 0, 2, 1, 1, 0, 1)
    assert rules.members_refusals([1, 2], [1, 2, 3]) == [
        "Record every current member's attendance."
    ]
    assert "Only the group's current members" in rules.members_refusals([1, 2, 9], [1, 2])[0]


def test_group_sessions_are_planned_weekly_one_at_a_time(group):
    first = GroupSession.plan_next(group)
    assert timezone.localtime(first.scheduled_for).date() == group.start_date
    with pytest.raises(TransitionRefused, match="already planned"):
        GroupSession.plan_next(group)
    first.hold(entries(group), theme="", process_notes="", by=group.lead)
    second = GroupSession.plan_next(group)
    assert second.number == 2
    assert second.scheduled_for - first.scheduled_for == timedelta(weeks=1)


def test_only_current_members_and_absence_needs_a_reason(group):
    gs = GroupSession.plan_next(group)
    rows = entries(group, Ben=absent(""))
    with pytest.raises(TransitionRefused, match="reason"):
        gs.hold(rows, theme="", process_notes="", by=group.lead)
    rows = entries(group)
    left = rows[0]["member"]
    left.leave(reason="drop_out", on=timezone.localdate())
    with pytest.raises(TransitionRefused, match="Only the group's current members"):
        gs.hold(rows, theme="", process_notes="", by=group.lead)
    with pytest.raises(TransitionRefused, match="every current member"):
        gs.hold(rows[1:2], theme="", process_notes="", by=group.lead)
    gs.hold(rows[1:], theme="", process_notes="", by=group.lead)
    assert GroupAttendance.objects.filter(group_session=gs).count() == 2
    assert not Session.objects.filter(course=left.course).exists()
    with pytest.raises(IntegrityError):
        GroupAttendance.objects.create(
            group_session=gs, member=rows[1]["member"], attendance="present",
            session=Session.objects.filter(course=rows[2]["member"].course).get(),
        )  # fmt: skip


def test_held_group_session_writes_each_members_own_course_session(group):
    gs = GroupSession.plan_next(group)
    rows = entries(
        group,
        Ana={
            "mood": 6,
            "phq9": "2 1 1 0 2 1 1 0 1",
            "event": "Argued with my husband.",
            "action": "Ask him for ten minutes after dinner.",
        },
        Ben=absent("Caring for his mother"),
        Cai={"attendance": "late"},
    )
    gs.hold(rows, theme="Disputes at home", process_notes="Ana and Cai role-played.", by=group.lead)
    by_name = {r["member"].first_name: r["member"].course for r in rows}
    ana = Session.objects.get(course=by_name["Ana"])
    assert (ana.number, ana.status, ana.mood_rating) == (1, "held", 6)
    assert ana.phq9.total == 9
    assert ana.events.get().what_happened == "Argued with my husband."
    assert ana.homework_set.get().action == "Ask him for ten minutes after dinner."
    ben = Session.objects.get(course=by_name["Ben"])
    assert (ben.status, ben.status_note) == ("missed", "Caring for his mother")
    assert Session.objects.get(course=by_name["Cai"]).status == "held"
    # Item 9 above 0 raises the risk flow on Ana's course alone.
    assert fresh_watch(by_name["Ana"]).risk_kind
    assert not fresh_watch(by_name["Cai"]).risk_kind
    gs.refresh_from_db()
    assert gs.is_held and gs.theme == "Disputes at home"
    with pytest.raises(TransitionRefused, match="already recorded"):
        gs.hold(rows, theme="", process_notes="", by=group.lead)


def test_a_planned_session_of_the_day_is_used_and_two_absences_ask_for_contact(group):
    ben = group.current_members().get(course__patient__full_name="Ben Costa")
    Session.plan_course(
        ben.course, weekday=group.start_date.weekday(), at=group.meets_at,
        start=group.start_date - timedelta(days=7),
    )  # fmt: skip
    for week in (1, 2):
        gs = GroupSession.plan_next(group)
        gs.hold(entries(group, Ben=absent(f"No reply, week {week}")), theme="", process_notes="",
                by=group.lead)  # fmt: skip
    watch = fresh_watch(ben.course)
    assert watch.contact and watch.misses_in_a_row == 2
    # Group session 1 fell on his planned session 2: no session was added to his course.
    assert list(ben.course.sessions.filter(status="missed").values_list("number", flat=True)) == [
        2,
        3,
    ]
    assert ben.course.sessions.count() == ben.course.planned_sessions
    for _ in range(2):  # group sessions 3 and 4 (today): the fifth is next week
        GroupSession.plan_next(group).hold(
            entries(group), theme="", process_notes="", by=group.lead
        )
    gs = GroupSession.plan_next(group)
    assert timezone.localtime(gs.scheduled_for).date() > timezone.localdate()
    with pytest.raises(TransitionRefused, match="recorded on the day"):
        gs.hold(entries(group), theme="", process_notes="", by=group.lead)


def _post_data(group, **by_first_name):
    data = {"theme": "Changes at home", "process_notes": "Warm; Ben quiet."}
    for row in entries(group, **by_first_name):
        prefix = f"m{row['member'].pk}"
        for key in ("attendance", "reason", "mood", "phq9", "event", "action"):
            value = row[key]
            data[f"{prefix}-{key}"] = "" if value is None else value
    return data


def test_facilitator_records_a_group_session_from_the_group_page(group, client_for):
    co = TherapistFactory()
    group.co_facilitators.add(co)
    client = client_for(co)
    response = client.post(reverse("groups:session_plan", args=[group.pk]))
    gs = GroupSession.objects.get(group=group)
    assert response.url == gs.get_absolute_url()
    assert gs.get_absolute_url() in client.get(group.get_absolute_url()).content.decode()
    page = client.get(gs.get_absolute_url()).content.decode()
    assert "<legend>Ana</legend>" in page and "Ana Lima" not in page
    bad = client.post(gs.get_absolute_url(), _post_data(group, Ben=absent(""), Cai={"mood": 14}))
    html = bad.content.decode()
    assert bad.status_code == 200
    assert "Give the reason the member was absent" in html
    assert "A mood from 0 (worst) to 10 (best)" in html
    assert 'value="Changes at home"' in html  # what was typed is kept
    assert not gs.attendance.exists()
    ok = client.post(
        gs.get_absolute_url(),
        _post_data(group, Ben=absent("At work"), Ana={"event": "Talked to my sister.", "mood": 7}),
    )
    assert ok.status_code == 302
    gs.refresh_from_db()
    assert gs.is_held and gs.held_by == co
    assert "Talked to my sister." in client.get(gs.get_absolute_url()).content.decode()


def test_a_members_course_shows_no_other_members_details(group, client_for):
    gs = GroupSession.plan_next(group)
    gs.hold(
        entries(group, Ana={"event": "Ana's secret row with her boss."}, Ben=absent("In hospital")),
        theme="Work", process_notes="Cai challenged Ana.", by=group.lead,
    )  # fmt: skip
    cai = group.current_members().get(course__patient__full_name="Cai Wong")
    client = client_for(group.lead)
    session = Session.objects.get(course=cai.course)
    for url in (cai.course.get_absolute_url(), session.get_absolute_url()):
        html = client.get(url).content.decode()
        assert "Cai Wong" in html
        for other in ("Ana", "Ben", "secret row", "In hospital", "challenged"):
            assert other not in html, (url, other)


def test_access_to_group_sessions(group, client_for):
    gs = GroupSession.plan_next(group)
    url = gs.get_absolute_url()
    supervisor = group.lead.supervisor
    assert client_for(TherapistFactory()).get(url).status_code == 404
    assert client_for(SupervisorFactory()).get(url).status_code == 404
    page = client_for(supervisor).get(url)
    assert page.status_code == 200
    assert "Record the session as held" not in page.content.decode()
    assert client_for(supervisor).post(url, _post_data(group)).status_code == 403
    plan = reverse("groups:session_plan", args=[group.pk])
    assert client_for(supervisor).post(plan).status_code == 403
    assert not gs.attendance.exists()
    assert client_for(group.lead).post(url, _post_data(group)).status_code == 302
    assert gs.attendance.count() == 3
