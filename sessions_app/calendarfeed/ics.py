"""What a therapist's calendar feed holds: their planned sessions and the follow-ups and
booster sessions still due, titled with the patient's initials only.

A calendar on a phone is outside the clinic: an event says "DM · IPT session 7 of 16" and
nothing else about the patient (no name, no diagnosis, no problem area, no note), and links
to the app, where the login decides what is seen. UIDs are the rows' ids, so an event moves
in the calendar when the session is rescheduled instead of appearing twice.
"""

from datetime import UTC, timedelta
from zoneinfo import ZoneInfo

import icalendar
from django.conf import settings
from django.utils import timezone

from ipt.course.models import Phase
from ipt.termination.models import FollowUp
from sessions_app.models import Session

# Sessions from this many days back stay in the feed, so the week just gone is still there.
PAST_DAYS = 14
UID_DOMAIN = "ipt.calendar"


def initials(full_name):
    """ "Daniel Moreno" -> "DM"; "Zoë O'Brien-Łukasz" -> "ZO"; never more than the initials."""
    return "".join(part[0].upper() for part in full_name.split() if part[:1].isalpha())[:3]


def session_title(session):
    course = session.course
    return f"{initials(course.patient.full_name)} · IPT session {session.number} of {course.planned_sessions}"


def followup_title(followup):
    if followup.kind == FollowUp.Kind.BOOSTER:
        what = "IPT booster session"
    elif followup.maintenance.is_maintenance_ipt:
        what = "IPT maintenance session"
    else:
        what = "IPT follow-up"
    return f"{initials(followup.maintenance.course.patient.full_name)} · {what}"


def planned_sessions(user, now):
    return (
        Session.objects.filter(
            course__patient__therapist=user,
            course__phase__in=Phase.active(),
            status=Session.Status.PLANNED,
            scheduled_for__gte=now - timedelta(days=PAST_DAYS),
        )
        .select_related("course__patient")
        .order_by("scheduled_for", "pk")
    )


def due_followups(user, today):
    return (
        FollowUp.objects.filter(
            maintenance__course__patient__therapist=user,
            status=FollowUp.Status.DUE,
            due_on__gte=today - timedelta(days=PAST_DAYS),
        )
        .select_related("maintenance__course__patient")
        .order_by("due_on", "pk")
    )


def build(user, *, base_url, now=None):
    """The feed as bytes (text/calendar)."""
    now = now or timezone.now()
    tz = ZoneInfo(settings.TIME_ZONE)
    stamp = now.astimezone(UTC)
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//{settings.CLINIC_NAME}//IPT//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"IPT · {user.get_full_name() or user.username}")
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    minutes = timedelta(minutes=settings.CALENDAR_SESSION_MINUTES)
    for session in planned_sessions(user, now):
        start = session.scheduled_for.astimezone(tz)
        event = icalendar.Event()
        event.add("uid", f"session-{session.pk}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        event.add("dtend", start + minutes)
        event.add("summary", session_title(session))
        event.add("url", base_url + session.get_absolute_url())
        event.add("description", f"Open in IPT: {base_url}{session.get_absolute_url()}")
        event.add("transp", "OPAQUE")
        cal.add_component(event)
    for followup in due_followups(user, timezone.localdate(now)):
        event = icalendar.Event()
        event.add("uid", f"followup-{followup.pk}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", followup.due_on)  # a day, not an hour: it is due that day
        event.add("dtend", followup.due_on + timedelta(days=1))
        event.add("summary", followup_title(followup))
        url = base_url + followup.maintenance.course.get_absolute_url()
        event.add("url", url)
        event.add("description", f"Open in IPT: {url}")
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
