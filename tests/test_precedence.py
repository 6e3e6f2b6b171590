"""The precedence reading on constructed series whose answer is known."""

import pytest

from ipt.rules.precedence import (
    CAVEAT,
    Verdict,
    changes,
    improved_from,
    precedence,
)

# PHQ-9 baseline at session 0, then every session; focal ratings from session 4.
PHQ9_FALLS_LATE = [(0, 18), (4, 17), (5, 17), (6, 16), (7, 15), (8, 10), (9, 8), (10, 7)]
FOCAL_RISES_EARLY = [(4, 2), (5, 3), (6, 6), (7, 7), (8, 7), (9, 8), (10, 8)]
PHQ9_FALLS_EARLY = [(0, 18), (4, 11), (5, 10), (6, 9), (7, 9), (8, 8), (9, 7), (10, 6)]
FOCAL_RISES_LATE = [(4, 2), (5, 2), (6, 3), (7, 3), (8, 4), (9, 6), (10, 7)]


def test_focal_rating_rising_before_the_phq9_falls_is_read_as_leading():
    reading = precedence(FOCAL_RISES_EARLY, PHQ9_FALLS_LATE)
    assert reading.verdict == Verdict.LED
    assert (reading.focal_from, reading.phq9_from) == (6, 8)
    assert "Interpersonal change came first" in reading.text
    assert "session 6" in reading.text and "session 8" in reading.text
    assert reading.caveat == CAVEAT and "proves nothing" in reading.caveat


def test_phq9_falling_before_the_focal_rating_rises_is_read_as_lagging():
    reading = precedence(FOCAL_RISES_LATE, PHQ9_FALLS_EARLY)
    assert reading.verdict == Verdict.LAGGED
    assert (reading.focal_from, reading.phq9_from) == (9, 4)
    assert reading.text.startswith("Symptoms improved first")


def test_both_improving_at_the_same_session_is_read_as_together():
    focal = [(4, 2), (5, 2), (6, 6), (7, 7)]
    phq9 = [(0, 18), (5, 17), (6, 10), (7, 9)]
    reading = precedence(focal, phq9)
    assert reading.verdict == Verdict.TOGETHER
    assert (reading.focal_from, reading.phq9_from) == (6, 6)


def test_no_reliable_change_in_either_is_read_as_neither():
    focal = [(4, 4), (5, 5), (6, 6), (7, 5)]
    phq9 = [(0, 15), (5, 13), (6, 12), (7, 12)]
    assert precedence(focal, phq9).verdict == Verdict.NEITHER


def test_too_few_readings_say_not_enough():
    reading = precedence([(4, 2), (5, 8)], PHQ9_FALLS_LATE)
    assert reading.verdict == Verdict.NOT_ENOUGH
    assert "2 and 8" in reading.text


def test_focal_rise_after_the_last_phq9_waits_for_the_next():
    focal = [(4, 2), (5, 2), (6, 2), (7, 2), (8, 3), (9, 7)]
    phq9 = [(0, 18), (4, 17), (8, 16)]
    reading = precedence(focal, phq9)
    assert reading.verdict == Verdict.NOT_ENOUGH
    assert reading.focal_from == 9 and "next one" in reading.text


def test_sparse_phq9_is_judged_only_where_it_was_read():
    # The focal rating rose at 6; the PHQ-9, read at 4 and 8 only, had fallen by 8: the record
    # cannot show which came first, so the reading says together, not "led".
    focal = [(4, 2), (5, 3), (6, 6), (7, 7), (8, 7)]
    phq9 = [(0, 18), (4, 17), (8, 9)]
    assert precedence(focal, phq9).verdict == Verdict.TOGETHER
    # With a PHQ-9 at 6 still high, the record shows the focal rating leading.
    phq9 = [(0, 18), (4, 17), (6, 16), (8, 9)]
    assert precedence(focal, phq9).verdict == Verdict.LED


def test_a_one_off_good_week_is_not_an_improvement():
    series = [(4, 2), (5, 7), (6, 2), (7, 3)]
    assert improved_from(series, 3, higher_is_better=True) is None
    assert improved_from([(4, 2), (5, 7), (6, 2), (7, 6)], 3, higher_is_better=True) == 7


@pytest.mark.parametrize(
    ("series", "expected"),
    [([(0, 18), (4, 12), (5, 12)], 4), ([(0, 18), (4, 13)], None), ([(0, 18)], None)],
)
def test_phq9_fall_needs_the_reliable_change_of_six_points(series, expected):
    assert improved_from(series, 6, higher_is_better=False) == expected


def test_changes_are_session_to_session():
    assert [(c.session, c.change) for c in changes([(4, 2), (5, 3), (7, 6)])] == [
        (4, None),
        (5, 1),
        (7, 3),
    ]
