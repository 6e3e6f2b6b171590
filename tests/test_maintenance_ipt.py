"""Maintenance IPT sessions keep the focal work of the acute phase, area by area."""

from datetime import date

import pytest
from django.urls import reverse

from ipt.accounts.history import changes_to
from ipt.models import MaintenanceContract, Phase
from ipt.termination.models import MaintenanceFocalWork
from tests.factories import CourseFactory, MeasureFactory, ProblemAreaFactory
from tests.test_aftercare import agree

WORK = {
    "event": "Lunch with Jean went well; a row with Alan about the garden.",
    "work": "Role play: asking Alan for help without blaming \u2014 twice, the second calmer.",
    "next_step": "Ask Alan on Sunday to help with the shed.",
}


@pytest.fixture
def course(patient):
    course = CourseFactory(
        patient=patient, start_date=date(2025, 6, 2), phase=Phase.COMPLETED,
        ended_on=date(2025, 8, 31),
    )  # fmt: skip
    MeasureFactory(course=course, taken_on=date(2025, 6, 2), answers=(2,) * 9)
    MeasureFactory(course=course, taken_on=date(2025, 8, 25), answers=(1, 1, 0, 0, 0, 0, 0, 0, 0))
    course.transition = ProblemAreaFactory(course=course, primary=True)
    course.dispute = ProblemAreaFactory(
        course=course, area="role_dispute", dispute_stage="renegotiation", from_role="", to_role=""
    )
    return course


def page(course, visit):
    return reverse("course:followup", args=[course.pk, visit.pk])


def record(client, course, visit, **work):
    data = {"status": "held", "held_on": "2025-09-30", "notes": "Well."}
    for area, text in work.items():
        pk = getattr(course, area).pk
        data |= {f"w{pk}-{k}": v for k, v in text.items()}
    return client.post(page(course, visit), data)


def test_a_maintenance_ipt_session_keeps_the_focal_work_of_each_area_as_typed(
    client_for, owner, course
):
    therapist = client_for(owner)
    agree(therapist, course, kind="maintenance_ipt", interval_months="", number_of_followups=3)
    visit = course.maintenance.followups.first()
    html = therapist.get(page(course, visit)).text
    assert "Work in the focal area" in html
    assert html.index(course.transition.detail) < html.index(course.dispute.detail)  # primary
    assert record(therapist, course, visit, dispute=WORK).status_code == 302
    work = MaintenanceFocalWork.objects.get()
    assert (work.problem_area, work.event, work.work, work.next_step) == (
        course.dispute, WORK["event"], WORK["work"], WORK["next_step"],
    )  # fmt: skip
    assert WORK["work"] in therapist.get(page(course, visit)).text  # shown again to change
    kinds = {label for label, _, _ in changes_to(course.patient)}
    assert "ipt.MaintenanceFocalWork" in kinds


def test_emptying_an_areas_work_removes_it(client_for, owner, course):
    therapist = client_for(owner)
    agree(therapist, course, kind="maintenance_ipt", interval_months="", number_of_followups=3)
    visit = course.maintenance.followups.first()
    record(therapist, course, visit, dispute=WORK)
    record(therapist, course, visit, dispute={"event": " ", "work": "", "next_step": ""})
    assert not MaintenanceFocalWork.objects.exists()


def test_check_in_follow_ups_take_no_focal_work_but_boosters_do(client_for, owner, course):
    therapist = client_for(owner)
    agree(therapist, course)
    assert course.maintenance.kind == MaintenanceContract.Kind.CHECK_INS
    check_in = course.maintenance.followups.first()
    assert "Work in the focal area" not in therapist.get(page(course, check_in)).text
    record(therapist, course, check_in, dispute=WORK)
    assert not MaintenanceFocalWork.objects.exists()
    booster = course.maintenance.add_booster(date(2025, 10, 14), "Symptoms back after a row.")
    assert "Work in the focal area" in therapist.get(page(course, booster)).text


def test_a_supervisor_reads_the_focal_work_but_cannot_change_it(
    client_for, owner, supervisor, course
):
    agree(client_for(owner), course, kind="maintenance_ipt", interval_months="")
    visit = course.maintenance.followups.first()
    record(client_for(owner), course, visit, dispute=WORK)
    reader = client_for(supervisor)
    html = reader.get(page(course, visit)).text
    assert WORK["next_step"] in html and "disabled" in html
    assert record(reader, course, visit, dispute={"work": "changed"}).status_code == 403
    assert MaintenanceFocalWork.objects.get().work == WORK["work"]
