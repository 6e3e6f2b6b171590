"""A login's lifetime: idle logout after ``SESSION_COOKIE_AGE`` without a request (the page
warns two minutes before, static/js/idle.js), and an absolute limit of
``SESSION_ABSOLUTE_SECONDS`` from the sign-in, however busy the login has been. Each login is
listed (``SignIn``) so that its user can see where they are signed in and end another one."""

import time
from importlib import import_module

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.contrib.sessions.middleware import SessionMiddleware
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from ipt.accounts.models import AuthEvent, SignIn

SIGNED_IN_AT = "ipt_signed_in_at"
RENEWED_AT = "ipt_renewed_at"


def renew_every():
    """How often a busy login's idle time is pushed back (``SESSION_RENEW_SECONDS``, a minute),
    never more than a hundredth of the idle time. Writing the login row on every request (an
    autosave every few seconds) would cost three statements each time for nothing the user
    can tell."""
    return min(settings.SESSION_RENEW_SECONDS, settings.SESSION_COOKIE_AGE // 100)


class RenewingSessionMiddleware(SessionMiddleware):
    """Django's session middleware, with the idle time renewed by requests at most every
    ``renew_every()`` seconds instead of a save on each one (SESSION_SAVE_EVERY_REQUEST). A
    login so ends between ``SESSION_COOKIE_AGE`` minus that and ``SESSION_COOKIE_AGE`` after
    its last request. An anonymous visitor's empty session is never made into a row."""

    def process_response(self, request, response):
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            if now - session.get(RENEWED_AT, 0) >= renew_every():
                session[RENEWED_AT] = now  # modified: saved below with a new expiry
        return super().process_response(request, response)


def mark_sign_in(request, user):
    request.session[SIGNED_IN_AT] = int(time.time())
    remember(request, user)


def remember(request, user):
    """This browser's login, for the user's list of where they are signed in."""
    session = request.session
    if session.session_key is None:
        session.save()
    SignIn.objects.update_or_create(
        session_key=session.session_key,
        defaults={
            "user": user,
            "ip_address": request.META.get("REMOTE_ADDR") or None,
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
        },
    )
    # Logins that lapsed without a logout leave the list when their user next signs in.
    SignIn.objects.filter(user=user).exclude(session_key__in=_live()).delete()


def forget(session_key):
    SignIn.objects.filter(session_key=session_key).delete()


def where_signed_in(request):
    """The user's live logins, this one included (listed now if it began before logins were)."""
    key = request.session.session_key
    if key and not SignIn.objects.filter(session_key=key).exists():
        remember(request, request.user)
    return signed_in(request.user)


def signed_in(user):
    """Where the user is signed in now: their logins whose session has not lapsed."""
    return SignIn.objects.filter(user=user, session_key__in=_live())


def _live():
    return Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")


def expired(request, now=None):
    """Whether this login has outlived the absolute limit (a login from before the stamp
    existed counts from its first request seen)."""
    started = request.session.setdefault(SIGNED_IN_AT, int(now or time.time()))
    return (now or time.time()) - started > settings.SESSION_ABSOLUTE_SECONDS


def session_lifetime_middleware(get_response):
    def middleware(request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and expired(request):
            logout(request)
            if getattr(request, "htmx", False) or request.method != "GET":
                response = HttpResponse("Your login has expired.", status=401)
                response["HX-Reswap"] = "none"
                return response
            messages.info(request, "You were signed out: a login lasts at most a working day.")
            return redirect_to_login(request.get_full_path())
        return get_response(request)

    return middleware


@require_POST
def stay_signed_in(request):
    """'Stay signed in' on the idle warning: any request renews the idle time
    (``RenewingSessionMiddleware``); this one does nothing else."""
    return HttpResponse(status=204)


@require_POST
def end_sign_in(request):
    """End one of the user's other logins (a computer left signed in): its session is deleted,
    so its next request meets the login page. This browser's own login ends with Log out."""
    with transaction.atomic():
        sign_in = get_object_or_404(
            SignIn.objects.select_for_update(),
            pk=_an_id(request.POST.get("sign_in")),
            user=request.user,
        )
        if sign_in.session_key == request.session.session_key:
            messages.error(request, "This is the login you are using: use Log out to end it.")
            return redirect("mfa_security")
        import_module(settings.SESSION_ENGINE).SessionStore(sign_in.session_key).delete()
        sign_in.delete()
        AuthEvent.record(request, AuthEvent.Kind.LOGOUT)
    messages.success(request, "That login has been ended.")
    return redirect("mfa_security")


def _an_id(value):
    return int(value) if value and value.isdigit() and len(value) < 19 else None
