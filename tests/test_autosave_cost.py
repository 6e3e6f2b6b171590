"""What one autosave costs: a save is sent every few seconds while a therapist types, so it
must read the session and the one row it writes, never the rest of the course."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ipt.models import Phase
from tests.factories import CourseFactory, InterpersonalEventFactory, SessionFactory

pytestmark = pytest.mark.django_db

# The login session and the user; the session with its course, patient, therapist and PHQ-9
# (one query, joined); the audit entry; the session row locked FOR UPDATE; the UPDATE of the
# one field (with the change history's context); the savepoint around it; the login session's
# save when its idle time is renewed (at most once a minute: RenewingSessionMiddleware).
AUTOSAVE_QUERIES = 11


def _save(client, session, target, version, value):
    data = {"target": target, "field": "notes", "value": value, "version": version}
    if target != "session":
        data["field"] = "feelings"
    with CaptureQueriesContext(connection) as captured:
        response = client.post(reverse("sessions_app:autosave", args=[session.pk]), data)
    assert response.status_code == 200, response.content
    return captured.captured_queries


@pytest.fixture
def long_course(patient):
    course = CourseFactory(patient=patient, phase=Phase.MIDDLE)
    sessions = [SessionFactory(course=course, number=n) for n in range(1, 13)]
    for s in sessions:
        InterpersonalEventFactory(session=s)
    return sessions


def test_an_autosave_costs_the_same_few_queries_however_long_the_course(
    client_for, owner, long_course
):
    sessions = long_course
    client = client_for(owner)
    _save(client, sessions[0], "session", 0, "warm up")  # the sign-in's first request
    first = _save(client, sessions[-1], "session", 0, "Tearful about Dad.")
    again = _save(client, sessions[-1], "session", 1, "Tearful about Dad. Calmer.")
    assert len(first) == len(again) <= AUTOSAVE_QUERIES, "\n".join(q["sql"] for q in again)
    # Nothing reads the course's other sessions, its events or its measures.
    for q in again:
        sql = q["sql"]
        assert "sessions_app_interpersonalevent" not in sql
        assert not sql.startswith('SELECT "ipt_measureresponse"'), sql
    print(f"{len(again)} queries:", *(q["sql"][:160] for q in again), sep="\n")


def test_an_autosave_of_a_row_costs_two_more_queries(client_for, owner, long_course):
    sessions = long_course
    client = client_for(owner)
    _save(client, sessions[0], "session", 0, "warm up")
    event = sessions[-1].events.get()
    on_session = _save(client, sessions[-1], "session", 0, "Notes.")
    on_row = _save(client, sessions[-1], f"event:{event.pk}", 0, "Angry, then relieved.")
    # The row itself and, for its lock, the session it belongs to.
    assert len(on_row) == len(on_session) + 2
