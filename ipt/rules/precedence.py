"""Which came first: interpersonal change or the fall in symptoms? Pure rules, no database.

IPT predicts that interpersonal functioning improves *before* symptoms do (IPT-REFERENCE.md,
"Science and Scrutiny"). For one course the two series are set side by side: the patient's
focal-relationship rating (0-10, higher is better) and the PHQ-9 (0-27, lower is better), each
read at the session it was taken (the PHQ-9 baseline is session 0).

A series has *improved* from the first session at which it stands at least a set margin better
than its first reading and stays there to its last reading (a one-off good week is not a
change). The margins are the measures' reliable change: 6 points on the PHQ-9, and 3 points
on a 0-10 goal rating (the Goal-Based-Outcomes reliable change index, 2.45, rounded up to a
whole point).

The two series are rarely read at the same sessions (the PHQ-9 is often taken every few
sessions), so "led" is judged only where the record can show it: the focal rating led when,
at some session where the PHQ-9 was read and had not yet improved, the focal rating had
already improved; it lagged when the reverse was seen. When neither was seen before the
other, the two came together (within the resolution of the record). One course proves nothing:
every reading says so.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from ipt.measures.instruments import OUTCOME_RULES

FOCAL_MARGIN = 3  # GBO reliable change 2.45 on a 0-10 rating, in whole points
PHQ9_MARGIN = OUTCOME_RULES["phq9"].reliable_change
MIN_READINGS = 3  # fewer readings of either series: not enough to say anything

CAVEAT = (
    "One course proves nothing: a single patient's two series can move together by chance, "
    "and the ratings are read only at the sessions they were taken."
)

Series = Sequence[tuple[int, float]]  # (session number, value), in session order


class Verdict(StrEnum):
    LED = "led", "Interpersonal change first"
    LAGGED = "lagged", "Symptoms first"
    TOGETHER = "together", "Together"
    NEITHER = "neither", "Neither improved yet"
    NOT_ENOUGH = "not_enough", "Not enough readings"

    def __new__(cls, value, label):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


@dataclass(frozen=True)
class Change:
    session: int
    value: float
    change: float | None  # since the previous reading of the same series; None for the first


@dataclass(frozen=True)
class Reading:
    verdict: Verdict
    focal_from: int | None  # session from which the focal rating has improved, if it has
    phq9_from: int | None  # session from which the PHQ-9 has fallen, if it has
    text: str
    caveat: str = CAVEAT


def changes(series: Series) -> list[Change]:
    """Each reading with its change since the previous one of the same series."""
    out, before = [], None
    for session, value in series:
        out.append(Change(session, value, None if before is None else value - before))
        before = value
    return out


def improved_from(series: Series, margin: float, *, higher_is_better: bool) -> int | None:
    """The first session from which the series stays at least ``margin`` better than its
    first reading, to its last reading; None if it never does."""
    if len(series) < 2:
        return None
    first = series[0][1]
    sign = 1 if higher_is_better else -1
    onset = None
    for session, value in series[1:]:
        if sign * (value - first) >= margin:
            onset = onset if onset is not None else session
        else:
            onset = None
    return onset


def _improved_at(onset: int | None, session: int) -> bool:
    return onset is not None and onset <= session


def precedence(
    focal: Series,
    phq9: Series,
    *,
    focal_margin: float = FOCAL_MARGIN,
    phq9_margin: float = PHQ9_MARGIN,
) -> Reading:
    """Whether improvement in the focal rating led the PHQ-9 fall, lagged it, came with it, or
    neither improved; in plain words for the course page."""
    if len(focal) < MIN_READINGS or len(phq9) < MIN_READINGS:
        return Reading(
            Verdict.NOT_ENOUGH,
            None,
            None,
            f"Not enough readings yet: at least {MIN_READINGS} focal ratings and "
            f"{MIN_READINGS} PHQ-9 scores are needed (there are {len(focal)} and {len(phq9)}).",
        )
    f_on = improved_from(focal, focal_margin, higher_is_better=True)
    p_on = improved_from(phq9, phq9_margin, higher_is_better=False)
    if f_on is None and p_on is None:
        return Reading(
            Verdict.NEITHER,
            None,
            None,
            f"Neither has improved yet: the focal rating has not risen by {focal_margin} points "
            f"and held, nor the PHQ-9 fallen by {phq9_margin} points and held.",
        )
    # Seen in the record: a reading of one series, taken when it had not yet improved, while
    # the other already had. Onsets are single sessions, so both can never be seen.
    led = any(_improved_at(f_on, s) and not _improved_at(p_on, s) for s, _ in phq9)
    lagged = any(_improved_at(p_on, s) and not _improved_at(f_on, s) for s, _ in focal)
    f_text = f"the focal rating improved from session {f_on}" if f_on is not None else ""
    p_text = f"the PHQ-9 fell from session {p_on}" if p_on is not None else ""
    if not led and not lagged and (f_on is None or p_on is None):
        # One has improved, but the other has not been read since: nothing to compare yet.
        return Reading(
            Verdict.NOT_ENOUGH,
            f_on,
            p_on,
            f"{(f_text or p_text).capitalize()}, after the last reading of the "
            f"{'PHQ-9' if f_on is not None else 'focal rating'}: the next one will tell "
            "which came first.",
        )
    if led and not lagged:
        after = (
            f"; {p_text}"
            if p_on is not None
            else f"; the PHQ-9 had not fallen by {phq9_margin} points by session {phq9[-1][0]}"
        )
        return Reading(
            Verdict.LED,
            f_on,
            p_on,
            f"Interpersonal change came first: {f_text}{after}. This is the order IPT predicts.",
        )
    if lagged and not led:
        after = (
            f"; {f_text}"
            if f_on is not None
            else f"; the focal rating had not risen by {focal_margin} points by session "
            f"{focal[-1][0]}"
        )
        return Reading(
            Verdict.LAGGED,
            f_on,
            p_on,
            f"Symptoms improved first: {p_text}{after}. Interpersonal change followed the "
            "fall in symptoms, or has not come yet.",
        )
    return Reading(
        Verdict.TOGETHER,
        f_on,
        p_on,
        f"They improved together: {f_text} and {p_text}, too close in the record to say which "
        "came first.",
    )
