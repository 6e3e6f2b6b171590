"""Symptom measures and outcome rules: the one place they are defined.

Plain data and arithmetic, no Django. Forms, charts, reports and exports read the
wording, bands and thresholds from here. See IPT-REFERENCE.md, "Measures".
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    label: str

    @property
    def key(self) -> str:
        """Slug of the label, e.g. "moderately-severe"; used as a CSS class."""
        return re.sub(r"[^a-z0-9]+", "-", self.label.lower()).strip("-")


@dataclass(frozen=True)
class Item:
    number: int
    text: str
    max_score: int
    choices: tuple[tuple[int, str], ...]  # (score, label) pairs, 0..max_score


def _is_whole(value) -> bool:
    # bool is a subclass of int, but a tick-box True is not a score.
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Instrument:
    code: str
    name: str
    title: str
    rated_by: str  # "patient" | "clinician"
    period: str
    items: tuple[Item, ...]
    bands: tuple[Band, ...]
    difficulty_question: str = ""
    difficulty_choices: tuple[tuple[int, str], ...] = ()

    def __post_init__(self):
        # Catch a mistyped definition at import time rather than as a wrong band in clinic.
        if [i.number for i in self.items] != list(range(1, len(self.items) + 1)):
            raise ValueError(f"{self.name}: items must be numbered 1..{len(self.items)}.")
        for item in self.items:
            if [score for score, _ in item.choices] != list(range(item.max_score + 1)):
                raise ValueError(f"{self.name} item {item.number}: choices must be 0..max_score.")
        edges = [0, *(b.high + 1 for b in self.bands)]
        if [b.low for b in self.bands] != edges[:-1] or edges[-1] != self.max_total + 1:
            raise ValueError(f"{self.name}: bands must cover 0..{self.max_total} without gaps.")

    @property
    def max_total(self) -> int:
        return sum(item.max_score for item in self.items)

    def score(self, answers: Sequence[int]) -> int:
        """Total of a complete set of answers, after checking every one of them."""
        if isinstance(answers, str | bytes) or not isinstance(answers, Sequence):
            raise ValueError(f"{self.name} answers must be a list of {len(self.items)} scores.")
        if len(answers) != len(self.items):
            raise ValueError(
                f"{self.name} needs an answer to all {len(self.items)} items; got {len(answers)}."
            )
        for item, answer in zip(self.items, answers, strict=True):
            if not _is_whole(answer) or not 0 <= answer <= item.max_score:
                raise ValueError(
                    f"{self.name} item {item.number} must be a whole number from 0 to "
                    f"{item.max_score}; got {answer!r}."
                )
        return sum(answers)

    def check_total(self, total: int, what: str = "total") -> int:
        if not _is_whole(total) or not 0 <= total <= self.max_total:
            raise ValueError(
                f"{self.name} {what} must be a whole number from 0 to {self.max_total}; got {total!r}."
            )
        return total

    def band(self, total: int) -> Band:
        self.check_total(total)
        return next(b for b in self.bands if b.low <= total <= b.high)


def _choices(*labels: str) -> tuple[tuple[int, str], ...]:
    return tuple(enumerate(labels))


def _items(max_score: int, choices, *texts: str) -> tuple[Item, ...]:
    return tuple(Item(n, text, max_score, choices) for n, text in enumerate(texts, 1))


# The PHQ-9 and GAD-7 share their response scale.
_FREQUENCY = _choices("Not at all", "Several days", "More than half the days", "Nearly every day")

# PHQ-9 (Kroenke, Spitzer & Williams 2001). Pfizer: free to reproduce, no permission needed.
PHQ9 = Instrument(
    code="phq9",
    name="PHQ-9",
    title="Patient Health Questionnaire (PHQ-9)",
    rated_by="patient",
    period="Over the last 2 weeks, how often have you been bothered by any of the following problems?",
    items=_items(
        3,
        _FREQUENCY,
        "Little interest or pleasure in doing things",
        "Feeling down, depressed, or hopeless",
        "Trouble falling or staying asleep, or sleeping too much",
        "Feeling tired or having little energy",
        "Poor appetite or overeating",
        "Feeling bad about yourself — or that you are a failure or have let yourself or your family down",
        "Trouble concentrating on things, such as reading the newspaper or watching television",
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — being so "
        "fidgety or restless that you have been moving around a lot more than usual",
        "Thoughts that you would be better off dead or of hurting yourself in some way",
    ),
    bands=(
        Band(0, 4, "Minimal"),
        Band(5, 9, "Mild"),
        Band(10, 14, "Moderate"),
        Band(15, 19, "Moderately severe"),
        Band(20, 27, "Severe"),
    ),
    # The tenth question is not scored; it records how much the problems get in the way.
    difficulty_question=(
        "If you checked off any problems, how difficult have these problems made it for you to do "
        "your work, take care of things at home, or get along with other people?"
    ),
    difficulty_choices=_choices(
        "Not difficult at all", "Somewhat difficult", "Very difficult", "Extremely difficult"
    ),
)

# GAD-7 (Spitzer et al. 2006), free to use. Cut-offs at 5, 10 and 15.
GAD7 = Instrument(
    code="gad7",
    name="GAD-7",
    title="Generalized Anxiety Disorder scale (GAD-7)",
    rated_by="patient",
    period="Over the last 2 weeks, how often have you been bothered by the following problems?",
    items=_items(
        3,
        _FREQUENCY,
        "Feeling nervous, anxious or on edge",
        "Not being able to stop or control worrying",
        "Worrying too much about different things",
        "Trouble relaxing",
        "Being so restless that it is hard to sit still",
        "Becoming easily annoyed or irritable",
        "Feeling afraid as if something awful might happen",
    ),
    bands=(
        Band(0, 4, "Minimal"),
        Band(5, 9, "Mild"),
        Band(10, 14, "Moderate"),
        Band(15, 21, "Severe"),
    ),
)

# HAM-D-17 (Hamilton 1960), clinician-rated, public domain. Each row is the item, then its
# anchors from 0 upwards (anchors shortened from the original). Items 1-3, 7-11 and 15 are
# rated 0-4, the other eight 0-2: a maximum of 52.
_SEVERITY = ("Absent", "Mild", "Moderate", "Severe", "Incapacitating")
# fmt: off
_HAMD_ROWS = (
    ("Depressed mood", "Absent", "Indicated only on questioning", "Spontaneously reported",
     "Communicated non-verbally (expression, posture, voice, tearfulness)",
     "Virtually only these feelings, verbally and non-verbally"),
    ("Feelings of guilt", "Absent", "Self-reproach; feels has let people down",
     "Ideas of guilt or rumination over past errors",
     "Present illness is a punishment; delusions of guilt",
     "Accusatory voices or threatening visual hallucinations"),
    ("Suicide", "Absent", "Feels life is not worth living",
     "Wishes were dead, or any thoughts of possible death to self", "Suicidal ideas or gesture",
     "Attempts at suicide (any serious attempt rates 4)"),
    ("Insomnia: early in the night", "No difficulty falling asleep",
     "Occasional difficulty falling asleep (more than ½ hour)", "Nightly difficulty falling asleep"),
    ("Insomnia: middle of the night", "No difficulty", "Restless and disturbed during the night",
     "Waking during the night; any getting out of bed (except to void)"),
    ("Insomnia: early hours of the morning", "No difficulty",
     "Wakes in early hours but goes back to sleep", "Unable to fall asleep again once up"),
    ("Work and activities", "No difficulty", "Thoughts of incapacity, fatigue or weakness",
     "Loss of interest in activities, hobbies or work",
     "Less time spent in activities, or less productive", "Stopped working because of present illness"),
    ("Retardation (slowness of thought and speech, poor concentration, less movement)",
     "Normal speech and thought", "Slight retardation at interview",
     "Obvious retardation at interview", "Interview difficult", "Complete stupor"),
    ("Agitation", "None", "Fidgetiness", "Playing with hands, hair, etc.",
     "Moving about, can't sit still", "Hand-wringing, nail-biting, hair-pulling, lip-biting"),
    ("Anxiety: psychic", "No difficulty", "Subjective tension and irritability",
     "Worrying about minor matters", "Apprehensive attitude apparent in face or speech",
     "Fears expressed without questioning"),
    ("Anxiety: somatic (dry mouth, indigestion, palpitations, headaches, sweating, sighing …)",
     *_SEVERITY),
    ("Somatic symptoms: gastro-intestinal", "None",
     "Loss of appetite but eats without encouragement; heavy feeling in abdomen",
     "Difficulty eating without urging; needs laxatives or medication for bowels"),
    ("Somatic symptoms: general", "None",
     "Heavy limbs, back or head; aches; loss of energy and fatigability", "Any clear-cut symptom"),
    ("Genital symptoms (loss of libido, menstrual disturbance)", "Absent", "Mild", "Severe"),
    ("Hypochondriasis", "Not present", "Self-absorption (bodily)", "Preoccupation with health",
     "Frequent complaints, requests for help, etc.", "Hypochondriacal delusions"),
    ("Loss of weight", "No weight loss", "Probable weight loss with present illness",
     "Definite weight loss (by patient's account or by weighing)"),
    ("Insight", "Acknowledges being depressed and ill",
     "Acknowledges illness but blames food, climate, overwork, virus, need for rest, etc.",
     "Denies being ill at all"),
)
# fmt: on

HAMD17 = Instrument(
    code="hamd17",
    name="HAM-D-17",
    title="Hamilton Rating Scale for Depression (HAM-D-17)",
    rated_by="clinician",
    period="Rate the patient's state over the past week, from the clinical interview.",
    items=tuple(
        Item(n, text, len(anchors) - 1, _choices(*anchors))
        for n, (text, *anchors) in enumerate(_HAMD_ROWS, 1)
    ),
    bands=(
        Band(0, 7, "No depression"),
        Band(8, 16, "Mild"),
        Band(17, 23, "Moderate"),
        Band(24, 52, "Severe"),
    ),
)


INSTRUMENTS: dict[str, Instrument] = {i.code: i for i in (PHQ9, GAD7, HAMD17)}

HAMD_SUICIDE_ITEM = 3  # HAM-D-17 item 3, suicide: above 0 is a risk signal


def get_instrument(code) -> Instrument:
    if isinstance(code, Instrument):
        return code
    try:
        return INSTRUMENTS[code]
    except (KeyError, TypeError):
        known = ", ".join(INSTRUMENTS)
        raise ValueError(f"Unknown measure {code!r}; expected one of {known}.") from None


# Any answer above 0 on PHQ-9 item 9 (thoughts of being better off dead or of self-harm)
# needs a documented suicide-risk assessment, whatever the total.
PHQ9_RISK_ITEM = 9


def phq9_needs_risk_assessment(answers: Sequence[int]) -> bool:
    PHQ9.score(answers)  # a partial or invalid form must not pass silently as "no risk"
    return answers[PHQ9_RISK_ITEM - 1] > 0


# NHS Talking Therapies: a PHQ-9 of 10 or more is a clinical case. Every rule that asks
# "is this a case?" (recovery, not on track, symptoms coming back) reads this one number.
PHQ9_CASENESS = 10


class OutcomeRule(NamedTuple):
    remission_max: int  # latest at or below this is remission
    caseness: int  # "clinical case" cut-off: recovery is baseline >= caseness, latest below it
    reliable_change: int | None  # smallest change beyond measurement error; None = not defined


OUTCOME_RULES = {
    # Remission: PHQ-9 below 5. NHS Talking Therapies: caseness at 10, reliable change 6 points.
    "phq9": OutcomeRule(remission_max=4, caseness=PHQ9_CASENESS, reliable_change=6),
    # Remission: GAD-7 below 5. NHS Talking Therapies: caseness at 8, reliable change 4 points.
    "gad7": OutcomeRule(remission_max=4, caseness=8, reliable_change=4),
    # Remission: HAM-D-17 of 7 or below; recovery from 8+ into that range. There is no agreed
    # reliable-change index for the HAM-D, so neither reliable flag is ever set: rely on
    # response and remission instead.
    "hamd17": OutcomeRule(remission_max=7, caseness=8, reliable_change=None),
}


@dataclass(frozen=True)
class Outcome:
    baseline: int
    latest: int
    change: int  # latest - baseline; negative is better
    percent_change: float | None  # None when baseline is 0
    response: bool
    remission: bool
    reliable_improvement: bool
    reliable_deterioration: bool
    recovery: bool
    instrument: Instrument = field(repr=False)

    @property
    def summary(self) -> str:
        """One clinical sentence, e.g. "Response and remission: PHQ-9 18 → 4 (-78%)."."""
        never_ill = self.baseline <= OUTCOME_RULES[self.instrument.code].remission_max
        verdicts = (  # first match wins; deterioration is the flag that most needs to be seen
            (self.reliable_deterioration, "Reliable deterioration"),
            # Only the first and last scores are compared: "throughout" would claim more.
            (self.remission and never_ill, "Below the remission cut-off at the start and the end"),
            (self.response and self.remission, "Response and remission"),
            (self.remission, "Remission"),
            (self.response, "Response"),
            (self.recovery, "Recovery (NHS Talking Therapies)"),
            (self.reliable_improvement, "Reliable improvement"),
            (self.change < 0, "Some improvement"),
            (self.change > 0, "Worse"),
        )
        verdict = next((label for hit, label in verdicts if hit), "No change")
        scores = f"{self.instrument.name} {self.baseline} → {self.latest}"
        if self.percent_change is not None:
            # A true minus sign (U+2212), as in print; "+" for a rise.
            sign = "\u2212" if self.percent_change < 0 else "+" if self.percent_change > 0 else ""
            scores += f" ({sign}{abs(self.percent_change):.0f}%)"
        return f"{verdict}: {scores}."


def outcome(instrument: Instrument | str, baseline: int, latest: int) -> Outcome:
    """Compare a latest total with the baseline total on the same instrument."""
    inst = get_instrument(instrument)
    rule = OUTCOME_RULES.get(inst.code)
    if rule is None:
        raise ValueError(f"No outcome rules are defined for {inst.name}.")
    inst.check_total(baseline, "baseline")
    inst.check_total(latest, "latest")
    change = latest - baseline
    fall = -change
    reliable = rule.reliable_change
    return Outcome(
        baseline=baseline,
        latest=latest,
        change=change,
        percent_change=None if baseline == 0 else change * 100 / baseline,
        # Response: a fall of at least 50%. Integer test avoids float rounding at the boundary.
        response=baseline > 0 and 2 * fall >= baseline,
        remission=latest <= rule.remission_max,
        reliable_improvement=reliable is not None and fall >= reliable,
        reliable_deterioration=reliable is not None and change >= reliable,
        recovery=baseline >= rule.caseness and latest < rule.caseness,
        instrument=inst,
    )
