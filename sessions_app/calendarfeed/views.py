"""The calendar feed: made, copied and revoked on the therapist's own page; read by their
calendar app without a login, the token being the only key."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from ipt.accounts.models import Role
from sessions_app.calendarfeed import ics
from sessions_app.calendarfeed.models import CalendarFeed
from sessions_app.selfreport.models import RateCounter


def _therapist(request):
    if request.user.role != Role.THERAPIST:
        raise PermissionDenied("The calendar feed is a therapist's own sessions.")
    return request.user


def _feed_url(request, token):
    return request.build_absolute_uri(reverse("sessions_app:calendar_feed", args=[token]))


@never_cache
@require_GET
def calendar_settings(request):
    user = _therapist(request)
    return render(
        request,
        "calendarfeed/settings.html",
        {"feed": CalendarFeed.live_for(user), "session_minutes": settings.CALENDAR_SESSION_MINUTES},
    )


@never_cache
@require_POST
def calendar_new(request):
    """Make (or replace) the address and show it once: only its hash is kept."""
    user = _therapist(request)
    replaced = CalendarFeed.live_for(user) is not None
    feed, token = CalendarFeed.create_for(user)
    return render(
        request,
        "calendarfeed/settings.html",
        {
            "feed": feed,
            "url": _feed_url(request, token),
            "replaced": replaced,
            "session_minutes": settings.CALENDAR_SESSION_MINUTES,
        },
    )


@require_POST
def calendar_revoke(request):
    user = _therapist(request)
    if CalendarFeed.revoke_for(user):
        messages.success(request, "The calendar address no longer works.")
    return redirect("sessions_app:calendar")


def _limited(key, rate, *, count=True):
    limit, seconds = rate
    return RateCounter.hit(key, seconds, count=count) > limit - (0 if count else 1)


@login_not_required
@never_cache
@require_GET
def calendar_feed(request, token):
    """The ICS feed. A wrong or revoked token gets a bare 404, the same for every reason."""
    address = request.META.get("REMOTE_ADDR") or None
    unknown = (f"unknown:{address}", settings.QUESTIONNAIRE_RATE_UNKNOWN_PER_ADDRESS)
    if _limited(f"address:{address}", settings.QUESTIONNAIRE_RATE_PER_ADDRESS) or _limited(
        *unknown, count=False
    ):
        return HttpResponse("Too many requests.", status=429, content_type="text/plain")
    feed = CalendarFeed.live_for_token(token)
    if feed is None:
        RateCounter.hit(unknown[0], unknown[1][1])
        return HttpResponseNotFound("Not found.", content_type="text/plain")
    if _limited(f"calendar:{feed.pk}", settings.CALENDAR_RATE_PER_FEED):
        return HttpResponse("Too many requests.", status=429, content_type="text/plain")
    feed.mark_read()
    body = ics.build(feed.user, base_url=request.build_absolute_uri("/").rstrip("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="ipt-sessions.ics"'
    response["X-Robots-Tag"] = "noindex"
    return response
