"""A new therapist clicks through the whole initial phase of an IPT course.

Only what is on the page is used: links, buttons and labels. The database is touched only to
create the therapist and the patient at the start and to check the record at the end.
"""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from ipt.models import LifeEvent, Phase, ProblemArea, TreatmentCourse
from tests.factories import PatientFactory, TherapistFactory

PATIENT = "Ruth Okafor"
PHQ9_ANSWERS = (2, 2, 1, 2, 1, 2, 1, 1, 1)  # total 13, moderate; item 9 scored 1
STEPS = [
    "Suitability screen",
    "Diagnosis and baseline PHQ-9",
    "Sick role",
    "Interpersonal inventory",
    "Timeline",
    "Problem areas",
    "Interpersonal formulation",
    "Treatment contract",
]


def label(text):
    """A field's label, which may end in "(required)"."""
    return re.compile(rf"^{re.escape(text)}")


def iso(day):
    return day.isoformat()


# --- steps --------------------------------------------------------------------------------


def open_patient_from_caseload(page):
    page.get_by_role("link", name="My caseload").first.click()
    expect(page.get_by_role("heading", name="My caseload")).to_be_visible()
    page.get_by_role("link", name=PATIENT).click()
    expect(page.get_by_role("heading", name=PATIENT)).to_be_visible()


def start_course(page):
    page.get_by_role("button", name="Start an IPT course").click()
    expect(page.get_by_role("heading", name=f"Start an IPT course for {PATIENT}")).to_be_visible()
    page.get_by_role("radio", name="Individual IPT").check()
    page.get_by_label(label("Number of sessions")).fill("12")
    page.get_by_role("button", name="Start the course").click()
    expect(page.get_by_text("The course has started in the initial phase")).to_be_visible()


def expect_overview_lists_every_step(page, state):
    steps = page.get_by_role("region", name="Initial phase")
    for title in STEPS:
        item = steps.get_by_role("listitem").filter(
            has=page.get_by_role("link", name=title, exact=True)
        )
        expect(item).to_contain_text(state)


def follow_next_step(page, title):
    """On the course overview: the "Next step" link names the step, and leads to it."""
    next_step = page.get_by_text("Next step:").get_by_role("link")
    expect(next_step).to_have_text(title)
    next_step.click()


def expect_no_answer_chosen_for_me(page):
    """Clinical ratings (episode, severity, level of risk) start with nothing chosen."""
    expect(page.get_by_role("radio", name=re.compile("Select an option"))).to_have_count(0)
    expect(page.get_by_role("radio", checked=True)).to_have_count(0)


def back_to_the_course(page):
    page.get_by_role("link", name="Back to the course").click()
    expect(page.get_by_role("heading", name="Initial phase")).to_be_visible()


def screen_suitability(page):
    expect(page.get_by_role("heading", name="Suitability screen")).to_be_visible()
    present_now = page.get_by_role("group", name="Is any of these present now?")
    # Nothing is answered for the therapist: each question is answered, yes or no.
    for radio in present_now.get_by_role("radio").all():
        expect(radio).not_to_be_checked()
    for absent in present_now.get_by_role("radio", name="Absent").all():
        absent.check()
    capacities = page.get_by_role("group", name="The capacities IPT needs")
    for yes in capacities.get_by_role("radio", name="Yes").all():
        yes.check()
    page.get_by_role("button", name="Save the screen").click()
    expect(page.get_by_text("Suitability screen saved.")).to_be_visible()


def record_diagnosis(page, onset):
    expect(page.get_by_role("heading", name="Diagnosis and baseline PHQ-9")).to_be_visible()
    expect_no_answer_chosen_for_me(page)
    page.get_by_label(label("Disorder")).select_option(label="Major depressive disorder")
    page.get_by_role("radio", name="Single episode").check()
    page.get_by_role("radio", name="Moderate").check()
    page.get_by_label(label("Onset of the current episode")).fill(f"{onset:%Y-%m}")
    page.get_by_role(
        "checkbox", name="Explained to the patient as a common, treatable medical illness"
    ).check()
    page.get_by_role("button", name="Save the diagnosis").click()
    expect(page.get_by_text("Diagnosis saved.")).to_be_visible()


def record_baseline_phq9(page, answers):
    """The diagnosis leads straight on to the baseline PHQ-9, answered item by item."""
    expect(page.get_by_role("heading", name="Patient Health Questionnaire (PHQ-9)")).to_be_visible()
    for number, score in enumerate(answers, 1):
        item = page.get_by_role("group", name=re.compile(rf"^{number}\. "))
        item.get_by_role("radio", name=re.compile(rf"^{score} – ")).check()
    page.get_by_role("button", name="Score and save").click()
    expect(page.get_by_text(f"PHQ-9 recorded: {sum(answers)} (moderate).")).to_be_visible()


def document_risk_assessment(page):
    """Item 9 above 0: the app has gone straight to the risk assessment."""
    expect(page.get_by_role("heading", name="Suicide-risk assessment")).to_be_visible()
    expect(
        page.get_by_text("PHQ-9 item 9 scored 1: document a suicide-risk assessment now.")
    ).to_be_visible()
    expect(page.get_by_text("Prompted by:")).to_contain_text("PHQ-9 item 9 scored 1")
    expect_no_answer_chosen_for_me(page)
    page.get_by_role("radio", name="Low").check()
    page.get_by_label(label("What was found")).fill(
        "Passive thoughts of not waking up, no plan or intent, no past attempts. "
        "Protective: her children and her faith."
    )
    page.get_by_label(label("Safety plan")).fill(
        "Call her sister or the crisis line if the thoughts get stronger."
    )
    page.get_by_label(label("Actions taken")).fill("GP informed by letter.")
    page.get_by_role("button", name="Record the assessment").click()
    expect(page.get_by_text("Risk assessment recorded.")).to_be_visible()
    expect(page.get_by_text("Current risk: low, assessed on")).to_be_visible()


def give_sick_role(page):
    expect(page.get_by_role("heading", name="Sick role")).to_be_visible()
    page.get_by_label(label("Temporarily excused from")).fill(
        "Organising the church bake sale this term."
    )
    page.get_by_label(label("The patient commits to")).fill(
        "Coming every week and trying what we agree between sessions."
    )
    page.get_by_role("button", name="Save the sick role").click()
    expect(page.get_by_text("Sick role saved.")).to_be_visible()

    handout = page.get_by_role("button", name="Patient handout (PDF)")
    expect_pdf(page, handout)


def expect_pdf(page, link):
    """The link answers with a PDF (fetched with the page's session, not opened)."""
    response = page.request.get(link.evaluate("a => a.href"))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")


def add_person(page, name, relationship, closeness):
    """Add someone in place: the card, the status line and the circle change without a reload."""
    form = page.get_by_role("region", name="Add a person")
    form.get_by_label(label("Name")).fill(name)
    form.get_by_label(label("Relationship")).fill(relationship)
    form.get_by_role("radio", name=closeness, exact=True).check()
    form.get_by_role("button", name="Add to the inventory").click()

    added = f"{name} ({relationship}) added to the inventory."
    expect(page.get_by_role("status").filter(has_text=added)).to_be_visible()
    card = page.get_by_role("article", name=re.compile(rf"^{name}\b"))
    expect(card).to_contain_text(relationship)
    expect(card).to_contain_text(closeness)
    circle = page.get_by_role("img", name=re.compile(r"^Closeness circle"))
    expect(circle.locator("text", has_text=name)).to_be_visible()
    # The add form is fresh for the next person.
    expect(form.get_by_label(label("Name"))).to_have_value("")


def fill_inventory(page):
    expect(page.get_by_role("heading", name="Interpersonal inventory")).to_be_visible()
    expect(page.get_by_text("No one in the inventory yet.")).to_be_visible()
    # A mark on the window survives htmx swaps but not a page load.
    page.evaluate("() => { window.notReloaded = true }")

    add_person(page, "Samuel", "husband", "Closest")
    add_person(page, "Grace", "sister", "Close")

    assert page.evaluate("() => window.notReloaded") is True
    expect(page.get_by_role("article")).to_have_count(2)
    expect(page.get_by_text("2 people around Ruth.", exact=True)).to_be_visible()


def add_event(page, when, what, kind, person=None):
    form = page.get_by_role("region", name="Add an event")
    form.get_by_label(label("When")).fill(iso(when))
    form.get_by_label(label("What happened")).fill(what)
    form.get_by_label(label("Kind")).select_option(label=kind)
    if person:
        form.get_by_label(label("Person involved")).select_option(label=person)
    form.get_by_role("button", name="Add to the timeline").click()
    added = f"Added to the timeline: {when:%b %Y}, {what}."
    expect(page.get_by_role("status").filter(has_text=added)).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=what)).to_contain_text(kind)


def fill_timeline(page, onset):
    expect(page.get_by_role("heading", name="Timeline", exact=True)).to_be_visible()
    page.evaluate("() => { window.notReloaded = true }")
    add_event(
        page,
        onset - timedelta(days=30),
        "Samuel took a job abroad",
        "Conflict",
        person="Samuel (husband)",
    )
    assert page.evaluate("() => window.notReloaded") is True

    # The prompt to mark the onset starts the form from the diagnosis's date.
    page.get_by_role("link", name="Mark the onset").click()
    form = page.get_by_role("region", name="Add an event")
    expect(form.get_by_label(label("When"))).to_have_value(iso(onset))
    expect(form.get_by_label(label("Kind"))).to_have_value(LifeEvent.Kind.SYMPTOM_ONSET)
    form.get_by_label(label("What happened")).fill("Low mood and poor sleep began")
    form.get_by_role("button", name="Add to the timeline").click()
    added = f"Added to the timeline: {onset:%b %Y}, Low mood and poor sleep began."
    expect(page.get_by_role("status").filter(has_text=added)).to_be_visible()
    expect(page.get_by_role("link", name="Mark the onset")).to_have_count(0)

    chart = page.get_by_role("img", name=re.compile(r"^Timeline of life events"))
    expect(chart).to_be_visible()
    expect(chart.locator("text", has_text="Samuel took a job")).to_have_count(1)
    expect(chart.locator("text", has_text="Onset")).not_to_have_count(0)
    expect(page.get_by_role("table").get_by_role("row")).to_have_count(3)  # header + 2


def choose_problem_area(page):
    expect(page.get_by_role("heading", name="Problem areas")).to_be_visible()
    page.get_by_role("button", name="Add a problem area").click()
    page.get_by_role("button", name="Choose role dispute").click()

    page.get_by_label(label("With whom")).select_option(label="Samuel (husband)")
    page.get_by_role("radio", name="Impasse").check()
    page.get_by_label(label("Why this area")).fill(
        "The low mood began when Samuel took the job abroad without agreeing it with her; "
        "they no longer talk about it."
    )
    goals = page.get_by_label(label("Goals"))
    expect(goals).to_have_value("\n".join(ProblemArea.DEFAULT_GOALS[ProblemArea.Area.ROLE_DISPUTE]))
    page.get_by_role("button", name="Agree this problem area").click()
    expect(
        page.get_by_text("Problem area agreed: Role dispute with Samuel (husband): impasse.")
    ).to_be_visible()


def write_formulation(page):
    page.get_by_role("link", name="Next: interpersonal formulation").click()
    expect(page.get_by_role("heading", name="Interpersonal formulation")).to_be_visible()
    expect(page.get_by_text("A starting draft, assembled from")).to_be_visible()
    text = page.get_by_label(label("Interpersonal formulation"))
    expect(text).to_have_value(re.compile(r"^Ruth, you are suffering from major depressive"))
    # In the patient's words: what happened and with whom, not the clinical name of the area.
    expect(text).to_have_value(
        re.compile(r"the disagreements with Samuel, where talking seems to have stopped")
    )
    page.get_by_label(label("Shared with the patient on")).fill(iso(timezone.localdate()))
    page.get_by_role("button", name="Save the formulation").click()
    expect(page.get_by_text("Formulation saved.")).to_be_visible()


def sign_contract(page):
    expect(page.get_by_role("heading", name="Treatment contract")).to_be_visible()
    page.get_by_role("button", name="Draft the contract").click()
    expect(page.get_by_text("Contract drafted from the course.")).to_be_visible()
    expect(page.get_by_label(label("Focal problem area(s)"))).to_have_value(
        re.compile("Role dispute with Samuel")
    )

    signing = page.get_by_role("region", name="Sign with the patient")
    signing.get_by_label(label("Patient's full name, typed by the patient")).fill(PATIENT)
    signing.get_by_role(
        "checkbox", name="The patient has read the contract and agrees to it"
    ).check()
    signing.get_by_role("button", name="Sign the contract").click()
    expect(page.get_by_text("Version 1 of the contract is signed.")).to_be_visible()
    expect(page.get_by_text(f"Signed by {PATIENT} on")).to_be_visible()

    expect_pdf(page, page.get_by_role("button", name="PDF of version 1"))


def begin_middle_phase(page):
    expect(page.get_by_text("Everything the initial phase needs is in place.")).to_be_visible()
    page.get_by_role("button", name="Begin the middle phase").click()
    expect(page.get_by_text("The course is now in the middle phase.")).to_be_visible()
    current = page.get_by_role("list", name="Phases of the course").locator("[aria-current=step]")
    expect(current).to_contain_text("Middle phase")


# --- tests --------------------------------------------------------------------------------


def test_new_therapist_clicks_through_the_initial_phase(live_server, page, login):
    therapist = TherapistFactory(username="newtherapist")
    PatientFactory(therapist=therapist, full_name=PATIENT)
    onset = (timezone.localdate() - timedelta(days=120)).replace(day=1)  # a month

    login("newtherapist")
    open_patient_from_caseload(page)
    start_course(page)
    expect(page.get_by_role("list", name="Phases of the course")).to_be_visible()
    expect_overview_lists_every_step(page, "To do")

    follow_next_step(page, "Suitability screen")
    screen_suitability(page)
    follow_next_step(page, "Diagnosis and baseline PHQ-9")
    record_diagnosis(page, onset)
    record_baseline_phq9(page, PHQ9_ANSWERS)
    document_risk_assessment(page)
    follow_next_step(page, "Sick role")
    give_sick_role(page)
    back_to_the_course(page)
    follow_next_step(page, "Interpersonal inventory")
    fill_inventory(page)
    back_to_the_course(page)
    follow_next_step(page, "Timeline")
    fill_timeline(page, onset)
    back_to_the_course(page)
    follow_next_step(page, "Problem areas")
    choose_problem_area(page)
    write_formulation(page)
    follow_next_step(page, "Treatment contract")
    sign_contract(page)
    back_to_the_course(page)

    expect(page.get_by_text("Next step:")).to_have_count(0)
    expect_overview_lists_every_step(page, "Done")
    begin_middle_phase(page)

    course = TreatmentCourse.objects.get(patient__full_name=PATIENT)
    assert course.phase == Phase.MIDDLE
    assert (course.variant, course.planned_sessions) == ("individual", 12)
    assert course.suitability.passed
    assert course.diagnosis.summary == "Major depressive disorder, single episode, moderate"
    assert course.diagnosis.onset == onset
    baseline = course.baseline_phq9
    assert list(baseline.answers) == list(PHQ9_ANSWERS)
    assert baseline.total == 13
    assert [r.level for r in baseline.risk_assessments.all()] == ["low"]
    assert course.sick_role.excused == "Organising the church bake sale this term."
    assert sorted((p.name, p.closeness) for p in course.inventory.all()) == [
        ("Grace", 2),
        ("Samuel", 1),
    ]
    assert sorted(e.kind for e in course.life_events.all()) == ["conflict", "symptom_onset"]
    (area,) = course.problem_areas.all()
    assert area.detail == "Role dispute with Samuel (husband): impasse"
    assert [g.text for g in area.goals.all()] == ProblemArea.DEFAULT_GOALS[area.area]
    assert course.formulation.text.startswith("Ruth, you are suffering from")
    assert course.signed_contract.patient_signed_name == PATIENT
    assert course.signed_contract.therapist_signed_by == therapist
    assert [(t.from_phase, t.to_phase) for t in course.transitions.all()] == [
        (Phase.INITIAL, Phase.MIDDLE)
    ]


def test_middle_phase_is_refused_on_a_fresh_course_with_the_reasons(live_server, page, login):
    therapist = TherapistFactory(username="newtherapist")
    PatientFactory(therapist=therapist, full_name=PATIENT)

    login("newtherapist")
    open_patient_from_caseload(page)
    start_course(page)
    page.get_by_role("button", name="Begin the middle phase").click()

    messages = page.get_by_role("region", name="Messages")
    for reason in [
        "The suitability screen has not been completed.",
        "No diagnosis has been recorded.",
        "No baseline PHQ-9 has been recorded.",
        "The sick role has not been given.",
        "The interpersonal inventory has no one in it yet.",
        "No problem area has been agreed.",
        "The treatment contract has not been signed by patient and therapist.",
    ]:
        expect(messages.get_by_text(reason)).to_be_visible()
    expect(messages).to_contain_text("The course stays in the initial phase")
    current = page.get_by_role("list", name="Phases of the course").locator("[aria-current=step]")
    expect(current).to_contain_text("Initial phase")
    assert TreatmentCourse.objects.get(patient__full_name=PATIENT).phase == Phase.INITIAL
