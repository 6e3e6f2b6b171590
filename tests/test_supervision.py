"""Supervision: the caseload review (flags, filters, totals, CSV, scale), course review,
feedback and its acknowledgement, session ratings, and supervisors never writing the record."""

import csv
import io
import re
from datetime import datetime, time, timedelta

import pytest
from django.core.cache import caches
from django.core.cache.utils import make_template_fragment_key
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from ipt.models import (
    AccessEvent,
    EndReason,
    Phase,
    PhaseTransition,
    RelapsePreventionPlan,
    RelapseTrigger,
    RiskAssessment,
    Role,
    SessionRating,
    SuitabilityScreen,
    SupervisionFeedback,
    TreatmentContract,
)
from ipt.supervision import caseload as dashboard
from patients.models import Patient
from sessions_app.models import CourseWatch, Session
from tests.factories import (
    CommunicationAnalysisFactory,
    ContractFactory,
    CourseFactory,
    HomeworkFactory,
    InterpersonalEventFactory,
    InventoryPersonFactory,
    MeasureFactory,
    PatientFactory,
    ProblemAreaFactory,
    RiskAssessmentFactory,
    SessionFactory,
    SickRoleFactory,
    SupervisorFactory,
    TherapistFactory,
    UserFactory,
)

DASHBOARD = reverse("dashboard")
CSV_URL = reverse("dashboard_csv")


def today():
    return timezone.localdate()


def days_ago(n, at=time(10)):
    return timezone.make_aware(datetime.combine(today() - timedelta(days=n), at))


def phq9(total, item9=0):
    """PHQ-9 answers adding up to ``total`` with item 9 as given."""
    rest = total - item9
    answers = []
    for _ in range(8):
        answers.append(min(3, rest))
        rest -= answers[-1]
    assert rest == 0, "a PHQ-9 total above 24 needs item 9"
    return (*answers, item9)


def course_for(therapist, name=None, *, started=60, phase=Phase.MIDDLE, **fields):
    patient = PatientFactory(therapist=therapist, **({"full_name": name} if name else {}))
    if phase == Phase.ENDED_EARLY:
        fields.setdefault("ended_on", today())
        fields.setdefault("end_reason", EndReason.DROP_OUT)
    if phase == Phase.COMPLETED:
        fields.setdefault("ended_on", today())
    return CourseFactory(
        patient=patient, start_date=today() - timedelta(days=started), phase=phase, **fields
    )


def session(course, number, *, ago, status=Session.Status.HELD, **fields):
    return SessionFactory(
        course=course, number=number, scheduled_for=days_ago(ago), status=status, **fields
    )


def measure(course, total, *, ago=60, item9=0, in_session=None):
    m = MeasureFactory(course=course, answers=phq9(total, item9), taken_on=today() - timedelta(ago))
    if in_session:
        in_session.phq9 = m
        in_session.save(update_fields=["phq9"])
    return m


def rows_of(response):
    return {row.patient.full_name: row for row in response.context["rows"]}


@pytest.fixture
def sup_client(client_for, supervisor):
    return client_for(supervisor)


# --- who may see the caseload review ----------------------------------------------------------
@pytest.mark.parametrize("url", [DASHBOARD, CSV_URL])
def test_therapists_and_clinic_admins_cannot_open_the_caseload_review(client_for, owner, url):
    assert client_for(owner).get(url).status_code == 403
    admin = UserFactory(role=Role.CLINIC_ADMIN)
    assert client_for(admin).get(url).status_code == 403


def test_a_supervisor_lands_on_the_caseload_review(sup_client):
    response = sup_client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"] == DASHBOARD
    page = sup_client.get(DASHBOARD)
    assert 'href="/supervision/" aria-current="page">Caseload review' in page.content.decode()


def test_the_review_lists_active_courses_of_own_supervisees_only(sup_client, owner, colleague):
    course_for(owner, "Ann Active")
    course_for(colleague, "Carl Colleague", phase=Phase.INITIAL)
    course_for(owner, "Dora Done", phase=Phase.COMPLETED)
    course_for(owner, "Eli Early", phase=Phase.ENDED_EARLY)
    course_for(TherapistFactory(), "Sam Stranger")

    shown = rows_of(sup_client.get(DASHBOARD))
    assert set(shown) == {"Ann Active", "Carl Colleague"}

    with_closed = rows_of(sup_client.get(DASHBOARD, {"closed": "on"}))
    assert set(with_closed) == {"Ann Active", "Carl Colleague", "Dora Done", "Eli Early"}


def test_a_row_shows_where_the_course_stands(sup_client, owner):
    course = course_for(owner, "Ann Active", planned_sessions=12)
    s1 = session(course, 1, ago=21)
    session(course, 2, ago=14, status=Session.Status.MISSED)
    session(course, 3, ago=7)
    session(course, 4, ago=1, status=Session.Status.PLANNED)  # past but never marked
    s5 = session(course, 5, ago=-6, status=Session.Status.PLANNED)
    measure(course, 18, ago=30)
    measure(course, 11, ago=7, in_session=s1)

    response = sup_client.get(DASHBOARD)
    row = rows_of(response)["Ann Active"]
    assert row.position == 3
    assert row.last_session == today() - timedelta(days=7)
    assert row.next_session == s5.scheduled_for
    assert (row.baseline_phq9, row.latest_phq9, row.change) == (18, 11, -7)
    html = response.content.decode()
    assert "3 of 12" in html
    assert "−7" in html  # signed, with a true minus
    assert reverse("course:review", args=[course.pk]) in html
    assert 'class="sparkline"' in html


# --- flags at their boundaries ------------------------------------------------------------------
def test_risk_flag_item9_above_zero_without_assessment(sup_client, owner):
    none = course_for(owner, "Item nine zero")
    measure(none, 12, item9=0)
    unassessed = course_for(owner, "Item nine one")
    measure(unassessed, 12, item9=1)
    assessed = course_for(owner, "Item nine assessed")
    m = measure(assessed, 12, item9=1)
    RiskAssessmentFactory(
        course=assessed, measure=m, level=RiskAssessment.Level.LOW, assessed_on=m.taken_on
    )

    rows = rows_of(sup_client.get(DASHBOARD))
    assert not rows["Item nine zero"].risk
    assert "item 9 scored 1" in rows["Item nine one"].risk
    assert not rows["Item nine assessed"].risk


@pytest.mark.parametrize(
    ("level", "flagged"),
    [
        (RiskAssessment.Level.LOW, False),
        (RiskAssessment.Level.MODERATE, False),
        (RiskAssessment.Level.HIGH, True),
        (RiskAssessment.Level.IMMINENT, True),
    ],
)
def test_risk_flag_latest_assessment_high_or_imminent(sup_client, owner, level, flagged):
    course = course_for(owner, "Risk case")
    RiskAssessmentFactory(course=course, level=level, assessed_on=today())
    row = rows_of(sup_client.get(DASHBOARD))["Risk case"]
    assert bool(row.risk) is flagged


def test_risk_flag_follows_the_latest_assessment(sup_client, owner):
    course = course_for(owner, "Risk settled")
    RiskAssessmentFactory(course=course, level="high", assessed_on=today() - timedelta(days=14))
    RiskAssessmentFactory(course=course, level="low", assessed_on=today() - timedelta(days=2))
    assert not rows_of(sup_client.get(DASHBOARD))["Risk settled"].risk


@pytest.mark.parametrize(
    ("last_ago", "status", "overdue"),
    [
        (10, Session.Status.HELD, False),
        (11, Session.Status.HELD, True),
        # A missed session is no contact: overdue counts from the last session held (here
        # none, so from the course's start).
        (10, Session.Status.MISSED, True),
        (11, Session.Status.MISSED, True),
    ],
)
def test_overdue_flag_after_more_than_ten_days(sup_client, owner, last_ago, status, overdue):
    course = course_for(owner, "Rhythm")
    session(course, 1, ago=last_ago, status=status)
    session(course, 2, ago=last_ago - 7, status=Session.Status.PLANNED)  # never marked
    row = rows_of(sup_client.get(DASHBOARD))["Rhythm"]
    assert row.overdue is overdue


@pytest.mark.parametrize(("started", "overdue"), [(10, False), (11, True)])
def test_overdue_without_sessions_counts_from_the_start(sup_client, owner, started, overdue):
    course_for(owner, "No sessions", started=started, phase=Phase.INITIAL)
    assert rows_of(sup_client.get(DASHBOARD))["No sessions"].overdue is overdue


def test_closed_courses_are_never_overdue(sup_client, owner):
    course_for(owner, "Finished", started=200, phase=Phase.COMPLETED)
    rows = rows_of(sup_client.get(DASHBOARD, {"closed": "on"}))
    assert rows["Finished"].overdue is False


@pytest.mark.parametrize(
    ("number", "latest", "off_track"),
    [
        (3, 19, False),  # no expectation before session 4
        (4, 16, False),  # baseline 20: a 20% fall by session 4 means 16 or less
        (4, 17, True),
        (8, 12, False),  # a 40% fall by session 8 means 12 or less
        (8, 13, True),
    ],
)
def test_not_on_track_flag_at_the_expected_curve(sup_client, owner, number, latest, off_track):
    course = course_for(owner, "Trajectory")
    measure(course, 20, ago=70)
    sessions = [session(course, n, ago=60 - 7 * n) for n in range(1, number + 1)]
    measure(course, latest, ago=60 - 7 * number, in_session=sessions[-1])
    row = rows_of(sup_client.get(DASHBOARD))["Trajectory"]
    assert row.off_track is off_track


def test_adherence_gaps_are_counted_and_explained(sup_client, owner):
    gaps = course_for(owner, "Gaps")
    for n in (1, 2, 3):
        session(gaps, n, ago=40 - 7 * n)  # initial phase over, no sick role given
    course_for(owner, "Too early", phase=Phase.INITIAL, started=3)

    response = sup_client.get(DASHBOARD)
    rows = rows_of(response)
    assert rows["Gaps"].gaps
    assert any("sick role" in g.message.lower() for g in rows["Gaps"].gaps)
    assert rows["Too early"].gaps == []
    html = response.content.decode()
    assert f"{len(rows['Gaps'].gaps)} adherence gap" in html
    assert escape(rows["Gaps"].gaps[0].message) in html


# --- totals, filters, sorting --------------------------------------------------------------------
@pytest.fixture
def caseload(owner, colleague):
    risky = course_for(owner, "Alice Risk", phase=Phase.MIDDLE)
    measure(risky, 14, item9=2)
    late = course_for(colleague, "Bob Late", phase=Phase.INITIAL, started=30)
    measure(late, 9)
    fine = course_for(owner, "Cleo Fine", phase=Phase.INITIAL, started=2)
    measure(fine, 20)
    return {"risky": risky, "late": late, "fine": fine}


def test_totals_count_each_flag(sup_client, caseload):
    totals = sup_client.get(DASHBOARD).context["totals"]
    assert totals.courses == 3
    assert totals.risk == 1
    assert totals.overdue == 2  # Alice (started 60 days ago, no session) and Bob
    assert totals.off_track == 0
    html = sup_client.get(DASHBOARD).content.decode()
    assert "<strong>1</strong> at risk" in html


def test_filter_by_therapist(sup_client, caseload, colleague):
    rows = rows_of(sup_client.get(DASHBOARD, {"therapist": colleague.pk}))
    assert set(rows) == {"Bob Late"}


def test_filter_by_phase(sup_client, caseload):
    assert set(rows_of(sup_client.get(DASHBOARD, {"phase": "initial"}))) == {
        "Bob Late",
        "Cleo Fine",
    }
    assert set(rows_of(sup_client.get(DASHBOARD, {"phase": "middle"}))) == {"Alice Risk"}


@pytest.mark.parametrize(
    ("flag", "names"),
    [("risk", {"Alice Risk"}), ("overdue", {"Alice Risk", "Bob Late"}), ("off_track", set())],
)
def test_filter_by_flag(sup_client, caseload, flag, names):
    response = sup_client.get(DASHBOARD, {"flag": flag})
    assert set(rows_of(response)) == names
    # Totals still describe the whole selection, so the other flags stay one click away.
    assert response.context["totals"].courses == 3


def test_unknown_filter_values_are_ignored(sup_client, caseload, stranger):
    response = sup_client.get(
        DASHBOARD, {"therapist": stranger.pk, "phase": "nonsense", "flag": "x", "sort": "pk"}
    )
    assert response.status_code == 200
    assert len(response.context["rows"]) == 3


def test_sorting(sup_client, caseload):
    def order(sort):
        return [
            r.patient.full_name for r in sup_client.get(DASHBOARD, {"sort": sort}).context["rows"]
        ]

    assert order("patient") == ["Alice Risk", "Bob Late", "Cleo Fine"]
    assert order("-patient") == ["Cleo Fine", "Bob Late", "Alice Risk"]
    assert order("phq9") == ["Bob Late", "Alice Risk", "Cleo Fine"]
    assert order("-phq9") == ["Cleo Fine", "Alice Risk", "Bob Late"]
    # Flags first by default: risk, then overdue, then the rest.
    assert order("") == ["Alice Risk", "Bob Late", "Cleo Fine"]


def test_rows_without_a_value_sort_last_both_ways(sup_client, caseload, owner):
    course_for(owner, "Zed No Score")
    assert sup_client.get(DASHBOARD, {"sort": "phq9"}).context["rows"][-1].patient.full_name == (
        "Zed No Score"
    )
    assert sup_client.get(DASHBOARD, {"sort": "-phq9"}).context["rows"][-1].patient.full_name == (
        "Zed No Score"
    )


def test_sort_links_keep_the_filters_and_flip_direction(sup_client, caseload, owner):
    response = sup_client.get(DASHBOARD, {"therapist": owner.pk, "sort": "phq9"})
    columns = {c.key: c for c in response.context["columns"]}
    assert columns["phq9"].aria_sort == "ascending"
    assert f"therapist={owner.pk}" in columns["phq9"].href
    assert "sort=-phq9" in columns["phq9"].href
    assert "sort=patient" in columns["patient"].href
    assert 'aria-sort="ascending"' in response.content.decode()


def test_htmx_gets_only_the_table_region(sup_client, caseload):
    response = sup_client.get(DASHBOARD, {"flag": "risk"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="caseload-region"')
    assert "<html" not in html
    assert "Alice Risk" in html
    assert "Bob Late" not in html


def test_every_filter_is_a_plain_form_or_link(sup_client, caseload):
    html = sup_client.get(DASHBOARD).content.decode()
    assert 'method="get"' in html
    assert 'action="/supervision/"' in html
    assert 'hx-push-url="true"' in html
    assert 'href="?flag=risk"' in html
    assert 'hx-get="?flag=risk"' in html


def test_each_listing_is_recorded_for_every_patient_shown(sup_client, caseload, supervisor):
    sup_client.get(DASHBOARD, {"flag": "overdue"})
    events = AccessEvent.objects.filter(user=supervisor, action="caseload review")
    assert {e.patient_id for e in events} == {
        caseload["risky"].patient_id,
        caseload["late"].patient_id,
    }
    assert all(e.path == "/supervision/?flag=overdue" for e in events)


def test_the_table_is_paged_but_totals_and_sorting_cover_everything(
    sup_client, caseload, supervisor, monkeypatch
):
    monkeypatch.setattr(dashboard, "PAGE_SIZE", 2)
    first = sup_client.get(DASHBOARD, {"sort": "-patient"})
    assert [r.patient.full_name for r in first.context["rows"]] == ["Cleo Fine", "Bob Late"]
    assert first.context["totals"].courses == 3
    html = first.content.decode()
    assert 'href="?sort=-patient&amp;page=2"' in html
    assert "showing 1–2" in html

    second = sup_client.get(DASHBOARD, {"sort": "-patient", "page": 2})
    assert [r.patient.full_name for r in second.context["rows"]] == ["Alice Risk"]
    # Only the patients on the page were shown, so only they are recorded.
    last = AccessEvent.objects.filter(user=supervisor, path__endswith="page=2")
    assert [e.patient_id for e in last] == [caseload["risky"].patient_id]
    # Any new filter or sort starts again at the first page.
    columns = {c.key: c for c in second.context["columns"]}
    assert "page" not in columns["patient"].href
    assert 'href="?sort=-patient&amp;flag=risk"' in second.content.decode()


# --- CSV ------------------------------------------------------------------------------------------
def read_csv(response):
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_csv_has_the_same_rows_and_filters(sup_client, caseload, colleague):
    response = sup_client.get(CSV_URL, {"therapist": colleague.pk})
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == (
        f'attachment; filename="caseload-{today():%Y-%m-%d}.csv"'
    )
    header, *rows = read_csv(response)
    assert header == dashboard.CSV_HEADER
    assert [r[0] for r in rows] == ["Bob Late"]
    assert rows[0][header.index("Overdue")] == "yes"
    assert rows[0][header.index("Latest PHQ-9")] == "9"


def test_csv_guards_against_formula_injection(sup_client, owner):
    course = course_for(owner, '=HYPERLINK("http://evil.example","x")')
    measure(course, 20, ago=30)
    measure(course, 13, ago=2)
    for name in ("+cmd", "-2+3", "@SUM(A1)"):
        course_for(owner, name)
    rows = read_csv(sup_client.get(CSV_URL, {"sort": "patient"}))[1:]
    names = {r[0] for r in rows}
    assert names == {"'+cmd", "'-2+3", "'@SUM(A1)", '\'=HYPERLINK("http://evil.example","x")'}
    change = next(r for r in rows if r[0].startswith("'="))[10]
    assert change == "-7"  # a number, not text: nothing to guard


def test_csv_safe_leaves_plain_text_and_numbers_alone():
    assert dashboard.csv_safe("Ann") == "Ann"
    assert dashboard.csv_safe(-3) == -3
    assert dashboard.csv_safe("\tx") == "'\tx"


def test_csv_download_is_recorded(sup_client, caseload, supervisor):
    sup_client.get(CSV_URL)
    assert AccessEvent.objects.filter(user=supervisor, action="caseload export").count() == 3


# --- scale: a fixed number of queries ------------------------------------------------------------
def full_course(therapist, n):
    """A course with every kind of record the review reads."""
    course = course_for(therapist, f"Patient {n:03}", started=70)
    SickRoleFactory(course=course)
    person = InventoryPersonFactory(course=course)
    area = ProblemAreaFactory(course=course)
    area.set_goals(["Mourn the old role", "Build mastery in the new one"])
    ContractFactory(course=course)
    PhaseTransition.objects.create(
        course=course, from_phase=Phase.INITIAL, to_phase=Phase.MIDDLE, by=therapist
    )
    base = measure(course, 18, ago=70, item9=1)
    RiskAssessmentFactory(course=course, measure=base)
    plan = RelapsePreventionPlan.objects.create(
        course=course, written_on=today(), if_symptoms_return="Call the clinic."
    )
    RelapseTrigger.objects.create(plan=plan, trigger="Rows", warning_signs="x", coping="y")
    for number in range(1, 5):
        s = session(course, number, ago=60 - 7 * number)
        measure(course, 18 - number, ago=60 - 7 * number, in_session=s)
        InterpersonalEventFactory(session=s, person=person)
        HomeworkFactory(set_in=s)
        CommunicationAnalysisFactory(session=s, person=person)
    session(course, 5, ago=-3, status=Session.Status.PLANNED)
    SupervisionFeedback.objects.create(course=course, author=therapist.supervisor, text="Good.")
    return course


@pytest.mark.parametrize("htmx", [False, True])
def test_the_review_costs_the_same_queries_at_10_and_60_courses(
    sup_client, owner, colleague, django_assert_num_queries, htmx
):
    headers = {"HX-Request": "true"} if htmx else {}
    for n in range(10):
        full_course(owner if n % 2 else colleague, n)
    # Storing the watch of courses written outside the app costs the same for 10 and for 50.
    # (Each count is read at once: the next request clears the query log.)
    with CaptureQueriesContext(connection) as captured:
        sup_client.get(DASHBOARD, headers=headers)
    refreshing_10 = len(captured)
    with CaptureQueriesContext(connection) as captured:
        response = sup_client.get(DASHBOARD, headers=headers)
    at_10 = len(captured)
    assert len(response.context["rows"]) == 10
    with CaptureQueriesContext(connection) as captured:
        sup_client.get(CSV_URL)
    csv_at_10 = len(captured)
    assert at_10 < refreshing_10
    for n in range(10, 60):
        full_course(owner if n % 2 else colleague, n)
    with django_assert_num_queries(refreshing_10):
        sup_client.get(DASHBOARD, headers=headers)
    with django_assert_num_queries(at_10):
        response = sup_client.get(DASHBOARD, headers=headers)
    assert response.context["shown"] == 60
    assert len(response.context["rows"]) == 50  # one page
    with django_assert_num_queries(csv_at_10):
        sup_client.get(CSV_URL)


# --- course review and feedback -------------------------------------------------------------------
@pytest.fixture
def course(patient):
    course = CourseFactory(patient=patient, start_date=today() - timedelta(days=30))
    SickRoleFactory(course=course)
    ProblemAreaFactory(course=course)
    measure(course, 16, ago=30)
    return course


def test_the_supervisor_reviews_the_whole_course_read_only(sup_client, course):
    held = session(course, 1, ago=14)
    session(course, 2, ago=-7, status=Session.Status.PLANNED)
    response = sup_client.get(reverse("course:review", args=[course.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Diagnosis and focus",
        "Role transition from warehouse manager to job seeker",
        "Adherence to the IPT model",
        "Symptoms over the course",
        reverse("sessions_app:detail", args=[held.pk]),
        reverse("session_ratings", args=[held.pk]),
        reverse("course:feedback_new", args=[course.pk]),
    ):
        assert text in html
    assert html.count("Rate this session") == 1  # held sessions only


def test_course_review_is_for_the_supervisor_only(client_for, owner, course):
    url = reverse("course:review", args=[course.pk])
    assert client_for(owner).get(url).status_code == 403
    other_supervisor = SupervisorFactory()
    assert client_for(other_supervisor).get(url).status_code == 404


def test_supervisor_gives_feedback_on_the_course(sup_client, course, supervisor):
    response = sup_client.post(
        reverse("course:feedback_new", args=[course.pk]), {"text": "  Good focus on the role.  "}
    )
    assert response.status_code == 302
    feedback = SupervisionFeedback.objects.get()
    assert (feedback.course, feedback.session, feedback.author) == (course, None, supervisor)
    assert feedback.text == "Good focus on the role."


def test_supervisor_gives_feedback_on_a_session(sup_client, course):
    held = session(course, 1, ago=7)
    sup_client.post(
        reverse("course:feedback_new", args=[course.pk]),
        {"session": held.pk, "text": "Link the mood to the row with Maria."},
    )
    assert SupervisionFeedback.objects.get().session == held


def test_feedback_needs_text_and_a_session_of_this_course(sup_client, course, owner):
    url = reverse("course:feedback_new", args=[course.pk])
    response = sup_client.post(url, {"text": "   "})
    assert response.status_code == 200
    assert "Write the feedback for the therapist." in response.content.decode()

    elsewhere = session(course_for(owner, "Other"), 1, ago=7)
    response = sup_client.post(url, {"session": elsewhere.pk, "text": "Kept on error"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Select a valid choice" in html
    assert "Kept on error</textarea>" in html
    assert not SupervisionFeedback.objects.exists()


def test_therapist_cannot_give_feedback(client_for, owner, course):
    response = client_for(owner).post(
        reverse("course:feedback_new", args=[course.pk]), {"text": "Self-praise"}
    )
    assert response.status_code == 403
    assert not SupervisionFeedback.objects.exists()


@pytest.fixture
def feedback(course, supervisor):
    return SupervisionFeedback.objects.create(course=course, author=supervisor, text="Try CA.")


def test_therapist_sees_new_feedback_and_acknowledges_it(client_for, owner, course, feedback):
    client = client_for(owner)
    html = client.get(course.get_absolute_url()).content.decode()
    assert "Try CA." in html
    assert "1 new" in html
    assert "feedback-new" in html
    url = reverse("course:feedback_acknowledge", args=[course.pk, feedback.pk])
    assert url in html

    response = client.post(url)
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert feedback.acknowledged_at is not None
    html = client.get(course.get_absolute_url()).content.decode()
    assert "1 new" not in html
    assert "acknowledged" in html


def test_acknowledge_with_htmx_returns_the_feedback_box(client_for, owner, course, feedback):
    response = client_for(owner).post(
        reverse("course:feedback_acknowledge", args=[course.pk, feedback.pk]),
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('id="feedback"') == 1
    assert "<html" not in html
    assert "Acknowledge</button>" not in html


def test_only_the_therapist_acknowledges(client_for, supervisor, course, feedback):
    url = reverse("course:feedback_acknowledge", args=[course.pk, feedback.pk])
    assert client_for(supervisor).post(url).status_code == 403
    feedback.refresh_from_db()
    assert feedback.acknowledged_at is None


def test_feedback_of_another_course_cannot_be_acknowledged(client_for, owner, course, supervisor):
    other = course_for(owner, "Other course")
    theirs = SupervisionFeedback.objects.create(course=other, author=supervisor, text="x")
    url = reverse("course:feedback_acknowledge", args=[course.pk, theirs.pk])
    assert client_for(owner).post(url).status_code == 404


def test_supervisor_sees_the_way_to_the_review_on_the_overview(sup_client, course, feedback):
    html = sup_client.get(course.get_absolute_url()).content.decode()
    assert "Give feedback / review the course" in html
    assert "Acknowledge</button>" not in html
    assert "Not yet acknowledged." in html


# --- session ratings -----------------------------------------------------------------------------
@pytest.fixture
def held(course):
    return session(course, 1, ago=7, mood_context="Low after the row with Maria.")


def ratings_url(s):
    return reverse("session_ratings", args=[s.pk])


def test_ratings_page_shows_the_session_record(sup_client, held):
    InterpersonalEventFactory(session=held, what_happened="Maria shouted about money.")
    HomeworkFactory(set_in=held, action="Ask Maria for a walk.")
    html = sup_client.get(ratings_url(held)).content.decode()
    assert "Low after the row with Maria." in html
    assert "Maria shouted about money." in html
    assert "Ask Maria for a walk." in html
    for element in SessionRating.Element:
        assert element.label in html


def test_supervisor_rates_elements_and_rerating_updates(sup_client, held, supervisor):
    url = ratings_url(held)
    response = sup_client.post(
        url,
        {
            "mood_and_events_score": "4",
            "mood_and_events_comment": "Clear link.",
            "stance_score": "2",
        },
    )
    assert response.status_code == 302
    assert {(r.element, r.score) for r in SessionRating.objects.all()} == {
        ("mood_and_events", 4),
        ("stance", 2),
    }
    sup_client.post(url, {"mood_and_events_score": "5", "mood_and_events_comment": "Better."})
    rating = SessionRating.objects.get(element="mood_and_events")
    assert (rating.score, rating.comment, rating.rater) == (5, "Better.", supervisor)
    assert SessionRating.objects.count() == 2
    # The form shows the current ratings.
    html = sup_client.get(url).content.decode()
    assert re.search(r'name="mood_and_events_score" value="5"[^>]*checked', html)
    assert "Better.</textarea>" in html


@pytest.mark.parametrize("score", ["0", "6", "x"])
def test_scores_outside_one_to_five_are_refused(sup_client, held, score):
    response = sup_client.post(ratings_url(held), {"focal_area_score": score})
    assert response.status_code == 200
    assert "Choose a score from 1 to 5." in response.content.decode()
    assert not SessionRating.objects.exists()


def test_a_comment_needs_a_score_and_something_must_be_rated(sup_client, held):
    response = sup_client.post(ratings_url(held), {"homework_comment": "Not reviewed."})
    html = response.content.decode()
    assert "Give a score from 1 to 5 with the comment." in html
    assert "Not reviewed.</textarea>" in html
    response = sup_client.post(ratings_url(held), {})
    assert "Rate at least one item" in response.content.decode()
    assert not SessionRating.objects.exists()


def test_only_held_sessions_are_rated(sup_client, course):
    missed = session(course, 2, ago=3, status=Session.Status.MISSED)
    assert "nothing to rate" in sup_client.get(ratings_url(missed)).content.decode()
    response = sup_client.post(ratings_url(missed), {"stance_score": "3"})
    assert response.status_code == 302
    assert not SessionRating.objects.exists()


def test_therapist_cannot_rate_and_strangers_get_404(client_for, owner, stranger, held):
    assert client_for(owner).post(ratings_url(held), {"stance_score": "5"}).status_code == 403
    assert client_for(stranger).get(ratings_url(held)).status_code == 404
    assert client_for(SupervisorFactory()).get(ratings_url(held)).status_code == 404
    assert not SessionRating.objects.exists()


def test_therapist_sees_the_ratings_on_the_overview(client_for, owner, held, supervisor):
    SessionRating.objects.create(
        session=held, rater=supervisor, element="focal_area", score=3, comment="Stay with Maria."
    )
    html = client_for(owner).get(held.course.get_absolute_url()).content.decode()
    assert "Session ratings" in html
    assert "Focus kept on the agreed problem area" in html
    assert "Stay with Maria." in html


# --- supervisors never change the clinical record ---------------------------------------------
def test_supervisor_cannot_change_suitability(sup_client, course):
    response = sup_client.post(
        reverse("course:suitability", args=[course.pk]), {"screened_on": today().isoformat()}
    )
    assert response.status_code == 403
    assert not SuitabilityScreen.objects.filter(course=course).exists()


def test_supervisor_cannot_autosave_session_notes(sup_client, held):
    response = sup_client.post(
        reverse("sessions_app:autosave", args=[held.pk]),
        {"target": "session", "field": "notes", "version": 0, "value": "Supervisor's words"},
    )
    assert response.status_code == 403
    held.refresh_from_db()
    assert held.notes == ""


def test_supervisor_cannot_sign_the_contract(sup_client, course):
    contract = ContractFactory(course=course)
    response = sup_client.post(
        reverse("course:contract_sign", args=[course.pk]),
        {"patient_name": course.patient.full_name, "patient_date": today().isoformat()},
    )
    assert response.status_code == 403
    assert not TreatmentContract.objects.get(pk=contract.pk).is_signed


def test_the_course_review_costs_the_same_queries_for_3_and_12_sessions(
    client_for, supervisor, patient, django_assert_num_queries
):
    from tests.factories import (
        CommunicationAnalysisFactory,
        HomeworkFactory,
        InterpersonalEventFactory,
        SessionFactory,
    )

    course = CourseFactory(patient=patient)

    def add_sessions(numbers):
        for n in numbers:
            session = SessionFactory(course=course, number=n)
            InterpersonalEventFactory.create_batch(2, session=session)
            CommunicationAnalysisFactory(session=session)
            HomeworkFactory(set_in=session)

    client = client_for(supervisor)
    url = reverse("course:review", args=[course.pk])
    add_sessions(range(1, 4))
    with django_assert_num_queries(60, exact=False) as few:
        client.get(url)
    add_sessions(range(4, 13))
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


# --- the rendered rows are kept by what they show -------------------------------------------------
def test_a_kept_row_is_shown_again_only_while_nothing_it_shows_has_changed(sup_client, owner):
    course = course_for(owner, "Kept Row")
    measure(course, 12, item9=1)
    first = sup_client.get(DASHBOARD).content.decode()
    assert "item 9 scored 1" in first
    assert caches["rows"].get(make_template_fragment_key("caseload_row", [
        rows_of(sup_client.get(DASHBOARD))["Kept Row"].cache_key
    ])) is not None  # fmt: skip

    # Changed behind every model method (same refresh time): a new row, not the kept one.
    CourseWatch.objects.filter(course=course).update(risk_message="a new risk message")
    Patient.objects.filter(pk=course.patient_id).update(full_name="Kept Renamed")
    html = sup_client.get(DASHBOARD).content.decode()
    assert "a new risk message" in html and "item 9 scored 1" not in html
    assert "Kept Renamed" in html and "Kept Row" not in html
