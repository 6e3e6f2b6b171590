"""The symptom measures and outcome rules in ipt.measures (no database needed).

Expected values are written out here from the published cut-offs (IPT-REFERENCE.md,
"Measures"), not computed from the module, so a slip in either place shows up.
"""

import dataclasses
from fractions import Fraction

import pytest

from ipt.measures.instruments import (
    GAD7,
    HAMD17,
    INSTRUMENTS,
    PHQ9,
    PHQ9_RISK_ITEM,
    Band,
    Instrument,
    Item,
    Outcome,
    get_instrument,
    outcome,
    phq9_needs_risk_assessment,
)

# --- Independent band tables: one label per possible total -------------------------------

PHQ9_BAND_BY_TOTAL = (
    ["Minimal"] * 5  # 0-4
    + ["Mild"] * 5  # 5-9
    + ["Moderate"] * 5  # 10-14
    + ["Moderately severe"] * 5  # 15-19
    + ["Severe"] * 8  # 20-27
)
GAD7_BAND_BY_TOTAL = (
    ["Minimal"] * 5  # 0-4
    + ["Mild"] * 5  # 5-9
    + ["Moderate"] * 5  # 10-14
    + ["Severe"] * 7  # 15-21
)
HAMD17_BAND_BY_TOTAL = (
    ["No depression"] * 8  # 0-7
    + ["Mild"] * 9  # 8-16
    + ["Moderate"] * 7  # 17-23
    + ["Severe"] * 29  # 24-52
)
BAND_TABLES = {
    "phq9": PHQ9_BAND_BY_TOTAL,
    "gad7": GAD7_BAND_BY_TOTAL,
    "hamd17": HAMD17_BAND_BY_TOTAL,
}

HAMD17_ITEM_MAXIMA = [4, 4, 4, 2, 2, 2, 4, 4, 4, 4, 4, 2, 2, 2, 4, 2, 2]
ALL = [PHQ9, GAD7, HAMD17]


def _every_total():
    for code, table in BAND_TABLES.items():
        for total, label in enumerate(table):
            yield pytest.param(code, total, label, id=f"{code}-{total}")


def test_band_tables_cover_the_published_ranges():
    assert len(PHQ9_BAND_BY_TOTAL) == 28
    assert len(GAD7_BAND_BY_TOTAL) == 22
    assert len(HAMD17_BAND_BY_TOTAL) == 53


@pytest.mark.parametrize(("code", "total", "label"), list(_every_total()))
def test_band_for_every_possible_total(code, total, label):
    band = INSTRUMENTS[code].band(total)
    assert band.label == label
    assert band.low <= total <= band.high


@pytest.mark.parametrize("instrument", ALL, ids=lambda i: i.code)
def test_bands_are_contiguous_and_end_at_max_total(instrument):
    assert instrument.bands[0].low == 0
    for before, after in zip(instrument.bands, instrument.bands[1:], strict=False):
        assert after.low == before.high + 1
    assert instrument.bands[-1].high == instrument.max_total


@pytest.mark.parametrize("instrument", ALL, ids=lambda i: i.code)
@pytest.mark.parametrize("total", [-1, "max+1", 1.0, "3", None, True, False])
def test_band_rejects_impossible_totals(instrument, total):
    if total == "max+1":
        total = instrument.max_total + 1
    with pytest.raises(ValueError, match=instrument.name):
        instrument.band(total)


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("Minimal", "minimal"),
        ("Mild", "mild"),
        ("Moderate", "moderate"),
        ("Moderately severe", "moderately-severe"),
        ("Severe", "severe"),
        ("No depression", "no-depression"),
    ],
)
def test_band_key_is_a_css_slug(label, key):
    assert Band(0, 1, label).key == key


def test_band_keys_used_by_the_instruments():
    assert [b.key for b in PHQ9.bands] == [
        "minimal",
        "mild",
        "moderate",
        "moderately-severe",
        "severe",
    ]
    assert [b.key for b in GAD7.bands] == ["minimal", "mild", "moderate", "severe"]
    assert [b.key for b in HAMD17.bands] == ["no-depression", "mild", "moderate", "severe"]


# --- Instrument definitions ---------------------------------------------------------------


def test_registry_and_lookup():
    assert INSTRUMENTS == {"phq9": PHQ9, "gad7": GAD7, "hamd17": HAMD17}
    for code, instrument in INSTRUMENTS.items():
        assert instrument.code == code
        assert get_instrument(code) is instrument
    assert get_instrument(PHQ9) is PHQ9


@pytest.mark.parametrize("code", ["PHQ9", "phq-9", "bdi", "", None, ["phq9"]])
def test_unknown_instrument_is_a_value_error(code):
    with pytest.raises(ValueError, match="Unknown measure"):
        get_instrument(code)


def test_names_titles_and_raters():
    assert (PHQ9.name, PHQ9.rated_by) == ("PHQ-9", "patient")
    assert (GAD7.name, GAD7.rated_by) == ("GAD-7", "patient")
    assert (HAMD17.name, HAMD17.rated_by) == ("HAM-D-17", "clinician")
    assert PHQ9.title == "Patient Health Questionnaire (PHQ-9)"
    assert "GAD-7" in GAD7.title
    assert "HAM-D-17" in HAMD17.title
    assert PHQ9.period == (
        "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
    )
    assert all(i.period for i in ALL)


def test_item_counts_and_maxima():
    assert [i.max_score for i in PHQ9.items] == [3] * 9
    assert [i.max_score for i in GAD7.items] == [3] * 7
    assert [i.max_score for i in HAMD17.items] == HAMD17_ITEM_MAXIMA
    assert (PHQ9.max_total, GAD7.max_total, HAMD17.max_total) == (27, 21, 52)


@pytest.mark.parametrize("instrument", ALL, ids=lambda i: i.code)
def test_items_are_numbered_and_have_a_label_for_every_score(instrument):
    for number, item in enumerate(instrument.items, 1):
        assert item.number == number
        assert item.text
        assert [score for score, _ in item.choices] == list(range(item.max_score + 1))
        assert all(label for _, label in item.choices)


def test_phq9_and_gad7_share_the_frequency_scale():
    expected = (
        (0, "Not at all"),
        (1, "Several days"),
        (2, "More than half the days"),
        (3, "Nearly every day"),
    )
    assert all(item.choices == expected for item in PHQ9.items + GAD7.items)


def test_phq9_wording():
    texts = [item.text for item in PHQ9.items]
    assert texts[0] == "Little interest or pleasure in doing things"
    assert texts[1] == "Feeling down, depressed, or hopeless"
    assert texts[5].startswith("Feeling bad about yourself — or that you are a failure")
    assert texts[7].startswith("Moving or speaking so slowly that other people could have noticed?")
    assert texts[8] == (
        "Thoughts that you would be better off dead or of hurting yourself in some way"
    )


def test_phq9_difficulty_question_only_on_phq9():
    assert PHQ9.difficulty_question.startswith("If you checked off any problems")
    assert PHQ9.difficulty_choices == (
        (0, "Not difficult at all"),
        (1, "Somewhat difficult"),
        (2, "Very difficult"),
        (3, "Extremely difficult"),
    )
    for other in (GAD7, HAMD17):
        assert other.difficulty_question == ""
        assert other.difficulty_choices == ()


def test_gad7_wording():
    assert [item.text for item in GAD7.items] == [
        "Feeling nervous, anxious or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid as if something awful might happen",
    ]


def test_hamd17_item_order():
    starts = [
        "Depressed mood",
        "Feelings of guilt",
        "Suicide",
        "Insomnia: early",
        "Insomnia: middle",
        "Insomnia: early hours",
        "Work and activities",
        "Retardation",
        "Agitation",
        "Anxiety: psychic",
        "Anxiety: somatic",
        "Somatic symptoms: gastro",
        "Somatic symptoms: general",
        "Genital",
        "Hypochondriasis",
        "Loss of weight",
        "Insight",
    ]
    for item, start in zip(HAMD17.items, starts, strict=True):
        assert item.text.startswith(start)


def test_definitions_are_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        PHQ9.name = "PHQ-8"
    with pytest.raises(dataclasses.FrozenInstanceError):
        PHQ9.bands[0].high = 5


def _custom(items, bands):
    return Instrument("x", "X", "X", "patient", "", tuple(items), tuple(bands))


def test_a_malformed_definition_fails_at_import_time():
    ok = Item(1, "a", 1, ((0, "No"), (1, "Yes")))
    _custom([ok], [Band(0, 1, "All")])  # well formed
    with pytest.raises(ValueError, match="numbered"):
        _custom([dataclasses.replace(ok, number=2)], [Band(0, 1, "All")])
    with pytest.raises(ValueError, match="choices"):
        _custom([dataclasses.replace(ok, max_score=2)], [Band(0, 2, "All")])
    with pytest.raises(ValueError, match="bands"):
        _custom([ok], [Band(0, 0, "Low")])  # 1 not covered
    with pytest.raises(ValueError, match="bands"):
        _custom([ok], [Band(0, 0, "Low"), Band(2, 2, "Gap")])
    with pytest.raises(ValueError, match="bands"):
        _custom([ok], [Band(1, 1, "No zero")])


# --- Scoring and its validation -----------------------------------------------------------


@pytest.mark.parametrize("instrument", ALL, ids=lambda i: i.code)
def test_score_sums_valid_answers(instrument):
    n = len(instrument.items)
    maxima = [item.max_score for item in instrument.items]
    assert instrument.score([0] * n) == 0
    assert instrument.score(maxima) == instrument.max_total
    assert instrument.score(tuple([1] * n)) == n
    assert instrument.score([m // 2 for m in maxima]) == sum(m // 2 for m in maxima)


def test_score_examples():
    assert PHQ9.score([3, 3, 2, 2, 1, 2, 1, 1, 0]) == 15
    assert GAD7.score([1, 2, 0, 3, 1, 0, 2]) == 9
    assert HAMD17.score([4, 4, 4, 2, 2, 2, 4, 4, 4, 4, 4, 2, 2, 2, 4, 2, 2]) == 52


@pytest.mark.parametrize("instrument", ALL, ids=lambda i: i.code)
@pytest.mark.parametrize("how_many", ["none", "one short", "one over", "the other measure's"])
def test_score_rejects_wrong_number_of_answers(instrument, how_many):
    n = len(instrument.items)
    count = {
        "none": 0,
        "one short": n - 1,
        "one over": n + 1,
        "the other measure's": 7 if instrument is not GAD7 else 9,
    }[how_many]
    with pytest.raises(ValueError, match=rf"{instrument.name} needs an answer to all {n} items"):
        instrument.score([0] * count)


def _per_item(instrument_list):
    for instrument in instrument_list:
        for item in instrument.items:
            yield pytest.param(instrument, item, id=f"{instrument.code}-item{item.number}")


@pytest.mark.parametrize(("instrument", "item"), list(_per_item(ALL)))
def test_score_per_item_range(instrument, item):
    answers = [0] * len(instrument.items)
    index = item.number - 1
    for good in range(item.max_score + 1):
        answers[index] = good
        assert instrument.score(answers) == good
    for bad in (item.max_score + 1, item.max_score + 10, -1, -3):
        answers[index] = bad
        with pytest.raises(ValueError, match=rf"item {item.number} .*0 to {item.max_score}"):
            instrument.score(answers)


@pytest.mark.parametrize("number", [4, 5, 6, 12, 13, 14, 16, 17])
def test_hamd17_two_point_items_reject_three(number):
    answers = [0] * 17
    answers[number - 1] = 3
    with pytest.raises(
        ValueError, match=f"HAM-D-17 item {number} must be a whole number from 0 to 2"
    ):
        HAMD17.score(answers)


@pytest.mark.parametrize("number", [1, 2, 3, 7, 8, 9, 10, 11, 15])
def test_hamd17_four_point_items_accept_four_not_five(number):
    answers = [0] * 17
    answers[number - 1] = 4
    assert HAMD17.score(answers) == 4
    answers[number - 1] = 5
    with pytest.raises(ValueError, match=f"item {number} "):
        HAMD17.score(answers)


@pytest.mark.parametrize("instrument", ALL, ids=lambda i: i.code)
@pytest.mark.parametrize("bad", [True, False, 1.0, 0.5, "1", None, [1]])
def test_score_rejects_non_integers_and_bools(instrument, bad):
    answers = [0] * len(instrument.items)
    answers[-1] = bad
    with pytest.raises(ValueError, match=f"item {len(instrument.items)} must be a whole number"):
        instrument.score(answers)


@pytest.mark.parametrize("answers", ["000000000", b"000000000", None, 9, {0}, iter([0] * 9)])
def test_score_rejects_things_that_are_not_a_list_of_answers(answers):
    with pytest.raises(ValueError, match="PHQ-9"):
        PHQ9.score(answers)


# --- PHQ-9 item 9 ------------------------------------------------------------------------


def test_risk_item_is_item_nine():
    assert PHQ9_RISK_ITEM == 9
    assert PHQ9.items[PHQ9_RISK_ITEM - 1].text.startswith(
        "Thoughts that you would be better off dead"
    )


@pytest.mark.parametrize(("item9", "needed"), [(0, False), (1, True), (2, True), (3, True)])
def test_item_nine_above_zero_needs_risk_assessment(item9, needed):
    assert phq9_needs_risk_assessment([0] * 8 + [item9]) is needed
    assert phq9_needs_risk_assessment([3] * 8 + [item9]) is needed  # total does not matter


@pytest.mark.parametrize("other", range(8))
def test_other_items_never_trigger_risk_assessment(other):
    answers = [0] * 9
    answers[other] = 3
    assert phq9_needs_risk_assessment(answers) is False


@pytest.mark.parametrize(
    "answers", [[0] * 8, [0] * 10, [0] * 8 + [4], [0] * 8 + [-1], [0] * 8 + [True]]
)
def test_risk_check_refuses_invalid_answers(answers):
    with pytest.raises(ValueError):
        phq9_needs_risk_assessment(answers)


# --- Outcomes at their boundaries ---------------------------------------------------------


def test_outcome_fields():
    result = outcome("phq9", 18, 4)
    assert isinstance(result, Outcome)
    assert (result.baseline, result.latest, result.change) == (18, 4, -14)
    assert result.percent_change == pytest.approx(-77.777, abs=0.01)
    assert result.instrument is PHQ9
    assert outcome(PHQ9, 18, 4) == result


@pytest.mark.parametrize(
    ("code", "baseline", "latest", "response"),
    [
        ("phq9", 10, 5, True),  # exactly 50%
        ("phq9", 10, 6, False),  # 40%
        ("phq9", 9, 4, True),  # 55.6%
        ("phq9", 9, 5, False),  # 44.4%: half of 9 is 4.5, so 5 is short
        ("phq9", 27, 13, True),
        ("phq9", 27, 14, False),
        ("phq9", 1, 0, True),
        ("phq9", 0, 0, False),  # nothing to fall from
        ("gad7", 8, 4, True),
        ("gad7", 8, 5, False),
        ("hamd17", 20, 10, True),
        ("hamd17", 20, 11, False),
        ("hamd17", 52, 26, True),
        ("hamd17", 52, 27, False),
    ],
)
def test_response_is_a_fall_of_at_least_half(code, baseline, latest, response):
    assert outcome(code, baseline, latest).response is response


@pytest.mark.parametrize(
    ("code", "latest", "remission"),
    [
        ("phq9", 0, True),
        ("phq9", 4, True),
        ("phq9", 5, False),
        ("gad7", 4, True),
        ("gad7", 5, False),
        ("hamd17", 7, True),
        ("hamd17", 8, False),
    ],
)
def test_remission_cut_offs(code, latest, remission):
    assert outcome(code, 20, latest).remission is remission


@pytest.mark.parametrize(
    ("code", "baseline", "latest", "improved", "deteriorated"),
    [
        ("phq9", 15, 9, True, False),  # fall of 6: NHS Talking Therapies reliable change
        ("phq9", 15, 10, False, False),  # fall of 5
        ("phq9", 6, 0, True, False),
        ("phq9", 9, 15, False, True),  # rise of 6
        ("phq9", 9, 14, False, False),  # rise of 5
        ("phq9", 21, 27, False, True),
        ("gad7", 12, 8, True, False),  # fall of 4
        ("gad7", 12, 9, False, False),  # fall of 3
        ("gad7", 8, 12, False, True),  # rise of 4
        ("gad7", 8, 11, False, False),  # rise of 3
        ("gad7", 0, 4, False, True),
        ("hamd17", 40, 0, False, False),  # no reliable-change rule for the HAM-D
        ("hamd17", 0, 40, False, False),
    ],
)
def test_reliable_change(code, baseline, latest, improved, deteriorated):
    result = outcome(code, baseline, latest)
    assert result.reliable_improvement is improved
    assert result.reliable_deterioration is deteriorated


@pytest.mark.parametrize(
    ("code", "baseline", "latest", "recovery"),
    [
        ("phq9", 10, 9, True),  # from caseness to below it
        ("phq9", 9, 8, False),  # baseline below caseness: nothing to recover from
        ("phq9", 10, 10, False),
        ("phq9", 27, 9, True),
        ("phq9", 27, 10, False),
        ("gad7", 8, 7, True),  # GAD-7 caseness is 8, not 10
        ("gad7", 7, 6, False),
        ("gad7", 8, 8, False),
        ("gad7", 21, 0, True),
        ("hamd17", 8, 7, True),
        ("hamd17", 7, 0, False),
        ("hamd17", 8, 8, False),
        ("hamd17", 30, 7, True),
    ],
)
def test_recovery(code, baseline, latest, recovery):
    assert outcome(code, baseline, latest).recovery is recovery


def test_baseline_zero_has_no_percent_and_no_response():
    result = outcome("phq9", 0, 0)
    assert result.percent_change is None
    assert result.response is False
    assert result.change == 0
    worse = outcome("phq9", 0, 7)
    assert worse.percent_change is None
    assert worse.change == 7
    assert worse.response is False
    assert worse.reliable_deterioration is True


@pytest.mark.parametrize(
    ("baseline", "latest", "percent"),
    [(10, 5, -50.0), (10, 15, 50.0), (12, 12, 0.0), (20, 0, -100.0), (4, 12, 200.0)],
)
def test_percent_change(baseline, latest, percent):
    assert outcome("phq9", baseline, latest).percent_change == pytest.approx(percent)


# Written out from the reference, independently of the module.
RULES = {
    # code: (remission at or below, caseness, reliable change or None)
    "phq9": (4, 10, 6),
    "gad7": (4, 8, 4),
    "hamd17": (7, 8, None),
}


@pytest.mark.parametrize("instrument", ALL, ids=lambda i: i.code)
def test_every_pair_of_totals(instrument):
    remission_max, caseness, reliable = RULES[instrument.code]
    for baseline in range(instrument.max_total + 1):
        for latest in range(instrument.max_total + 1):
            r = outcome(instrument.code, baseline, latest)
            assert r.change == latest - baseline
            half_or_less = baseline > 0 and Fraction(latest, baseline) <= Fraction(1, 2)
            assert r.response is half_or_less
            assert r.remission is (latest <= remission_max)
            assert r.recovery is (baseline >= caseness > latest)
            if reliable is None:
                assert not r.reliable_improvement
                assert not r.reliable_deterioration
            else:
                assert r.reliable_improvement is (baseline - latest >= reliable)
                assert r.reliable_deterioration is (latest - baseline >= reliable)
            assert not (r.reliable_improvement and r.reliable_deterioration)


@pytest.mark.parametrize("code", ["phq9", "gad7", "hamd17"])
@pytest.mark.parametrize(
    ("baseline", "latest"), [(-1, 0), (0, -1), ("max+1", 0), (0, "max+1"), (True, 0), (0, 1.5)]
)
def test_outcome_rejects_impossible_totals(code, baseline, latest):
    top = INSTRUMENTS[code].max_total + 1
    baseline = top if baseline == "max+1" else baseline
    latest = top if latest == "max+1" else latest
    with pytest.raises(ValueError, match="must be a whole number"):
        outcome(code, baseline, latest)


def test_outcome_rejects_unknown_instrument():
    with pytest.raises(ValueError, match="Unknown measure"):
        outcome("bdi", 10, 5)


def test_outcome_needs_rules_for_the_instrument():
    custom = _custom([Item(1, "a", 1, ((0, "No"), (1, "Yes")))], [Band(0, 1, "All")])
    with pytest.raises(ValueError, match="No outcome rules"):
        outcome(custom, 1, 0)


# --- Summary sentence ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "baseline", "latest", "summary"),
    [
        ("phq9", 18, 4, "Response and remission: PHQ-9 18 → 4 (-78%)."),
        ("phq9", 8, 14, "Reliable deterioration: PHQ-9 8 → 14 (+75%)."),
        ("phq9", 6, 4, "Remission: PHQ-9 6 → 4 (-33%)."),
        ("phq9", 20, 10, "Response: PHQ-9 20 → 10 (-50%)."),
        ("phq9", 12, 9, "Recovery (NHS Talking Therapies): PHQ-9 12 → 9 (-25%)."),
        ("phq9", 22, 16, "Reliable improvement: PHQ-9 22 → 16 (-27%)."),
        ("phq9", 15, 12, "Some improvement: PHQ-9 15 → 12 (-20%)."),
        ("phq9", 12, 15, "Worse: PHQ-9 12 → 15 (+25%)."),
        ("phq9", 12, 12, "No change: PHQ-9 12 → 12 (0%)."),
        ("phq9", 0, 3, "Below the remission cut-off at the start and the end: PHQ-9 0 → 3."),
        (
            "phq9",
            4,
            0,
            "Below the remission cut-off at the start and the end: PHQ-9 4 → 0 (-100%).",
        ),
        ("gad7", 0, 4, "Reliable deterioration: GAD-7 0 → 4."),
        ("gad7", 15, 6, "Response: GAD-7 15 → 6 (-60%)."),
        ("hamd17", 24, 7, "Response and remission: HAM-D-17 24 → 7 (-71%)."),
        ("hamd17", 20, 12, "Some improvement: HAM-D-17 20 → 12 (-40%)."),
        ("hamd17", 10, 30, "Worse: HAM-D-17 10 → 30 (+200%)."),
    ],
)
def test_summary(code, baseline, latest, summary):
    # Written above with "-" for legibility; the sentence uses a true minus sign (U+2212).
    assert outcome(code, baseline, latest).summary == summary.replace("(-", "(\u2212")


@pytest.mark.parametrize("instrument", ALL, ids=lambda i: i.code)
def test_every_summary_is_one_sentence_naming_the_measure(instrument):
    for baseline in range(instrument.max_total + 1):
        for latest in range(instrument.max_total + 1):
            text = outcome(instrument, baseline, latest).summary
            assert text.endswith(".")
            assert f"{instrument.name} {baseline} → {latest}" in text
            assert "-" not in text.replace(instrument.name, "").replace("cut-off", "")
