"""Flags for the caseload: the "not on track" PHQ-9 rule and risk (ipt/rules/flags.py).

The overdue rule (10 vs 11 days) is tested in tests/test_sessions.py.
"""

from datetime import date

import pytest

from ipt.models import RiskAssessment, TreatmentCourse
from ipt.rules.flags import expected_max_score, not_on_track, risk_flag, risk_flag_for
from tests.factories import CourseFactory, MeasureFactory, RiskAssessmentFactory


# --- expected curve ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("baseline", "session", "expected"),
    [
        (20, 3, None),  # the initial phase (sessions 1-3 of 12) is exempt
        (20, 4, 16),  # a third of the way through 12 sessions: a 20% fall, 20 -> 16
        (20, 7, 16),
        (20, 8, 12),  # two thirds of the way: a 40% fall, 20 -> 12
        (20, 16, 12),
        (15, 4, 12),  # 20% of 15 is exactly 3 points
        (12, 4, 9),  # 20% of 12 is 2.4: a fall of 3 points is needed
        (27, 8, 16),  # 60% of 27 is 16.2
        (14, 8, 8),  # 60% of 14 is 8.4
        (10, 4, 8),
        (9, 8, 5),  # a mild baseline is judged too: 60% of 9 is 5.4
        (6, 8, 4),  # never below the remission line: a score under 5 is always on track
        (5, 8, 4),  # the mild band starts at 5
        (4, 8, None),  # a baseline already in remission: nothing to expect
        (None, 8, None),
    ],
)
def test_expected_max_score_follows_the_documented_steps(baseline, session, expected):
    assert expected_max_score(baseline, session) == expected


@pytest.mark.parametrize(
    ("planned", "initial", "session", "expected"),
    [
        (8, 2, 2, None),  # brief IPT: the initial phase is sessions 1-2
        (8, 2, 3, 16),  # a third of 8 sessions: from session 3, a 20% fall
        (8, 2, 5, 16),
        (8, 2, 6, 12),  # two thirds of 8: from session 6, a 40% fall
        (12, 4, 4, None),  # adolescents: session 4 is still the initial phase
        (12, 4, 5, 16),
        (16, 3, 5, None),  # a 16-session course: a third is session 6
        (16, 3, 6, 16),
        (16, 3, 10, 16),
        (16, 3, 11, 12),
    ],
)
def test_expected_change_is_judged_in_the_course_s_own_length(planned, initial, session, expected):
    assert expected_max_score(20, session, planned, initial) == expected


def test_not_on_track_at_session_four_is_a_fall_of_less_than_20_percent():
    assert not not_on_track(20, 16, 4)
    assert not_on_track(20, 17, 4)


def test_not_on_track_not_in_the_initial_phase():
    assert not not_on_track(20, 20, 3)
    assert not_on_track(20, 20, 4)


def test_not_on_track_at_session_eight_is_a_fall_of_less_than_40_percent():
    assert not not_on_track(20, 12, 8)
    assert not_on_track(20, 13, 8)
    assert not not_on_track(20, 13, 7)  # still on the session 4-7 step (16)


def test_a_score_in_remission_is_on_track_at_any_session():
    assert not not_on_track(14, 4, 8)
    assert not_on_track(14, 9, 8)  # below caseness, but still short of a 40% fall


def test_a_mild_baseline_is_judged_but_one_in_remission_is_not():
    assert not not_on_track(4, 4, 12)
    assert not_on_track(9, 9, 12)
    assert not not_on_track(9, 5, 12)


def test_a_late_responder_falling_now_is_not_flagged():
    # Off the curve at session 8 (13 > 12), but down 24% since the PHQ-9 before: responding.
    assert not not_on_track(20, 13, 8, previous=17)
    # Down only 7% since the one before: still flagged.
    assert not_on_track(20, 13, 8, previous=14)


def test_missing_scores_are_not_flagged():
    assert not not_on_track(None, 15, 8)
    assert not not_on_track(20, None, 8)


# --- risk -------------------------------------------------------------------------------------
def test_item9_without_assessment_is_flagged_with_its_score_and_date():
    flag = risk_flag(
        [(date(2026, 9, 7), "PHQ-9 item 9 scored 1"), (date(2026, 9, 21), "PHQ-9 item 9 scored 2")],
        None,
    )
    assert flag.kind == "unassessed"
    assert "item 9 scored 2 on 21 Sep 2026" in flag.message
    assert "(and 1 earlier)" in flag.message


def test_elevated_latest_assessment_is_flagged():
    flag = risk_flag([], ("high", date(2026, 9, 21)))
    assert flag.kind == "elevated"
    assert flag.message == "Risk assessed as high on 21 Sep 2026: review the safety plan."


def test_an_unassessed_signal_does_not_hide_an_elevated_assessment():
    flag = risk_flag([(date(2026, 9, 7), "PHQ-9 item 9 scored 1")], ("high", date(2026, 9, 1)))
    assert flag.kind == "unassessed"
    assert "item 9 scored 1 on 7 Sep 2026" in flag.message
    assert "Risk assessed as high on 1 Sep 2026" in flag.message


def test_no_risk_flag_without_item9_or_elevated_assessment():
    assert risk_flag([], None) is None


def _load(course):
    return TreatmentCourse.objects.with_initial_phase().get(pk=course.pk)


def test_risk_flag_for_reads_the_course(db, django_assert_num_queries):
    course = CourseFactory()
    measure = MeasureFactory(course=course, answers=(2,) * 8 + (1,), taken_on=date(2026, 9, 14))
    loaded = _load(course)
    with django_assert_num_queries(0):
        assert risk_flag_for(loaded).kind == "unassessed"

    RiskAssessmentFactory(
        course=course,
        measure=measure,
        level=RiskAssessment.Level.LOW,
        assessed_on=date(2026, 9, 14),
    )
    assert risk_flag_for(_load(course)) is None

    RiskAssessmentFactory(
        course=course, level=RiskAssessment.Level.IMMINENT, assessed_on=date(2026, 9, 15)
    )
    flag = risk_flag_for(_load(course))
    assert flag.kind == "elevated"
    assert flag.message.startswith("Risk assessed as imminent on 15 Sep 2026")
