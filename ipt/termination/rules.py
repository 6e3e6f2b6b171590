"""Rules of the termination phase that read a course's records but change nothing: the
outcome against the baseline, who moved in the closeness circle, the relapse-prevention
triggers suggested by the focal areas, follow-ups compared with the end of the course, and who
may be contacted (IPT-REFERENCE.md, "Termination phase")."""

from dataclasses import dataclass

from django.utils import timezone

from ipt.initial.models import Closeness, ProblemArea
from ipt.measures import instruments
from ipt.measures.models import MeasureResponse
from ipt.termination.models import FollowUp

Area = ProblemArea.Area


# --- outcome against the baseline -----------------------------------------------------------
@dataclass(frozen=True)
class OutcomeRow:
    """First and last score of one instrument, compared by ipt.measures.outcome()."""

    instrument: instruments.Instrument
    baseline: MeasureResponse
    latest: MeasureResponse
    result: instruments.Outcome
    criteria: str  # the thresholds, in words, read from ipt.measures
    reliable_defined: bool  # HAM-D has no agreed reliable-change index


def _criteria(instrument):
    # The thresholds live in ipt.measures; this only puts them into words.
    rule = instruments.OUTCOME_RULES[instrument.code]
    parts = [
        "response: a fall of at least 50%",
        f"remission: below {rule.remission_max + 1}",
    ]
    if rule.reliable_change is not None:
        parts.append(f"reliable improvement: a fall of {rule.reliable_change} or more")
    else:
        parts.append("reliable improvement: no agreed threshold")
    parts.append(f"recovery: from {rule.caseness} or above to below {rule.caseness}")
    return f"{instrument.name}: " + "; ".join(parts) + "."


def outcome_rows(course):
    """Baseline (first) against latest (last) score for each instrument given at least twice.

    The outcome of the course is judged at its end: scores taken at maintenance follow-ups,
    or after the course ended, are left out (the maintenance page compares those).
    """
    rows = []
    for code in instruments.INSTRUMENTS:
        scores = course.measures_of(code)
        if len(scores) < 2:
            continue
        instrument = instruments.get_instrument(code)
        rows.append(
            OutcomeRow(
                instrument=instrument,
                baseline=scores[0],
                latest=scores[-1],
                result=instruments.outcome(instrument, scores[0].total, scores[-1].total),
                criteria=_criteria(instrument),
                reliable_defined=instruments.OUTCOME_RULES[code].reliable_change is not None,
            )
        )
    return rows


# --- the closeness circle at the end --------------------------------------------------------
@dataclass(frozen=True)
class Spot:
    """One person in one of the two circles. ``key`` is the same person in both."""

    key: str
    name: str
    relationship: str
    closeness: int  # 1 = closest
    angle: float | None = None  # degrees clockwise from the top
    focal: bool = False

    @property
    def label(self):
        return f"{self.name} ({self.relationship})"

    @property
    def ring(self):
        return Closeness(self.closeness).label


@dataclass(frozen=True)
class Move:
    name: str
    before: str
    after: str

    def __str__(self):
        return f"{self.name}: {self.before} → {self.after}"


@dataclass(frozen=True)
class CircleChanges:
    """What changed between the circle at intake and the circle at the end."""

    closer: list[Move]
    further: list[Move]
    new: list[str]  # e.g. "Jo (new friend): Close"
    gone: list[str]  # e.g. "Marco (ex-husband), was Close"
    same: int  # people in the same ring

    @property
    def changed(self):
        return bool(self.closer or self.further or self.new or self.gone)


def circle_changes(intake, end):
    """Who moved closer or further away, who is new in the circle and who is no longer in it:
    ``intake`` and ``end`` are Spots, the same person with the same key in both."""
    at_end = {s.key: s for s in end}
    closer, further, gone, same = [], [], [], 0
    for before in intake:
        after = at_end.get(before.key)
        if after is None:
            gone.append(f"{before.label}, was {before.ring.lower()}")
        elif after.closeness == before.closeness:
            same += 1
        else:
            move = Move(before.label, before.ring, after.ring)
            (closer if after.closeness < before.closeness else further).append(move)
    known = {s.key for s in intake}
    new = [f"{s.label}: {s.ring.lower()}" for s in end if s.key not in known]
    return CircleChanges(closer, further, new, gone, same)


def free_angle(taken):
    """The middle of the widest free stretch of a ring whose dots sit at ``taken`` (degrees):
    where someone new goes without covering anyone."""
    if not taken:
        return 0.0
    angles = sorted(a % 360 for a in taken)
    gaps = [((angles[(i + 1) % len(angles)] - a) % 360 or 360, a) for i, a in enumerate(angles)]
    width, start = max(gaps, key=lambda g: (g[0], -g[1]))
    return round((start + width / 2) % 360, 1)


# --- the relapse-prevention plan -------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """A row the therapist may start from; never saved unless they add it."""

    key: str
    trigger: str
    warning_signs: str
    coping: str
    source: str  # why it is suggested, e.g. "Role dispute with Maria (wife): impasse"

    @property
    def initial(self):
        return {"trigger": self.trigger, "warning_signs": self.warning_signs, "coping": self.coping}


def suggestions(course):
    """Triggers suggested by the focal problem areas, plus the ending of therapy itself."""
    found = []
    for area in course.problem_areas.all():
        name = area.person.name if area.person else ""
        if area.area == Area.ROLE_DISPUTE:
            who = name or "them"
            row = (
                f"A row with {who} about …" if name else "A row about …",
                f"Going quiet with {who} and keeping what I need to myself; lying awake going "
                "over the argument.",
                f"Pick a calm moment to talk with {who}; say clearly what I need and listen to "
                "what they need, as we practised. If it gets heated, take a break and come back "
                "to it.",
            )
        elif area.area == Area.ROLE_TRANSITION:
            new = f" as {area.to_role}" if area.to_role else ""
            old = f" ({area.from_role})" if area.from_role else ""
            row = (
                f"Setbacks in the new role{new}",
                f"Missing the old role{old} and feeling I cannot cope with the new one; pulling "
                "away from people.",
                "Remind myself what I have already managed in the new role; ask the people who "
                "support me for help; keep up what gives me a sense of mastery.",
            )
        elif area.area == Area.GRIEF:
            who = name or "the person I lost"
            row = (
                f"Anniversaries and reminders of {who}",
                "Pulling away from friends and family; the loss feeling raw again.",
                f"Let myself remember {who} and talk about them with someone I trust; keep up "
                "the interests and relationships I have taken up again.",
            )
        else:
            row = (
                "Spending more time on my own, or a friendship going wrong",
                "Cancelling plans, not answering messages, staying in.",
                "Keep at least one social contact each week; use what we practised to get in "
                "touch and keep the conversation going.",
            )
        found.append(Suggestion(f"area-{area.pk}", *row, source=area.detail))
    # IPT: the end of therapy is itself a final role transition.
    found.append(
        Suggestion(
            "ending",
            "Missing the weekly sessions now that therapy has ended",
            "Feeling on my own with problems; stopping the things that helped.",
            "Keep going with what worked in our sessions; lean on the people in this plan; "
            "book a booster session if I need one.",
            source="The end of therapy",
        )
    )
    return found


def people_to_contact(course):
    """Names for the people-to-contact field, from the inventory (those still living)."""
    return [f"{p.name} ({p.relationship})" for p in course.inventory.all() if not p.deceased]


def contact_lines(text):
    """Emergency contacts as separate lines, whether typed one a line or joined with '·'."""
    return [part.strip() for line in text.splitlines() for part in line.split("·") if part.strip()]


@dataclass
class FollowUpRow:
    followup: FollowUp
    overdue: bool
    phq9: MeasureResponse | None
    since_end: instruments.Outcome | None  # against the last PHQ-9 of the course itself
    since_baseline: instruments.Outcome | None

    @property
    def rising(self):
        """Symptoms coming back: a reliable rise since the end, or back to 10 or more."""
        change = self.since_end
        return bool(
            change
            and (
                change.reliable_deterioration
                or change.baseline < instruments.PHQ9_CASENESS <= change.latest
            )
        )


def followup_rows(course, followups, today=None):
    """Each follow-up with its PHQ-9 compared with the end of the course and the baseline."""
    today = today or timezone.localdate()
    by_pk = {m.pk: m for m in course.phq9_responses(include_follow_ups=True)}
    in_course = course.phq9_responses()
    baseline = in_course[0] if in_course else None
    end = in_course[-1] if in_course else None
    rows = []
    for f in followups:
        phq9 = by_pk.get(f.phq9_id)
        since_end = since_baseline = None
        if phq9 is not None:
            if end is not None:
                since_end = instruments.outcome("phq9", end.total, phq9.total)
            if baseline is not None:
                since_baseline = instruments.outcome("phq9", baseline.total, phq9.total)
        overdue = f.status == FollowUp.Status.DUE and f.due_on < today
        rows.append(FollowUpRow(f, overdue, phq9, since_end, since_baseline))
    return rows, baseline, end
