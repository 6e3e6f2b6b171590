"""Adherence to the IPT model, as far as the record itself can show it.

IPT-REFERENCE.md, "Supervision and fidelity": supervisors review adherence to the model, and the
markers the record can show are: sick role given and inventory done in the initial phase;
problem area and contract agreed by the end of it; each session links mood to interpersonal
events and works on the focal area; homework set and reviewed; ending raised 2-3 sessions
before the last; relapse plan written.

Two layers, so the rules can be read beside the reference and tested exhaustively:

- ``sessions_app.adherence.facts_for(course, sessions)`` is the only place that reads models.
  It turns a course and its sessions into the plain dataclasses here (``CourseFacts``,
  ``SessionFacts``, ``HomeworkFacts``) from prefetched data only.
- The checks are pure functions of ``CourseFacts``. Each returns a ``CheckResult`` whose ``ok``
  is True (met), False (a gap) or None (not yet applicable). ``run_checks`` runs them all and
  ``summarise`` counts them and lists the gaps.

Dates are the clinic's local dates. A session held on the day of a phase change belongs to the
new phase: a therapist who raises the ending in session 10 records the change that day.
"""

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction
from itertools import pairwise

from django.utils.formats import date_format

from ipt.course.models import Phase

# Session statuses as stored by sessions_app (its Session.Status values). Kept as plain strings
# so the rules below need no model: the course does not reach into a session's internals.
HELD, MISSED, CANCELLED = "held", "missed", "cancelled"
TOOK_PLACE = (HELD, MISSED)


# --- plain facts ----------------------------------------------------------------------------
@dataclass(frozen=True)
class SessionFacts:
    number: int
    on: date  # the local date it was (or is) scheduled for
    status: str  # planned, held, missed or cancelled
    mood_checked: bool = False  # a PHQ-9 or a mood rating was recorded
    interpersonal: bool = False  # an interpersonal event, or the mood context, was written
    focal_work: bool = False  # focal notes, or a communication analysis, role play, dispute stage
    phq9: int | None = None  # the PHQ-9 total taken in this session, if any


@dataclass(frozen=True)
class HomeworkFacts:
    set_in: int  # session number
    outcome: str = ""  # done, partly, not_done; blank until reviewed
    reviewed_in: int | None = None  # session number


@dataclass(frozen=True)
class CourseFacts:
    planned_sessions: int
    initial_phase_sessions: int
    phase: str
    today: date
    sessions: tuple[SessionFacts, ...] = ()
    homework: tuple[HomeworkFacts, ...] = ()
    sick_role_given_on: date | None = None
    inventory_people: int = 0
    inventory_started_on: date | None = None  # the day the first person was added
    problem_areas: int = 0
    contract_signed_on: date | None = None  # the first version signed by both, on the later date
    middle_entered_on: date | None = None
    termination_entered_on: date | None = None
    relapse_triggers: int | None = None  # None: no relapse-prevention plan
    formulation_shared_on: date | None = None
    # For the "not on track" flag (ipt.flags.not_on_track).
    baseline_phq9: int | None = None
    latest_phq9: int | None = None
    latest_phq9_session: int = 0  # the session the latest PHQ-9 belongs to (0: before session 1)


# --- results ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckResult:
    key: str
    name: str
    ok: bool | None  # True: met; False: a gap; None: not yet applicable
    message: str
    sessions: tuple[int, ...] = ()  # the sessions a gap is about, if any

    @property
    def state(self):
        return {True: "met", False: "gap", None: "not_yet"}[self.ok]


@dataclass(frozen=True)
class Summary:
    results: tuple[CheckResult, ...]
    met: int
    not_yet: int
    gaps: tuple[CheckResult, ...] = field(default=())

    @property
    def gap_count(self):
        return len(self.gaps)

    @property
    def applicable(self):
        return self.met + len(self.gaps)

    @property
    def headline(self):
        """One line for the course page, e.g. "3 of the 4 markers due so far are met; 1 gap"."""
        due, gaps = self.applicable, len(self.gaps)
        if not due:
            return "No marker is due yet."
        if not gaps:
            if due == 1:
                return "The one marker due so far is met."
            return f"All {due} markers due so far are met."
        to_look_at = f"{gaps} gap{'s' if gaps != 1 else ''} to look at"
        if not self.met:
            return f"{to_look_at.capitalize()}: no marker due so far is met."
        return f"{self.met} of the {due} markers due so far {'is' if self.met == 1 else 'are'} met; {to_look_at}."


def summarise(results: Iterable[CheckResult]) -> Summary:
    results = tuple(results)
    return Summary(
        results=results,
        met=sum(r.ok is True for r in results),
        not_yet=sum(r.ok is None for r in results),
        gaps=tuple(r for r in results if r.ok is False),
    )


# --- helpers the rules share ------------------------------------------------------------------
def _day(d):
    return date_format(d, "j M Y")


def _sessions_phrase(numbers):
    numbers = list(numbers)
    if len(numbers) == 1:
        return f"session {numbers[0]}"
    return "sessions " + ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"


def _counted(f: CourseFacts):
    return [s for s in f.sessions if s.status != CANCELLED]


def initial_phase_end(f: CourseFacts) -> SessionFacts | None:
    """The last initial-phase session: the n-th session that counts (cancelled ones do not)."""
    counted = _counted(f)
    n = f.initial_phase_sessions
    return counted[n - 1] if len(counted) >= n else None


def session_number_on(f: CourseFacts, day: date) -> int:
    """The session a change made on ``day`` belongs to: the first one on or after that day."""
    counted = _counted(f)
    upcoming = [s.number for s in counted if s.on >= day]
    if upcoming:
        return min(upcoming)
    return max((s.number for s in counted), default=0) + 1


def middle_sessions(f: CourseFacts) -> list[SessionFacts]:
    """Held sessions of the middle phase: after the initial phase, before the termination phase."""
    if f.middle_entered_on is None:
        return []
    return [
        s
        for s in f.sessions
        if s.status == HELD
        and s.number > f.initial_phase_sessions
        and s.on >= f.middle_entered_on
        and (f.termination_entered_on is None or s.on < f.termination_entered_on)
    ]


def _by_end_of_initial_phase(f, done_on, thing, done, *, plural=False):
    """(ok, message) for one initial-phase task done on ``done_on`` (None: not done yet)."""
    was, has = ("were", "have") if plural else ("was", "has")
    end = initial_phase_end(f)
    where = f"session {end.number}, {_day(end.on)}" if end else ""
    if done_on is None:
        if end is None:
            return None, f"{thing} {has} not yet been {done}."
        if f.today > end.on:
            return False, f"{thing} {was} not {done} by the end of the initial phase ({where})."
        return None, f"{thing}: to be {done} by the end of the initial phase ({where})."
    if end is not None and done_on > end.on:
        return False, (
            f"{thing} {was} {done} on {_day(done_on)}, after the last initial-phase session "
            f"({where})."
        )
    return True, ""


def _combine(key, name, parts, ok_message):
    """One result from several (ok, message) parts: any gap is a gap, then any not yet."""
    oks = [ok for ok, _ in parts]
    message = " ".join(m for ok, m in parts if ok is not True)
    if False in oks:
        return CheckResult(key, name, False, message)
    if None in oks:
        return CheckResult(key, name, None, message)
    return CheckResult(key, name, True, ok_message)


# --- the checks -------------------------------------------------------------------------------
def check_sick_role_and_inventory(f: CourseFacts) -> CheckResult:
    # IPT: sick role given and interpersonal inventory done in the initial phase.
    # The inventory grows all through therapy; what counts is that it was begun by the last
    # initial-phase session. Entering the middle phase also shows it, since that phase
    # cannot begin without someone in the inventory.
    inventory_on = None
    if f.inventory_people:
        dates = [d for d in (f.inventory_started_on, f.middle_entered_on) if d]
        inventory_on = min(dates, default=None)
    return _combine(
        "initial_tasks",
        "Sick role given and interpersonal inventory taken in the initial phase",
        [
            _by_end_of_initial_phase(f, f.sick_role_given_on, "The sick role", "given"),
            _by_end_of_initial_phase(f, inventory_on, "The interpersonal inventory", "begun"),
        ],
        "The sick role was given and the inventory taken in the initial phase.",
    )


def check_problem_area_and_contract(f: CourseFacts) -> CheckResult:
    # IPT: problem area and contract agreed by the end of the initial phase. The contract
    # names the focal area(s); it counts from the day both signed. Entering the middle phase
    # also shows agreement, since it cannot begin without a problem area and a signed contract.
    agreed = [d for d in (f.contract_signed_on, f.middle_entered_on) if d]
    if not f.problem_areas and f.middle_entered_on is None:
        agreed = []
    return _combine(
        "contract",
        "Problem area and contract agreed by the end of the initial phase",
        [
            _by_end_of_initial_phase(
                f, min(agreed, default=None), "The problem area and contract", "agreed", plural=True
            )
        ],
        "The focal problem area and the contract were agreed in the initial phase.",
    )


def check_middle_sessions(f: CourseFacts) -> CheckResult:
    # IPT: each middle-phase session opens with a mood check tied to the interpersonal context
    # (PHQ-9 or mood rating, and what happened with the people in the focal area) and works on
    # the focal area (focal notes, communication analysis, role play, dispute stage).
    name = "Each middle session links mood to interpersonal events and works on the focal area"
    held = middle_sessions(f)
    if not held:
        return CheckResult("middle_sessions", name, None, "No middle-phase session held yet.")
    no_link = [s.number for s in held if not (s.mood_checked and s.interpersonal)]
    no_focus = [s.number for s in held if not s.focal_work]
    if not no_link and not no_focus:
        every = {1: "The middle-phase session", 2: "Both middle-phase sessions"}.get(
            len(held), f"All {len(held)} middle-phase sessions"
        )
        return CheckResult(
            "middle_sessions",
            name,
            True,
            f"{every} linked mood to interpersonal events and worked on the focal area.",
        )
    problems = []
    if no_link:
        problems.append(
            f"No mood check tied to interpersonal events in {_sessions_phrase(no_link)}."
        )
    if no_focus:
        problems.append(f"No work on the focal area recorded in {_sessions_phrase(no_focus)}.")
    return CheckResult(
        "middle_sessions",
        name,
        False,
        " ".join(problems),
        tuple(sorted(set(no_link) | set(no_focus))),
    )


# IPT sets homework "occasionally" (seed 001) rather than every week: most middle sessions close
# with a concrete interpersonal action, and each one set is reviewed at the next session.
HOMEWORK_SHARE = Fraction(2, 3)


def names_focal_area(text: str, terms: Sequence[str]) -> bool:
    """Whether notes name the focal area or its people: a focal person's name, the area
    (grief, dispute, transition …) or its roles, as a whole word, whatever the case."""
    if not text or not terms:
        return False
    words = set(re.findall(r"\w+", text.casefold()))
    folded = text.casefold()
    for term in terms:
        term = term.casefold().strip()
        if not term:
            continue
        if (" " in term and term in folded) or term in words:
            return True
    return False


# Words that name each focal area in a therapist's notes (with the people and roles of the
# areas agreed): work on "thought records" or "exposure" names none of them.
AREA_TERMS = {
    "grief": ("grief", "grieving", "mourning", "mourn", "bereavement", "loss", "died", "death"),
    "role_dispute": (
        "dispute",
        "conflict",
        "argument",
        "disagreement",
        "renegotiation",
        "renegotiate",
        "impasse",
        "expectations",
    ),
    "role_transition": ("transition", "old role", "new role", "role change"),
    "interpersonal_deficits": (
        "isolation",
        "isolated",
        "lonely",
        "loneliness",
        "interpersonal sensitivity",
    ),
}


def focal_terms(areas: Iterable[tuple[str, str, str, str]]) -> tuple[str, ...]:
    """The words that name the focal areas: (area, person's name, from role, to role) each."""
    terms = []
    for area, person, from_role, to_role in areas:
        terms.extend(AREA_TERMS.get(area, ()))
        if person:
            terms.append(person)
            terms.extend(part for part in person.split() if len(part) > 2)
        terms.extend(role for role in (from_role, to_role) if role)
    return tuple(dict.fromkeys(t.strip() for t in terms if t and t.strip()))


def check_homework(f: CourseFacts) -> CheckResult:
    # IPT: most middle sessions close with homework (a concrete interpersonal action), and the
    # next session reviews it: done, partly or not, and what happened.
    name = "Homework set in most middle sessions and reviewed at the next"
    held = [s for s in f.sessions if s.status == HELD]
    next_held = {a.number: b.number for a, b in pairwise(held)}
    middle = middle_sessions(f)
    set_in = {h.set_in for h in f.homework}
    not_set = [s.number for s in middle if s.number not in set_in]
    not_reviewed = sorted(
        {
            h.set_in
            for h in f.homework
            if h.set_in in next_held
            and not (h.outcome and (h.reviewed_in is None or h.reviewed_in <= next_held[h.set_in]))
        }
    )
    reviews_due = [h for h in f.homework if h.set_in in next_held]
    if not middle and not reviews_due:
        return CheckResult("homework", name, None, "No middle-phase session held yet.")
    with_homework = len(middle) - len(not_set)
    enough = with_homework >= math.ceil(len(middle) * HOMEWORK_SHARE)
    if enough and not not_reviewed:
        return CheckResult(
            "homework",
            name,
            True,
            f"Homework was set in {with_homework} of {len(middle)} middle-phase session"
            f"{'s' if len(middle) != 1 else ''} and each was reviewed at the next one.",
        )
    problems = []
    if not enough:
        problems.append(
            f"Homework was set in {with_homework} of {len(middle)} middle-phase sessions "
            f"(IPT expects most, at least two thirds): none in {_sessions_phrase(not_set)}."
        )
    for number in not_reviewed:
        problems.append(
            f"Homework set in session {number} was not reviewed in session {next_held[number]}."
        )
    flagged = (set(not_set) if not enough else set()) | set(not_reviewed)
    return CheckResult("homework", name, False, " ".join(problems), tuple(sorted(flagged)))


def check_ending_raised(f: CourseFacts) -> CheckResult:
    # IPT: the ending is raised 2-3 sessions before the last, in the last part of the course:
    # the termination phase begins within the last third of the sessions agreed, and by
    # session N-2 of N at the latest (sessions 9 or 10 of 12).
    name = "Ending raised in the last third, at least two sessions before the last"
    latest_ok = f.planned_sessions - 2
    earliest_ok = f.planned_sessions - f.planned_sessions // 3 + 1
    if f.termination_entered_on is not None:
        at = session_number_on(f, f.termination_entered_on)
        if earliest_ok <= at <= latest_ok:
            return CheckResult(
                "ending",
                name,
                True,
                f"The termination phase began at session {at} of {f.planned_sessions}.",
            )
        if at < earliest_ok:
            return CheckResult(
                "ending",
                name,
                False,
                f"The termination phase began at session {at} of {f.planned_sessions}, before "
                f"the last third of the course (from session {earliest_ok}): the focal work "
                "was cut short.",
                (at,),
            )
        return CheckResult(
            "ending",
            name,
            False,
            f"The termination phase began at session {at} of {f.planned_sessions}: "
            f"the ending should be raised by session {latest_ok}.",
            (at,),
        )
    if f.phase == Phase.ENDED_EARLY:
        return CheckResult("ending", name, None, "The course ended early.")
    upcoming = session_number_on(f, f.today)
    if upcoming <= latest_ok:
        return CheckResult(
            "ending",
            name,
            None,
            f"To be raised by session {latest_ok} of {f.planned_sessions}.",
        )
    return CheckResult(
        "ending",
        name,
        False,
        f"The ending has not been raised and session {latest_ok} of {f.planned_sessions} is "
        "past: raise it now and move to the termination phase.",
    )


def check_relapse_plan(f: CourseFacts) -> CheckResult:
    # IPT: in the termination phase, a relapse-prevention plan maps interpersonal triggers to
    # early warning signs, coping and people to contact; it is written before completion.
    name = "Relapse-prevention plan written before completion"
    if f.relapse_triggers:
        return CheckResult(
            "relapse_plan",
            name,
            True,
            f"Written, with {f.relapse_triggers} trigger{'s' if f.relapse_triggers != 1 else ''} "
            "mapped.",
        )
    if f.phase == Phase.COMPLETED:
        return CheckResult(
            "relapse_plan",
            name,
            False,
            "The course was completed without a relapse-prevention plan mapping at least one "
            "trigger.",
        )
    if f.phase == Phase.TERMINATION:
        without = "The plan has no trigger mapped yet. " if f.relapse_triggers == 0 else ""
        return CheckResult(
            "relapse_plan", name, None, without + "To be written before the course is completed."
        )
    if f.phase == Phase.ENDED_EARLY:
        return CheckResult("relapse_plan", name, None, "The course ended early.")
    return CheckResult("relapse_plan", name, None, "Written in the termination phase.")


def check_formulation(f: CourseFacts) -> CheckResult:
    # IPT: the interpersonal formulation is shared with the patient at the end of the initial
    # phase, before the middle phase begins (it is the bridge to the focal work).
    name = "Formulation shared before the middle phase"
    if f.formulation_shared_on is not None and (
        f.middle_entered_on is None or f.formulation_shared_on <= f.middle_entered_on
    ):
        return CheckResult(
            "formulation",
            name,
            True,
            f"The formulation was shared with the patient on {_day(f.formulation_shared_on)}.",
        )
    if f.middle_entered_on is None:
        if f.phase == Phase.ENDED_EARLY:
            return CheckResult("formulation", name, None, "The course ended early.")
        return CheckResult(
            "formulation", name, None, "To be shared before the middle phase begins."
        )
    if f.formulation_shared_on is None:
        message = "The middle phase began with no formulation shared with the patient."
    else:
        message = (
            f"The formulation was shared on {_day(f.formulation_shared_on)}, after the middle "
            f"phase began on {_day(f.middle_entered_on)}."
        )
    return CheckResult("formulation", name, False, message)


CHECKS = (
    check_sick_role_and_inventory,
    check_problem_area_and_contract,
    check_formulation,
    check_middle_sessions,
    check_homework,
    check_ending_raised,
    check_relapse_plan,
)


def run_checks(f: CourseFacts, checks: Sequence = CHECKS) -> list[CheckResult]:
    return [check(f) for check in checks]
