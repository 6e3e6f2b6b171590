"""Logins, failed logins, logouts and lockouts go into the audit (AuthEvent).

Django and django-axes announce these with signals; receiving them is the one way to hear of a
login that no view of ours handles (the admin's, Django's own login view).
"""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from ipt.accounts.models import AuthEvent
from ipt.accounts.sessions import forget, mark_sign_in


@receiver(user_logged_in)
def logged_in(sender, request, user, **kwargs):
    AuthEvent.record(request, AuthEvent.Kind.LOGIN, user=user)
    if request is not None and hasattr(request, "session"):
        mark_sign_in(request, user)


@receiver(user_logged_out)
def logged_out(sender, request, user, **kwargs):
    if user is not None:
        AuthEvent.record(request, AuthEvent.Kind.LOGOUT, user=user)
    if request is not None and getattr(request, "session", None) is not None:
        forget(request.session.session_key)


@receiver(user_login_failed)
def login_failed(sender, credentials, request=None, **kwargs):
    AuthEvent.record(request, AuthEvent.Kind.LOGIN_FAILED, username=credentials.get("username", ""))


@receiver(user_locked_out)
def locked_out(sender, request, username=None, ip_address=None, **kwargs):
    AuthEvent.record(request, AuthEvent.Kind.LOCKED_OUT, username=username or "")
