"""Flags a therapist or supervisor must not miss. Pure rules, no requests."""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from fractions import Fraction

from ipt.measures.instruments import OUTCOME_RULES, outcome

# IPT is weekly: an active course with no session for more than ten days has lost its rhythm.
OVERDUE_AFTER_DAYS = 10


def is_overdue(last_session: datetime | date | None, started: date, today: date) -> bool:
    """True when an active course has had no session for more than OVERDUE_AFTER_DAYS days.

    ``last_session`` is the last session *held*: a missed or cancelled one is no contact. A
    course with no session held yet counts from its start date.
    """
    if isinstance(last_session, datetime):
        last_session = last_session.date()
    since = last_session or started
    return today - since > timedelta(days=OVERDUE_AFTER_DAYS)


# --- missed contact ---------------------------------------------------------------------------
# The contract's missed-session policy: two missed or cancelled sessions in a row call for
# contacting the patient (IPT-REFERENCE.md, "Risk and measurement-based care").
CONTACT_AFTER_MISSES = 2
MISSED_OR_CANCELLED = frozenset({"missed", "cancelled"})


def misses_in_a_row(statuses: Sequence[str]) -> int:
    """How many sessions were missed or cancelled since the last one held.

    ``statuses``: the course's sessions up to now, in order (planned ones are left out: they
    are not known to have happened or not).
    """
    run = 0
    for status in statuses:
        if status == "held":
            run = 0
        elif status in MISSED_OR_CANCELLED:
            run += 1
    return run


def contact_needed(statuses: Sequence[str]) -> bool:
    return misses_in_a_row(statuses) >= CONTACT_AFTER_MISSES


# --- measurement-based care: the PHQ-9 at least every few sessions ---------------------------
# Trials and IPT training portfolios measure the PHQ-9 at intake and at least every 4 sessions;
# weekly is common (the interval is the setting PHQ9_EVERY_SESSIONS). "Session 0" is the
# baseline taken before session 1.
def phq9_due(session_number: int, last_measured: int | None, every: int) -> bool:
    """Whether this session should take the full PHQ-9 (``last_measured``: the session the
    latest earlier PHQ-9 belongs to, None when there is none)."""
    return last_measured is None or session_number - last_measured >= every


def phq9_overdue(position: int, last_measured: int | None, every: int) -> bool:
    """Whether the session where the PHQ-9 was due has passed without one (``position``: the
    latest session that took place)."""
    if position <= 0:
        return False
    return last_measured is None or position - last_measured >= every


# --- deterioration: flagged the day it happens -------------------------------------------------
def deteriorated(code: str, baseline: int | None, latest: int | None) -> bool:
    """A reliable rise from the baseline (PHQ-9 +6, GAD-7 +4: ipt.measures' thresholds), from
    any baseline."""
    if baseline is None or latest is None:
        return False
    return outcome(code, baseline, latest).reliable_deterioration


# --- "not on track": the PHQ-9 trajectory against an expected improvement curve ---------------
#
# Where it comes from: routine outcome monitoring compares each patient's scores with an
# "expected treatment response" curve and alerts the therapist when the patient is off it
# (Lambert's OQ-45 signal-alarm system; Lutz and colleagues; Delgadillo et al., Lancet
# Psychiatry 2018, with PHQ-9 curves in NHS Talking Therapies). Those curves fall fastest in the
# first sessions; early improvement (about a 20% fall in the first weeks) predicts later
# response, and its absence predicts non-response.
#
# We use a deliberately simple, explicit step approximation, judged by the session number in
# the course's own length (so brief IPT's 8 sessions and a 16-session course each have theirs):
#   - the initial phase is exempt: IPT assesses and agrees the focus there, it does not yet work
#     on it, so no change is expected;
#   - it applies from any baseline in the mild band or above (PHQ-9 5 or more): below that there
#     is no room to fall;
#   - from a third of the way through the course, at least a 20% fall from baseline is expected;
#     from two thirds of the way, at least 40% (on the way to a response, a 50% fall, at the end);
#   - a score in remission (below 5) is on track at any session;
#   - late responders are allowed for: many patients improve late or in one sudden gain
#     (Tang & DeRubeis, 1999, on sudden gains), so a course whose latest PHQ-9 fell by at least
#     20% since the one before is not flagged while it keeps falling.
# It is a prompt for supervision, never a verdict: clinical judgement decides what it means.
NOT_ON_TRACK_MIN_BASELINE = OUTCOME_RULES["phq9"].remission_max + 1  # the mild band: 5
REMISSION_BELOW = OUTCOME_RULES["phq9"].remission_max + 1
EXPECTED_FALL = (  # (from this fraction of the course, minimum percentage fall), latest first
    (Fraction(2, 3), 40),
    (Fraction(1, 3), 20),
)
LATE_RESPONSE_FALL = 20  # percent since the previous PHQ-9


def expected_max_score(
    baseline: int | None,
    session_number: int,
    planned_sessions: int = 12,
    initial_phase_sessions: int = 3,
) -> int | None:
    """The highest PHQ-9 still on track at this session, or None when no expectation applies
    (the initial phase, no baseline, a baseline below the mild band, too early in the course)."""
    if baseline is None or baseline < NOT_ON_TRACK_MIN_BASELINE:
        return None
    if session_number <= initial_phase_sessions:
        return None
    for fraction, percent in EXPECTED_FALL:
        if session_number >= math.ceil(planned_sessions * fraction):
            # "At least p% fall": latest <= baseline * (100 - p) / 100, in whole points.
            return max(baseline * (100 - percent) // 100, REMISSION_BELOW - 1)
    return None


def not_on_track(
    baseline: int | None,
    latest: int | None,
    session_number: int,
    planned_sessions: int = 12,
    initial_phase_sessions: int = 3,
    previous: int | None = None,
) -> bool:
    """True when the latest PHQ-9, taken at ``session_number``, is above the expected curve and
    is not falling late (``previous``: the PHQ-9 before the latest, if any)."""
    ceiling = expected_max_score(baseline, session_number, planned_sessions, initial_phase_sessions)
    if ceiling is None or latest is None or latest <= ceiling:
        return False
    late_response = previous is not None and latest * 100 <= previous * (100 - LATE_RESPONSE_FALL)
    return not late_response


# --- risk ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RiskFlag:
    kind: str  # "unassessed": item 9 above 0, no assessment; "elevated": high or imminent risk
    message: str


def risk_flag(
    unassessed: Sequence[tuple[date, str]],
    elevated: tuple[str, date] | None = None,
) -> RiskFlag | None:
    """The risk a caseload must show, or None: the whole picture, never one part hiding another.

    ``unassessed``: (date, what was found, e.g. "PHQ-9 item 9 scored 2") of each risk signal no
    assessment answers (rules/risk.py). ``elevated``: (level, date) when the current risk
    assessment found the risk high or imminent (level as stored, e.g. "high").
    """
    parts = []
    # IPT-REFERENCE: each risk signal requires a documented suicide-risk assessment.
    if unassessed:
        taken_on, text = max(unassessed)
        more = len(unassessed) - 1
        parts.append(
            f"{text} on {_day(taken_on)} with no risk assessment documented"
            + (f" (and {more} earlier)." if more else ".")
        )
    # "Urgent risk always points to emergency procedures, not to the next session."
    if elevated:
        level, assessed_on = elevated
        parts.append(
            f"Risk assessed as {level.lower()} on {_day(assessed_on)}: review the safety plan."
        )
    if not parts:
        return None
    return RiskFlag("unassessed" if unassessed else "elevated", " ".join(parts))


def risk_flag_for(course) -> RiskFlag | None:
    """risk_flag from a course fetched with with_initial_phase() (no further queries)."""
    state = course.risk
    current = state.current
    return risk_flag(
        [(s.on, s.text) for s in state.open_signals],
        (current.level, current.on) if state.elevated else None,
    )


def _day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"
