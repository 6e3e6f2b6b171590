"""The therapist's calendar feed: a secret address, revocable, read without a login, that
shows session times with initials only."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from ipt.termination.models import FollowUp, MaintenanceContract
from sessions_app.calendarfeed.ics import initials
from sessions_app.calendarfeed.models import CalendarFeed, hash_token
from sessions_app.models import Session
from tests.factories import CourseFactory, DiagnosisFactory, PatientFactory, SessionFactory

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def booked(owner):
    """A course with a planned session in summer time and one in winter time, a held one, a
    cancelled one, and a closed course with a booster session due."""
    patient = PatientFactory(therapist=owner, full_name="Daniel Moreno", preferred_name="Dan")
    course = CourseFactory(patient=patient, planned_sessions=16)
    DiagnosisFactory(course=course)
    year = timezone.localdate().year + 1
    summer = SessionFactory(
        course=course, number=7, status=Session.Status.PLANNED,
        scheduled_for=datetime(year, 7, 6, 9, 30, tzinfo=LONDON),
    )  # fmt: skip
    winter = SessionFactory(
        course=course, number=8, status=Session.Status.PLANNED,
        scheduled_for=datetime(year, 12, 7, 14, 0, tzinfo=LONDON),
    )  # fmt: skip
    SessionFactory(course=course, number=1, status=Session.Status.HELD)
    SessionFactory(
        course=course, number=9, status=Session.Status.CANCELLED,
        scheduled_for=datetime(year, 12, 14, 14, 0, tzinfo=LONDON),
    )  # fmt: skip
    closed = CourseFactory(
        patient=PatientFactory(therapist=owner, full_name="Sofia Marin"), phase="completed"
    )
    maintenance = MaintenanceContract.objects.create(course=closed, agreed_on=date(year - 1, 12, 1))
    booster = FollowUp.objects.create(
        maintenance=maintenance, kind=FollowUp.Kind.BOOSTER, due_on=date(year, 3, 2)
    )
    FollowUp.objects.create(
        maintenance=maintenance, due_on=date(year, 4, 2), status=FollowUp.Status.HELD,
        held_on=date(year, 4, 2),
    )  # fmt: skip
    return {"summer": summer, "winter": winter, "booster": booster, "year": year}


def _events(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    return {str(e["uid"]): e for e in cal.walk("VEVENT")}, cal


def test_initials_only():
    assert initials("Daniel Moreno") == "DM"
    assert initials("Zoë O'Brien-Łukasz") == "ZO"
    assert initials("  ") == ""


def test_the_feed_parses_with_times_titles_and_no_clinical_text(client, client_for, owner, booked):
    _, token = CalendarFeed.create_for(owner)
    client.logout()  # no login: the token is the key
    events, cal = _events(client.get(reverse("sessions_app:calendar_feed", args=[token])))

    summer, winter = booked["summer"], booked["winter"]
    assert set(events) == {
        f"session-{summer.pk}@ipt.calendar",
        f"session-{winter.pk}@ipt.calendar",
        f"followup-{booked['booster'].pk}@ipt.calendar",
    }  # held and cancelled sessions, and the follow-up already held, are not in it
    first = events[f"session-{summer.pk}@ipt.calendar"]
    assert str(first["summary"]) == "DM · IPT session 7 of 16"
    start = first.decoded("dtstart")
    assert start == datetime(booked["year"], 7, 6, 9, 30, tzinfo=LONDON)
    assert start.utcoffset() == timedelta(hours=1)  # summer time, kept as Europe/London
    assert first["dtstart"].params["TZID"] == "Europe/London"
    assert first.decoded("dtend") - start == timedelta(minutes=50)
    winter_start = events[f"session-{winter.pk}@ipt.calendar"].decoded("dtstart")
    assert winter_start.utcoffset() == timedelta(0)
    assert [tz["tzid"] for tz in cal.walk("VTIMEZONE")] == ["Europe/London"]
    booster = events[f"followup-{booked['booster'].pk}@ipt.calendar"]
    assert str(booster["summary"]) == "SM · IPT booster session"
    assert booster.decoded("dtstart") == date(booked["year"], 3, 2)

    text = response_text = client.get(
        reverse("sessions_app:calendar_feed", args=[token])
    ).content.decode()
    for secret in ("Daniel", "Moreno", "Dan ", "Sofia", "Marin", "depress", "MDD", "Major"):
        assert secret.lower() not in text.lower(), secret
    assert response_text.count("BEGIN:VEVENT") == 3


def test_uids_stay_when_a_session_is_rescheduled(client, owner, booked):
    _, token = CalendarFeed.create_for(owner)
    url = reverse("sessions_app:calendar_feed", args=[token])
    before, _ = _events(client.get(url))
    session = booked["winter"]
    session.reschedule(session.scheduled_for + timedelta(days=1))
    after, _ = _events(client.get(url))
    assert set(after) == set(before)
    uid = f"session-{session.pk}@ipt.calendar"
    assert after[uid].decoded("dtstart") - before[uid].decoded("dtstart") == timedelta(days=1)


def test_another_therapists_sessions_are_not_in_it(client, owner, colleague, booked):
    _, token = CalendarFeed.create_for(colleague)
    events, _ = _events(client.get(reverse("sessions_app:calendar_feed", args=[token])))
    assert events == {}


def test_wrong_replaced_and_revoked_tokens_reveal_nothing(client, owner, booked):
    feed, old = CalendarFeed.create_for(owner)
    assert feed.token_hash == hash_token(old) and old not in feed.token_hash
    _, new = CalendarFeed.create_for(owner)
    assert CalendarFeed.objects.filter(user=owner, revoked_at__isnull=True).count() == 1
    answers = [
        client.get(reverse("sessions_app:calendar_feed", args=[t]))
        for t in (old, "not-a-token", new[:-1] + ("A" if new[-1] != "A" else "B"))
    ]
    assert {r.status_code for r in answers} == {404}
    assert {r.content for r in answers} == {b"Not found."}
    assert client.get(reverse("sessions_app:calendar_feed", args=[new])).status_code == 200
    assert CalendarFeed.revoke_for(owner) is True
    assert client.get(reverse("sessions_app:calendar_feed", args=[new])).status_code == 404


def test_the_feed_is_rate_limited(client, owner, settings):
    settings.CALENDAR_RATE_PER_FEED = (3, 600)
    _, token = CalendarFeed.create_for(owner)
    url = reverse("sessions_app:calendar_feed", args=[token])
    assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_unknown_tokens_are_limited_per_address(db, client, settings):
    settings.QUESTIONNAIRE_RATE_UNKNOWN_PER_ADDRESS = (2, 600)
    codes = [
        client.get(reverse("sessions_app:calendar_feed", args=[f"guess{n}"])).status_code
        for n in range(4)
    ]
    assert codes == [404, 404, 429, 429]


def test_the_page_makes_shows_once_and_revokes(client_for, owner):
    client = client_for(owner)
    page = client.get(reverse("sessions_app:calendar"))
    assert b"no calendar address yet" in page.content
    made = client.post(reverse("sessions_app:calendar_new"))
    feed = CalendarFeed.live_for(owner)
    url = made.context["url"]
    assert hash_token(url.rsplit("/", 1)[1].removesuffix(".ics")) == feed.token_hash
    assert url.encode() in made.content
    again = client.get(reverse("sessions_app:calendar"))
    assert url.encode() not in again.content and b"cannot be shown again" in again.content
    client.post(reverse("sessions_app:calendar_revoke"))
    assert CalendarFeed.live_for(owner) is None


def test_only_therapists_have_a_feed(client_for, supervisor):
    client = client_for(supervisor)
    assert client.get(reverse("sessions_app:calendar")).status_code == 403
    assert client.post(reverse("sessions_app:calendar_new")).status_code == 403
    assert not CalendarFeed.objects.exists()
