"""The second factor: required whenever DEBUG is off (MFA_REQUIRED), enrolment at the first
sign-in, a TOTP code or a single-use recovery code after the password."""

import re
import time

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import TherapistFactory


@pytest.fixture
def required(settings):
    settings.MFA_REQUIRED = True


def _code(device, steps_later=0):
    """The code the app shows now, or `steps_later` steps on (a code is used only once)."""
    clock = TOTP(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    clock.time = time.time() + steps_later * device.step
    return f"{clock.token():06d}"


def _unthrottle(device):
    """A wrong code makes the device wait before the next try; the test does not wait."""
    TOTPDevice.objects.filter(pk=device.pk).update(throttling_failure_count=0)


def _login(client, user):
    client.force_login(user)
    return client


def _enrol(client):
    client.get(reverse("mfa_setup"))
    device = TOTPDevice.objects.get()
    response = client.post(reverse("mfa_setup"), {"code": _code(device), "next": "/patients/"})
    assert response.status_code == 200
    codes = re.findall(r"<code>([0-9a-f]{10})</code>", response.text)
    assert len(codes) == 10
    return device, codes


def test_without_a_second_factor_every_page_leads_to_enrolment(db, client, required):
    _login(client, TherapistFactory())
    response = client.get(reverse("patients:caseload"))
    assert response.status_code == 302
    assert response.url == reverse("mfa_setup") + "?next=/patients/"
    page = client.get(response.url).text
    assert "Set up your sign-in code" in page and "<svg" in page


def test_an_htmx_request_without_the_second_factor_answers_401(db, client, required):
    _login(client, TherapistFactory())
    response = client.get(reverse("patients:caseload"), headers={"HX-Request": "true"})
    assert response.status_code == 401


def test_enrolment_takes_a_current_code_and_gives_recovery_codes(db, client, required):
    _login(client, TherapistFactory())
    client.get(reverse("mfa_setup"))
    device = TOTPDevice.objects.get()
    wrong = client.post(reverse("mfa_setup"), {"code": "000000"})
    assert "That code does not match" in wrong.text
    assert not TOTPDevice.objects.get().confirmed
    _unthrottle(device)
    device, _ = _enrol(client)
    assert TOTPDevice.objects.get().confirmed
    assert client.get(reverse("patients:caseload")).status_code == 200


def test_the_next_sign_in_asks_for_the_code(db, client, required):
    user = TherapistFactory()
    _login(client, user)
    device, _ = _enrol(client)
    client.logout()
    _login(client, user)
    response = client.get(reverse("patients:caseload"))
    assert response.url == reverse("mfa_verify") + "?next=/patients/"
    refused = client.post(reverse("mfa_verify"), {"code": "123", "next": "/patients/"})
    assert "That code does not match" in refused.text
    _unthrottle(device)
    accepted = client.post(
        reverse("mfa_verify"), {"code": _code(device, steps_later=1), "next": "/patients/"}
    )
    assert accepted.url == "/patients/"
    assert client.get(reverse("patients:caseload")).status_code == 200


def test_a_recovery_code_works_once(db, client, required):
    user = TherapistFactory()
    _login(client, user)
    _, codes = _enrol(client)
    client.logout()
    _login(client, user)
    assert client.post(reverse("mfa_verify"), {"code": codes[0]}).status_code == 302
    client.logout()
    _login(client, user)
    again = client.post(reverse("mfa_verify"), {"code": codes[0]})
    assert again.status_code == 200 and "That code does not match" in again.text


def test_next_never_leaves_the_site(db, client, required):
    user = TherapistFactory()
    _login(client, user)
    device, _ = _enrol(client)
    client.logout()
    _login(client, user)
    response = client.post(
        reverse("mfa_verify"), {"code": _code(device, 1), "next": "https://evil.example/"}
    )
    assert response.url == reverse("home")


def test_in_debug_the_demo_signs_in_with_the_password_alone(db, client, settings):
    settings.MFA_REQUIRED = False
    _login(client, TherapistFactory())
    assert client.get(reverse("patients:caseload")).status_code == 200
    assert "Set up a sign-in code" in client.get(reverse("mfa_security")).text


def test_production_settings_require_the_second_factor(monkeypatch):
    import importlib

    import ipt.settings as production

    monkeypatch.setenv("DEBUG", "0")
    monkeypatch.setenv("SECRET_KEY", "x" * 60)
    monkeypatch.setenv("ALLOWED_HOSTS", "ipt.example")
    monkeypatch.delenv("MFA_REQUIRED", raising=False)
    try:
        assert importlib.reload(production).MFA_REQUIRED is True
    finally:
        monkeypatch.undo()
        importlib.reload(production)
