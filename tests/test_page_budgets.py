"""What the course page and the session page cost in queries: a fixed budget, whatever the
course holds (4 sessions or 14, a few measures or many), and nothing they do not show."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ipt.course.models import Phase
from sessions_app.models import Session
from tests.factories import (
    CourseFactory,
    HomeworkFactory,
    InterpersonalEventFactory,
    MeasureFactory,
    SessionFactory,
    ready_for_middle_phase,
)

pytestmark = pytest.mark.django_db

# The most queries each page may run (session, user, OTP device and the audit row included).
COURSE_PAGE_BUDGET = 30
SESSION_PAGE_BUDGET = 26


def course_with(patient, held):
    course = ready_for_middle_phase(CourseFactory(patient=patient, phase=Phase.MIDDLE))
    for number in range(1, held + 1):
        session = SessionFactory(course=course, number=number)
        InterpersonalEventFactory(session=session)
        HomeworkFactory(set_in=session)
        MeasureFactory(course=course, taken_on=course.start_date + timedelta(weeks=number - 1))
    SessionFactory(course=course, number=held + 1, status=Session.Status.PLANNED)
    return course


def queries(client, url):
    client.get(url)  # the first look may store the course's watch
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize(
    ("page", "budget"),
    [("course", COURSE_PAGE_BUDGET), ("session", SESSION_PAGE_BUDGET)],
)
def test_a_page_costs_the_same_queries_for_a_short_and_a_long_course(
    client_for, owner, patient, page, budget
):
    client = client_for(owner)

    def url(course):
        if page == "course":
            return reverse("course:overview", args=[course.pk])
        latest = course.sessions.filter(status=Session.Status.HELD).order_by("-number").first()
        return reverse("sessions_app:detail", args=[latest.pk])

    short = queries(client, url(course_with(patient, 4)))
    other = type(patient).objects.create(
        therapist=owner, full_name="Long Course", date_of_birth=patient.date_of_birth
    )
    long = queries(client, url(course_with(other, 14)))
    assert len(short) == len(long)
    assert len(long) <= budget, "\n\n".join(long)


def test_the_session_page_does_not_fetch_the_initial_phase_record(client_for, owner, patient):
    course = course_with(patient, 3)
    session = course.sessions.get(number=3)
    sql = " ".join(queries(client_for(owner), reverse("sessions_app:detail", args=[session.pk])))
    for table in ("ipt_diagnosis", "ipt_formulation", "ipt_lifeevent", "ipt_treatmentcontract"):
        assert table not in sql
