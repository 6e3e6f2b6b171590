"""Flags for the caseload: the "not on track" PHQ-9 rule and risk (ipt/flags.py).

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
        (20, 3, None),  # too early to expect a change
        (20, 4, 16),  # a 20% fall: 20 -> 16
        (20, 7, 16),
        (20, 8, 12),  # a 40% fall: 20 -> 12
        (20, 16, 12),
        (15, 4, 12),  # 20% of 15 is exactly 3 points
        (12, 4, 9),  # 20% of 12 is 2.4: a fall of 3 points is needed
        (27, 8, 16),  # 60% of 27 is 16.2
        (14, 8, 9),  # 40% would be 8.4, but below 10 is on track anyway
        (10, 4, 9),
        (9, 8, None),  # below caseness at baseline: the rule does not apply
        (None, 8, None),
    ],
)
def test_expected_max_score_follows_the_documented_steps(baseline, session, expected):
    assert expected_max_score(baseline, session) == expected


def test_not_on_track_at_session_four_is_a_fall_of_less_than_20_percent():
    assert not not_on_track(20, 16, 4)
    assert not_on_track(20, 17, 4)


def test_not_on_track_only_from_session_four():
    assert not not_on_track(20, 20, 3)
    assert not_on_track(20, 20, 4)


def test_not_on_track_at_session_eight_is_a_fall_of_less_than_40_percent():
    assert not not_on_track(20, 12, 8)
    assert not_on_track(20, 13, 8)
    assert not not_on_track(20, 13, 7)  # still on the session 4-7 step (16)


def test_a_score_below_ten_is_on_track_at_any_session():
    assert not not_on_track(14, 9, 8)
    assert not_on_track(14, 10, 8)
    assert not not_on_track(11, 9, 4)  # only an 18% fall, but below caseness


def test_baseline_below_caseness_is_never_flagged():
    assert not not_on_track(9, 9, 12)
    assert not_on_track(10, 10, 4)


def test_missing_scores_are_not_flagged():
    assert not not_on_track(None, 15, 8)
    assert not not_on_track(20, None, 8)


# --- risk -------------------------------------------------------------------------------------
def test_item9_without_assessment_is_flagged_with_its_score_and_date():
    flag = risk_flag([(date(2026, 9, 7), 1), (date(2026, 9, 21), 2)], None)
    assert flag.kind == "unassessed"
    assert "item 9 scored 2 on 21 Sep 2026" in flag.message
    assert "(and 1 earlier)" in flag.message


def test_elevated_latest_assessment_is_flagged():
    flag = risk_flag([], ("high", date(2026, 9, 21)))
    assert flag.kind == "elevated"
    assert flag.message == "Risk assessed as high on 21 Sep 2026: review the safety plan."


def test_unassessed_item9_comes_before_an_elevated_assessment():
    assert risk_flag([(date(2026, 9, 7), 1)], ("high", date(2026, 9, 1))).kind == "unassessed"


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
