"""After the acute course: relapse-prevention plan and its PDF, maintenance contract, follow-ups."""

import io
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from ipt.models import (
    FollowUp,
    MaintenanceContract,
    MeasureResponse,
    Phase,
    RelapsePreventionPlan,
    RelapseTrigger,
)
from tests.factories import (
    CourseFactory,
    InventoryPersonFactory,
    MeasureFactory,
    PatientFactory,
    ProblemAreaFactory,
)

HTMX = {"HX-Request": "true"}
TODAY = timezone.localdate()
ROW = {
    "trigger": "A row with Maria about money",
    "warning_signs": "Going quiet; lying awake going over it.",
    "coping": "Pick a calm moment and say what I need.",
    "people": "Ana (sister)",
}
# Every answer 0 but item 9: the follow-up PHQ-9 used below totals 1 + the given item 9.
PHQ9_LOW = {f"phq9-item_{n}": "0" for n in range(1, 10)} | {"phq9-item_1": "1"}


@pytest.fixture
def course(patient):
    """A course in its termination phase, with a role dispute and a role transition."""
    course = CourseFactory(
        patient=patient, start_date=TODAY - timedelta(weeks=11), phase=Phase.TERMINATION
    )
    maria = InventoryPersonFactory(course=course, name="Maria", relationship="wife", closeness=1)
    InventoryPersonFactory(course=course, name="Ana", relationship="sister")
    InventoryPersonFactory(course=course, name="Rosa", relationship="mother", deceased=True)
    ProblemAreaFactory(
        course=course,
        area="role_dispute",
        person=maria,
        dispute_stage="impasse",
        from_role="",
        to_role="",
    )
    ProblemAreaFactory(course=course, from_role="warehouse manager", to_role="job seeker")
    return course


@pytest.fixture
def plan(course):
    return RelapsePreventionPlan.objects.create(
        course=course, written_on=TODAY, if_symptoms_return="Book a booster session."
    )


@pytest.fixture
def row(plan):
    return RelapseTrigger.objects.create(plan=plan, **ROW)


@pytest.fixture
def completed(patient):
    """A completed course that ended on 31 August 2025, with its PHQ-9s 18 → 4."""
    course = CourseFactory(
        patient=patient,
        start_date=date(2025, 6, 2),
        phase=Phase.COMPLETED,
        ended_on=date(2025, 8, 31),
    )
    MeasureFactory(course=course, taken_on=date(2025, 6, 2), answers=(2, 2, 2, 2, 2, 2, 2, 2, 2))
    MeasureFactory(course=course, taken_on=date(2025, 8, 25), answers=(1, 1, 1, 1, 0, 0, 0, 0, 0))
    return course


@pytest.fixture
def therapist(client_for, owner):
    return client_for(owner)


def url(name, course, *args):
    return reverse(f"course:{name}", args=[course.pk, *args])


def agree(client, course, **changes):
    data = {
        "agreed_on": (course.ended_on or TODAY).isoformat(),
        "interval_months": 3,
        "number_of_followups": 4,
        "booster_sessions": 2,
        "notes": "",
        **changes,
    }
    return client.post(url("maintenance", course), data)


# --- the plan: suggestions, saving, rows in place ----------------------------------------------


def test_empty_plan_suggests_triggers_from_the_problem_areas_without_saving_them(therapist, course):
    html = therapist.get(url("relapse_plan", course)).text
    assert "Start from the focal problem areas" in html
    assert "A row with Maria about …" in html
    assert "Setbacks in the new role as job seeker" in html
    assert "Missing the weekly sessions now that therapy has ended" in html
    assert not RelapsePreventionPlan.objects.exists()
    assert not RelapseTrigger.objects.exists()


def test_choosing_a_suggestion_fills_the_add_form_only(therapist, course):
    area = course.problem_areas.get(area="role_dispute")
    response = therapist.get(
        f"{url('trigger_new', course)}?suggestion=area-{area.pk}", headers=HTMX
    )
    html = response.text
    assert html.lstrip().startswith('<form id="trigger-add"')
    assert 'value="A row with Maria about …"' in html
    assert "autofocus" in html
    assert not RelapseTrigger.objects.exists()
    # Without htmx, the same link gives the whole page with the form filled in.
    page = therapist.get(f"{url('trigger_new', course)}?suggestion=area-{area.pk}").text
    assert "<html" in page and 'value="A row with Maria about …"' in page


def test_people_to_contact_are_suggested_from_the_living_inventory(therapist, course):
    html = therapist.get(url("relapse_plan", course)).text
    assert '<datalist id="inventory-people">' in html
    assert '<option value="Maria (wife)">' in html and '<option value="Ana (sister)">' in html
    assert "Rosa (mother)" not in html


def test_plan_is_saved_with_default_emergency_contacts(therapist, course):
    response = therapist.post(
        url("relapse_plan", course),
        {
            "written_on": TODAY.isoformat(),
            "if_symptoms_return": "Call the clinic for a booster session.",
            "emergency_contacts": RelapsePreventionPlan._meta.get_field(
                "emergency_contacts"
            ).default,
        },
    )
    assert response.status_code == 302
    plan = course.relapse_plan
    assert plan.if_symptoms_return == "Call the clinic for a booster session."
    assert "Samaritans 116 123" in plan.emergency_contacts


def test_plan_form_starts_with_default_text_and_keeps_typing_on_errors(therapist, course):
    html = therapist.get(url("relapse_plan", course)).text
    assert "Samaritans 116 123" in html
    assert "book a booster session" in html
    response = therapist.post(
        url("relapse_plan", course),
        {"written_on": "", "if_symptoms_return": "Ring Ana.", "emergency_contacts": ""},
    )
    assert response.status_code == 200
    assert "Please check" in response.text and "Ring Ana." in response.text
    assert "Give at least one number to call in a crisis" in response.text
    assert not RelapsePreventionPlan.objects.exists()


def test_adding_a_row_with_a_plain_post_starts_the_plan(therapist, course):
    response = therapist.post(url("trigger_new", course), ROW)
    trigger = RelapseTrigger.objects.get()
    assert response.status_code == 302
    assert response.url == f"{url('relapse_plan', course)}#trigger-{trigger.pk}"
    assert trigger.plan.course == course
    assert trigger.plan.written_on == TODAY
    assert "booster session" in trigger.plan.if_symptoms_return


def test_htmx_add_returns_a_fresh_form_and_the_row_out_of_band(therapist, plan):
    response = therapist.post(url("trigger_new", plan.course), ROW, headers=HTMX)
    html = response.text
    trigger = plan.triggers.get()
    assert "<html" not in html
    assert html.lstrip().startswith('<form id="trigger-add"')
    assert 'value="A row with Maria about money"' not in html.split("hx-swap-oob")[0]
    assert '<div hx-swap-oob="beforeend:#triggers">' in html
    assert f'id="trigger-{trigger.pk}"' in html
    assert "Added to the plan: A row with Maria about money." in html
    # Once there is a row, the suggestions fold away (out of band).
    assert 'id="trigger-suggestions" hx-swap-oob="true"' in html
    assert '<details class="suggestions">' in html


def test_rows_are_numbered_in_the_order_added(therapist, row):
    therapist.post(url("trigger_new", row.plan.course), {**ROW, "trigger": "Setbacks at work"})
    assert [t.trigger for t in row.plan.triggers.all()] == [ROW["trigger"], "Setbacks at work"]


def test_invalid_row_comes_back_in_place_with_the_typed_text(therapist, plan):
    response = therapist.post(url("trigger_new", plan.course), {**ROW, "coping": ""}, headers=HTMX)
    html = response.text
    assert html.lstrip().startswith('<form id="trigger-add"')
    assert "Say what the patient can do when the signs appear." in html
    assert "Going quiet; lying awake going over it." in html
    assert not RelapseTrigger.objects.exists()


def test_row_is_edited_in_place(therapist, row):
    course = row.plan.course
    form = therapist.get(url("trigger_edit", course, row.pk), headers=HTMX).text
    assert form.lstrip().startswith(f'<form id="trigger-{row.pk}"')
    assert "autofocus" in form
    response = therapist.post(
        url("trigger_edit", course, row.pk), {**ROW, "people": "Ana, GP"}, headers=HTMX
    )
    assert response.text.lstrip().startswith(f'<article id="trigger-{row.pk}"')
    assert "Saved: A row with Maria about money." in response.text
    row.refresh_from_db()
    assert row.people == "Ana, GP"


def test_cancel_in_place_brings_the_row_back(therapist, row):
    course = row.plan.course
    html = therapist.get(f"{url('relapse_plan', course)}?trigger={row.pk}", headers=HTMX).text
    assert html.lstrip().startswith(f'<article id="trigger-{row.pk}"')


def test_row_is_edited_without_htmx(therapist, row):
    course = row.plan.course
    page = therapist.get(url("trigger_edit", course, row.pk)).text
    assert "<html" in page and "Edit a row of the plan" in page
    response = therapist.post(url("trigger_edit", course, row.pk), {**ROW, "trigger": "Rows"})
    assert response.status_code == 302
    assert response.url.endswith(f"#trigger-{row.pk}")
    row.refresh_from_db()
    assert row.trigger == "Rows"


def test_row_is_removed_in_place_and_the_suggestions_return(therapist, row):
    course = row.plan.course
    response = therapist.post(url("trigger_delete", course, row.pk), headers=HTMX)
    html = response.text
    assert f'id="trigger-{row.pk}"' not in html
    assert "Removed from the plan: A row with Maria about money." in html
    assert "Start from the focal problem areas" in html
    assert not RelapseTrigger.objects.exists()


def test_row_is_removed_with_a_plain_post(therapist, row):
    course = row.plan.course
    response = therapist.post(url("trigger_delete", course, row.pk))
    assert response.status_code == 302
    assert not RelapseTrigger.objects.exists()


def test_row_of_another_patients_plan_is_not_found(therapist, course, owner):
    other = CourseFactory(patient=PatientFactory(therapist=owner), phase=Phase.TERMINATION)
    theirs = RelapseTrigger.objects.create(
        plan=RelapsePreventionPlan.objects.create(
            course=other, written_on=TODAY, if_symptoms_return="x"
        ),
        **ROW,
    )
    assert therapist.get(url("trigger_edit", course, theirs.pk)).status_code == 404
    assert therapist.post(url("trigger_delete", course, theirs.pk)).status_code == 404
    assert RelapseTrigger.objects.filter(pk=theirs.pk).exists()


def test_page_lists_rows_with_edit_buttons_for_the_therapist_only(
    client_for, owner, supervisor, row
):
    course = row.plan.course
    mine = client_for(owner).get(url("relapse_plan", course)).text
    assert "A row with Maria about money" in mine and "Going quiet" in mine
    assert url("trigger_edit", course, row.pk) in mine
    theirs = client_for(supervisor).get(url("relapse_plan", course)).text
    assert "A row with Maria about money" in theirs
    assert url("trigger_edit", course, row.pk) not in theirs
    assert "<fieldset disabled>" in theirs


# --- the patient's PDF -------------------------------------------------------------------------


def pdf_text(response):
    reader = PdfReader(io.BytesIO(response.content))
    return reader, " ".join("\n".join(p.extract_text() for p in reader.pages).split())


def test_patient_pdf_is_warm_and_holds_the_whole_plan(therapist, row):
    course = row.plan.course
    response = therapist.get(url("relapse_plan_pdf", course))
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="relapse-plan-Owner-Case.pdf"' in response["Content-Disposition"]
    reader, text = pdf_text(response)
    assert len(reader.pages) <= 2
    assert "Your plan for staying well" in text
    assert "Dear Pat" in text
    assert "the plan we wrote together" in text
    # No two PHQ-9s to compare: no claim is made about the change.
    assert "You have worked hard" in text and "yours to keep" not in text
    for heading in ("When this happens", "Early warning signs", "What helps", "Who to contact"):
        assert heading in text
    for value in ROW.values():
        assert value in text
    assert "If the symptoms come back" in text and "Book a booster session." in text
    assert "If things get very bad" in text
    assert "Samaritans 116 123, any time" in text  # the defaults, one per line in the callout
    assert "With warm wishes" in text


@pytest.mark.parametrize(
    ("latest", "says", "never_says"),
    [
        ((0,) * 9, "yours to keep", "not lifted"),  # 18 -> 0: improved
        ((2,) * 8 + (0,), "has not lifted as much as we both hoped", "yours to keep"),  # 18 -> 16
    ],
)
def test_the_letter_adapts_to_the_outcome(therapist, row, latest, says, never_says):
    course = row.plan.course
    MeasureFactory(course=course, taken_on=date(2025, 6, 2), answers=(2,) * 9)
    MeasureFactory(course=course, taken_on=date(2025, 8, 25), answers=latest)
    _, text = pdf_text(therapist.get(url("relapse_plan_pdf", course)))
    assert says in text
    assert never_says not in text


def test_pdf_lists_the_follow_ups_still_to_come(therapist, completed, plan):
    course = plan.course
    agree(therapist, course)
    dates = MaintenanceContract(agreed_on=TODAY).schedule(TODAY)
    _, text = pdf_text(therapist.get(url("relapse_plan_pdf", course)))
    assert "Staying in touch" in text
    assert "Coming up: " + ", ".join(f"{d:%B %Y}" for d in dates) + "." in text
    assert "ask for a booster session" in text
    # Those already past are not listed on the patient's copy.
    agree(therapist, completed)
    RelapsePreventionPlan.objects.create(
        course=completed, written_on=date(2025, 8, 25), if_symptoms_return="Call us."
    )
    _, text = pdf_text(therapist.get(url("relapse_plan_pdf", completed)))
    assert "Coming up" not in text and "follow-ups every 3 months" in text


def test_pdf_without_a_plan_explains_on_the_page(client_for, supervisor, course):
    response = client_for(supervisor).get(url("relapse_plan_pdf", course))
    assert response.status_code == 200
    assert "Write the relapse-prevention plan first" in response.text


# --- maintenance contract ----------------------------------------------------------------------


def test_schedule_is_every_three_months_for_a_year_clamped_to_month_end():
    contract = MaintenanceContract(agreed_on=date(2025, 8, 31))
    assert contract.schedule(date(2025, 8, 31)) == [
        date(2025, 11, 30),
        date(2026, 2, 28),
        date(2026, 5, 31),
        date(2026, 8, 31),
    ]


def test_agreeing_the_contract_plans_the_follow_ups_from_the_end_of_the_course(
    therapist, completed
):
    response = agree(therapist, completed, agreed_on="2025-09-15")
    assert response.status_code == 302
    contract = completed.maintenance
    assert (contract.interval_months, contract.number_of_followups) == (3, 4)
    assert [f.due_on for f in contract.followups.all()] == [
        date(2025, 11, 30),
        date(2026, 2, 28),
        date(2026, 5, 31),
        date(2026, 8, 31),
    ]


def test_form_defaults_to_check_ins_for_a_year_at_the_usual_interval(therapist, completed):
    html = therapist.get(url("maintenance", completed)).text
    assert re.search(r'<input[^>]*value="check_ins"[^>]*checked', html)
    assert not re.search(r'<input[^>]*value="maintenance_ipt"[^>]*checked', html)
    interval = re.search(r'<input[^>]*name="interval_months"[^>]*>', html).group(0)
    assert "value=" not in interval
    assert "every month for maintenance IPT, every 3 months for check-ins" in html
    assert 'name="number_of_followups" value="4"' in html


def test_check_ins_with_the_interval_left_empty_are_every_three_months(therapist, completed):
    response = agree(therapist, completed, interval_months="", kind="check_ins")
    assert response.status_code == 302
    assert completed.maintenance.interval_months == 3


def test_follow_ups_are_created_once(therapist, completed):
    agree(therapist, completed)
    agree(therapist, completed, notes="Patient prefers phone follow-ups.")
    assert FollowUp.objects.count() == 4
    assert completed.maintenance.notes == "Patient prefers phone follow-ups."


def test_during_the_termination_phase_follow_ups_count_from_the_agreed_date(therapist, course):
    agree(therapist, course, agreed_on=(TODAY - timedelta(days=1)).isoformat())
    first = course.maintenance.followups.first()
    assert (
        first.due_on == MaintenanceContract(agreed_on=TODAY).schedule(TODAY - timedelta(days=1))[0]
    )


def test_new_interval_re_plans_only_the_follow_ups_still_due(therapist, completed, owner):
    agree(therapist, completed)
    first, *_ = completed.maintenance.followups.all()
    FollowUp.objects.filter(pk=first.pk).update(
        status="held", held_on=date(2025, 12, 3), recorded_by=owner
    )
    response = agree(therapist, completed, interval_months=6)
    assert response.status_code == 302
    followups = list(completed.maintenance.followups.all())
    assert followups[0].pk == first.pk
    assert (followups[0].status, followups[0].held_on) == ("held", date(2025, 12, 3))
    # The three still due now follow the held one every six months.
    assert [f.due_on for f in followups[1:]] == [
        date(2026, 6, 3),
        date(2026, 12, 3),
        date(2027, 6, 3),
    ]
    assert all(f.status == "due" for f in followups[1:])


def test_maintenance_is_refused_for_a_course_ended_early(therapist, patient):
    ended = CourseFactory(
        patient=patient,
        start_date=date(2025, 6, 2),
        phase=Phase.ENDED_EARLY,
        ended_on=date(2025, 7, 1),
        end_reason="drop_out",
    )
    page = therapist.get(url("maintenance", ended))
    assert page.status_code == 200
    assert "The course ended early, so there is no maintenance contract" in page.text
    assert "Agree the contract" not in page.text
    response = agree(therapist, ended, agreed_on="2025-07-01")
    assert response.status_code == 403
    assert not MaintenanceContract.objects.exists()


@pytest.mark.parametrize("phase", [Phase.INITIAL, Phase.MIDDLE])
def test_maintenance_waits_for_the_termination_phase(therapist, course, phase):
    course.phase = phase
    course.save()
    response = agree(therapist, course)
    assert response.status_code == 302
    assert not MaintenanceContract.objects.exists()
    page = therapist.get(response.url).text
    assert "A maintenance contract is agreed in the termination phase" in page


def test_booster_session_is_planned_within_what_the_contract_offers(therapist, completed):
    agree(therapist, completed, booster_sessions=1)
    data = {"form": "booster", "due_on": "2025-10-06", "notes": "Warning signs after a row."}
    response = therapist.post(url("maintenance", completed), data)
    assert response.status_code == 302
    booster = FollowUp.objects.get(kind="booster")
    assert (booster.due_on, booster.notes) == (date(2025, 10, 6), "Warning signs after a row.")
    again = therapist.post(url("maintenance", completed), data, follow=True)
    assert FollowUp.objects.filter(kind="booster").count() == 1
    assert "All 1 booster session in the contract are planned" in again.text


def test_overdue_follow_ups_are_flagged(therapist, completed):
    agree(therapist, completed)  # the first were due in 2025 and early 2026
    html = therapist.get(url("maintenance", completed)).text
    assert 'class="overdue"' in html
    assert "Overdue" in html


# --- follow-ups --------------------------------------------------------------------------------


@pytest.fixture
def due(therapist, completed):
    agree(therapist, completed)
    return completed.maintenance.followups.first()


def test_follow_up_records_its_phq9_and_links_it(therapist, completed, due, owner):
    data = {"status": "held", "held_on": "2025-12-01", "notes": "Well; talks with Maria."}
    response = therapist.post(url("followup", completed, due.pk), data | PHQ9_LOW)
    assert response.status_code == 302
    assert response.url == url("maintenance", completed)
    due.refresh_from_db()
    assert (due.status, due.held_on, due.recorded_by) == ("held", date(2025, 12, 1), owner)
    phq9 = due.phq9
    assert (phq9.instrument_code, phq9.total, phq9.taken_on) == ("phq9", 1, date(2025, 12, 1))
    assert phq9.course == completed


def test_follow_up_shows_the_change_since_the_end_and_since_baseline(therapist, completed, due):
    data = {"status": "held", "held_on": "2025-12-01"} | PHQ9_LOW | {"phq9-item_2": "3"}
    therapist.post(url("followup", completed, due.pk), data)
    html = therapist.get(url("followup", completed, due.pk)).text
    assert "Since the end of the course:" in html and "4 → 4 (0)" in html
    assert "Since baseline:" in html and "18 → 4 (-14)" in html
    assert "Response and remission" in html
    page = therapist.get(url("maintenance", completed)).text
    assert "Held 1 Dec 2025" in page and "4 → 4 (0)" in page


def test_rising_symptoms_at_follow_up_point_to_the_plan(therapist, completed, due):
    answers = {f"phq9-item_{n}": "2" for n in range(1, 9)} | {"phq9-item_9": "0"}
    therapist.post(
        url("followup", completed, due.pk), {"status": "held", "held_on": "2025-12-01"} | answers
    )
    html = therapist.get(url("followup", completed, due.pk)).text
    assert "Symptoms are rising again" in html


def test_item_9_at_follow_up_goes_to_the_risk_assessment(therapist, completed, due):
    data = {"status": "held", "held_on": "2025-12-01"} | PHQ9_LOW | {"phq9-item_9": "1"}
    response = therapist.post(url("followup", completed, due.pk), data)
    due.refresh_from_db()
    assert due.phq9.item9 == 1
    assert response.url == f"{url('risk_new', completed)}?measure={due.phq9.pk}"


def test_follow_up_may_be_held_without_a_phq9_or_missed(therapist, completed, due):
    therapist.post(
        url("followup", completed, due.pk), {"status": "missed", "held_on": "2025-12-01"}
    )
    due.refresh_from_db()
    assert (due.status, due.held_on, due.phq9) == ("missed", None, None)
    assert not MeasureResponse.objects.filter(taken_on__gt=date(2025, 9, 1)).exists()


def test_half_filled_phq9_is_not_recorded(therapist, completed, due):
    data = {"status": "held", "held_on": "2025-12-01", "phq9-item_1": "2", "notes": "Phone call."}
    response = therapist.post(url("followup", completed, due.pk), data)
    assert response.status_code == 200
    assert "Choose a score for this item." in response.text
    assert "Phone call." in response.text
    due.refresh_from_db()
    assert due.status == "due"
    assert MeasureResponse.objects.count() == 2


def test_missed_follow_up_with_a_phq9_is_questioned(therapist, completed, due):
    data = {"status": "missed"} | PHQ9_LOW
    response = therapist.post(url("followup", completed, due.pk), data)
    assert response.status_code == 200
    assert "A PHQ-9 was entered, so the follow-up was held." in response.text
    due.refresh_from_db()
    assert due.status == "due"


def test_follow_up_of_another_course_is_not_found(therapist, completed, due, course):
    assert therapist.get(url("followup", course, due.pk)).status_code == 404


# --- who may write, and when -------------------------------------------------------------------


def test_supervisor_can_read_but_every_post_is_refused(client_for, supervisor, completed, row):
    course = row.plan.course
    client = client_for(supervisor)
    MaintenanceContract.objects.create(course=completed, agreed_on=date(2025, 9, 1))
    visit = FollowUp.objects.create(maintenance=completed.maintenance, due_on=date(2025, 12, 1))
    assert client.get(url("relapse_plan", course)).status_code == 200
    assert client.get(url("maintenance", completed)).status_code == 200
    assert client.get(url("followup", completed, visit.pk)).status_code == 200
    for response in (
        client.post(url("relapse_plan", course), {"written_on": TODAY.isoformat()}),
        client.post(url("trigger_new", course), ROW),
        client.post(url("trigger_edit", course, row.pk), ROW),
        client.post(url("trigger_delete", course, row.pk)),
        client.post(url("maintenance", completed), {"interval_months": 3}),
        client.post(url("followup", completed, visit.pk), {"status": "missed"}),
    ):
        assert response.status_code == 403
    assert RelapseTrigger.objects.count() == 1
    assert FollowUp.objects.get().status == "due"


def test_completed_course_takes_only_maintenance_and_follow_ups(therapist, completed):
    plan = RelapsePreventionPlan.objects.create(
        course=completed, written_on=date(2025, 8, 25), if_symptoms_return="Call us."
    )
    row = RelapseTrigger.objects.create(plan=plan, **ROW)
    refused = [
        therapist.post(url("relapse_plan", completed), {"written_on": "2025-08-25"}),
        therapist.post(url("trigger_new", completed), ROW),
        therapist.get(url("trigger_edit", completed, row.pk)),
        therapist.post(url("trigger_delete", completed, row.pk)),
    ]
    assert [r.status_code for r in refused] == [403] * 4
    assert agree(therapist, completed).status_code == 302
    visit = completed.maintenance.followups.first()
    response = therapist.post(
        url("followup", completed, visit.pk), {"status": "held", "held_on": "2025-12-01"}
    )
    assert response.status_code == 302
    # Read-only plan: no edit buttons, the form is disabled.
    html = therapist.get(url("relapse_plan", completed)).text
    assert url("trigger_edit", completed, row.pk) not in html
    assert "<fieldset disabled>" in html


# --- the course overview -----------------------------------------------------------------------


def test_overview_shows_plan_follow_ups_and_their_phq9(therapist, completed):
    RelapsePreventionPlan.objects.create(
        course=completed, written_on=date(2025, 8, 25), if_symptoms_return="Call us."
    )
    agree(therapist, completed)
    first = completed.maintenance.followups.first()
    therapist.post(
        url("followup", completed, first.pk),
        {"status": "held", "held_on": "2025-12-01"} | PHQ9_LOW,
    )
    html = therapist.get(url("overview", completed)).text
    assert "Staying well after the course" in html
    assert "No triggers mapped yet" in html
    assert url("relapse_plan_pdf", completed) in html
    assert "Held 1 Dec 2025" in html and "PHQ-9 1" in html
    assert "Next due <strong>28 Feb 2026</strong>" in html
    assert "Overdue" in html  # 28 Feb 2026 has passed


def test_overview_has_no_aftercare_box_in_the_middle_phase(therapist, course):
    course.phase = Phase.MIDDLE
    course.save()
    assert "Staying well after the course" not in therapist.get(url("overview", course)).text


def test_overview_queries_do_not_grow_with_follow_ups(
    therapist, completed, owner, django_assert_max_num_queries
):
    agree(therapist, completed, number_of_followups=1)
    with django_assert_max_num_queries(60) as few:
        therapist.get(url("overview", completed))
    queries = len(few.captured_queries)  # read now: the next request clears the log
    agree(therapist, completed, number_of_followups=6)
    for visit in completed.maintenance.followups.all()[:3]:
        visit.phq9 = MeasureFactory(course=completed, taken_on=date(2025, 12, 1))
        visit.status, visit.held_on, visit.recorded_by = "held", date(2025, 12, 1), owner
        visit.save()
    with django_assert_max_num_queries(queries):
        html = therapist.get(url("overview", completed)).text
    assert html.count('PHQ-9 13 <span class="badge band-moderate">') == 3


# --- maintenance IPT: monthly sessions of IPT, its own type of maintenance contract ------------


def test_maintenance_ipt_is_monthly_by_default_and_says_every_month(therapist, completed):
    response = agree(
        therapist,
        completed,
        kind="maintenance_ipt",
        interval_months="",
        number_of_followups=12,
        booster_sessions=0,
    )

    assert response.status_code == 302
    contract = completed.maintenance
    assert contract.kind == MaintenanceContract.Kind.MAINTENANCE_IPT
    assert contract.interval_months == 1
    due = [f.due_on for f in contract.followups.all()]
    assert due[:3] == [date(2025, 9, 30), date(2025, 10, 31), date(2025, 11, 30)]
    assert len(due) == 12
    page = therapist.get(url("maintenance", completed)).text
    assert "12 maintenance IPT sessions, every month" in page
    assert "every 1 month" not in page
    overview = therapist.get(url("overview", completed)).text
    assert "12 maintenance IPT sessions, every month" in overview
    assert "every 1 months" not in overview
    # Each planned visit is a maintenance IPT session, on its page and in the schedule.
    first = contract.followups.first()
    assert first.label == "Maintenance IPT session"
    assert (
        "Maintenance IPT session due 30 September 2025"
        in therapist.get(url("followup", completed, first.pk)).text
    )
    assert page.count("Maintenance IPT session") >= 12


def test_wording_follows_the_interval_and_the_type():
    ipt = MaintenanceContract(kind="maintenance_ipt", interval_months=1, number_of_followups=1)
    check_ins = MaintenanceContract(interval_months=6, number_of_followups=2)
    assert ipt.plan_words == "1 maintenance IPT session, every month"
    assert check_ins.plan_words == "2 follow-ups, every 6 months"


def test_maintenance_ipt_can_be_set_to_another_interval(therapist, completed):
    agree(therapist, completed, kind="maintenance_ipt", interval_months=2)
    assert completed.maintenance.interval_months == 2
    assert "every 2 months" in therapist.get(url("maintenance", completed)).text


def test_an_interval_out_of_range_is_refused_next_to_the_field(therapist, completed):
    response = agree(therapist, completed, kind="maintenance_ipt", interval_months=13)
    assert response.status_code == 200
    assert "Give 1 to 12 months between appointments" in response.text
    assert not MaintenanceContract.objects.filter(course=completed).exists()


def test_relapse_plan_pdf_says_ipt_sessions_go_on_every_month(therapist, completed):
    RelapsePreventionPlan.objects.create(
        course=completed, written_on=date(2025, 8, 25), if_symptoms_return="Call the clinic."
    )
    agree(therapist, completed, kind="maintenance_ipt", interval_months="")
    response = therapist.get(url("relapse_plan_pdf", completed))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "IPT sessions every month" in " ".join(text.split())
