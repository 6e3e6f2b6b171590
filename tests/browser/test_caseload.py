import re

from django.core.management import call_command
from playwright.sync_api import expect

from patients.models import Patient


def test_demo_therapist_logs_in_sees_the_caseload_and_adds_a_patient(
    live_server, page, login, settings
):
    settings.DEBUG = True
    call_command("seed_demo")
    login("therapist", "ipt-demo")
    expect(page.get_by_role("heading", name=re.compile(r"^Today, "))).to_be_visible()
    page.get_by_role("link", name="My caseload").first.click()
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    expect(page.get_by_role("link", name="Daniel Moreno")).to_be_visible()
    expect(page.get_by_role("link", name="Tom Whitaker")).to_have_count(0)

    page.get_by_role("button", name="Add a patient").click()
    page.get_by_label("Full name").fill("Lena Fischer")
    page.get_by_label("Date of birth").fill("1990-03-14")
    page.get_by_role("button", name="Add patient").click()
    # Missing required fields: explained, and what was typed is still there.
    expect(page.get_by_role("alert")).to_contain_text("Please check")
    expect(page.get_by_label("Full name")).to_have_value("Lena Fischer")

    page.get_by_label("Phone", exact=True).fill("07700 900111")
    page.get_by_label(re.compile(r"^Emergency contact \(required")).fill("Jonas Fischer")
    page.get_by_label("Emergency contact phone").fill("07700 900112")
    page.get_by_label("Referred by").fill("Dr Patel")
    page.get_by_label("Reason for referral").fill("Low mood after moving for a new job.")
    page.get_by_role("button", name="Add patient").click()

    expect(page.get_by_role("heading", name="Lena Fischer")).to_be_visible()
    expect(page.get_by_text("has been added to your caseload")).to_be_visible()
    assert Patient.objects.get(full_name="Lena Fischer").therapist.username == "therapist"
