"""The patient's questionnaire before a maintenance follow-up: the same one-time link as for a
session, made from the follow-up's page; the answers become the follow-up's PHQ-9."""

from datetime import date, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from ipt.course.models import TransitionRefused
from ipt.models import FollowUp, MaintenanceContract, Phase
from sessions_app.models import QuestionnaireEvent, QuestionnaireLink
from tests.factories import CourseFactory, MeasureFactory, PatientFactory
from tests.test_questionnaire_link import ITEM9, NO_RISK, answer_all

TODAY = timezone.localdate()


@pytest.fixture
def followup(owner):
    owner.email = "sam@clinic.example"
    owner.save(update_fields=["email"])
    patient = PatientFactory(therapist=owner, full_name="Maria Fernandez-Quill", email="m@ex.org")
    course = CourseFactory(
        patient=patient, start_date=date(2026, 6, 1), phase=Phase.COMPLETED,
        ended_on=date(2026, 8, 31),
    )  # fmt: skip
    MeasureFactory(course=course, taken_on=date(2026, 6, 1), answers=(2,) * 9)
    MeasureFactory(course=course, taken_on=date(2026, 8, 28), answers=(1, 1, 1, 0, 0, 0, 0, 0, 0))
    maintenance = MaintenanceContract.objects.create(course=course, agreed_on=date(2026, 8, 31))
    return FollowUp.objects.create(maintenance=maintenance, due_on=TODAY + timedelta(days=3))


def page(followup):
    return reverse("course:followup", args=[followup.maintenance.course_id, followup.pk])


def make(client, followup, **data):
    course = followup.maintenance.course_id
    return client.post(
        reverse("sessions_app:followup_questionnaire_new", args=[course, followup.pk]), data
    )


def token_of(response):
    return response.context["token"]


def test_the_follow_up_page_offers_the_link_and_shows_it_once_with_a_qr_code(
    client_for, owner, followup
):
    therapist = client_for(owner)
    assert (
        "Send the patient the questionnaire before the follow-up"
        in therapist.get(page(followup)).text
    )
    made = make(therapist, followup, with_gad7="on")
    assert made.status_code == 200
    assert "<svg" in made.text and token_of(made) in made.text
    assert "Back to the follow-up" in made.text
    link = QuestionnaireLink.objects.get(followup=followup)
    assert link.session_id is None and link.with_gad7
    assert "A questionnaire link is waiting for the patient" in therapist.get(page(followup)).text


def test_the_patients_phq9_becomes_the_follow_ups_and_is_judged_after_the_course(
    client, client_for, owner, followup
):
    token = token_of(make(client_for(owner), followup))
    done = answer_all(client, token, NO_RISK)
    assert done.status_code == 200 and "Maria" in done.text and "Fernandez" not in done.text
    followup.refresh_from_db()
    course = followup.maintenance.course
    assert followup.phq9.total == sum(NO_RISK) and followup.status == FollowUp.Status.DUE
    assert not course.is_own_measure(followup.phq9)  # the course's outcome is unchanged
    shown = client_for(owner).get(page(followup)).text
    assert "PHQ-9 completed by the patient at" in shown
    assert "Since the end of the course" in shown


def test_item9_at_a_follow_up_raises_the_risk_and_alerts_the_therapist(
    client, client_for, owner, followup
):
    token = token_of(make(client_for(owner), followup))
    done = answer_all(client, token, ITEM9)
    assert "If you are having thoughts of hurting yourself" in done.text
    course = followup.maintenance.course
    course.refresh_from_db()
    assert course.watch.risk_kind
    assert mail.outbox[-1].to == ["sam@clinic.example"]
    assert page(followup) in mail.outbox[-1].body


def test_a_link_is_made_only_for_a_follow_up_still_due(followup, owner):
    followup.phq9 = MeasureFactory(course=followup.maintenance.course, taken_on=TODAY)
    followup.save()
    with pytest.raises(TransitionRefused, match="already recorded"):
        QuestionnaireLink.create_for(followup, by=owner)
    followup.phq9, followup.status, followup.held_on = None, FollowUp.Status.HELD, TODAY
    followup.save()
    with pytest.raises(TransitionRefused, match="still to come"):
        QuestionnaireLink.create_for(followup, by=owner)


def test_a_follow_ups_link_is_revoked_from_its_page_and_every_step_recorded(
    client, client_for, owner, followup
):
    therapist = client_for(owner)
    token = token_of(make(therapist, followup))
    link = QuestionnaireLink.objects.get(followup=followup)
    course = followup.maintenance.course_id
    revoked = therapist.post(
        reverse("sessions_app:followup_questionnaire_revoke", args=[course, followup.pk, link.pk])
    )
    assert revoked.status_code == 302 and revoked.url == page(followup)
    assert client.get(reverse("sessions_app:questionnaire", args=[token])).status_code == 404
    kinds = list(link.events.values_list("kind", flat=True))
    assert kinds == [QuestionnaireEvent.Kind.CREATED, QuestionnaireEvent.Kind.REVOKED]


def test_another_courses_follow_up_is_not_found(client_for, owner, followup, stranger):
    stranger = client_for(stranger)
    assert make(stranger, followup).status_code == 404
    assert not QuestionnaireLink.objects.exists()
