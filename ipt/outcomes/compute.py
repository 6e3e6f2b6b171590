"""Clinic outcomes as pure functions over plain rows (one row per treatment course).

The verdicts per course are the measures module's (``ipt.measures.instruments.outcome``: the
first and the last PHQ-9 compared); reliable recovery is NHS Talking Therapies' own: a reliable
improvement from a clinical case at the start to below caseness at the end. Nothing here reads
the database, so every figure can be checked on rows built by hand.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from statistics import median

from ipt.measures.instruments import outcome
from ipt.rules.precedence import Verdict

# Cells counting fewer courses than this are not shown below clinic level: a small count can
# point at a patient.
SMALL_CELL = 5

OUTCOMES = (
    ("response", "Response (PHQ-9 fell by half or more)"),
    ("remission", "Remission (last PHQ-9 below 5)"),
    ("reliable_improvement", "Reliable improvement (fall of 6 or more)"),
    ("reliable_recovery", "Reliable recovery (reliable improvement, from a case to below 10)"),
    ("reliable_deterioration", "Reliable deterioration (rise of 6 or more)"),
)


@dataclass(frozen=True)
class CourseRow:
    start_date: date
    phase: str  # ipt.course.models.Phase values
    end_reason: str = ""
    therapist_id: int | None = None
    supervisor_id: int | None = None
    variant: str = "individual"
    areas: tuple[str, ...] = ()
    referred_on: date | None = None
    first_held: date | None = None
    held: int = 0  # sessions held
    held_with_phq9: int = 0  # of them, with a PHQ-9
    baseline: int | None = None  # first PHQ-9
    latest: int | None = None  # last PHQ-9
    phq9_count: int = 0
    all_markers: bool | None = None  # every adherence marker met; None when not known
    precedence: str = ""  # ipt.rules.precedence.Verdict value; "" without focal ratings

    @property
    def paired(self) -> bool:
        return self.phq9_count >= 2 and self.baseline is not None and self.latest is not None


@dataclass(frozen=True)
class Rate:
    count: int
    denominator: int
    suppressed: bool = False

    @property
    def percent(self) -> float | None:
        if self.suppressed or not self.denominator:
            return None
        return 100 * self.count / self.denominator

    def __str__(self):
        if self.suppressed:
            return f"fewer than {SMALL_CELL}"
        if not self.denominator:
            return "no courses"
        return f"{self.count} of {self.denominator} ({self.percent:.0f}%)"


@dataclass(frozen=True)
class Summary:
    started: int
    completed: int
    ended_early: int
    ended_by_reason: dict[str, int]
    outcomes: dict[str, Rate]  # over completed courses with paired PHQ-9s
    paired: Rate  # completed courses with paired PHQ-9s: the completeness beside every rate
    sessions_measured: Rate  # held sessions with a PHQ-9
    median_sessions: float | None  # sessions held, completed and ended-early courses
    median_days_to_first: float | None  # referral to first session held
    # Courses whose first session came before the record was made (a referral entered
    # late): left out of the median, and counted so that the page can say so.
    waits_left_out: int = 0
    suppressed: bool = False
    extra: dict = field(default_factory=dict)


def verdicts(row: CourseRow) -> dict[str, bool]:
    """The five outcome flags of one course with paired PHQ-9s."""
    result = outcome("phq9", row.baseline, row.latest)
    return {
        "response": result.response,
        "remission": result.remission,
        "reliable_improvement": result.reliable_improvement,
        "reliable_recovery": result.reliable_improvement and result.recovery,
        "reliable_deterioration": result.reliable_deterioration,
    }


def _median(values):
    values = list(values)
    return median(values) if values else None


def summarise(rows, *, suppress=False) -> Summary:
    """The report's figures for these courses; ``suppress`` (below clinic level) hides every
    figure when fewer than ``SMALL_CELL`` courses started, and any rate over fewer."""
    rows = list(rows)
    started = len(rows)
    hide = suppress and started < SMALL_CELL
    completed = [r for r in rows if r.phase == "completed"]
    ended = [r for r in rows if r.phase == "ended_early"]
    paired = [r for r in completed if r.paired]
    flags = [verdicts(r) for r in paired]
    small = hide or (suppress and len(paired) < SMALL_CELL)
    outcomes = {
        key: Rate(sum(f[key] for f in flags), len(paired), suppressed=small) for key, _ in OUTCOMES
    }
    closed = completed + ended
    waits = [(r.first_held - r.referred_on).days for r in rows if r.first_held and r.referred_on]
    left_out = sum(w < 0 for w in waits)
    held = sum(r.held for r in closed)
    return Summary(
        started=started,
        completed=len(completed),
        ended_early=len(ended),
        ended_by_reason=dict(Counter(r.end_reason or "other" for r in ended)),
        outcomes=outcomes,
        paired=Rate(
            len(paired),
            len(completed),
            suppressed=hide or (suppress and len(completed) < SMALL_CELL),
        ),
        sessions_measured=Rate(sum(r.held_with_phq9 for r in closed), held, suppressed=hide),
        median_sessions=None if hide else _median(r.held for r in closed),
        median_days_to_first=None if hide else _median(w for w in waits if w >= 0),
        waits_left_out=0 if hide else left_out,
        suppressed=hide,
    )


def quarter(day: date) -> str:
    return f"{day.year} Q{(day.month - 1) // 3 + 1}"


def by_quarter(rows, *, suppress=False) -> list[tuple[str, Summary]]:
    """One summary per quarter of the course's start date, oldest first."""
    groups: dict[str, list[CourseRow]] = {}
    for row in sorted(rows, key=lambda r: r.start_date):
        groups.setdefault(quarter(row.start_date), []).append(row)
    return [(q, summarise(rs, suppress=suppress)) for q, rs in groups.items()]


def by_area(rows, areas) -> list[tuple[str, Summary]]:
    """One summary per problem area (a course with two areas counts in both); always below
    clinic level, so small cells are suppressed."""
    return [
        (label, summarise([r for r in rows if key in r.areas], suppress=True))
        for key, label in areas
    ]


def by_adherence(rows) -> list[tuple[str, Summary]]:
    rows = list(rows)
    return [
        ("All adherence markers met", summarise([r for r in rows if r.all_markers], suppress=True)),
        (
            "One or more markers not met",
            summarise([r for r in rows if r.all_markers is False], suppress=True),
        ),
    ]


def funnel(referred: int, rows) -> list[tuple[str, int]]:
    rows = list(rows)
    return [
        ("Referred", referred),
        ("Course started", len(rows)),
        ("Completed", sum(r.phase == "completed" for r in rows)),
    ]


@dataclass(frozen=True)
class FocalFirst:
    """Of the courses with focal-relationship ratings, which moved first (the stored reading
    of ``ipt.rules.precedence``): descriptive, never a causal claim."""

    rated: int
    judged: int  # rated courses with enough readings of both series to say anything
    counts: dict[Verdict, int]
    led: Rate  # interpersonal change first, over the judged courses


def focal_first(rows, *, suppress=False) -> FocalFirst:
    rated = [r.precedence for r in rows if r.precedence]
    counts = {v: rated.count(v.value) for v in Verdict}
    judged = len(rated) - counts[Verdict.NOT_ENOUGH]
    small = suppress and judged < SMALL_CELL
    return FocalFirst(len(rated), judged, counts, Rate(counts[Verdict.LED], judged, small))
