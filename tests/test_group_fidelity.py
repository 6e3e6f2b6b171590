"""After a group session: the fidelity checklist, corrections until it is finalised, and
finalising it with each member's own session."""

import pytest
from django.db import IntegrityError, InternalError, transaction
from django.urls import reverse

from groups.models import GroupSession, GroupSessionCorrection
from ipt.course.models import TransitionRefused
from sessions_app.models import Session
from sessions_app.watch import fresh_watch
from tests.factories import MeasureFactory, RiskAssessmentFactory, TherapistFactory
from tests.test_group_sessions import absent, entries, group  # noqa: F401

pytestmark = pytest.mark.django_db


@pytest.fixture
def held(group):  # noqa: F811
    gs = GroupSession.plan_next(group)
    gs.hold(
        entries(group, Ana={"mood": 6, "event": "Row with my boss.", "action": "Ask for a meeting."},
                Ben=absent("Unwell"), Cai={"mood": 4}),
        theme="Work", process_notes="Cai encouraged Ana.", by=group.lead,
    )  # fmt: skip
    gs.refresh_from_db()
    return gs


def rows_by_name(gs):
    return {a.member.first_name: a for a in gs.attendance.select_related("member__course__patient")}


def member_session(gs, name):
    return Session.objects.get(pk=rows_by_name(gs)[name].session_id)


def fill_checklist(gs, linked=("Ana", "Cai"), **items):
    rows = rows_by_name(gs)
    gs.record_checklist(
        linked={rows[n].pk for n in linked},
        items={"problem_area_work": True, "members_helped": True, "action_plans": False, **items},
        note="", by=gs.group.lead,
    )  # fmt: skip
    gs.refresh_from_db()


def test_checklist_counts_the_link_per_member_who_came_and_the_group_items(held):
    assert held.checklist is None
    fill_checklist(held, linked=("Ana",))
    checklist = held.checklist
    assert (checklist.came, checklist.linked, checklist.met, checklist.total) == (2, 1, 2, 4)
    assert any("1 of 2 members who came" in m for m in checklist.missed)
    assert any("plan for the week" in m for m in checklist.missed)
    with pytest.raises(TransitionRefused, match="Only members who came"):
        held.record_checklist(
            linked={rows_by_name(held)["Ben"].pk}, items={}, note="", by=held.group.lead
        )


def test_facilitator_fills_the_checklist_and_the_supervisor_reads_it(held, client_for):
    url = reverse("groups:session_checklist", args=[held.group_id, held.pk])
    rows = rows_by_name(held)
    data = {f"linked_{rows['Ana'].pk}": "on", f"linked_{rows['Cai'].pk}": "on",
            "problem_area_work": "on", "members_helped": "on", "action_plans": "on",
            "note": "Ben missed again."}  # fmt: skip
    supervisor = held.group.lead.supervisor
    assert client_for(supervisor).post(url, data).status_code == 403
    lead = client_for(held.group.lead)
    page = lead.get(held.get_absolute_url()).content.decode()
    assert "linked how they felt to something that happened" in page
    assert lead.post(url, data).status_code == 302
    held.refresh_from_db()
    assert held.checklist.met == 4
    html = client_for(supervisor).get(held.get_absolute_url()).content.decode()
    assert "4 of 4" in html and "Ben missed again." in html
    assert "Save the checklist" not in html


def test_finalising_needs_the_checklist_and_finalises_each_member_who_came(held):
    with pytest.raises(TransitionRefused, match="checklist"):
        held.finalise(held.group.lead)
    fill_checklist(held)
    held.finalise(held.group.lead)
    assert held.is_finalised
    assert member_session(held, "Ana").is_finalised and member_session(held, "Cai").is_finalised
    assert not member_session(held, "Ben").is_finalised  # missed: never finalised
    with pytest.raises(TransitionRefused, match="finalised"):
        held.correct([], theme="", process_notes="", reason="x", by=held.group.lead)


def test_one_members_open_risk_signal_refuses_the_whole_finalising(held):
    fill_checklist(held)
    cai = member_session(held, "Cai")
    measure = MeasureFactory(course=cai.course, answers=(1, 1, 1, 1, 1, 1, 1, 1, 1))
    with pytest.raises(TransitionRefused, match="Cai: "):
        held.finalise(held.group.lead)
    assert not member_session(held, "Ana").is_finalised  # all or nothing
    RiskAssessmentFactory(course=cai.course, measure=measure, assessed_on=measure.taken_on)
    held.finalise(held.group.lead)
    assert member_session(held, "Cai").is_finalised


def correction(gs, reason="Ben came after all; Cai's mood was 5.", **by_name):
    rows = []
    for name, row in rows_by_name(gs).items():
        entry = {"member": row.member, "attendance": row.attendance, "reason": row.reason,
                 "mood": member_session(gs, name).mood_rating}  # fmt: skip
        rows.append({**entry, **by_name.get(name, {})})
    return rows


def test_a_correction_changes_each_members_own_session_and_is_recorded(held):
    before = fresh_watch(member_session(held, "Ben").course).misses_in_a_row
    held.correct(
        correction(held, Ben={"attendance": "late", "reason": "", "mood": 3}, Cai={"mood": 5}),
        theme="Work and home", process_notes=held.process_notes,
        reason="Ben came late; Cai's mood was 5.", by=held.group.lead,
    )  # fmt: skip
    ben = member_session(held, "Ben")
    assert (ben.status, ben.status_note, ben.mood_rating) == (
        "held",
        "Came late to the group session.",
        3,
    )
    assert member_session(held, "Cai").mood_rating == 5
    assert fresh_watch(ben.course).misses_in_a_row == before - 1
    held.refresh_from_db()
    assert held.theme == "Work and home"
    record = GroupSessionCorrection.objects.get(group_session=held)
    assert "Ben: absent (Unwell) → late; mood – → 3" in record.changes
    assert "Cai: mood 4 → 5" in record.changes
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        GroupSessionCorrection.objects.filter(pk=record.pk).update(reason="changed")


def test_corrections_never_touch_a_finalised_member_session(held):
    ana = member_session(held, "Ana")
    ana.finalise(held.group.lead)  # finalised on her own session page
    with pytest.raises(TransitionRefused, match="Ana: their session is finalised"):
        held.correct(correction(held, Ana={"mood": 2}, Cai={"mood": 9}), theme=held.theme,
                     process_notes="", reason="Typo.", by=held.group.lead)  # fmt: skip
    assert member_session(held, "Cai").mood_rating == 4  # nothing else changed either
    assert member_session(held, "Ana").mood_rating == 6
    held.correct(correction(held, Cai={"mood": 9}), theme=held.theme,
                 process_notes=held.process_notes, reason="Typo.", by=held.group.lead)  # fmt: skip
    assert member_session(held, "Cai").mood_rating == 9


def test_correction_guards(held):
    lead = held.group.lead
    with pytest.raises(TransitionRefused, match="what was corrected and why"):
        held.correct(correction(held, Cai={"mood": 5}), theme=held.theme,
                     process_notes=held.process_notes, reason=" ", by=lead)  # fmt: skip
    with pytest.raises(TransitionRefused, match="Nothing was changed"):
        held.correct(correction(held), theme=held.theme, process_notes=held.process_notes,
                     reason="No change.", by=lead)  # fmt: skip
    with pytest.raises(TransitionRefused, match="Ana: their session has an event or an action"):
        held.correct(correction(held, Ana={"attendance": "absent", "reason": "x", "mood": None}),
                     theme=held.theme, process_notes=held.process_notes, reason="x", by=lead)  # fmt: skip
    assert member_session(held, "Ana").status == "held"


def test_correcting_from_the_group_session_page(held, client_for):
    url = reverse("groups:session_correct", args=[held.group_id, held.pk])
    supervisor = held.group.lead.supervisor
    assert client_for(supervisor).get(url).status_code == 403
    assert client_for(TherapistFactory()).get(url).status_code == 404
    client = client_for(held.group.lead)
    assert url in client.get(held.get_absolute_url()).content.decode()
    form = client.get(url)
    assert form.status_code == 200
    data = {"theme": held.theme, "process_notes": held.process_notes, "reason": ""}
    for name, row in rows_by_name(held).items():
        prefix = f"c{row.member_id}"
        data |= {f"{prefix}-attendance": row.attendance, f"{prefix}-reason": row.reason,
                 f"{prefix}-mood": member_session(held, name).mood_rating or ""}  # fmt: skip
    cai = rows_by_name(held)["Cai"].member_id
    data[f"c{cai}-mood"] = "7"
    bad = client.post(url, data)
    assert bad.status_code == 200 and "What you corrected and why" in bad.content.decode()
    data["reason"] = "Cai said 7, not 4."
    assert client.post(url, data).status_code == 302
    assert member_session(held, "Cai").mood_rating == 7
    assert "Cai said 7, not 4." in client.get(held.get_absolute_url()).content.decode()


def test_a_members_course_never_shows_the_groups_notes_about_others(held, client_for):
    """The checklist, corrections and ending record are the group's shared record: a member's
    own course pages show none of them, nor another member's name."""
    lead = held.group.lead
    fill_checklist(held)
    held.record_checklist(linked=set(), items={}, note="Ana cried about her boss.", by=lead)
    held.correct(correction(held, Ben={"attendance": "absent", "reason": "Ben's court date"}),
                 theme=held.theme, process_notes="Ana and Ben argued.",
                 reason="Ben's reason was wrong.", by=lead)  # fmt: skip
    from groups.ending import save_ending

    ana = rows_by_name(held)["Ana"].member
    save_ending(held.group, achieved="x", feelings="y", plans={ana.pk: "Ana leaves her job."},
                by=lead)  # fmt: skip
    cai = member_session(held, "Cai")
    client = client_for(lead)
    for url in (
        cai.course.get_absolute_url(),
        cai.get_absolute_url(),
        reverse("course:progress_review", args=[cai.course.pk]),
        reverse("course:relapse_plan", args=[cai.course.pk]),
        reverse("patients:detail", args=[cai.course.patient.pk]),
        reverse("patients:history", args=[cai.course.patient.pk]),
    ):
        html = client.get(url).content.decode()
        assert "Cai" in html
        for other in ("Ana", "Ben", "boss", "court date", "argued", "leaves her job"):
            assert other not in html, (url, other)
