"""What every list says about a course (sessions_app/watch.py): deterioration, missed contact,
the rhythm of sessions, the PHQ-9 at least every few sessions, and risk, on the course and
session pages, Today and the supervisor's caseload review.

IPT-REFERENCE.md, "Risk and measurement-based care": reliable deterioration is a PHQ-9 rise of
6 or more, GAD-7 of 4 or more; repeat the PHQ-9 at least every 4 sessions; two consecutive
missed sessions call for contact.
"""

from datetime import date, datetime, time, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ipt.models import EndReason, Phase, RiskAssessment, TreatmentCourse
from sessions_app.models import Session
from sessions_app.watch import watch
from tests.factories import (
    CourseFactory,
    MeasureFactory,
    PatientFactory,
    RiskAssessmentFactory,
    SessionFactory,
    SuitabilityFactory,
)

HELD, MISSED, CANCELLED, PLANNED = (
    Session.Status.HELD,
    Session.Status.MISSED,
    Session.Status.CANCELLED,
    Session.Status.PLANNED,
)
DASHBOARD = reverse("dashboard")
HOME = reverse("home")


def today():
    return timezone.localdate()


def days_ago(n, at=time(10)):
    return timezone.make_aware(datetime.combine(today() - timedelta(days=n), at))


def day(d):
    return f"{d.day} {d:%b %Y}"


def answers_for(total, items, item_max=3, last=0):
    """``items`` answers adding up to ``total``, the last one being ``last``."""
    rest, out = total - last, []
    for _ in range(items - 1):
        out.append(min(item_max, rest))
        rest -= out[-1]
    assert rest == 0, "total too high for these items"
    return (*out, last)


def course_for(therapist, name, *, started=60, phase=Phase.MIDDLE, **fields):
    if phase == Phase.ENDED_EARLY:
        fields.setdefault("ended_on", today() - timedelta(days=1))
        fields.setdefault("end_reason", EndReason.DROP_OUT)
    if phase == Phase.COMPLETED:
        fields.setdefault("ended_on", today() - timedelta(days=1))
    return CourseFactory(
        patient=PatientFactory(therapist=therapist, full_name=name),
        start_date=today() - timedelta(days=started),
        phase=phase,
        **fields,
    )


def session(course, number, *, ago, status=HELD, at=time(10)):
    return SessionFactory(
        course=course, number=number, scheduled_for=days_ago(ago, at), status=status
    )


def phq9(course, total, *, ago, item9=0, in_session=None):
    m = MeasureFactory(
        course=course, answers=answers_for(total, 9, last=item9), taken_on=today() - timedelta(ago)
    )
    if in_session is not None:
        in_session.phq9 = m
        in_session.save(update_fields=["phq9"])
    return m


def gad7(course, total, *, ago):
    return MeasureFactory(
        course=course,
        instrument_code="gad7",
        answers=answers_for(total, 7, last=min(3, total)),
        taken_on=today() - timedelta(ago),
    )


def watched(course):
    loaded = (
        TreatmentCourse.objects.with_initial_phase().prefetch_related("sessions").get(pk=course.pk)
    )
    return watch(loaded)


def page_text(response):
    return " ".join(response.content.decode().split())


def rows_of(response):
    return {row.patient.full_name: row for row in response.context["rows"]}


def client_as(user):
    """A client of its own for each user (the shared ``client`` logs in one user at a time)."""
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def phq9_every_4_sessions(settings):
    """The default interval, whatever the environment says (tests set 1 to check weekly)."""
    settings.PHQ9_EVERY_SESSIONS = 4


@pytest.fixture
def therapist(owner):
    return client_as(owner)


@pytest.fixture
def sup_client(supervisor):
    return client_as(supervisor)


# --- deterioration -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("measure", "baseline", "latest", "flagged"),
    [
        (phq9, 9, 15, True),  # +6: the reliable change of the PHQ-9
        (phq9, 9, 14, False),  # +5
        (phq9, 0, 6, True),  # from any baseline
        (gad7, 5, 9, True),  # +4: the reliable change of the GAD-7
        (gad7, 5, 8, False),  # +3
    ],
)
def test_a_reliable_rise_from_the_baseline_is_flagged(owner, measure, baseline, latest, flagged):
    course = course_for(owner, "Rising")
    measure(course, baseline, ago=40)
    measure(course, 11 if measure is phq9 else 6, ago=20)  # what happens between does not count
    measure(course, latest, ago=2)
    name = "PHQ-9" if measure is phq9 else "GAD-7"
    expected = (f"{name} {baseline} → {latest} (+{latest - baseline}) since the baseline",)
    assert watched(course).deteriorated == (expected if flagged else ())


def test_both_rises_are_named_and_shown_on_the_course_page(therapist, owner):
    course = course_for(owner, "Both rising")
    phq9(course, 9, ago=40)
    gad7(course, 5, ago=40)
    phq9(course, 15, ago=2)
    gad7(course, 9, ago=2)
    w = watched(course)
    assert w.deteriorated == (
        "PHQ-9 9 → 15 (+6) since the baseline",
        "GAD-7 5 → 9 (+4) since the baseline",
    )
    assert w.any
    text = page_text(therapist.get(course.get_absolute_url()))
    assert (
        '<span class="badge badge-risk">Deteriorating</span> PHQ-9 9 → 15 (+6) since the '
        "baseline: a reliable rise." in text
    )
    assert "GAD-7 5 → 9 (+4) since the baseline: a reliable rise." in text


def test_a_closed_course_is_not_flagged_for_deterioration(owner):
    course = course_for(owner, "Closed", phase=Phase.ENDED_EARLY)
    phq9(course, 9, ago=40)
    phq9(course, 20, ago=2)
    assert watched(course).deteriorated == ()


# --- missed contact ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("statuses", "misses", "contact"),
    [
        ((HELD, MISSED, CANCELLED), 2, True),
        ((HELD, MISSED, MISSED), 2, True),
        ((MISSED, CANCELLED, MISSED), 3, True),
        ((HELD, HELD, MISSED), 1, False),
        ((MISSED, HELD, MISSED), 1, False),  # a held session in between resets the count
        ((MISSED, CANCELLED, HELD), 0, False),
        ((), 0, False),
    ],
)
def test_two_missed_or_cancelled_in_a_row_call_for_contact(owner, statuses, misses, contact):
    course = course_for(owner, "Rhythm")
    for number, status in enumerate(statuses, start=1):
        session(course, number, ago=3 + 7 * (len(statuses) - number), status=status)
    session(course, len(statuses) + 1, ago=-4, status=PLANNED)  # the next one, still to come
    w = watched(course)
    assert (w.misses_in_a_row, w.contact) == (misses, contact)


def test_contact_is_shown_on_the_course_page(therapist, owner):
    course = course_for(owner, "Gone quiet")
    session(course, 1, ago=17)
    session(course, 2, ago=10, status=MISSED)
    session(course, 3, ago=3, status=CANCELLED)
    text = page_text(therapist.get(course.get_absolute_url()))
    assert (
        '<span class="badge badge-warn">Contact the patient</span> 2 sessions in a row were '
        "missed or cancelled." in text
    )


def test_a_closed_course_calls_for_no_contact(owner):
    course = course_for(owner, "Closed", phase=Phase.ENDED_EARLY)
    session(course, 1, ago=17, status=MISSED)
    session(course, 2, ago=10, status=MISSED)
    assert not watched(course).contact


# --- overdue: from the last session held -----------------------------------------------------------
@pytest.mark.parametrize(("held_ago", "overdue"), [(11, True), (10, False)])
def test_overdue_counts_from_the_last_held_session_not_a_missed_one(owner, held_ago, overdue):
    course = course_for(owner, "Rhythm")
    session(course, 1, ago=held_ago)
    session(course, 2, ago=3, status=MISSED)
    w = watched(course)
    assert w.last_held == today() - timedelta(days=held_ago)
    assert w.overdue is overdue


def test_overdue_is_shown_with_the_last_held_date(therapist, owner):
    course = course_for(owner, "Rhythm")
    session(course, 1, ago=11)
    session(course, 2, ago=3, status=MISSED)
    text = page_text(therapist.get(course.get_absolute_url()))
    assert (
        '<span class="badge badge-warn">Overdue</span> no session held since '
        f"{day(today() - timedelta(days=11))}." in text
    )


# --- the PHQ-9 at least every few sessions -------------------------------------------------------
@pytest.fixture
def three_held(owner):
    """A baseline PHQ-9 the day before session 1, sessions 1-3 held without one, session 4
    today."""
    course = course_for(owner, "Measured", started=22)
    phq9(course, 14, ago=22)
    sessions = [session(course, n, ago=21 - 7 * (n - 1)) for n in (1, 2, 3)]
    sessions.append(session(course, 4, ago=0, status=PLANNED, at=time(23, 30)))
    return course, sessions


DUE = "The full PHQ-9 is due today"


def test_the_phq9_is_due_at_session_4_after_the_baseline_and_not_at_session_3(
    therapist, three_held
):
    _, sessions = three_held
    fourth = page_text(therapist.get(sessions[3].get_absolute_url()))
    assert f"{DUE}: the last was the baseline, before session 1." in fourth
    third = page_text(therapist.get(sessions[2].get_absolute_url()))
    assert DUE not in third


def test_weekly_measurement_makes_the_phq9_due_every_session(therapist, three_held, settings):
    settings.PHQ9_EVERY_SESSIONS = 1
    course, sessions = three_held
    assert DUE in page_text(therapist.get(sessions[0].get_absolute_url()))
    assert f"{DUE}: the last was the baseline, before session 1." in page_text(
        therapist.get(sessions[2].get_absolute_url())
    )
    phq9(course, 12, ago=7, in_session=sessions[1])
    third = page_text(therapist.get(sessions[2].get_absolute_url()))
    assert f"{DUE}: the last was at session 2." in third
    # The session that took it shows the score, not the prompt.
    assert DUE not in page_text(therapist.get(sessions[1].get_absolute_url()))


def test_the_phq9_is_due_when_none_has_been_taken(therapist, owner):
    course = course_for(owner, "Never measured", started=2)
    first = session(course, 1, ago=0, status=PLANNED, at=time(23, 30))
    assert f"{DUE}: none has been taken yet." in page_text(therapist.get(first.get_absolute_url()))


@pytest.mark.parametrize(("held", "overdue"), [(3, False), (4, True)])
def test_the_phq9_is_overdue_once_4_sessions_took_place_since_the_last(owner, held, overdue):
    course = course_for(owner, "Measured", started=40)
    phq9(course, 14, ago=40)
    for n in range(1, held + 1):
        session(course, n, ago=35 - 7 * (n - 1))
    assert watched(course).phq9_overdue is overdue


@pytest.mark.parametrize(("last", "overdue"), [(5, False), (6, True)])
def test_the_phq9_is_overdue_counted_from_the_session_that_took_it(owner, last, overdue):
    course = course_for(owner, "Measured", started=60)
    phq9(course, 14, ago=60)
    sessions = [session(course, n, ago=56 - 7 * (n - 1)) for n in range(1, last + 1)]
    phq9(course, 12, ago=49, in_session=sessions[1])  # at session 2
    assert watched(course).phq9_overdue is overdue


def test_missed_sessions_count_towards_the_phq9_interval(owner):
    # A missed session takes its place in the course: the PHQ-9 due there is still owed.
    course = course_for(owner, "Measured", started=40)
    phq9(course, 14, ago=40)
    for n, status in enumerate((HELD, HELD, HELD, MISSED), start=1):
        session(course, n, ago=35 - 7 * (n - 1), status=status)
    assert watched(course).phq9_overdue


def test_weekly_measurement_makes_the_phq9_overdue_after_one_session(owner, settings):
    settings.PHQ9_EVERY_SESSIONS = 1
    course = course_for(owner, "Measured", started=20)
    phq9(course, 14, ago=20)
    assert not watched(course).phq9_overdue  # no session yet
    session(course, 1, ago=14)
    assert watched(course).phq9_overdue


# --- after missed sessions: talk about what got in the way ------------------------------------------
GOT_IN_THE_WAY = "talk with the patient about what got in the way of coming"


def test_the_next_session_after_missed_ones_asks_what_got_in_the_way(therapist, owner):
    course = course_for(owner, "Came back", started=30)
    first = session(course, 1, ago=28)
    session(course, 2, ago=21, status=MISSED)
    third = session(course, 3, ago=14, status=CANCELLED)
    fourth = session(course, 4, ago=7)
    fifth = session(course, 5, ago=0, status=PLANNED, at=time(23, 30))
    text = page_text(therapist.get(fourth.get_absolute_url()))
    assert f"Sessions 2, 3 were missed or cancelled: {GOT_IN_THE_WAY}" in text
    # Not on the missed session itself, not before, and not once a session was held since.
    for other in (first, third, fifth):
        assert GOT_IN_THE_WAY not in page_text(therapist.get(other.get_absolute_url()))


def test_one_missed_session_is_named_alone(therapist, owner):
    course = course_for(owner, "Came back", started=30)
    session(course, 1, ago=14)
    session(course, 2, ago=7, status=MISSED)
    third = session(course, 3, ago=0, status=PLANNED, at=time(23, 30))
    text = page_text(therapist.get(third.get_absolute_url()))
    assert f"Session 2 was missed or cancelled: {GOT_IN_THE_WAY}" in text


# --- Today and the caseload review ------------------------------------------------------------------
@pytest.fixture
def flagged(owner):
    """One course for each flag (each with a baseline PHQ-9 before any session), and a closed
    course with an unanswered item 9."""
    deteriorating = course_for(owner, "Dana Deteriorating")
    phq9(deteriorating, 9, ago=59)
    phq9(deteriorating, 15, ago=2)

    contact = course_for(owner, "Carl Contact")
    phq9(contact, 12, ago=59)
    session(contact, 1, ago=20)
    session(contact, 2, ago=13, status=MISSED)
    session(contact, 3, ago=6, status=CANCELLED)

    measure = course_for(owner, "Mia Measure")
    phq9(measure, 12, ago=59)
    for n in range(1, 5):
        session(measure, n, ago=30 - 7 * (n - 1))

    closed = course_for(owner, "Cleo Closed", phase=Phase.ENDED_EARLY)
    item9 = phq9(closed, 12, ago=3, item9=1)

    course_for(owner, "Finn Finished", phase=Phase.ENDED_EARLY)  # closed, nothing to watch
    return {"closed_item9": item9}


def test_today_shows_each_flag_and_the_closed_course_at_risk(therapist, flagged):
    response = therapist.get(HOME)
    attention = {c.patient.full_name: w for c, w in response.context["attention"]}
    assert set(attention) == {"Dana Deteriorating", "Carl Contact", "Mia Measure"}
    assert attention["Dana Deteriorating"].deteriorated == ["PHQ-9 9 → 15 (+6) since the baseline"]
    assert attention["Carl Contact"].contact
    assert attention["Mia Measure"].phq9_overdue
    at_risk = {c.patient.full_name: flag for c, flag in response.context["at_risk"]}
    on = day(flagged["closed_item9"].taken_on)
    assert set(at_risk) == {"Cleo Closed"}
    assert at_risk["Cleo Closed"].message == (
        f"PHQ-9 item 9 scored 1 on {on} with no risk assessment documented."
    )
    text = page_text(response)
    assert (
        '<span class="badge badge-risk">Deteriorating</span> PHQ-9 9 → 15 (+6) since the baseline.'
        in text
    )
    assert (
        '<span class="badge badge-warn">Contact the patient</span> 2 sessions missed or '
        "cancelled in a row." in text
    )
    assert '<span class="badge badge-warn">PHQ-9 overdue</span>' in text
    assert (
        f"Cleo Closed</a> (ended early): PHQ-9 item 9 scored 1 on {on} with no risk "
        "assessment documented." in text
    )
    assert "Finn Finished" not in text


def test_the_caseload_review_shows_the_flags_and_the_closed_course_at_risk(sup_client, flagged):
    response = sup_client.get(DASHBOARD)
    rows = rows_of(response)
    # A closed course stays on the default review while its risk needs attention.
    assert set(rows) == {"Dana Deteriorating", "Carl Contact", "Mia Measure", "Cleo Closed"}
    assert rows["Dana Deteriorating"].deteriorated == ("PHQ-9 9 → 15 (+6) since the baseline",)
    assert (rows["Carl Contact"].contact, rows["Carl Contact"].misses_in_a_row) == (True, 2)
    assert rows["Mia Measure"].phq9_overdue
    assert "PHQ-9 item 9 scored 1" in rows["Cleo Closed"].risk
    totals = response.context["totals"]
    assert (totals.risk, totals.deteriorating, totals.contact, totals.measure) == (1, 1, 1, 1)
    text = page_text(response)
    assert '<span class="badge badge-risk">Deteriorating</span> <small>PHQ-9 9 → 15 (+6)' in text
    # With closed courses asked for, the finished one without risk appears too.
    assert "Finn Finished" in rows_of(sup_client.get(DASHBOARD, {"closed": "on"}))


@pytest.mark.parametrize(
    ("flag", "names"),
    [
        ("deteriorating", {"Dana Deteriorating"}),
        ("contact", {"Carl Contact"}),
        ("measure", {"Mia Measure"}),
        ("risk", {"Cleo Closed"}),
    ],
)
def test_the_caseload_review_filters_by_flag(sup_client, flagged, flag, names):
    response = sup_client.get(DASHBOARD, {"flag": flag})
    assert set(rows_of(response)) == names
    assert response.context["totals"].courses == 4


def _closed_with(kind, owner):
    course = course_for(owner, "Closed case", phase=Phase.ENDED_EARLY)
    if kind == "item9":
        phq9(course, 12, ago=3, item9=2)
    elif kind == "hamd":
        MeasureFactory(
            course=course,
            instrument_code="hamd17",
            answers=[0, 0, 2] + [0] * 14,
            taken_on=today() - timedelta(days=3),
        )
    elif kind == "screen":
        SuitabilityFactory(
            course=course,
            screened_on=course.start_date,
            acute_suicidality=True,
            override_reason="Passive ideation only; weekly risk review.",
        )
    elif kind == "answered_low":
        m = phq9(course, 12, ago=3, item9=2)
        RiskAssessmentFactory(course=course, measure=m, assessed_on=m.taken_on, level="low")
    elif kind == "answered_high":
        m = phq9(course, 12, ago=3, item9=2)
        RiskAssessmentFactory(course=course, measure=m, assessed_on=m.taken_on, level="high")
    elif kind == "high_then_low":
        RiskAssessmentFactory(course=course, assessed_on=today() - timedelta(days=9), level="high")
        RiskAssessmentFactory(course=course, assessed_on=today() - timedelta(days=2), level="low")
    elif kind == "future_high_only":
        RiskAssessmentFactory(course=course, assessed_on=date(9999, 12, 31), level="high")
    return course


@pytest.mark.parametrize(
    ("kind", "shown"),
    [
        ("item9", True),
        ("hamd", True),
        ("screen", True),
        ("answered_low", False),
        ("answered_high", True),  # a high current level keeps it in sight
        ("high_then_low", False),
        ("future_high_only", False),  # a mistyped date is not the current level
    ],
)
def test_a_closed_course_stays_in_sight_while_its_risk_needs_attention(
    sup_client, therapist, owner, kind, shown
):
    _closed_with(kind, owner)
    assert ("Closed case" in rows_of(sup_client.get(DASHBOARD))) is shown
    at_risk = {c.patient.full_name for c, _ in therapist.get(HOME).context["at_risk"]}
    assert ("Closed case" in at_risk) is shown


def test_answering_the_signal_takes_the_closed_course_off_the_lists(sup_client, therapist, owner):
    course = _closed_with("item9", owner)
    assert "Closed case" in rows_of(sup_client.get(DASHBOARD))
    measure = course.measures.get()
    therapist.post(
        f"{reverse('course:risk_new', args=[course.pk])}?measure={measure.pk}",
        {
            "assessed_on": today().isoformat(),
            "level": RiskAssessment.Level.MODERATE,
            "findings": "Fleeting thoughts, no plan; seeing the GP this week.",
        },
    )
    assert course.risk_assessments.count() == 1
    assert not therapist.get(HOME).context["at_risk"]
    assert "Closed case" not in rows_of(sup_client.get(DASHBOARD))


# --- scale: the same queries whatever the size of the caseload ---------------------------------------
def flagged_course(therapist, n):
    """Even: an active course with every flag; odd: an ended course with unanswered risk."""
    if n % 2:
        course = course_for(therapist, f"Closed {n:03}", phase=Phase.ENDED_EARLY)
        phq9(course, 12, ago=5, item9=1)
        MeasureFactory(
            course=course,
            instrument_code="hamd17",
            answers=[0, 0, 1] + [0] * 14,
            taken_on=today() - timedelta(days=5),
        )
        RiskAssessmentFactory(course=course, assessed_on=today() - timedelta(days=30), level="high")
        return course
    course = course_for(therapist, f"Active {n:03}")
    SuitabilityFactory(course=course, screened_on=course.start_date)
    phq9(course, 9, ago=59)
    gad7(course, 5, ago=59)
    for number in range(1, 5):
        session(course, number, ago=40 - 7 * (number - 1))
    session(course, 5, ago=12, status=MISSED)
    session(course, 6, ago=5, status=CANCELLED)
    session(course, 7, ago=-2, status=PLANNED)
    phq9(course, 16, ago=45, item9=2)  # before session 1: the PHQ-9 is owed since
    gad7(course, 10, ago=45)
    # An earlier assessment does not answer the later item 9.
    RiskAssessmentFactory(course=course, assessed_on=today() - timedelta(days=50), level="low")
    return course


def test_the_caseload_review_costs_the_same_queries_for_3_and_12_flagged_courses(
    sup_client, owner, colleague, django_assert_num_queries
):
    for n in range(3):
        flagged_course(owner if n % 3 else colleague, n)
    # The first look stores the new courses' watch (a fixed number of queries per batch)...
    # (Each count is read at once: the next request clears the query log.)
    with CaptureQueriesContext(connection) as captured:
        sup_client.get(DASHBOARD)
    refreshing_3 = len(captured)
    # ...after which the page reads the stored watch only.
    with CaptureQueriesContext(connection) as captured:
        response = sup_client.get(DASHBOARD)
    at_3 = len(captured)
    assert at_3 < refreshing_3
    rows = response.context["rows"]
    assert len(rows) == 3
    active = next(r for r in rows if r.patient.full_name.startswith("Active"))
    assert active.deteriorated and active.contact and active.phq9_overdue and active.risk
    for n in range(3, 12):
        flagged_course(owner if n % 3 else colleague, n)
    with django_assert_num_queries(refreshing_3):
        sup_client.get(DASHBOARD)
    with django_assert_num_queries(at_3):
        response = sup_client.get(DASHBOARD)
    assert len(response.context["rows"]) == 12
    for flag in ("deteriorating", "contact", "measure", "risk"):
        with django_assert_num_queries(at_3):
            sup_client.get(DASHBOARD, {"flag": flag})


def test_today_costs_the_same_queries_for_3_and_12_flagged_courses(
    therapist, owner, django_assert_num_queries
):
    for n in range(3):
        flagged_course(owner, n)
    with CaptureQueriesContext(connection) as captured:
        response = therapist.get(HOME)
    at_3 = len(captured)  # read at once: the next request clears the query log
    assert len(response.context["at_risk"]) == 3
    for n in range(3, 12):
        flagged_course(owner, n)
    with django_assert_num_queries(at_3):
        response = therapist.get(HOME)
    assert len(response.context["at_risk"]) == 12
