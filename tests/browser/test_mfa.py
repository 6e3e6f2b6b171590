"""The production sign-in, by keyboard and screen: password, then enrolment with an
authenticator app, recovery codes, and the code prompt at the next sign-in."""

import base64
import re
import time

from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.factories import TherapistFactory


def _code(secret, steps_later=0):
    clock = TOTP(base64.b32decode(secret))
    clock.time = time.time() + steps_later * 30
    return f"{clock.token():06d}"


def test_a_therapist_enrols_at_first_sign_in_and_is_asked_for_the_code_next_time(
    live_server, page, login, settings
):
    settings.MFA_REQUIRED = True
    TherapistFactory(username="enrols", first_name="Ada", last_name="Kaur")
    login("enrols")
    expect(page.get_by_role("heading", name="Set up your sign-in code")).to_be_visible()
    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = page.locator(".mfa-secret").inner_text()

    page.get_by_label(re.compile("^Code")).fill("000000")
    page.get_by_role("button", name="Confirm the code").click()
    expect(page.locator("#error-summary")).to_contain_text("That code does not match")
    time.sleep(1.1)  # a wrong code makes the device wait a second before the next try
    page.get_by_label(re.compile("^Code")).fill(_code(secret))
    page.get_by_role("button", name="Confirm the code").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    expect(page.locator(".mfa-codes li")).to_have_count(10)
    page.get_by_role("button", name="I have kept them: continue").click()
    expect(page.get_by_role("heading", name=re.compile(r"^Today, "))).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    login("enrols")
    expect(page.get_by_role("heading", name="Enter your sign-in code")).to_be_visible()
    page.get_by_label(re.compile("^Code")).fill(_code(secret, steps_later=1))
    page.get_by_label(re.compile("^Code")).press("Enter")
    expect(page.get_by_role("heading", name=re.compile(r"^Today, "))).to_be_visible()
