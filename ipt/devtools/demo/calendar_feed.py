"""The therapist's calendar feed, in the demo: Sam Reyes has one (his planned sessions and
Sofia Marin's follow-ups). Only its hash is stored, so its address is printed once, by the
seed_demo run that makes it; "Calendar" in the header makes a new one at any time."""

from django.urls import reverse

from ipt.accounts.models import User
from sessions_app.calendarfeed.models import CalendarFeed


def seed(created):
    therapist = User.objects.filter(username="therapist").first()
    if therapist is None or CalendarFeed.objects.filter(user=therapist).exists():
        return
    _, token = CalendarFeed.create_for(therapist)
    path = reverse("sessions_app:calendar_feed", args=[token])
    created.append(f"a calendar feed for Sam Reyes ({path})")
