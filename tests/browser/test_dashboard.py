"""The supervisor's caseload review in a real browser: htmx filters, and the same without JS."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import (
    CourseFactory,
    MeasureFactory,
    PatientFactory,
    SupervisorFactory,
    TherapistFactory,
)


@pytest.fixture
def caseload(transactional_db):
    # Import the URLconf (and every view module) now: on a busy machine the live server's
    # first request would otherwise spend most of the login page's timeout importing.
    reverse("dashboard")
    supervisor = SupervisorFactory(username="helen")
    sam = TherapistFactory(first_name="Sam", last_name="Reyes", supervisor=supervisor)
    priya = TherapistFactory(first_name="Priya", last_name="Natarajan", supervisor=supervisor)
    started = timezone.localdate() - timedelta(days=3)

    def course(therapist, name):
        return CourseFactory(
            patient=PatientFactory(therapist=therapist, full_name=name), start_date=started
        )

    risky = course(sam, "Alice Risk")
    MeasureFactory(course=risky, answers=(2, 2, 2, 2, 1, 2, 1, 1, 1), taken_on=started)
    course(sam, "Bob Steady")
    course(priya, "Cleo Other")
    return {"sam": sam, "priya": priya}


def table(page):
    return page.locator("table.caseload-table tbody")


def settled(page):
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


def test_supervisor_filters_by_flag_and_therapist_with_htmx(live_server, page, login, caseload):
    login("helen")
    expect(page.get_by_role("heading", name="Caseload review")).to_be_visible()
    expect(table(page).get_by_role("row")).to_have_count(3)
    # htmx binds the filters once the page has loaded (on a busy machine, after the heading
    # shows); a change before that is a plain form's, sent with its button.
    page.wait_for_load_state("load")
    settled(page)
    # A marker on the window survives only if the page is never reloaded.
    page.evaluate("window.notReloaded = true")

    page.get_by_label("Flag").select_option("risk")
    expect(page).to_have_url(re.compile(r"/supervision/\?.*flag=risk"))
    expect(table(page).get_by_role("row")).to_have_count(1)
    expect(table(page)).to_contain_text("Alice Risk")
    expect(page.get_by_label("Flag")).to_have_value("risk")
    settled(page)

    page.get_by_label("Flag").select_option("")
    expect(table(page).get_by_role("row")).to_have_count(3)
    settled(page)  # the new form listens once htmx has settled the swap
    page.get_by_label("Therapist").select_option(label="Priya Natarajan")
    expect(page).to_have_url(re.compile(rf"therapist={caseload['priya'].pk}"))
    expect(table(page).get_by_role("row")).to_have_count(1)
    expect(table(page)).to_contain_text("Cleo Other")

    # Sorting from a column header keeps the therapist filter.
    page.get_by_label("Therapist").select_option("")
    expect(table(page).get_by_role("row")).to_have_count(3)
    settled(page)
    page.get_by_role("link", name="Patient", exact=True).click()
    expect(page).to_have_url(re.compile(r"sort=patient"))
    expect(table(page).get_by_role("row").first).to_contain_text("Alice Risk")
    page.get_by_role("link", name=re.compile(r"^Patient")).click()
    expect(page).to_have_url(re.compile(r"sort=-patient"))
    expect(table(page).get_by_role("row").first).to_contain_text("Cleo Other")

    assert page.evaluate("window.notReloaded") is True

    # Back restores the earlier filter.
    page.go_back()
    expect(page).to_have_url(re.compile(r"sort=patient$"))


def test_filters_and_totals_work_without_javascript(live_server, browser, caseload):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(8000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("helen")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Caseload review")).to_be_visible()

    page.get_by_label("Therapist").select_option(label="Sam Reyes")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(rf"therapist={caseload['sam'].pk}"))
    expect(table(page).get_by_role("row")).to_have_count(2)

    page.get_by_role("link", name=re.compile(r"1\s+at risk")).click()
    expect(page).to_have_url(re.compile(r"flag=risk"))
    expect(table(page).get_by_role("row")).to_have_count(1)
    expect(table(page)).to_contain_text("Alice Risk")
    expect(page.get_by_label("Flag")).to_have_value("risk")

    page.get_by_role("link", name="Clear filters").click()
    expect(table(page).get_by_role("row")).to_have_count(3)
    context.close()
