"""The patient's reminder email, the day before a planned session, for patients who agreed.

A task, ``send_session_reminders``, sends every reminder now due (sessions starting within
``REMINDER_HOURS_BEFORE`` hours), then queues itself again ``REMINDER_EVERY_MINUTES`` later:
Django's tasks framework has no schedule of its own, so the chain is the schedule.
``manage.py schedule_reminders`` (run by ``make run`` before the worker starts, and safe to run
any number of times) starts the chain when no run is waiting.

Each reminder is sent at most once: guard (a patient who agreed, a session still planned, no
reminder yet), lock (the session's row), change (the ``SessionReminder`` row, unique per
session, and the questionnaire link if one comes with it), record, all in one transaction with
the sending; a mail server that refuses rolls it all back, and the next run tries again.

The questionnaire link: only its hash is kept, so a link made earlier cannot be sent again. When
the patient's record says to include it and the session has no link and no PHQ-9 yet, the
reminder makes one (credited to the therapist) and brings it; otherwise it brings none.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import models, transaction
from django.tasks import task, task_backends
from django.urls import reverse
from django.utils import timezone

from ipt.course.models import Phase
from sessions_app.models import Session

log = logging.getLogger(__name__)


class SessionReminder(models.Model):
    """One reminder sent for one session: the unique session is the at-most-once."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="reminder")
    sent_at = models.DateTimeField(default=timezone.now)
    to = models.EmailField()
    with_questionnaire = models.BooleanField(default=False)

    class Meta:
        app_label = "sessions_app"

    def __str__(self):
        return f"Reminder for {self.session} sent {self.sent_at:%Y-%m-%d %H:%M}"


def due(now=None):
    """Planned sessions starting within the reminder window whose patient agreed, not yet
    reminded."""
    now = now or timezone.now()
    return (
        Session.objects.filter(
            status=Session.Status.PLANNED,
            scheduled_for__gt=now,
            scheduled_for__lte=now + timedelta(hours=settings.REMINDER_HOURS_BEFORE),
            course__phase__in=Phase.active(),
            course__patient__session_reminders=True,
            reminder__isnull=True,
        )
        .exclude(course__patient__email="")
        .order_by("scheduled_for", "pk")
    )


def send_one(session_pk, now=None):
    """Send the reminder of one session; False when it is no longer due (sent meanwhile by
    another run, moved, cancelled, or the patient withdrew their agreement).

    At most once, without holding the session while the mail server answers: the reminder's
    unique row is claimed under the session's lock and committed, then the email is sent; a
    send that fails removes the claim (and revokes the link it carried) so the next run tries
    again.
    """
    from sessions_app.selfreport.models import QuestionnaireLink

    now = now or timezone.now()
    link = url = None
    with transaction.atomic():
        locked = Session.objects.select_for_update(of=("self",)).filter(pk=session_pk).first()
        if locked is None or not due(now).filter(pk=session_pk).exists():
            return False
        session = Session.objects.select_related("course__patient__therapist").get(pk=session_pk)
        patient = session.course.patient
        if (
            patient.questionnaire_in_reminder
            # A link of a reminder that could not be sent (revoked by no one) does not count.
            and not session.questionnaire_links.exclude(
                revoked_at__isnull=False, revoked_by__isnull=True
            ).exists()
            and not QuestionnaireLink.creation_blockers(session)
        ):
            link, token = QuestionnaireLink.create_for(session, by=patient.therapist)
            url = settings.SITE_URL + reverse("sessions_app:questionnaire", args=[token])
        claim = SessionReminder.objects.create(
            session=session, sent_at=now, to=patient.email, with_questionnaire=url is not None
        )
    when = timezone.localtime(session.scheduled_for)
    try:
        send_mail(
            subject=f"Your appointment on {when:%A %-d %B} · {settings.CLINIC_NAME}",
            message=reminder_text(session, url),
            from_email=None,
            recipient_list=[patient.email],
        )
    except Exception:
        claim.delete()
        if link is not None:
            link.revoke(by=None)
        raise
    if link is not None:
        link.record_sent(by=None)
    return True


def reminder_text(session, questionnaire_url=None):
    """Plain words: the day, the time, the clinic. Nothing about why the patient comes."""
    patient = session.course.patient
    when = timezone.localtime(session.scheduled_for)
    text = (
        f"Hello {patient.display_name},\n\n"
        f"This is a reminder of your appointment on {when:%A %-d %B} at {when:%H:%M} "
        f"with {patient.therapist.get_full_name() or 'your therapist'}.\n\n"
    )
    if questionnaire_url:
        text += (
            "Before you come, please answer a few short questions about how you have been over "
            "the last two weeks. It takes about five minutes:\n\n"
            f"{questionnaire_url}\n\n"
            "The link works once. Please do not forward it.\n\n"
        )
    return text + (
        f"If you cannot come, please call us on {settings.CLINIC_PHONE}.\n\n"
        "This email is not monitored for emergencies. If you feel unable to keep yourself "
        "safe, call 999 or go to your nearest A&E.\n\n"
        f"{settings.CLINIC_NAME} · {settings.CLINIC_PHONE}\n"
    )


def send_due(now=None):
    """Every reminder now due; the number sent. One failure does not stop the others."""
    sent = 0
    for pk in list(due(now).values_list("pk", flat=True)):
        try:
            sent += send_one(pk, now)
        except OSError:
            log.exception("A session reminder could not be emailed; the next run tries again")
    return sent


TASK_PATH = "sessions_app.reminders.send_session_reminders"


def schedule_next(delay=None):
    """Queue the next run, unless one is already waiting (or the backend runs tasks at once,
    as in the suite, where a chain would never end). Returns whether one was queued."""
    backend = task_backends[send_session_reminders.backend]
    if not backend.supports_defer:
        return False
    from django_tasks_db.models import DBTaskResult

    with transaction.atomic():
        waiting = DBTaskResult.objects.select_for_update().filter(
            task_path=TASK_PATH, status="READY"
        )
        if waiting.exists():
            return False
        delay = timedelta(minutes=settings.REMINDER_EVERY_MINUTES) if delay is None else delay
        send_session_reminders.using(run_after=timezone.now() + delay).enqueue()
    return True


@task()
def send_session_reminders():
    """The worker's run: send what is due, then queue the next run."""
    try:
        return send_due()
    finally:
        schedule_next()
