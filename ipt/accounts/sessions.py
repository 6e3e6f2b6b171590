"""A login's lifetime: idle logout after ``SESSION_COOKIE_AGE`` without a request (the page
warns two minutes before, static/js/idle.js), and an absolute limit of
``SESSION_ABSOLUTE_SECONDS`` from the sign-in, however busy the login has been."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse
from django.views.decorators.http import require_POST

SIGNED_IN_AT = "ipt_signed_in_at"


def mark_sign_in(request):
    request.session[SIGNED_IN_AT] = int(time.time())


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
    """'Stay signed in' on the idle warning: any request renews the idle time (the session is
    saved on every request); this one does nothing else."""
    return HttpResponse(status=204)
