"""A therapist starts IPT-A for a 15-year-old, adds her mother, records the consent and a
parent session, and finds it in the session list: links, buttons and labels only."""

import re
from datetime import date

from django.utils import timezone
from playwright.sync_api import expect

from ipt.models import ParentCarer
from sessions_app.models import ParentSession
from tests.factories import PatientFactory, TherapistFactory


def label(text):
    return re.compile(rf"^{re.escape(text)}")


def test_ipt_a_with_a_parent_and_a_parent_session(live_server, page, login):
    therapist = TherapistFactory(username="ipta")
    today = timezone.localdate()
    adult = PatientFactory(
        therapist=therapist, full_name="Adam Older", date_of_birth=date(1990, 1, 1)
    )
    teen = PatientFactory(
        therapist=therapist, full_name="Jess Taylor", date_of_birth=date(today.year - 15, 1, 1)
    )
    login("ipta")

    # An adult cannot start IPT-A: the message is beside the choice, the choice kept.
    page.goto(f"{live_server.url}{adult.get_absolute_url()}")
    page.get_by_role("button", name="Start an IPT course").click()
    page.get_by_role("radio", name="IPT for adolescents (IPT-A)").check()
    page.get_by_label(label("Sessions in the initial phase")).fill("4")
    page.get_by_role("button", name="Start the course").click()
    expect(page.locator("#id_variant_error")).to_contain_text("aged 12 to 18")
    expect(page.get_by_role("radio", name="IPT for adolescents (IPT-A)")).to_be_checked()

    page.goto(f"{live_server.url}{teen.get_absolute_url()}")
    page.get_by_role("button", name="Start an IPT course").click()
    page.get_by_role("radio", name="IPT for adolescents (IPT-A)").check()
    page.get_by_label(label("Sessions in the initial phase")).fill("4")
    page.get_by_role("button", name="Start the course").click()
    expect(page.get_by_text("The course has started in the initial phase")).to_be_visible()

    # The course page leads to the parents and carers.
    parents = page.get_by_role("region", name="Parents and carers")
    expect(parents).to_contain_text("No parent or carer recorded yet.")
    parents.get_by_role("link", name="Parents and carers").click()
    page.get_by_label(label("Name")).fill("Claire Taylor")
    page.get_by_label(label("Relationship to the adolescent")).fill("mother")
    page.get_by_label(label("Phone")).fill("07700 900321")
    page.get_by_role("button", name="Add the parent or carer").click()
    expect(page.get_by_text("Claire Taylor added.")).to_be_visible()
    expect(page.get_by_role("article")).to_contain_text("Consent")

    page.get_by_role("link", name="Record consent").click()
    page.get_by_label("Agrees to take part in sessions").check()
    page.get_by_label("The adolescent agrees to this parent's or carer's involvement").check()
    page.get_by_label(label("What was agreed about confidentiality")).fill(
        "What Jess says alone stays private, except a risk to her safety."
    )
    page.get_by_role("button", name="Record the consent").click()
    expect(page.get_by_text("Consent recorded for Claire Taylor.")).to_be_visible()
    expect(page.get_by_role("article")).to_contain_text("May take part in sessions")

    page.get_by_role("link", name="Record a parent session").first.click()
    page.get_by_label(label("Date")).fill(today.isoformat())
    page.get_by_role("radio", name="Joint: the parent or carer with the adolescent").check()
    page.get_by_label(label("Focus"), exact=False).first.select_option("sick_role")
    page.get_by_label(label("Notes")).fill("Talked through depression as an illness.")
    page.get_by_label(label("What was agreed")).fill("Claire eases the chores for four weeks.")
    page.get_by_role("button", name="Record the parent session").click()
    expect(page.get_by_text("Joint session with Claire Taylor recorded.")).to_be_visible()
    page.get_by_role("button", name="Finalise the parent session").click()
    expect(page.get_by_text("is finalised")).to_be_visible()

    page.get_by_role("link", name="Back to the sessions").click()
    expect(page.get_by_role("heading", name="Sessions", exact=True)).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Joint session with Claire Taylor"))
    expect(row).to_contain_text("finalised")

    parent = ParentCarer.objects.get(course__patient=teen)
    assert parent.may_attend and parent.consent_given_by == "Claire Taylor"
    record = ParentSession.objects.get(parent=parent)
    assert record.kind == "joint" and record.is_finalised
