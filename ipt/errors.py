"""Error pages in the clinic's own layout: a clear sentence, never a stack trace."""

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.csrf import requires_csrf_token

from ipt.accounts.models import AuthEvent


def _record_refusal(request, status):
    # Refused attempts are part of the audit: who tried what, from where (static files and
    # browsers' automatic requests for icons are not attempts at a record).
    if request.path.startswith(settings.STATIC_URL) or request.path == "/favicon.ico":
        return
    AuthEvent.record(request, AuthEvent.Kind.REFUSED, status=status)


@requires_csrf_token
def permission_denied(request, exception=None):
    _record_refusal(request, 403)
    reason = str(exception) if exception and str(exception) else ""
    return render(request, "403.html", {"reason": reason}, status=403)


@requires_csrf_token
def page_not_found(request, exception=None):
    _record_refusal(request, 404)
    return render(request, "404.html", status=404)


@requires_csrf_token
def server_error(request):
    # The 500 page must not depend on the database or the user being readable.
    return render(request, "500.html", status=500)
