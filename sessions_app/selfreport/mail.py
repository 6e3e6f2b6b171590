"""The two emails of the patient's questionnaire. Neither carries a score or a diagnosis: the
patient's holds the link, the therapist's says only that something needs their attention."""

from django.conf import settings
from django.core.mail import send_mail
from django.utils import timezone


def send_link(patient, url, expires_at):
    """The link to the patient's own address; False when there is none on file."""
    if not patient.email:
        return False
    expires = timezone.localtime(expires_at)
    send_mail(
        subject=f"A short questionnaire before your next session · {settings.CLINIC_NAME}",
        message=(
            f"Hello {patient.display_name},\n\n"
            "Before your next session, please answer a few short questions about how you have "
            "been over the last two weeks. It takes about five minutes:\n\n"
            f"{url}\n\n"
            f"The link works once, until {expires:%-d %B at %H:%M}. Please do not forward it.\n\n"
            "This email is not monitored for emergencies. If you feel unable to keep yourself "
            "safe, call 999 or go to your nearest A&E.\n\n"
            f"{settings.CLINIC_NAME} · {settings.CLINIC_PHONE}\n"
        ),
        from_email=None,
        recipient_list=[patient.email],
    )
    return True


def alert_therapist(therapist, url):
    """ "A questionnaire needs your attention", with the session's address; nothing clinical."""
    if not therapist.email:
        return False
    send_mail(
        subject="A questionnaire needs your attention",
        message=(
            f"A questionnaire completed by one of your patients needs your attention.\n\n"
            f"Open it in IPT: {url}\n"
        ),
        from_email=None,
        recipient_list=[therapist.email],
    )
    return True
