"""A clinic at scale, for `manage.py bench`: staff, courses and sessions written in bulk.

``seed()`` builds a whole clinic in memory, course by course, from a seeded random generator,
then writes each kind of record with ``bulk_create`` in batches: a few dozen INSERTs for tens
of thousands of rows. The records look like the ones the app writes itself:

- every course has a suitability screen, a diagnosis with a baseline PHQ-9, the sick role,
  3-6 people in the inventory, a timeline, one or two problem areas with their IPT goals and a
  formulation; past the initial phase a signed contract, the phase transitions dated on the
  session they happened in, and all of its weekly sessions (held, missed, then planned);
- held sessions have a PHQ-9 (or a mood rating), interpersonal events, homework reviewed the
  next week, techniques, sometimes a communication analysis; most are finalised;
- completed courses have their progress review, reviewed goals, relapse-prevention plan and
  often a maintenance contract; supervisors have left feedback and rated some sessions;
- a few courses have PHQ-9 item 9 above 0 (most with a documented risk assessment) and a few
  active ones are overdue, so the caseload review has flags to show.

The number of sessions is made exact by lengthening or shortening courses that ended early.
Nothing here is used by the app itself.
"""

import random
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from ipt.accounts.models import Role, User
from ipt.course.models import Phase, PhaseTransition, TreatmentCourse, Variant
from ipt.initial.contract import TreatmentContract
from ipt.initial.models import (
    Diagnosis,
    Formulation,
    InventoryPerson,
    LifeEvent,
    ProblemArea,
    ProblemAreaGoal,
    SickRole,
    SuitabilityScreen,
)
from ipt.measures.models import MeasureResponse, RiskAssessment
from ipt.supervision.models import SessionRating, SupervisionFeedback
from ipt.termination.models import (
    FollowUp,
    MaintenanceContract,
    ProgressReview,
    RelapsePreventionPlan,
    RelapseTrigger,
)
from patients.models import Patient
from sessions_app.models import (
    CommunicationAnalysis,
    DisputeStageChange,
    Homework,
    InterpersonalEvent,
    Session,
    Technique,
)

BATCH = 2000

# Share of courses in each phase: a clinic's history is mostly closed courses.
PHASE_MIX = {
    Phase.INITIAL: 0.15,
    Phase.MIDDLE: 0.25,
    Phase.TERMINATION: 0.10,
    Phase.COMPLETED: 0.38,
    Phase.ENDED_EARLY: 0.12,
}
VARIANT_MIX = {Variant.INDIVIDUAL: 0.75, Variant.BRIEF: 0.15, Variant.ADOLESCENT: 0.10}

FIRST_NAMES = [
    "Aisha", "Ben", "Chloe", "Dev", "Ellen", "Farid", "Grace", "Hannah", "Ian", "Jade",
    "Kofi", "Laura", "Marek", "Nadia", "Owen", "Priya", "Quinn", "Rosa", "Sam", "Tariq",
    "Uma", "Victor", "Wendy", "Xavier", "Yasmin", "Zoe", "Adam", "Beth", "Carl", "Dina",
    "Ewan", "Fatima", "Gareth", "Holly", "Isaac", "Joy", "Karl", "Lena", "Mo", "Nell",
]  # fmt: skip
LAST_NAMES = [
    "Ahmed", "Brown", "Chen", "Davies", "Evans", "Fraser", "Gill", "Hughes", "Iqbal", "Jones",
    "Khan", "Lewis", "Murphy", "Novak", "Okafor", "Patel", "Quigley", "Roberts", "Singh",
    "Taylor", "Usman", "Vaughan", "Walsh", "Xu", "Young", "Zielinski", "Adeyemi", "Baker",
    "Campbell", "Dunn", "Ellis", "Foster", "Green", "Hall", "Ivanova", "Jackson", "Kaur",
    "Lopez", "Mensah", "Nguyen",
]  # fmt: skip
RELATIONSHIPS = [
    ("partner", 1), ("mother", 1), ("father", 2), ("sister", 2), ("brother", 2),
    ("daughter", 1), ("son", 1), ("friend", 2), ("best friend", 1), ("manager", 3),
    ("colleague", 3), ("neighbour", 3), ("aunt", 3), ("grandmother", 2),
]  # fmt: skip
ROLE_CHANGES = [
    ("employed", "unemployed"), ("student", "graduate looking for work"),
    ("partner", "single parent"), ("worker", "retired"), ("city life", "a new town"),
    ("independent adult", "carer for a parent"), ("working woman", "new mother"),
]  # fmt: skip
MOOD_CONTEXT = [
    "A bit brighter this week; went out twice and slept better.",
    "Low most days; stayed in after the argument on Saturday.",
    "Mood lifted after talking things through at home.",
    "Tired and tearful; the anniversary was hard.",
    "Steadier; kept to the plan for the week.",
]
FOCAL_NOTES = [
    "Linked the low days to the row about money; explored what each of them expected.",
    "Talked through what was lost with the old role and what the new one might offer.",
    "Reviewed who could be asked for support and how to ask.",
    "Looked at the dispute stage: both still want to sort it out.",
    "Remembered the good and the difficult sides of the relationship.",
]
EVENTS = [
    ("Argued about money over dinner.", "Angry, then guilty and flat."),
    ("Phoned to ask for help with the children.", "Nervous, then relieved it went well."),
    ("Went to the group for the first time.", "Awkward at first, glad afterwards."),
    ("Was left out of the plans for the weekend.", "Hurt and low all evening."),
    ("Talked about the future calmly.", "Hopeful."),
]
HOMEWORK = [
    "Ask for a walk on Saturday and say what I need.",
    "Phone a friend and suggest meeting for coffee.",
    "Tell my sister how the last month has really been.",
    "Go to the first evening of the course.",
    "Raise the money worry at a calm moment, not during a row.",
]
REVIEWS = [
    "Did it; the conversation went better than expected.",
    "Started but stopped when it got tense.",
    "Did not get round to it; we looked at what got in the way.",
]
ANALYSIS = (
    "Kitchen, Sunday evening, both tired after the visit.",
    "'You never help.' Said loudly, arms folded.",
    "That I was exhausted and needed a hand.",
    "Heard it as blame and walked out.",
    "'I'm worn out tonight; could you do the dishes?' Role-played twice.",
)
TECHNIQUES = [t.value for t in Technique]


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


def phq9_answers(rng, total, item9=0):
    """Nine PHQ-9 answers (0-3) adding up to ``total``, item 9 as given."""
    answers = [0] * 8
    for _ in range(max(0, min(total - item9, 24))):
        answers[rng.choice([i for i, a in enumerate(answers) if a < 3])] += 1
    return [*answers, item9]


@contextmanager
def _dated(*fields):
    """Let bulk_create write the given auto_now_add fields: records dated when they happened."""
    saved = [(f, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f, value in saved:
            f.auto_now_add = value


def _bulk(model, objs, counts):
    objs = list(objs)
    for start in range(0, len(objs), BATCH):
        model.objects.bulk_create(objs[start : start + BATCH])
    counts[model._meta.verbose_name_plural] += len(objs)
    return objs


# --- the plan of each course, before anything is written -----------------------------------
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

    def held(self, number):
        return self.statuses[number - 1] == Session.Status.HELD

    def when(self, number):
        day = self.first + timedelta(weeks=number - 1)
        return datetime.combine(day, self.at, tzinfo=timezone.get_current_timezone())


def _plan(rng, therapist, phase, variant):
    if variant == Variant.BRIEF:
        planned, initial = 8, 2
    elif variant == Variant.ADOLESCENT:
        planned, initial = 12, 4
    else:
        planned, initial = rng.choice([12, 12, 12, 14, 16]), 3
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
            lag = rng.randint(12, 35) if plan.overdue else rng.randint(0, 6)
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


# --- seeding -------------------------------------------------------------------------------
@dataclass
class Clinic:
    supervisors: list
    therapists: list
    counts: Counter

    @property
    def summary(self):
        return ", ".join(f"{n:,} {name}" for name, n in self.counts.items())


def seed(
    *,
    supervisors=4,
    therapists=40,
    courses=2000,
    sessions=20000,
    random_seed=2026,
    today=None,
    log=None,
):
    """Write a clinic of this size; returns its staff and how many records of each kind."""
    rng = random.Random(random_seed)
    today = today or timezone.localdate()
    counts = Counter()
    say = log or (lambda message: None)
    with transaction.atomic():
        sups, staff = _staff(rng, supervisors, therapists, counts)
        plans = [
            _plan(rng, staff[i % len(staff)], phase, _choice(rng, VARIANT_MIX))
            for i, phase in enumerate(_quota(rng, courses, PHASE_MIX))
        ]
        _fit_sessions(plans, sessions)
        for p in plans:
            p.overdue = p.phase in Phase.active() and p.took_place > 0 and rng.random() < 0.06
            _date_plan(rng, p, today)
            p.statuses = [_status(rng, p, n) for n in range(1, p.rows + 1)]
        _courses(rng, plans, counts)
        say(f"  {len(plans):,} courses and their patients")
        people, areas = _initial_phase(rng, plans, counts)
        say("  initial-phase records")
        measures = _measures(rng, plans, counts)
        say("  PHQ-9 measures and risk assessments")
        _sessions(rng, plans, measures, people, areas, today, counts)
        say(f"  {counts['sessions']:,} sessions and what was done in them")
        _ending(rng, plans, today, counts)
        _supervision(rng, plans, counts)
        say("  termination, maintenance and supervision records")
    return Clinic(sups, staff, counts)


def _staff(rng, n_supervisors, n_therapists, counts):
    password = make_password(None)  # unusable: the benchmark logs in with force_login

    def user(username, role, supervisor=None):
        return User(
            username=username,
            first_name=rng.choice(FIRST_NAMES),
            last_name=rng.choice(LAST_NAMES),
            role=role,
            supervisor=supervisor,
            password=password,
            email=f"{username}@clinic.example",
        )

    sups = _bulk(
        User, (user(f"bench-sup{i + 1}", Role.SUPERVISOR) for i in range(n_supervisors)), counts
    )
    staff = _bulk(
        User,
        (
            user(f"bench-t{j + 1}", Role.THERAPIST, sups[j * n_supervisors // n_therapists])
            for j in range(n_therapists)
        ),
        counts,
    )
    return sups, staff


def _courses(rng, plans, counts):
    patients = _bulk(
        Patient,
        (
            Patient(
                therapist=p.therapist,
                full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                preferred_name=rng.choice(["", "", rng.choice(FIRST_NAMES)]),
                date_of_birth=date(rng.randint(1950, 2008), rng.randint(1, 12), rng.randint(1, 28)),
                phone=f"07700 9{rng.randint(0, 99999):05d}",
                emergency_contact_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                emergency_contact_relationship=rng.choice(["partner", "mother", "brother"]),
                emergency_contact_phone=f"07700 9{rng.randint(0, 99999):05d}",
                referral_source=rng.choice(["GP", "Health visitor", "Self-referral", "A&E"]),
                referral_reason="Low mood, poor sleep and withdrawal from friends for months.",
            )
            for p in plans
        ),
        counts,
    )
    objs = []
    for p, patient in zip(plans, patients, strict=True):
        p.course = TreatmentCourse(
            patient=patient,
            variant=p.variant,
            planned_sessions=p.planned,
            initial_phase_sessions=p.initial,
            start_date=p.start,
            phase=p.phase,
            ended_on=p.ended_on,
            end_reason="drop_out" if p.phase == Phase.ENDED_EARLY else "",
            end_note="Stopped coming after a missed session."
            if p.phase == Phase.ENDED_EARLY
            else "",
        )
        objs.append(p.course)
    _bulk(TreatmentCourse, objs, counts)


def _initial_phase(rng, plans, counts):
    """The initial-phase records of every course; returns each course's inventory."""
    screens, diagnoses, sick_roles, people, events = [], [], [], {}, []
    for p in plans:
        c, by = p.course, p.therapist
        screens.append(SuitabilityScreen(course=c, screened_on=p.start, screened_by=by,
                                         notes="Able to reflect on relationships; no psychotic features."))  # fmt: skip
        diagnoses.append(
            Diagnosis(
                course=c,
                disorder=rng.choice(["mdd", "mdd", "mdd", "pdd", "mdd_peripartum"]),
                episode=rng.choice(["single", "recurrent"]),
                severity=rng.choice(["mild", "moderate", "moderate", "severe"]),
                onset=p.start - timedelta(days=rng.randint(60, 400)),
                diagnosed_on=p.start,
                explained_as_illness=True,
            )
        )
        sick_roles.append(
            SickRole(
                course=c,
                given_on=p.first if p.took_place else p.start,
                excused="Hosting the family at weekends; extra shifts for now.",
                commitments="Coming every week and trying the agreed action each week.",
                limited=p.variant == Variant.ADOLESCENT,
            )
        )
        created = timezone.make_aware(datetime.combine(p.start, time(12)))
        people[c.pk] = [
            InventoryPerson(
                course=c,
                name=rng.choice(FIRST_NAMES),
                relationship=rel,
                closeness=closeness,
                what_like="Kind but busy; hard to reach lately.",
                conflicts=rng.choice(["", "Rows about money and chores."]),
                knows_about_depression=rng.choice(["yes", "partly", "no"]),
                closeness_at_end=max(1, closeness - 1) if p.phase == Phase.COMPLETED else None,
                created_at=created,
            )
            for rel, closeness in rng.sample(RELATIONSHIPS, rng.randint(3, 6))
        ]
        p.kinds = [
            (area, rng.choice(people[c.pk]))
            for area in rng.sample(list(ProblemArea.Area), rng.choice([1, 1, 2]))
        ]
        for area, person in p.kinds:
            if area == ProblemArea.Area.GRIEF:
                person.deceased = True
        for _ in range(rng.randint(2, 4)):
            events.append(
                LifeEvent(
                    course=c,
                    happened_on=p.start - timedelta(days=rng.randint(30, 500)),
                    description=rng.choice(
                        ["Made redundant", "Moved house", "Mother died", "Partner left"]
                    ),
                    kind=rng.choice(["loss", "conflict", "role_change", "move"]),
                )
            )
        events.append(
            LifeEvent(
                course=c,
                happened_on=p.start - timedelta(days=rng.randint(20, 60)),
                description="Low mood and poor sleep begin",
                kind="symptom_onset",
            )
        )
    _bulk(SuitabilityScreen, screens, counts)
    _bulk(Diagnosis, diagnoses, counts)
    _bulk(SickRole, sick_roles, counts)
    with _dated(InventoryPerson._meta.get_field("created_at")):
        _bulk(InventoryPerson, [x for group in people.values() for x in group], counts)
    _bulk(LifeEvent, events, counts)

    areas, formulations = [], []
    for p in plans:
        for area, person in p.kinds:
            fields = {}
            if area == ProblemArea.Area.GRIEF:
                fields = {"person": person, "date_of_death": p.start - timedelta(days=200)}
            elif area == ProblemArea.Area.ROLE_DISPUTE:
                stage = rng.choice(["renegotiation", "impasse"])
                fields = {"person": person, "dispute_stage": stage}
            elif area == ProblemArea.Area.ROLE_TRANSITION:
                fields = dict(zip(("from_role", "to_role"), rng.choice(ROLE_CHANGES), strict=True))
            areas.append(
                ProblemArea(
                    course=p.course,
                    area=area,
                    rationale="The depression began as this came to a head.",
                    **fields,
                )
            )
        if p.phase != Phase.INITIAL or p.took_place >= 2:
            formulations.append(
                Formulation(
                    course=p.course,
                    text="You are suffering from depression, a common and treatable illness. "
                    "It seems connected to what has been happening in your relationships.",
                    shared_on=p.first + timedelta(weeks=p.initial - 1),
                )
            )
    _bulk(ProblemArea, areas, counts)
    _bulk(Formulation, formulations, counts)
    goals = []
    by_course = {}
    for area in areas:
        by_course.setdefault(area.course.pk, []).append(area)
    for p in plans:
        for area in by_course[p.course.pk]:
            reviewed = p.phase == Phase.COMPLETED or (
                p.phase == Phase.TERMINATION and rng.random() < 0.5
            )
            goals += [
                ProblemAreaGoal(
                    problem_area=area,
                    text=text,
                    position=i,
                    review=rng.choice(["achieved", "partly", "not_achieved"]) if reviewed else "",
                )
                for i, text in enumerate(ProblemArea.DEFAULT_GOALS[area.area])
            ]
    _bulk(ProblemAreaGoal, goals, counts)
    _contracts(rng, plans, by_course, counts)
    return people, by_course


def _contracts(rng, plans, areas_of, counts):
    contracts = []
    for p in plans:
        signed = p.phase != Phase.INITIAL
        if not signed and p.took_place < p.initial - 1:
            continue  # not drafted yet
        areas = areas_of[p.course.pk]
        on = p.first + timedelta(weeks=p.initial - 1)
        contract = TreatmentContract(
            course=p.course,
            version=1,
            focal_areas="\n".join(a.detail for a in areas),
            goals="\n".join(ProblemArea.DEFAULT_GOALS[a.area][0] for a in areas),
            number_of_sessions=p.planned,
            weekday=p.first.weekday(),
            session_time=p.at,
            session_minutes=50,
            start_date=p.start,
            expected_end_date=p.start + timedelta(weeks=p.planned - 1),
            sick_role="Excused from hosting the family at weekends; commits to weekly sessions.",
        )
        if signed:
            contract.patient_signed_name = p.course.patient.full_name
            contract.patient_signed_on = contract.therapist_signed_on = on
            contract.therapist_signed_by = p.therapist
            contract.signed_at = p.when(p.initial)
        contracts.append(contract)
    _bulk(TreatmentContract, contracts, counts)


def _measures(rng, plans, counts):
    """The baseline PHQ-9, then one in most held sessions: {course pk: {session number: measure}}.

    The baseline is taken at the first session (at assessment when none has been held yet).
    """
    measures, by_session = [], {}
    for p in plans:
        baseline = rng.randint(10, 24)
        responds = rng.random() < 0.65
        final = rng.randint(3, 9) if responds else max(5, baseline - rng.randint(0, 4))
        risky = rng.random() < 0.07
        held = [n for n in range(2, p.took_place + 1) if p.held(n) and rng.random() < 0.7]
        mine = by_session.setdefault(p.course.pk, {})
        for n in [1, *held]:
            trend = baseline + (final - baseline) * (n - 1) / (p.planned - 1)
            total = max(0, min(26, round(trend) + rng.randint(-2, 2)))
            item9 = rng.randint(1, 2) if risky and n <= 2 else 0
            answers = phq9_answers(rng, total, item9)
            mine[n] = MeasureResponse(
                course=p.course,
                instrument_code="phq9",
                answers=answers,
                total=sum(answers),
                difficulty=rng.randint(0, 3),
                taken_on=p.when(n).date() if p.took_place else p.start,
                recorded_by=p.therapist,
            )
            measures.append(mine[n])
    _bulk(MeasureResponse, measures, counts)
    risks = []
    for p in plans:
        if rng.random() < 0.2:
            continue  # not yet assessed: the caseload review flags it
        for m in by_session[p.course.pk].values():
            if m.answers[8] > 0:
                risks.append(
                    RiskAssessment(
                        course=p.course,
                        measure=m,
                        assessed_on=m.taken_on,
                        level=rng.choice(["low"] * 7 + ["moderate"] * 2 + ["high"]),
                        findings="Passive thoughts, no plan or intent; protective factors: children.",
                        safety_plan="Call the crisis line; stay with a friend.",
                        actions_taken="GP informed.",
                        assessed_by=p.therapist,
                    )
                )
    _bulk(RiskAssessment, risks, counts)
    return by_session


def _status(rng, plan, n):
    if n > plan.took_place:
        return Session.Status.PLANNED
    if n in (1, plan.took_place) or rng.random() < 0.9:
        return Session.Status.HELD
    return Session.Status.MISSED


def _sessions(rng, plans, measures, people, areas, today, counts):
    sessions = []
    for p in plans:
        for n, status in enumerate(p.statuses, start=1):
            held = status == Session.Status.HELD
            when = p.when(n)
            latest_open = p.phase in Phase.active() and n == p.took_place and rng.random() < 0.5
            finalised = held and when.date() < today and not latest_open
            phq9 = measures[p.course.pk].get(n) if held else None
            s = Session(
                course=p.course,
                number=n,
                scheduled_for=when,
                status=status,
                status_note="Unwell, phoned on the day." if status == Session.Status.MISSED else "",
                mood_rating=rng.randint(2, 8) if held and phq9 is None else None,
                phq9=phq9,
                mood_context=rng.choice(MOOD_CONTEXT) if held else "",
                focal_notes=rng.choice(FOCAL_NOTES) if held and n > p.initial else "",
                techniques=rng.sample(TECHNIQUES, rng.randint(1, 3)) if held else [],
                notes="Engaged well; agreed the action for the week." if held else "",
                ending_feelings="Sad it is ending, proud of the change."
                if held and n > p.planned - 3
                else "",
                finalised_at=when + timedelta(hours=2) if finalised else None,
                finalised_by=p.therapist if finalised else None,
            )
            p.sessions.append(s)
            sessions.append(s)
    _bulk(Session, sessions, counts)

    events, homework, analyses, stages = [], [], [], []
    for p in plans:
        inventory = people[p.course.pk]
        held = [s for s in p.sessions if s.status == Session.Status.HELD]
        for i, s in enumerate(held):
            for what, feelings in rng.sample(EVENTS, rng.randint(1, 2)):
                events.append(
                    InterpersonalEvent(
                        session=s, person=rng.choice(inventory), what_happened=what,
                        feelings=feelings, focal=rng.random() < 0.8,
                    )
                )  # fmt: skip
            if rng.random() < 0.85:
                following = held[i + 1] if i + 1 < len(held) else None
                reviewed = following is not None
                homework.append(
                    Homework(
                        set_in=s,
                        action=rng.choice(HOMEWORK),
                        person=rng.choice(inventory),
                        due_by=s.scheduled_for.date() + timedelta(days=6),
                        reviewed_in=following,
                        outcome=rng.choice(["done", "partly", "not_done"]) if reviewed else "",
                        review_notes=rng.choice(REVIEWS) if reviewed else "",
                    )
                )
            if s.number > p.initial and rng.random() < 0.2:
                analyses.append(
                    CommunicationAnalysis(
                        session=s,
                        person=rng.choice(inventory),
                        **dict(zip(CommunicationAnalysis.AUTOSAVE_FIELDS, ANALYSIS, strict=True)),
                        role_played=rng.random() < 0.5,
                    )
                )
        # The stage of a role dispute reassessed once in the middle phase.
        middle = [s for s in held if s.number > p.initial + 1]
        for area in areas[p.course.pk]:
            if area.dispute_stage and middle:
                stage = rng.choice(["renegotiation", "impasse", "dissolution"])
                stages.append(
                    DisputeStageChange(problem_area=area, session=rng.choice(middle), stage=stage)
                )
    _bulk(InterpersonalEvent, events, counts)
    _bulk(Homework, homework, counts)
    _bulk(CommunicationAnalysis, analyses, counts)
    _bulk(DisputeStageChange, stages, counts)
    _transitions(plans, counts)


def _phases_reached(p):
    if p.phase != Phase.ENDED_EARLY:
        return {
            Phase.INITIAL: [],
            Phase.MIDDLE: [Phase.MIDDLE],
            Phase.TERMINATION: [Phase.MIDDLE, Phase.TERMINATION],
            Phase.COMPLETED: [Phase.MIDDLE, Phase.TERMINATION, Phase.COMPLETED],
        }[p.phase]
    reached = [Phase.MIDDLE] if p.took_place > p.initial else []
    if p.took_place > p.planned - 3:
        reached.append(Phase.TERMINATION)
    return [*reached, Phase.ENDED_EARLY]


def _transitions(plans, counts):
    """Each phase change, dated at the end of the session it was made in."""
    rows = []
    for p in plans:
        end = timedelta(minutes=55)
        when = {
            Phase.MIDDLE: p.when(p.initial + 1) + end,
            Phase.TERMINATION: p.when(max(p.initial + 2, p.planned - 2)) + end,
            Phase.COMPLETED: p.when(p.planned) + end,
            Phase.ENDED_EARLY: timezone.make_aware(
                datetime.combine(p.ended_on or p.start, time(17))
            ),
        }
        previous = Phase.INITIAL
        for phase in _phases_reached(p):
            rows.append(
                PhaseTransition(
                    course=p.course, from_phase=previous, to_phase=phase, by=p.therapist,
                    at=when[phase],
                )
            )  # fmt: skip
            previous = phase
    with _dated(PhaseTransition._meta.get_field("at")):
        _bulk(PhaseTransition, rows, counts)


def _ending(rng, plans, today, counts):
    reviews, relapse_plans, maintenance = [], [], []
    for p in plans:
        done = p.phase == Phase.COMPLETED
        if not (done or (p.phase == Phase.TERMINATION and rng.random() < 0.5)):
            continue
        on = p.when(max(1, p.took_place)).date()
        reviews.append(
            ProgressReview(
                course=p.course,
                reviewed_on=on,
                what_helped="Talking to my partner at a calm moment instead of during a row.",
                patient_view="I feel more like myself and less alone.",
                further_treatment=rng.choice(["", "Referred to the GP to review medication."]),
            )
        )
        relapse_plans.append(
            RelapsePreventionPlan(
                course=p.course,
                written_on=on,
                if_symptoms_return="Book a booster session and see the GP.",
            )
        )
        if done and rng.random() < 0.5:
            maintenance.append(MaintenanceContract(course=p.course, agreed_on=p.ended_on))
    _bulk(ProgressReview, reviews, counts)
    _bulk(RelapsePreventionPlan, relapse_plans, counts)
    _bulk(
        RelapseTrigger,
        (
            RelapseTrigger(
                plan=plan,
                trigger=trigger,
                warning_signs="Sleeping badly, staying in, snapping at home.",
                coping="Say what I need early; call a friend; keep the weekly walk.",
                people="Partner, sister, GP.",
                position=i,
            )
            for plan in relapse_plans
            for i, trigger in enumerate(
                rng.sample(
                    ["A row about money", "The anniversary", "Losing the new job", "Christmas"],
                    rng.randint(1, 3),
                )
            )
        ),
        counts,
    )
    _bulk(MaintenanceContract, maintenance, counts)
    followups = []
    for contract in maintenance:
        for due in contract.schedule(contract.agreed_on):
            past = due < today
            followups.append(
                FollowUp(
                    maintenance=contract,
                    due_on=due,
                    status=rng.choice(["held", "held", "missed"]) if past else "due",
                    held_on=due if past else None,
                    recorded_by=contract.course.patient.therapist if past else None,
                )
            )
    for f in followups:
        if f.status == "missed":
            f.held_on = None
    _bulk(FollowUp, followups, counts)


def _supervision(rng, plans, counts):
    now = timezone.now()
    feedback, ratings = [], []
    for p in plans:
        supervisor = p.therapist.supervisor
        held = [s for s in p.sessions if s.status == Session.Status.HELD]
        if held and rng.random() < 0.25:
            s = rng.choice(held)
            feedback.append(
                SupervisionFeedback(
                    course=p.course,
                    session=s,
                    author=supervisor,
                    text="Good link between the row and the low week; next time role-play it.",
                    created_at=min(now, s.scheduled_for + timedelta(days=2)),
                    acknowledged_at=min(now, s.scheduled_for + timedelta(days=3))
                    if rng.random() < 0.7
                    else None,
                )
            )
        if held and rng.random() < 0.15:
            s = rng.choice(held)
            ratings += [
                SessionRating(session=s, rater=supervisor, element=element, score=rng.randint(2, 5))
                for element in SessionRating.Element
            ]
    with _dated(SupervisionFeedback._meta.get_field("created_at")):
        _bulk(SupervisionFeedback, feedback, counts)
    _bulk(SessionRating, ratings, counts)
