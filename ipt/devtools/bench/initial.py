"""The initial phase of every benchmark course: assessment, inventory, timeline, problem
areas with their IPT goals, formulation and the treatment contract."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from ipt.course.models import Phase, Variant
from ipt.devtools.bench.bulk import bulk, dated
from ipt.devtools.bench.vignettes import FIRST_NAMES, RELATIONSHIPS, ROLE_CHANGES
from ipt.initial import models as initial
from ipt.initial.contract import TreatmentContract

Area = initial.ProblemArea.Area


def initial_phase(rng, plans, counts):
    """The initial-phase records of every course: (inventory, problem areas) by course pk."""
    screens, diagnoses, sick_roles, people, events = [], [], [], {}, []
    for p in plans:
        screens.append(
            initial.SuitabilityScreen(
                course=p.course, screened_on=p.start, screened_by=p.therapist,
                notes="Able to reflect on relationships; no psychotic features.",
            )
        )  # fmt: skip
        diagnoses.append(_diagnosis(rng, p))
        sick_roles.append(_sick_role(p))
        people[p.course.pk] = _inventory(rng, p)
        p.kinds = [
            (area, rng.choice(people[p.course.pk]))
            for area in rng.sample(list(Area), rng.choice([1, 1, initial.ProblemArea.MAX_PER_COURSE]))
        ]  # fmt: skip
        for area, person in p.kinds:
            if area == Area.GRIEF:
                person.deceased = True
        events += _timeline(rng, p)
    bulk(initial.SuitabilityScreen, screens, counts)
    bulk(initial.Diagnosis, diagnoses, counts)
    bulk(initial.SickRole, sick_roles, counts)
    with dated(initial.InventoryPerson._meta.get_field("created_at")):
        bulk(initial.InventoryPerson, [x for group in people.values() for x in group], counts)
    bulk(initial.LifeEvent, events, counts)
    areas = _problem_areas(rng, plans, counts)
    _goals(rng, plans, areas, counts)
    _contracts(plans, areas, counts)
    return people, areas


def _diagnosis(rng, p):
    return initial.Diagnosis(
        course=p.course,
        disorder=rng.choice(["mdd", "mdd", "mdd", "pdd", "mdd_peripartum"]),
        episode=rng.choice(["single", "recurrent"]),
        severity=rng.choice(["mild", "moderate", "moderate", "severe"]),
        onset=p.start - timedelta(days=rng.randint(60, 400)),
        diagnosed_on=p.start,
        explained_as_illness=True,
    )


def _sick_role(p):
    return initial.SickRole(
        course=p.course,
        given_on=p.first if p.took_place else p.start,
        excused="Hosting the family at weekends; extra shifts for now.",
        commitments="Coming every week and trying the agreed action each week.",
        limited=p.variant == Variant.ADOLESCENT,
    )


def _inventory(rng, p):
    created = timezone.make_aware(datetime.combine(p.start, time(12)))
    return [
        initial.InventoryPerson(
            course=p.course,
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


def _timeline(rng, p):
    events = [
        initial.LifeEvent(
            course=p.course,
            happened_on=p.start - timedelta(days=rng.randint(30, 500)),
            description=rng.choice(
                ["Made redundant", "Moved house", "Mother died", "Partner left"]
            ),
            kind=rng.choice(["loss", "conflict", "role_change", "move"]),
        )
        for _ in range(rng.randint(2, 4))
    ]
    events.append(
        initial.LifeEvent(
            course=p.course,
            happened_on=p.start - timedelta(days=rng.randint(20, 60)),
            description="Low mood and poor sleep begin",
            kind="symptom_onset",
        )
    )
    return events


def _problem_areas(rng, plans, counts):
    """Each course's problem areas and, once they are agreed, its formulation: areas by course pk."""
    areas, formulations = [], []
    for p in plans:
        for area, person in p.kinds:
            areas.append(
                initial.ProblemArea(
                    course=p.course,
                    area=area,
                    rationale="The depression began as this came to a head.",
                    **_area_fields(rng, p, area, person),
                )
            )
        if p.phase != Phase.INITIAL or p.took_place >= 2:
            formulations.append(
                initial.Formulation(
                    course=p.course,
                    text="You are suffering from depression, a common and treatable illness. "
                    "It seems connected to what has been happening in your relationships.",
                    shared_on=p.first + timedelta(weeks=p.initial - 1),
                )
            )
    bulk(initial.ProblemArea, areas, counts)
    bulk(initial.Formulation, formulations, counts)
    by_course = {}
    for area in areas:
        by_course.setdefault(area.course.pk, []).append(area)
    return by_course


def _area_fields(rng, p, area, person):
    if area == Area.GRIEF:
        return {"person": person, "date_of_death": p.start - timedelta(days=200)}
    if area == Area.ROLE_DISPUTE:
        stages = [
            initial.ProblemArea.DisputeStage.RENEGOTIATION,
            initial.ProblemArea.DisputeStage.IMPASSE,
        ]
        return {"person": person, "dispute_stage": rng.choice(stages)}  # fmt: skip
    if area == Area.ROLE_TRANSITION:
        return dict(zip(("from_role", "to_role"), rng.choice(ROLE_CHANGES), strict=True))
    return {}


def _goals(rng, plans, areas_of, counts):
    """The product's default IPT goals of each area; reviewed once the course is ending."""
    goals = []
    for p in plans:
        for area in areas_of[p.course.pk]:
            reviewed = p.phase == Phase.COMPLETED or (
                p.phase == Phase.TERMINATION and rng.random() < 0.5
            )
            goals += [
                initial.ProblemAreaGoal(
                    problem_area=area,
                    text=text,
                    position=i,
                    review=rng.choice(list(initial.ProblemAreaGoal.Review)) if reviewed else "",
                )
                for i, text in enumerate(initial.ProblemArea.DEFAULT_GOALS[area.area])
            ]
    bulk(initial.ProblemAreaGoal, goals, counts)


def _contracts(plans, areas_of, counts):
    """Drafted near the end of the initial phase, signed at its last session: as
    TreatmentContract.draft_for fills them, from the course and its areas' goals."""
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
            goals="\n".join(g for a in areas for g in initial.ProblemArea.DEFAULT_GOALS[a.area]),
            number_of_sessions=p.course.planned_sessions,
            weekday=p.first.weekday(),
            session_time=p.at,
            session_minutes=p.course.session_minutes,
            start_date=p.course.start_date,
            expected_end_date=p.course.expected_end_date,
            sick_role="Excused from hosting the family at weekends; commits to weekly sessions.",
        )
        if signed:
            contract.patient_signed_name = p.course.patient.full_name
            contract.patient_signed_on = contract.therapist_signed_on = on
            contract.therapist_signed_by = p.therapist
            contract.signed_at = p.when(p.initial)
        contracts.append(contract)
    bulk(TreatmentContract, contracts, counts)
