"""Flags a therapist or supervisor must not miss. Pure rules, no requests."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ipt.measures.instruments import PHQ9_CASENESS

# IPT is weekly: an active course with no session for more than ten days has lost its rhythm.
OVERDUE_AFTER_DAYS = 10


def is_overdue(last_session: datetime | date | None, started: date, today: date) -> bool:
    """True when an active course has had no session for more than OVERDUE_AFTER_DAYS days.

    A course with no session yet counts from its start date.
    """
    if isinstance(last_session, datetime):
        last_session = last_session.date()
    since = last_session or started
    return today - since > timedelta(days=OVERDUE_AFTER_DAYS)


# --- "not on track": the PHQ-9 trajectory against an expected improvement curve ---------------
#
# Where it comes from: routine outcome monitoring compares each patient's scores with an
# "expected treatment response" curve and alerts the therapist when the patient is off it
# (Lambert's OQ-45 signal-alarm system; Lutz and colleagues; Delgadillo et al., Lancet
# Psychiatry 2018, with PHQ-9 curves in NHS Talking Therapies). Those curves are fitted to large
# samples and fall fastest in the first sessions; early improvement (about a 20% fall in the
# first weeks) predicts later response, and its absence predicts non-response.
#
# We use a deliberately simple, explicit step approximation of such a curve, so that a
# therapist and supervisor can check it by hand:
#   - the rule applies only when the baseline PHQ-9 is 10 or more (caseness, the NHS Talking
#     Therapies convention in ipt.measures): below that there is little room to fall;
#   - from session 4, at least a 20% fall from baseline is expected;
#   - from session 8, at least a 40% fall (on the way to a response, a 50% fall, by the end of
#     a 12-16 session course);
#   - a score below 10 (recovery: below caseness) is on track at any session.
# It is a prompt for supervision, never a verdict: clinical judgement decides what it means.
NOT_ON_TRACK_MIN_BASELINE = PHQ9_CASENESS
RECOVERED_BELOW = PHQ9_CASENESS  # a score below this is on track whatever the session
EXPECTED_FALL = (  # (from session number, minimum percentage fall from baseline), latest first
    (8, 40),
    (4, 20),
)


def expected_max_score(baseline: int | None, session_number: int) -> int | None:
    """The highest PHQ-9 still on track at this session, or None when no expectation applies.

    None before session 4, without a baseline, or with a baseline below 10.
    """
    if baseline is None or baseline < NOT_ON_TRACK_MIN_BASELINE:
        return None
    for from_session, percent in EXPECTED_FALL:
        if session_number >= from_session:
            # "At least p% fall": latest <= baseline * (100 - p) / 100, in whole points.
            return max(baseline * (100 - percent) // 100, RECOVERED_BELOW - 1)
    return None


def not_on_track(baseline: int | None, latest: int | None, session_number: int) -> bool:
    """True when the latest PHQ-9, taken at ``session_number``, is above the expected curve."""
    ceiling = expected_max_score(baseline, session_number)
    return ceiling is not None and latest is not None and latest > ceiling


# --- risk ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RiskFlag:
    kind: str  # "unassessed": item 9 above 0, no assessment; "elevated": high or imminent risk
    message: str


def risk_flag(
    unassessed_item9: Sequence[tuple[date, int]],
    elevated: tuple[str, date] | None = None,
) -> RiskFlag | None:
    """The risk a caseload must show, or None.

    ``unassessed_item9``: (date, item 9 score) of each PHQ-9 with item 9 above 0 that has no
    documented risk assessment. ``elevated``: (level, date) when the latest risk assessment
    found the risk high or imminent (level as stored, e.g. "high").
    """
    # IPT-REFERENCE "Measures": item 9 above 0 requires a documented suicide-risk assessment.
    if unassessed_item9:
        taken_on, score = max(unassessed_item9)
        more = len(unassessed_item9) - 1
        return RiskFlag(
            "unassessed",
            f"PHQ-9 item 9 scored {score} on {_day(taken_on)} with no risk assessment "
            "documented" + (f" (and {more} earlier)." if more else "."),
        )
    # "Urgent risk always points to emergency procedures, not to the next session."
    if elevated:
        level, assessed_on = elevated
        return RiskFlag(
            "elevated",
            f"Risk assessed as {level.lower()} on {_day(assessed_on)}: review the safety plan.",
        )
    return None


def risk_flag_for(course) -> RiskFlag | None:
    """risk_flag from a course fetched with with_initial_phase() (no further queries)."""
    latest = course.latest_risk_assessment
    return risk_flag(
        [(m.taken_on, m.item9) for m in course.unassessed_risks()],
        (latest.level, latest.assessed_on) if latest and latest.is_elevated else None,
    )


def _day(d: date) -> str:
    return f"{d.day} {d:%b %Y}"
