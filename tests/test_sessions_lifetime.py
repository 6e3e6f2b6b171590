"""A login's lifetime: the absolute limit from the sign-in, the idle warning's renewal, and no
password reset by email."""

import time

from django.urls import reverse

from ipt.accounts.sessions import SIGNED_IN_AT


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
