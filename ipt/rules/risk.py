"""Risk: every signal asks for a dated assessment and stays in sight until one answers it.

IPT-REFERENCE.md, "Risk and measurement-based care": the risk signals are PHQ-9 item 9 above
0, HAM-D-17 item 3 (suicide) above 0, an acute-suicidality answer on the suitability screen
(recorded, whether or not it was overridden to go on with IPT), and the clinician's own
concern at any time. Each needs a dated risk assessment (level, what was asked, protective
factors, safety plan, actions, who was told, review date); a course cannot close over an
unanswered signal. "Urgent risk always points to emergency procedures, not to the next session."

Pure rules over plain values, so that every boundary is tested without a database; the
course's records are turned into these values by ``TreatmentCourse.risk_state()``.

What answers a signal: an assessment that names it (the PHQ-9 it follows), or any assessment
dated after it, or on the same day and written after it was recorded. An assessment is the
clinician's view of the risk as it stands that day, so it answers every earlier signal. An
assessment dated in the future answers nothing and is not "the latest" (a mistyped year must
never hide an imminent risk assessed today).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

# Levels in rising order, as stored by ipt.measures.models.RiskAssessment.Level.
LEVELS = ("low", "moderate", "high", "imminent")
ELEVATED = frozenset({"high", "imminent"})

PHQ9_ITEM9 = "phq9_item9"
HAMD_ITEM3 = "hamd_item3"
SUICIDALITY_SCREEN = "suicidality_screen"


@dataclass(frozen=True)
class Signal:
    kind: str  # PHQ9_ITEM9, HAMD_ITEM3 or SUICIDALITY_SCREEN
    on: date
    text: str  # what was found, in words: "PHQ-9 item 9 scored 2"
    recorded_at: datetime | None = None  # when it was entered (orders same-day records)
    measure_id: int | None = None  # the PHQ-9 or HAM-D it comes from

    @property
    def sentence(self):
        return f"{self.text} on {day(self.on)}"


@dataclass(frozen=True)
class Assessment:
    on: date
    level: str
    recorded_at: datetime | None = None
    measure_id: int | None = None  # the measure it follows, if any
    review_on: date | None = None
    pk: int | None = None

    @property
    def is_elevated(self):
        return self.level in ELEVATED


@dataclass(frozen=True)
class RiskState:
    open_signals: tuple[Signal, ...] = ()
    current: Assessment | None = None  # the latest assessment dated today or before
    review_due: bool = False  # the current assessment's review date has passed

    @property
    def level(self):
        return self.current.level if self.current else None

    @property
    def elevated(self):
        return bool(self.current and self.current.is_elevated)

    @property
    def needs_attention(self):
        """Whether lists must show this course: an open signal or a high or imminent risk."""
        return bool(self.open_signals) or self.elevated


@dataclass(frozen=True)
class HistoryRow:
    on: date
    signal: Signal | None = None
    assessment: Assessment | None = None
    answered: bool = True  # for a signal: whether an assessment answers it
    extra: dict = field(default_factory=dict, compare=False)


def answers(assessment: Assessment, signal: Signal, today: date) -> bool:
    """Whether this assessment answers this signal (see the module docstring)."""
    if assessment.on > today:
        return False
    if assessment.measure_id is not None and assessment.measure_id == signal.measure_id:
        return assessment.on >= signal.on
    if assessment.on != signal.on:
        return assessment.on > signal.on
    if assessment.recorded_at is None or signal.recorded_at is None:
        return True
    return assessment.recorded_at >= signal.recorded_at


def current_assessment(assessments: Sequence[Assessment], today: date) -> Assessment | None:
    """The latest assessment dated today or earlier: the risk as it now stands."""
    dated = [a for a in assessments if a.on <= today]
    if not dated:
        return None
    return max(dated, key=lambda a: (a.on, a.recorded_at or datetime.min, a.pk or 0))


def risk_state(
    signals: Sequence[Signal], assessments: Sequence[Assessment], today: date
) -> RiskState:
    open_ = tuple(
        sorted(
            (s for s in signals if not any(answers(a, s, today) for a in assessments)),
            key=lambda s: s.on,
        )
    )
    current = current_assessment(assessments, today)
    review_due = bool(current and current.review_on and current.review_on < today)
    return RiskState(open_, current, review_due)


def history(
    signals: Sequence[Signal], assessments: Sequence[Assessment], today: date
) -> list[HistoryRow]:
    """Every signal and every assessment, in date order (a signal before the assessment that
    answers it on the same day)."""
    rows = [
        HistoryRow(s.on, signal=s, answered=any(answers(a, s, today) for a in assessments))
        for s in signals
    ]
    rows += [HistoryRow(a.on, assessment=a) for a in assessments]
    return sorted(rows, key=lambda r: (r.on, r.assessment is not None))


def closing_blockers(state: RiskState) -> list[str]:
    """Why a course cannot move on or close, or a session be finalised, over the risk it shows
    (empty: it can)."""
    return [
        f"{signal.sentence}: a suicide-risk assessment must be documented."
        for signal in state.open_signals
    ]


def assessment_errors(
    *,
    assessed_on: date | None,
    level: str | None,
    safety_plan: str,
    actions: str,
    review_on: date | None,
    today: date,
    signal_on: date | None = None,
) -> dict[str, str]:
    """What is wrong with an assessment as typed, field by field (empty: nothing).

    Dated truthfully: not in the future, and not before the signal it answers. A high or
    imminent risk needs a safety plan and the actions taken. A review date comes after the
    assessment.
    """
    errors = {}
    if assessed_on is not None:
        if assessed_on > today:
            errors["assessed_on"] = "An assessment is recorded on or after the day it was made."
        elif signal_on is not None and assessed_on < signal_on:
            errors["assessed_on"] = (
                f"This assessment answers a score of {day(signal_on)}: it cannot be dated before it."
            )
    if level in ELEVATED:
        if not safety_plan.strip():
            errors["safety_plan"] = "A high or imminent risk needs a safety plan."
        if not actions.strip():
            errors["actions_taken"] = "A high or imminent risk needs the actions taken."
    if review_on is not None and assessed_on is not None and review_on < assessed_on:
        errors["review_on"] = "The review comes after the assessment."
    return errors


def day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"
