"""The plan of each benchmark course, made before anything is written: its phase, variant,
length, how many sessions have taken place, their dates and statuses.

Course lengths come from the product's rules for each variant (``VARIANT_RULES``) and the
overdue courses from its overdue rule (``OVERDUE_AFTER_DAYS``).
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from ipt.accounts.models import User
from ipt.course.models import VARIANT_RULES, Phase, TreatmentCourse, Variant
from ipt.rules.flags import OVERDUE_AFTER_DAYS
from sessions_app.models import Session

# Share of courses in each phase: a clinic's history is mostly closed courses.
PHASE_MIX = {
    Phase.INITIAL: 0.15,
    Phase.MIDDLE: 0.25,
    Phase.TERMINATION: 0.10,
    Phase.COMPLETED: 0.38,
    Phase.ENDED_EARLY: 0.12,
}
VARIANT_MIX = {Variant.INDIVIDUAL: 0.75, Variant.BRIEF: 0.15, Variant.ADOLESCENT: 0.10}
OVERDUE_SHARE = 0.06  # of active courses with a session behind them


@dataclass
class Plan:
    therapist: User
    phase: str
    variant: str
    planned: int  # sessions in the contract
    initial: int  # sessions in the initial phase
    took_place: int  # sessions held or missed so far
    rows: int  # session rows (took_place, then planned ones)
    overdue: bool = False
    first: date | None = None  # date of session 1
    start: date | None = None
    ended_on: date | None = None
    at: time = time(10)
    statuses: list = field(default_factory=list)  # of session 1, 2, ...
    kinds: list = field(default_factory=list)  # problem areas, with the person each is about
    course: TreatmentCourse | None = None
    sessions: list = field(default_factory=list)
    unassessed: set = field(default_factory=set)  # sessions whose PHQ-9 item 9 awaits assessment

    def held(self, number):
        return self.statuses[number - 1] == Session.Status.HELD

    def when(self, number):
        day = self.first + timedelta(weeks=number - 1)
        return datetime.combine(day, self.at, tzinfo=timezone.get_current_timezone())


def make_plans(rng, therapists, courses, sessions, today):
    """``courses`` plans spread over the therapists, with ``sessions`` session rows in all."""
    plans = [
        _plan(rng, therapists[i % len(therapists)], phase, _choice(rng, VARIANT_MIX))
        for i, phase in enumerate(_quota(rng, courses, PHASE_MIX))
    ]
    _fit_sessions(plans, sessions)
    for p in plans:
        p.overdue = p.phase in Phase.active() and p.took_place > 0 and rng.random() < OVERDUE_SHARE
        _date_plan(rng, p, today)
        p.statuses = [_status(rng, p, n) for n in range(1, p.rows + 1)]
    return plans


def _choice(rng, weights):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _quota(rng, n, weights):
    """n values with the given shares (largest remainder), shuffled: small clinics get a mix."""
    exact = {k: n * w / sum(weights.values()) for k, w in weights.items()}
    counts = {k: int(v) for k, v in exact.items()}
    for k in sorted(exact, key=lambda k: exact[k] - counts[k], reverse=True)[
        : n - sum(counts.values())
    ]:
        counts[k] += 1
    values = [k for k, c in counts.items() for _ in range(c)]
    rng.shuffle(values)
    return values


def _contracted_sessions(rng, rule):
    """Mostly the variant's default; where it allows longer courses, some of 2 or 4 more."""
    longer = list(range(rule.default_sessions + 2, rule.max_sessions + 1, 2))
    return rng.choice([rule.default_sessions] * 3 + longer) if longer else rule.default_sessions


def _plan(rng, therapist, phase, variant):
    rule = VARIANT_RULES[variant]
    planned, initial = _contracted_sessions(rng, rule), rule.initial_phase_sessions
    # The last three sessions are the ending (Session.phase_label: "Ending approaches").
    took_place = {
        Phase.INITIAL: lambda: rng.randint(0, initial),
        Phase.MIDDLE: lambda: rng.randint(initial + 1, planned - 3),
        Phase.TERMINATION: lambda: rng.randint(planned - 3, planned - 1),
        Phase.COMPLETED: lambda: planned,
        Phase.ENDED_EARLY: lambda: rng.randint(2, planned - 2),
    }[phase]()
    rows = {Phase.INITIAL: took_place + 1, Phase.ENDED_EARLY: took_place}.get(phase, planned)
    return Plan(therapist, phase, variant, planned, initial, took_place, rows)


def _fit_sessions(plans, target):
    """Lengthen or shorten early endings (then initial phases) until there are ``target`` rows."""
    diff = target - sum(p.rows for p in plans)
    adjustable = [p for p in plans if p.phase == Phase.ENDED_EARLY] + [
        p for p in plans if p.phase == Phase.INITIAL
    ]
    while diff and adjustable:
        moved = False
        for p in adjustable:
            if not diff:
                break
            step = 1 if diff > 0 else -1
            if p.phase == Phase.ENDED_EARLY and 1 <= p.took_place + step <= p.planned - 1:
                p.took_place += step
                p.rows = p.took_place
            elif p.phase == Phase.INITIAL and 0 <= p.took_place + step <= p.initial:
                p.took_place += step
                p.rows = p.took_place + 1
            else:
                continue
            diff -= step
            moved = True
        if not moved:
            break


def _date_plan(rng, plan, today):
    plan.at = time(rng.randint(9, 17), rng.choice([0, 30]))
    if plan.phase in Phase.active():
        if plan.took_place:
            # Overdue: past the product's threshold (by two days at least); else within the week.
            lag = rng.randint(OVERDUE_AFTER_DAYS + 2, 35) if plan.overdue else rng.randint(0, 6)
            plan.first = today - timedelta(days=lag, weeks=plan.took_place - 1)
            plan.start = plan.first - timedelta(days=rng.randint(0, 3))
        else:
            plan.start = today - timedelta(days=rng.randint(0, 6))
            plan.first = today + timedelta(days=rng.randint(1, 7))
    else:
        last = today - timedelta(days=rng.randint(30, 720))
        plan.first = last - timedelta(weeks=plan.took_place - 1)
        plan.start = plan.first - timedelta(days=rng.randint(0, 3))
        plan.ended_on = last + timedelta(days=rng.randint(0, 10))


def _status(rng, plan, n):
    if n > plan.took_place:
        return Session.Status.PLANNED
    if n in (1, plan.took_place) or rng.random() < 0.9:
        return Session.Status.HELD
    return Session.Status.MISSED
