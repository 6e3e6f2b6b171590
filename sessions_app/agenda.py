"""What the session page shows for its phase: the agenda, and the focal work per problem area.

The page's order follows the phase (IPT-REFERENCE.md): the initial phase works through the
initial-phase steps, the middle phase keeps the weekly order, and the termination phase puts
the progress review, the feelings about ending and the relapse plan first.
"""

from dataclasses import dataclass

from django.urls import reverse

from ipt.course.models import Phase, TreatmentCourse
from ipt.course.steps import initial_phase_steps
from sessions_app import strategies
from sessions_app.focalwork import StrategyNote, by_area

# The initial phase's agenda, in the order of the sessions: (title, what to do, the step).
INITIAL_AGENDA = (
    (
        "Symptom review",
        "Go through the depressive symptoms with the patient (the PHQ-9 below) and how long "
        "they have lasted.",
        "diagnosis",
    ),
    (
        "Giving the diagnosis and the sick role",
        "Name the depression as a treatable medical illness, not a failing; agree what the "
        "patient is excused from for now, and that they work at recovery.",
        "sick_role",
    ),
    (
        "Taking the interpersonal inventory",
        "Each person who matters: what they are like together, what works and what does not, "
        "what the patient would change.",
        "inventory",
    ),
    (
        "Linking the timeline",
        "When the symptoms began and worsened, beside what was happening with people then.",
        "timeline",
    ),
    (
        "Agreeing the problem area",
        "One area, at most two, that links the depression to the patient's relationships.",
        "problem_areas",
    ),
    (
        "The interpersonal formulation",
        "A short statement, shared with the patient, linking the depression to the area.",
        "formulation",
    ),
    (
        "The treatment contract",
        "The focal area and goals, the number and length of sessions, the time limit.",
        "contract",
    ),
)


@dataclass(frozen=True)
class AgendaItem:
    title: str
    hint: str
    url: str
    status: str  # in words, e.g. "Done: 4 people." or "Not yet given."
    done: bool | None = None


def agenda_phase(course, session):
    """'initial', 'middle' or 'termination': which agenda this session follows."""
    if session.number <= course.initial_phase_sessions:
        return "initial"
    if course.phase == Phase.TERMINATION or session.number > course.planned_sessions - 3:
        return "termination"
    return "middle"


def phase_agenda(course, session):
    """The phase and its agenda items (none in the middle phase: the page's own order)."""
    kind = agenda_phase(course, session)
    if kind == "initial":
        return {"kind": kind, "items": _initial_items(course, session)}
    if kind == "termination":
        return {"kind": kind, "items": _termination_items(course, session)}
    return {"kind": kind, "items": []}


def _initial_items(course, session):
    url = lambda name: reverse(f"course:{name}", args=[course.pk])  # noqa: E731
    if course.phase != Phase.INITIAL:
        # The course has moved on: the initial phase's steps were all done to get there,
        # so the record of each is not fetched again.
        return [
            AgendaItem(title, hint, url(step), "Done: the initial phase is complete.", True)
            for title, hint, step in INITIAL_AGENDA
        ]
    full = TreatmentCourse.objects.with_initial_phase().get(pk=course.pk)
    steps = {step.key: step for step in initial_phase_steps(full)}
    items = []
    for title, hint, key in INITIAL_AGENDA:
        step = steps[key]
        status = ("Done: " if step.done else "Still to do: ") + step.summary
        items.append(AgendaItem(title, hint, step.url, status, step.done))
    return items


def _termination_items(course, session):
    url = lambda name: reverse(f"course:{name}", args=[course.pk])  # noqa: E731
    left = course.planned_sessions - session.number
    return [
        AgendaItem(
            "Progress review",
            "Against the baseline PHQ-9 and the contract's goals; ask what the patient did "
            "that helped.",
            url("progress_review"),
            "",
        ),
        AgendaItem(
            "Feelings about ending",
            "The end of therapy as a role transition: sadness and pride are both expected. "
            + (
                f"{left} session{'s' if left != 1 else ''} left after this one."
                if left > 0
                else "This is the last session."
            ),
            "#ending-heading",
            "",
        ),
        AgendaItem(
            "Relapse-prevention plan",
            "Interpersonal triggers, early warning signs, what helps and whom to contact.",
            url("relapse_plan"),
            "",
        ),
    ]


@dataclass
class StrategyRow:
    key: str
    title: str
    hint: str
    target: str  # the autosave target, "strategy:<area id>:<key>"
    note: object  # this session's StrategyNote, or None until something is typed
    earlier: tuple  # the session numbers before this one where it was worked on
    last_on: object

    @property
    def text(self):
        return self.note.text if self.note else ""

    def version_of(self, field):
        return self.note.version_of(field) if self.note else 0


def focal_work(course, session):
    """Each problem area (the primary first) with its strategies: this session's note and
    the earlier sessions that worked on each. Two queries, however long the course."""
    areas = list(course.problem_areas.all())
    notes = {(n.problem_area_id, n.key): n for n in session.strategy_notes.all()}
    history = by_area(StrategyNote.objects.worked_on_before(session))
    out = []
    for area in areas:
        covered = {c.key: c for c in strategies.coverage(area.area, history.get(area.pk, []))}
        rows = [
            StrategyRow(
                s.key,
                s.title,
                s.hint,
                f"strategy:{area.pk}:{s.key}",
                notes.get((area.pk, s.key)),
                covered[s.key].sessions,
                covered[s.key].last_on,
            )
            for s in strategies.strategies_for(area.area)
        ]
        out.append(
            {
                "area": area,
                "rows": rows,
                "stage_strategy": strategies.stage_strategy(area.dispute_stage),
            }
        )
    return out


def coverage_by_area(course):
    """For the course page and the supervisor's review: per area, which strategies have been
    worked on, in which sessions. One query for the notes."""
    history = by_area(StrategyNote.objects.worked_on_in(course.pk))
    return [
        {"area": area, **strategies.coverage_summary(area.area, history.get(area.pk, []))}
        for area in course.problem_areas.all()
    ]
