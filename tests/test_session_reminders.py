"""The patient's reminder email the day before a session: opt-in, at most once, plain words."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from sessions_app import reminders
from sessions_app.models import QuestionnaireLink, Session
from sessions_app.reminders import SessionReminder, send_due, send_one
from tests.factories import CourseFactory, DiagnosisFactory, PatientFactory, SessionFactory


@pytest.fixture
def course(owner):
    patient = PatientFactory(
        therapist=owner, full_name="Maria Fernandez-Quill", email="maria@example.org",
        session_reminders=True,
    )  # fmt: skip
    course = CourseFactory(patient=patient)
    DiagnosisFactory(course=course)
    SessionFactory(course=course, number=1)
    return course


def _planned(course, number, hours):
    return SessionFactory(
        course=course, number=number, status=Session.Status.PLANNED,
        scheduled_for=timezone.now() + timedelta(hours=hours),
    )  # fmt: skip


def test_a_reminder_goes_once_to_a_patient_who_agreed(course):
    tomorrow = _planned(course, 2, 20)
    _planned(course, 3, 24 * 7 + 20)  # next week: not yet
    assert send_due() == 1
    assert send_due() == 0  # the next run sends nothing again
    assert send_one(tomorrow.pk) is False
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["maria@example.org"]
    assert message.body.startswith("Hello Maria,")
    when = timezone.localtime(tomorrow.scheduled_for)
    assert f"{when:%H:%M}" in message.body
    for clinical in ("depress", "PHQ", "Fernandez", "interpersonal", "diagnos", "questionnaire"):
        assert clinical.lower() not in (message.subject + message.body).lower(), clinical
    reminder = SessionReminder.objects.get(session=tomorrow)
    assert reminder.to == "maria@example.org" and not reminder.with_questionnaire


def test_no_reminder_without_agreement_or_for_a_session_not_planned(course):
    patient = course.patient
    cancelled = _planned(course, 2, 10)
    cancelled.status = Session.Status.CANCELLED
    cancelled.save(update_fields=["status"])
    _planned(course, 3, 30)  # beyond the 24 hours
    assert send_due() == 0
    patient.session_reminders = False
    patient.save(update_fields=["session_reminders"])
    _planned(course, 4, 5)
    assert send_due() == 0
    assert mail.outbox == []


def test_the_reminder_brings_a_new_questionnaire_link_when_asked(course):
    course.patient.questionnaire_in_reminder = True
    course.patient.save(update_fields=["questionnaire_in_reminder"])
    tomorrow = _planned(course, 2, 20)
    assert send_due() == 1
    link = QuestionnaireLink.objects.get(session=tomorrow)
    assert link.created_by == course.patient.therapist
    url = next(line for line in mail.outbox[0].body.splitlines() if "/q/" in line)
    assert link.token_matches(url.rsplit("/q/", 1)[1].strip("/"))
    assert list(link.events.values_list("kind", flat=True)) == ["created", "sent"]
    assert SessionReminder.objects.get(session=tomorrow).with_questionnaire


def test_a_link_made_earlier_is_not_replaced(course, owner):
    course.patient.questionnaire_in_reminder = True
    course.patient.save(update_fields=["questionnaire_in_reminder"])
    tomorrow = _planned(course, 2, 20)
    earlier, _ = QuestionnaireLink.create_for(tomorrow, by=owner)
    assert send_due() == 1
    earlier.refresh_from_db()
    assert earlier.is_live and QuestionnaireLink.objects.filter(session=tomorrow).count() == 1
    assert "/q/" not in mail.outbox[0].body


def test_a_refused_email_records_nothing_and_is_tried_again(course):
    tomorrow = _planned(course, 2, 20)
    with mock.patch("sessions_app.reminders.send_mail", side_effect=OSError("refused")):
        assert send_due() == 0
    assert not SessionReminder.objects.filter(session=tomorrow).exists()
    assert send_due() == 1


def test_the_email_is_sent_outside_the_sessions_lock(course):
    from django.db import connection

    course.patient.questionnaire_in_reminder = True
    course.patient.save(update_fields=["questionnaire_in_reminder"])
    tomorrow = _planned(course, 2, 20)
    seen = []
    with mock.patch(
        "sessions_app.reminders.send_mail",
        side_effect=lambda **kw: seen.append(len(connection.savepoint_ids)),
    ):
        assert send_one(tomorrow.pk)
    # The test runs in a transaction of its own: a savepoint deeper than it is the lock's.
    assert seen == [len(connection.savepoint_ids)]


def test_a_failed_send_revokes_its_link_and_the_next_run_sends_a_new_one(course):
    course.patient.questionnaire_in_reminder = True
    course.patient.save(update_fields=["questionnaire_in_reminder"])
    tomorrow = _planned(course, 2, 20)
    with mock.patch("sessions_app.reminders.send_mail", side_effect=OSError("refused")):
        assert send_due() == 0
    failed = QuestionnaireLink.objects.get(session=tomorrow)
    assert failed.revoked_at and failed.revoked_by is None
    assert send_due() == 1
    assert "/q/" in mail.outbox[0].body
    live = QuestionnaireLink.objects.filter(session=tomorrow, revoked_at__isnull=True)
    assert live.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_schedule_queues_one_run_and_the_run_queues_the_next(settings, owner, course):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    call_command("schedule_reminders")
    call_command("schedule_reminders")  # make run again: still one waiting
    waiting = DBTaskResult.objects.filter(task_path=reminders.TASK_PATH, status="READY")
    assert waiting.count() == 1
    _planned(course, 2, 20)
    # What the worker does with it: run it (marked RUNNING first), then it queues the next.
    run = waiting.get()
    run.status = "RUNNING"
    run.save(update_fields=["status"])
    assert reminders.send_session_reminders.call() == 1
    run.status = "SUCCESSFUL"
    run.save(update_fields=["status"])
    nxt = DBTaskResult.objects.get(task_path=reminders.TASK_PATH, status="READY")
    assert nxt.run_after > timezone.now() + timedelta(minutes=settings.REMINDER_EVERY_MINUTES - 1)
    assert len(mail.outbox) == 1
