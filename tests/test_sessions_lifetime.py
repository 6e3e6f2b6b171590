"""A login's lifetime: the absolute limit from the sign-in, the idle warning's renewal, and no
password reset by email."""

import time

from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from ipt.accounts.models import AuthEvent, SignIn
from ipt.accounts.sessions import RENEWED_AT, SIGNED_IN_AT


def _sign_in(client, user):
    client.post(reverse("login"), {"username": user.username, "password": "correct horse battery"})


def test_a_login_ends_at_the_absolute_limit_however_active(client, owner, settings):
    settings.SESSION_ABSOLUTE_SECONDS = 3600
    _sign_in(client, owner)
    assert client.get(reverse("patients:caseload")).status_code == 200
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - 3601
    session.save()
    response = client.get(reverse("patients:caseload"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert client.get(reverse("patients:caseload")).status_code == 302  # signed out for good


def test_an_expired_login_answers_htmx_and_autosave_with_401(client, owner, settings):
    settings.SESSION_ABSOLUTE_SECONDS = 3600
    _sign_in(client, owner)
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - 3601
    session.save()
    response = client.get(reverse("patients:caseload"), headers={"HX-Request": "true"})
    assert response.status_code == 401


def _expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_requests_renew_the_idle_time_at_most_once_a_minute(client, owner, settings):
    settings.SESSION_RENEW_SECONDS = 60
    _sign_in(client, owner)
    client.get(reverse("patients:caseload"))
    first = _expiry(client)
    client.get(reverse("patients:caseload"))
    assert _expiry(client) == first  # within the minute: the login row is not written again
    session = client.session
    session[RENEWED_AT] = int(time.time()) - 61
    session.save()
    saved = _expiry(client)
    client.get(reverse("patients:caseload"))
    assert _expiry(client) > saved


def test_an_anonymous_visit_makes_no_login_row(client, db):
    client.get(reverse("login"))
    assert not Session.objects.exists()


def test_stay_signed_in_answers_no_content(client, owner):
    _sign_in(client, owner)
    assert client.post(reverse("stay_signed_in")).status_code == 204
    assert client.get(reverse("stay_signed_in")).status_code == 405


def test_the_page_carries_the_idle_time_for_the_warning(client, owner, settings):
    settings.SESSION_COOKIE_AGE = 1800
    _sign_in(client, owner)
    page = client.get(reverse("patients:caseload")).text
    assert 'data-idle-seconds="1800"' in page and 'id="idle-warning"' in page


def test_there_is_no_password_reset_by_email(db, client):
    assert client.get("/accounts/password_reset/").status_code == 404
    assert "Ask your clinic admin" in client.get(reverse("login")).text


def test_a_user_sees_where_they_are_signed_in_and_ends_another_login(owner, colleague):
    office = Client(HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0; Win64) Firefox/133.0")
    home = Client(HTTP_USER_AGENT="Mozilla/5.0 (Macintosh; Mac OS X 14_5) Version/17.5 Safari/605")
    _sign_in(office, owner)
    _sign_in(home, owner)
    _sign_in(Client(), colleague)
    page = home.get(reverse("mfa_security")).text
    assert "Firefox on Windows" in page and "Safari on macOS" in page and "This browser" in page
    assert page.count("End this login") == 1  # one's own other login; not the colleague's
    office_login = SignIn.objects.get(user=owner, user_agent__contains="Firefox")
    colleagues = SignIn.objects.get(user=colleague)
    # Another user's login is not found; this browser's own login ends with Log out.
    assert home.post(reverse("end_sign_in"), {"sign_in": colleagues.pk}).status_code == 404
    assert home.post(reverse("end_sign_in"), {"sign_in": "x"}).status_code == 404
    this_one = SignIn.objects.get(user=owner, user_agent__contains="Safari")
    home.post(reverse("end_sign_in"), {"sign_in": this_one.pk})
    assert home.get(reverse("patients:caseload")).status_code == 200
    response = home.post(reverse("end_sign_in"), {"sign_in": office_login.pk})
    assert response.status_code == 302
    assert office.get(reverse("patients:caseload")).status_code == 302  # back to the login
    assert not SignIn.objects.filter(pk=office_login.pk).exists()
    assert AuthEvent.objects.filter(user=owner, kind=AuthEvent.Kind.LOGOUT).count() == 1
    assert "Firefox on Windows" not in home.get(reverse("mfa_security")).text


def test_logging_out_removes_the_login_from_the_list(client, owner):
    _sign_in(client, owner)
    assert SignIn.objects.filter(user=owner).count() == 1
    client.post(reverse("logout"))
    assert not SignIn.objects.filter(user=owner).exists()


def test_a_login_that_lapsed_leaves_the_list_at_the_next_sign_in(client, owner):
    _sign_in(Client(), owner)
    lapsed = SignIn.objects.get(user=owner)
    type(Client().session).get_model_class().objects.filter(session_key=lapsed.session_key).delete()
    _sign_in(client, owner)
    assert list(SignIn.objects.filter(user=owner).values_list("session_key", flat=True)) == [
        client.session.session_key
    ]
