"""Renegotiating the contract: an amendment both sign changes the number of sessions within
the variant's range, and the course (its "session k of N", plan and flags) follows it."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from ipt.models import Phase, TransitionRefused, TreatmentCourse
from sessions_app.models import Session
from tests.factories import CourseFactory, SessionFactory, ready_for_middle_phase
from tests.test_contract import signature, terms
from tests.test_races import race

TODAY = timezone.localdate()


def url(name, course, **kwargs):
    return reverse(f"course:{name}", kwargs={"pk": course.pk, **kwargs})


def _amend(client, course, reason="More time agreed for the dispute with Maria."):
    response = client.post(url("contract_amend", course), {"reason": reason})
    assert response.status_code == 302
    return course.contracts.order_by("-version").first()


def _planned_course(patient, held=4):
    """A middle-phase course of 12 with its contract signed and sessions 1..12 planned."""
    course = ready_for_middle_phase(CourseFactory(patient=patient))
    course.phase = Phase.MIDDLE
    course.save(update_fields=["phase"])
    for n in range(1, 13):
        SessionFactory(
            course=course,
            number=n,
            status=Session.Status.HELD if n <= held else Session.Status.PLANNED,
        )
    return course


@pytest.fixture
def course(patient):
    return _planned_course(patient)


def test_signed_amendment_from_12_to_16_makes_the_course_16_sessions(
    client_for, owner, supervisor, course
):
    client = client_for(owner)
    v2 = _amend(client, course)
    response = client.post(url("contract", course), terms(v2, number_of_sessions=16))
    assert response.status_code == 302

    response = client.post(url("contract_sign", course), signature(patient_name="Pat Owner-Case"))

    assert response.status_code == 302
    course.refresh_from_db()
    assert course.planned_sessions == 16
    numbers = list(course.sessions.values_list("number", flat=True))
    assert numbers == list(range(1, 17))
    twelve, thirteen = course.sessions.get(number=12), course.sessions.get(number=13)
    assert thirteen.scheduled_for - twelve.scheduled_for == timedelta(weeks=1)
    assert thirteen.status == Session.Status.PLANNED
    assert "16 sessions of 50 minutes" in client.get(url("overview", course)).content.decode()
    session_page = client.get(reverse("sessions_app:detail", args=[twelve.pk])).content.decode()
    assert "Session 12 of 16" in session_page
    dashboard = client_for(supervisor).get(reverse("dashboard")).content.decode()
    assert "4 of 16" in dashboard
    assert "4 of 12" not in dashboard


def test_amendment_to_fewer_sessions_removes_the_planned_ones_beyond_the_end(owner, patient):
    course = _planned_course(patient)
    course.planned_sessions = 14
    course.save(update_fields=["planned_sessions"])
    SessionFactory(course=course, number=13, status=Session.Status.PLANNED)
    SessionFactory(course=course, number=14, status=Session.Status.PLANNED)

    TreatmentCourse.objects.get(pk=course.pk).change_planned_sessions(12)

    assert list(course.sessions.values_list("number", flat=True)) == list(range(1, 13))


def test_number_out_of_the_variants_range_is_refused_next_to_the_field(client_for, owner, course):
    client = client_for(owner)
    v2 = _amend(client, course)

    response = client.post(url("contract", course), terms(v2, number_of_sessions=20))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Individual IPT has 12 to 16 sessions." in html
    assert 'value="20"' in html
    v2.refresh_from_db()
    assert v2.number_of_sessions == 12


def test_fewer_sessions_than_already_recorded_is_refused(owner, patient):
    course = _planned_course(patient, held=12)
    course.planned_sessions = 16
    course.save(update_fields=["planned_sessions"])
    SessionFactory(course=course, number=13, status=Session.Status.HELD)

    with pytest.raises(TransitionRefused) as refused:
        TreatmentCourse.objects.get(pk=course.pk).change_planned_sessions(12)

    assert "Session 13 is already recorded" in " ".join(refused.value.reasons)
    course.refresh_from_db()
    assert course.planned_sessions == 16


def test_an_unsigned_amendment_changes_nothing(client_for, owner, course):
    client = client_for(owner)
    v2 = _amend(client, course)
    client.post(url("contract", course), terms(v2, number_of_sessions=16))

    course.refresh_from_db()
    v2.refresh_from_db()
    assert v2.number_of_sessions == 16 and not v2.is_signed
    assert course.planned_sessions == 12
    assert course.sessions.count() == 12
    assert "12 sessions of 50 minutes" in client.get(url("overview", course)).content.decode()


def test_first_version_must_still_agree_with_the_course(client_for, owner, patient):
    course = ready_for_middle_phase(CourseFactory(patient=patient), sign=False)
    draft = course.contracts.get()

    response = client_for(owner).post(url("contract", course), terms(draft, number_of_sessions=16))

    assert "This course is planned for 12 sessions" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_concurrent_signatures_of_an_amendment_apply_it_once(owner, patient):
    from ipt.initial.contract import TreatmentContract

    course = _planned_course(patient)
    v1 = course.contracts.get()
    v2 = v1.amend(reason="Four more sessions agreed.")
    TreatmentContract.objects.filter(pk=v2.pk).update(number_of_sessions=16)

    def sign():
        TreatmentContract.objects.get(pk=v2.pk).sign(
            patient_name=patient.full_name,
            patient_date=date(2026, 9, 21),
            therapist=owner,
            therapist_date=date(2026, 9, 21),
        )

    outcomes = race(sign, n=4)
    assert outcomes.count("done") == 1, outcomes
    assert all("already signed" in o for o in outcomes if o != "done"), outcomes
    course.refresh_from_db()
    assert course.planned_sessions == 16
    assert list(course.sessions.values_list("number", flat=True)) == list(range(1, 17))
