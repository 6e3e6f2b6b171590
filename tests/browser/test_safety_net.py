"""The safety net in a browser: a course cannot end over an unassessed PHQ-9 item 9.

The course is set up with the factories in the middle phase, four sessions held, and a PHQ-9
two days ago whose item 9 scored 2, with no risk assessment. From there only what is on the
page is used. The therapist tries to end the course early, is refused with the score and its
date, follows the banner to document the assessment (a high risk needs a safety plan and the
actions taken), is brought back to the early ending, and then records it.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from ipt.models import Phase, RiskAssessment, TreatmentCourse
from sessions_app.models import Session
from tests.factories import (
    CourseFactory,
    MeasureFactory,
    PatientFactory,
    SessionFactory,
    TherapistFactory,
)

PATIENT = "Amira Haddad"
THERAPIST = "safetynet"
FINDINGS = "Thinks of taking an overdose most nights since the move; has saved tablets."
ASKED = "Thoughts of death, plans, intent, means, past attempts."
PROTECTIVE = "Her daughter; her sister Leila visits daily."
SAFETY_PLAN = "Tablets handed to Leila today; crisis line number in her phone; stay with Leila."
ACTIONS = "Crisis team referral made; GP asked to review this week."


def label(text):
    """A field's label, which may end in "(required)"."""
    return re.compile("^" + re.escape(text))


def day(d):
    return f"{d.day} {d:%b %Y}"


@pytest.fixture
def course(db):
    today = timezone.localdate()
    start = today - timedelta(weeks=4)
    therapist = TherapistFactory(username=THERAPIST)
    course = CourseFactory(
        patient=PatientFactory(therapist=therapist, full_name=PATIENT),
        phase=Phase.MIDDLE,
        start_date=start,
    )
    MeasureFactory(course=course, taken_on=start - timedelta(days=1))  # baseline, item 9 at 0
    for number in range(1, 5):
        SessionFactory(course=course, number=number, status=Session.Status.HELD)
    MeasureFactory(
        course=course, answers=(2, 2, 2, 2, 1, 2, 1, 1, 2), taken_on=today - timedelta(days=2)
    )
    return course


def messages(page):
    return page.get_by_role("region", name="Messages")


def current_phase(page):
    return page.get_by_role("list", name="Phases of the course").locator("[aria-current=step]")


def end_early(page, note):
    page.get_by_role("group", name=label("Why is the course ending?")).get_by_role(
        "radio", name="Dropped out"
    ).check()
    expect(page.get_by_label(label("Date it ended"))).to_have_value(
        timezone.localdate().isoformat()
    )
    page.get_by_label(label("What happened")).fill(note)
    page.get_by_role("button", name="Record the early ending").click()


def test_an_early_ending_waits_for_the_risk_assessment(live_server, page, login, course):
    scored_on = day(timezone.localdate() - timedelta(days=2))
    refusal = f"PHQ-9 item 9 scored 2 on {scored_on}: a suicide-risk assessment must be documented."

    login(THERAPIST)
    expect(page.get_by_role("heading", name=re.compile(r"^Today, "))).to_be_visible()
    page.get_by_role("link", name="My caseload").first.click()
    page.get_by_role("link", name=PATIENT).click()
    page.get_by_role("link", name=f"Individual IPT from {course.start_date:%-d %b %Y}").click()
    expect(page.get_by_role("heading", name=PATIENT, level=1)).to_be_visible()

    # 1. The ending is refused, with the score and its date; the course stays active.
    page.get_by_role("button", name="End course early").click()
    expect(page.get_by_role("heading", name="End the course early", level=1)).to_be_visible()
    end_early(page, "Stopped coming after moving in with her sister.")
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text(refusal)
    expect(current_phase(page)).to_contain_text("Middle phase")
    expect(page.get_by_label(label("What happened"))).to_have_value(
        "Stopped coming after moving in with her sister."
    )
    banner = page.locator("#risk-banner")
    expect(banner).to_contain_text(
        f"Suicide risk: PHQ-9 item 9 scored 2 on {scored_on} and no risk assessment answers it yet."
    )
    page.screenshot(path="/tmp/safety-refusal.png", full_page=True)
    refused_at = page.url
    assert TreatmentCourse.objects.get(pk=course.pk).phase == Phase.MIDDLE

    # 2. The banner leads to the assessment, prompted by that score.
    banner.get_by_role("link", name="Document the risk assessment now").click()
    expect(page.get_by_role("heading", name="Suicide-risk assessment", level=1)).to_be_visible()
    expect(page.get_by_text(f"Prompted by: PHQ-9 item 9 scored 2 on {scored_on}.")).to_be_visible()
    expect(page.get_by_label(label("Assessed on"))).to_have_value(timezone.localdate().isoformat())
    page.get_by_label(label("What was asked")).fill(ASKED)
    page.get_by_label(label("What was found")).fill(FINDINGS)
    page.get_by_label(label("Protective factors")).fill(PROTECTIVE)
    level = page.get_by_role("group", name=label("Level of risk"))
    level.get_by_role("radio", name="High", exact=True).check()
    page.get_by_role("button", name="Record the assessment").click()

    # 3. High risk without a safety plan and actions: refused, each error by its field, the
    #    typed text kept.
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#id_safety_plan_error")).to_have_text(
        "Error: A high or imminent risk needs a safety plan."
    )
    expect(page.locator("#id_actions_taken_error")).to_have_text(
        "Error: A high or imminent risk needs the actions taken."
    )
    expect(page.get_by_label(label("What was found"))).to_have_value(FINDINGS)
    expect(page.get_by_label(label("What was asked"))).to_have_value(ASKED)
    expect(page.get_by_label(label("Protective factors"))).to_have_value(PROTECTIVE)
    expect(level.get_by_role("radio", name="High", exact=True)).to_be_checked()
    page.locator("#id_safety_plan").scroll_into_view_if_needed()
    page.screenshot(path="/tmp/safety-risk-form.png", full_page=True)
    assert not RiskAssessment.objects.exists()

    page.get_by_label(label("Safety plan")).fill(SAFETY_PLAN)
    page.get_by_label(label("Actions taken")).fill(ACTIONS)
    page.get_by_label(label("Who was informed")).fill("GP; supervisor; Leila, with consent.")
    review_on = timezone.localdate() + timedelta(days=7)
    page.get_by_label(label("Review by")).fill(review_on.isoformat())
    page.get_by_role("button", name="Record the assessment").click()

    # 4. Back where the therapist was, the signal answered, the high risk still in sight.
    expect(messages(page)).to_contain_text("Risk assessment recorded.")
    assert page.url == refused_at
    expect(page.get_by_role("heading", name="End the course early", level=1)).to_be_visible()
    banner = page.locator("#risk-banner")
    expect(banner).not_to_contain_text("no risk assessment answers it yet")
    expect(banner).to_contain_text(
        f"Current risk: high, assessed on {day(timezone.localdate())}, review by {day(review_on)}."
    )

    # 5. Now the early ending is recorded.
    end_early(page, "Stopped coming after moving in with her sister; crisis team involved.")
    expect(messages(page)).to_contain_text("The early ending has been recorded.")
    expect(page.get_by_role("heading", name=PATIENT, level=1)).to_be_visible()
    expect(current_phase(page)).to_contain_text("Ended early: dropped out")
    expect(page.locator("#risk-banner")).to_contain_text("Current risk: high")

    course.refresh_from_db()
    assert course.phase == Phase.ENDED_EARLY
    assessment = RiskAssessment.objects.get(course=course)
    assert (assessment.level, assessment.reason, assessment.measure.item9) == (
        RiskAssessment.Level.HIGH,
        RiskAssessment.Reason.PHQ9_ITEM9,
        2,
    )
    assert assessment.safety_plan == SAFETY_PLAN
