"""The clinic's outcomes report: the figures on rows built by hand, the page, who may read it."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from ipt.models import Phase, Role
from ipt.outcomes import compute
from ipt.outcomes.compute import CourseRow, Rate
from ipt.rules.precedence import Verdict
from tests.factories import (
    CourseFactory,
    MeasureFactory,
    PatientFactory,
    ProblemAreaFactory,
    SessionFactory,
    SupervisorFactory,
    TherapistFactory,
    UserFactory,
)

DAY = date(2026, 1, 5)


def completed(baseline, latest, **kw):
    return CourseRow(
        start_date=kw.pop("start_date", DAY),
        phase="completed",
        baseline=baseline,
        latest=latest,
        phq9_count=kw.pop("phq9_count", 2),
        **kw,
    )


# --- the pure figures ---------------------------------------------------------------------------
def test_outcome_flags_follow_the_measures_module():
    # 18 -> 4: response, remission, reliable improvement and recovery.
    assert compute.verdicts(completed(18, 4)) == {
        "response": True,
        "remission": True,
        "reliable_improvement": True,
        "reliable_recovery": True,
        "reliable_deterioration": False,
    }
    # 9 -> 2: reliable improvement but never a case: no reliable recovery.
    assert not compute.verdicts(completed(9, 2))["reliable_recovery"]
    # 12 -> 9: below caseness, but a fall of 3 is not reliable.
    assert not compute.verdicts(completed(12, 9))["reliable_recovery"]
    assert compute.verdicts(completed(8, 14))["reliable_deterioration"]


def test_summary_counts_rates_denominators_and_completeness():
    rows = [
        completed(18, 4, held=12, held_with_phq9=6),  # all but deterioration
        completed(15, 12, held=10, held_with_phq9=5),  # nothing
        completed(8, 14, held=12, held_with_phq9=12),  # reliable deterioration
        completed(20, None, phq9_count=1, held=8, held_with_phq9=1),  # not paired
        CourseRow(start_date=DAY, phase="ended_early", end_reason="drop_out", held=3),
        CourseRow(start_date=DAY, phase="ended_early", end_reason="referral", held=2),
        CourseRow(start_date=DAY, phase="middle", held=5),
    ]
    s = compute.summarise(rows)
    assert (s.started, s.completed, s.ended_early) == (7, 4, 2)
    assert s.ended_by_reason == {"drop_out": 1, "referral": 1}
    assert s.paired == Rate(3, 4)
    assert s.outcomes["response"] == Rate(1, 3)
    assert s.outcomes["reliable_recovery"] == Rate(1, 3)
    assert s.outcomes["reliable_deterioration"] == Rate(1, 3)
    assert str(s.outcomes["remission"]) == "1 of 3 (33%)"
    # Sessions of the closed courses: 12+10+12+8+3+2 held, 6+5+12+1 with a PHQ-9.
    assert s.sessions_measured == Rate(24, 47)
    assert s.median_sessions == 9  # of 12, 10, 12, 8, 3, 2


def test_median_days_from_referral_to_first_session():
    rows = [
        CourseRow(start_date=DAY, phase="middle", referred_on=DAY, first_held=DAY + timedelta(d))
        for d in (10, 20, 40)
    ] + [CourseRow(start_date=DAY, phase="initial", referred_on=DAY)]  # not seen yet: left out
    assert compute.summarise(rows).median_days_to_first == 20


def test_a_record_made_after_the_first_session_is_left_out_of_the_wait_and_counted():
    rows = [
        CourseRow(start_date=DAY, phase="middle", referred_on=DAY, first_held=DAY + timedelta(d))
        for d in (10, 30, -40)
    ]
    s = compute.summarise(rows)
    assert s.median_days_to_first == 20 and s.waits_left_out == 1


def test_which_came_first_is_counted_over_the_courses_with_enough_ratings():
    rows = [
        CourseRow(start_date=DAY, phase="completed", precedence=p)
        for p in ("led", "led", "lagged", "together", "neither", "not_enough", "", "")
    ]
    focal = compute.focal_first(rows)
    assert (focal.rated, focal.judged) == (6, 5)
    assert focal.led == Rate(2, 5)
    assert focal.counts[Verdict.NOT_ENOUGH] == 1 and focal.counts[Verdict.LAGGED] == 1
    assert not compute.focal_first(rows, suppress=True).led.suppressed  # five judged
    assert compute.focal_first(rows[1:], suppress=True).led.suppressed  # four
    assert not compute.focal_first([]).rated


def test_small_cells_are_suppressed_below_clinic_level_only():
    rows = [completed(18, 4)] * 4
    assert not compute.summarise(rows).suppressed
    hidden = compute.summarise(rows, suppress=True)
    assert hidden.suppressed and hidden.median_sessions is None
    assert str(hidden.outcomes["response"]) == "fewer than 5"
    # Five courses but four paired: the counts show, the rates do not.
    five = compute.summarise([*rows, completed(20, None, phq9_count=1)], suppress=True)
    assert not five.suppressed and five.started == 5
    assert five.outcomes["response"].suppressed


def test_quarters_areas_adherence_and_funnel():
    rows = [
        completed(18, 4, start_date=date(2026, 2, 1), areas=("grief",), all_markers=True),
        completed(18, 4, start_date=date(2026, 4, 1), areas=("grief", "role_dispute")),
        CourseRow(start_date=date(2026, 3, 1), phase="ended_early", all_markers=False),
    ]
    assert [q for q, _ in compute.by_quarter(rows)] == ["2026 Q1", "2026 Q2"]
    assert compute.by_quarter(rows)[0][1].started == 2
    areas = dict(compute.by_area(rows, [("grief", "Grief"), ("role_dispute", "Role dispute")]))
    assert areas["Grief"].started == 2 and areas["Grief"].suppressed
    met, unmet = compute.by_adherence(rows)
    assert (met[1].started, unmet[1].started) == (1, 1)
    assert compute.funnel(9, rows) == [("Referred", 9), ("Course started", 3), ("Completed", 2)]


# --- the page -----------------------------------------------------------------------------------
@pytest.fixture
def lead(db):
    return UserFactory(username="lead", role=Role.CLINIC_LEAD)


def _completed_course(therapist, baseline, latest, start):
    course = CourseFactory(
        patient=PatientFactory(therapist=therapist),
        start_date=start,
        phase=Phase.COMPLETED,
        ended_on=start + timedelta(weeks=12),
    )
    ProblemAreaFactory(course=course, area="grief")
    for n in range(1, 4):
        SessionFactory(course=course, number=n)
    MeasureFactory(course=course, answers=(2,) * 9, total=baseline, taken_on=start)
    MeasureFactory(
        course=course, answers=(0,) * 9, total=latest, taken_on=start + timedelta(weeks=11)
    )
    return course


def test_the_lead_reads_the_report_in_a_bounded_number_of_queries(
    client_for, lead, django_assert_max_num_queries
):
    therapist = TherapistFactory()
    start = date.today() - timedelta(days=120)
    for _ in range(3):
        _completed_course(therapist, 18, 4, start)
    client = client_for(lead)
    client.get(reverse("outcomes"))  # refreshes the stored watch once
    with django_assert_max_num_queries(12) as captured:
        response = client.get(reverse("outcomes"))
    few = len(captured)
    for _ in range(4):
        _completed_course(therapist, 18, 20, start)
    client.get(reverse("outcomes"))
    with django_assert_max_num_queries(few) as captured:
        response = client.get(reverse("outcomes"))
    assert response.status_code == 200
    body = response.content.decode()
    # 7 completed, all paired: 3 recovered; 4 did not respond (18 -> 20 is no reliable change).
    assert "3 of 7 (43%)" in body
    assert "7 of 7 (100%)" in body  # data completeness
    assert "focal relationship" in body.lower()


def test_below_clinic_level_small_cells_are_not_shown(client_for, lead):
    therapist = TherapistFactory()
    _completed_course(therapist, 18, 4, date.today() - timedelta(days=30))
    response = client_for(lead).get(reverse("outcomes"), {"therapist": therapist.pk})
    assert "Fewer than 5 courses match" in response.content.decode()


def test_a_bad_date_is_shown_next_to_its_field(client_for, lead):
    response = client_for(lead).get(reverse("outcomes"), {"start": "2026-13-40"})
    assert response.status_code == 200
    assert "2026-13-40" in response.content.decode()
    assert response.context["form"].errors["start"]


def test_csv_download(client_for, lead):
    _completed_course(TherapistFactory(), 18, 4, date.today() - timedelta(days=30))
    response = client_for(lead).get(reverse("outcomes_csv"))
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("group,started,completed")
    assert lines[1].startswith("All courses,1,1,0,1,1,1,1,1,0")


@pytest.mark.parametrize("role", [Role.THERAPIST, Role.CLINIC_ADMIN])
def test_others_are_refused_the_report(client_for, db, role):
    user = UserFactory(role=role)
    assert client_for(user).get(reverse("outcomes")).status_code == 403
    assert client_for(user).get(reverse("outcomes_csv")).status_code == 403


def test_supervisors_read_the_report_and_leads_find_it_in_the_navigation(client_for, lead):
    assert client_for(SupervisorFactory()).get(reverse("outcomes")).status_code == 200
    home = client_for(lead).get(reverse("home"), follow=True)
    assert home.redirect_chain[-1][0] == reverse("outcomes")
    assert f'href="{reverse("outcomes")}"' in home.content.decode()
