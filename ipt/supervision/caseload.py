"""The supervisor's caseload review: one row per course, from a fixed number of queries.

A supervisor oversees every course of every supervisee, which can run to thousands. Each row
is built only from records fetched up front (one query per kind of record), so the page costs
the same handful of queries whatever the size of the caseload. Flags are the clinical rules of
ipt/rules/flags.py and ipt/rules/adherence.py applied to those records.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ipt.course.models import Phase, TreatmentCourse, Variant, measures_prefetch
from ipt.measures import instruments
from ipt.rules import adherence
from sessions_app import adherence as adherence_facts
from sessions_app.progress import course_progress
from sessions_app.watch import watch

# The flags a supervisor filters by, in the order they matter.
FLAGS = {
    "risk": "At risk",
    "deteriorating": "Deteriorating",
    "contact": "Contact the patient",
    "overdue": "Overdue",
    "measure": "PHQ-9 overdue",
    "off_track": "Not on track",
    "gaps": "Adherence gaps",
}

VARIANT_SHORT = {
    Variant.INDIVIDUAL: "Individual",
    Variant.BRIEF: "Brief (IPT-B)",
    Variant.ADOLESCENT: "Adolescent (IPT-A)",
}

PHASE_ORDER = {phase: i for i, phase in enumerate(Phase.values)}

# Rows per page of the table. Totals, filters and sorting always cover the whole caseload.
PAGE_SIZE = 100


@dataclass
class Row:
    """What the caseload review shows about one course."""

    course: TreatmentCourse
    position: int  # 'session k of N': the latest session that took place
    last_session: date | None
    next_session: datetime | None
    phq9: list[int]  # PHQ-9 totals, oldest first
    risk: str  # why the course is flagged for risk, or ""
    overdue: bool
    off_track: bool
    gaps: list[adherence.CheckResult]  # adherence checks the record does not meet
    deteriorated: tuple[str, ...] = ()
    contact: bool = False  # missed or cancelled twice in a row
    misses_in_a_row: int = 0
    phq9_overdue: bool = False

    @property
    def patient(self):
        return self.course.patient

    @property
    def therapist(self):
        return self.course.patient.therapist

    @property
    def variant(self):
        return VARIANT_SHORT.get(self.course.variant, self.course.get_variant_display())

    @property
    def latest_phq9(self):
        return self.phq9[-1] if self.phq9 else None

    @property
    def baseline_phq9(self):
        return self.phq9[0] if self.phq9 else None

    @property
    def change(self):
        """Latest PHQ-9 minus baseline (negative is better); None until there are two scores."""
        return self.phq9[-1] - self.phq9[0] if len(self.phq9) > 1 else None

    @property
    def sparkline(self):
        return sparkline(self.phq9)

    def has(self, flag):
        return {
            "risk": bool(self.risk),
            "deteriorating": bool(self.deteriorated),
            "contact": self.contact,
            "overdue": self.overdue,
            "measure": self.phq9_overdue,
            "off_track": self.off_track,
            "gaps": bool(self.gaps),
        }[flag]


def courses_for(supervisor, *, include_closed=False, therapist=None, phase=""):
    """The supervisees' courses with everything the rows read, prefetched in fixed queries."""
    courses = TreatmentCourse.objects.visible_to(supervisor)
    if phase:
        courses = courses.filter(phase=phase)
    elif not include_closed:
        courses = courses.active_or_at_risk()
    if therapist:
        courses = courses.filter(patient__therapist_id=therapist)
    # Only what the rows read: the risk flag, progress, and what adherence.facts_for reads.
    # (adherence.prefetch_for_adherence would fetch the whole initial-phase record as well,
    # which costs seconds across thousands of courses.) tests/test_supervision.py fails if a
    # rule starts reading something not fetched here.
    return courses.select_related(
        "patient__therapist", "sick_role", "relapse_plan", "suitability", "formulation"
    ).prefetch_related(
        measures_prefetch(),
        "risk_assessments",
        "inventory",
        "problem_areas__person",
        "contracts",
        "transitions",
        "relapse_plan__triggers",
        adherence_facts.session_prefetch(),
    )


def build_rows(courses, today=None, *, all_closed=True):
    """One row per course. Without ``all_closed``, a closed course is shown only while its risk
    needs attention (``courses_for`` then also fetches closed courses that might)."""
    today = today or timezone.localdate()
    return [
        build_row(course, today)
        for course in courses
        if all_closed or course.is_active or course.risk.needs_attention
    ]


def build_row(course, today):
    sessions = list(course.sessions.all())
    progress = course_progress(course, sessions)
    phq9 = [m.total for m in course.phq9_responses()]
    facts = adherence_facts.facts_for(course, sessions, today=today)
    flags = watch(course, sessions, today)
    return Row(
        course=course,
        position=progress.position,
        last_session=flags.last_held,
        next_session=progress.next.scheduled_for if progress.next else None,
        phq9=phq9,
        risk=flags.risk.message if flags.risk else "",
        overdue=flags.overdue,
        off_track=flags.off_track,
        gaps=list(adherence.summarise(adherence.run_checks(facts)).gaps),
        deteriorated=flags.deteriorated,
        contact=flags.contact,
        misses_in_a_row=flags.misses_in_a_row,
        phq9_overdue=flags.phq9_overdue,
    )


# --- filtering, sorting, totals ------------------------------------------------------------------
def with_flag(rows, flag):
    return [r for r in rows if r.has(flag)] if flag in FLAGS else list(rows)


def _name(row):
    return row.patient.full_name.casefold()


SORTS = {
    # key: (label, value of a row; None sorts last whichever the direction)
    "priority": (
        "Flags first",
        lambda r: (
            not r.risk,
            not r.deteriorated,
            not r.contact,
            not r.overdue,
            not r.phq9_overdue,
            not r.off_track,
            -len(r.gaps),
        ),
    ),
    "patient": ("Patient", _name),
    "therapist": ("Therapist", lambda r: str(r.therapist).casefold()),
    "phase": ("Phase", lambda r: PHASE_ORDER.get(r.course.phase, 99)),
    "session": ("Session", lambda r: r.position),
    "last": ("Last session", lambda r: r.last_session),
    "next": ("Next session", lambda r: r.next_session),
    "phq9": ("Latest PHQ-9", lambda r: r.latest_phq9),
    "change": ("Change from baseline", lambda r: r.change),
}
DEFAULT_SORT = "priority"


def sort_rows(rows, sort=DEFAULT_SORT):
    """Sort by 'key' or '-key' (descending); ties and rows without a value go by patient name."""
    descending = sort.startswith("-")
    key = SORTS.get(sort.removeprefix("-"), SORTS[DEFAULT_SORT])[1]
    rows = sorted(rows, key=_name)
    present = [r for r in rows if key(r) is not None]
    missing = [r for r in rows if key(r) is None]
    return sorted(present, key=key, reverse=descending) + missing


@dataclass(frozen=True)
class Totals:
    courses: int
    counts: dict  # flag key -> number of rows with it

    def __getattr__(self, flag):
        try:
            return self.counts[flag]
        except KeyError:
            raise AttributeError(flag) from None

    @property
    def flags(self):
        """(key, label, count) of each flag, in FLAGS order, for the totals bar."""
        return [(key, label, self.counts[key]) for key, label in FLAGS.items()]


def totals(rows):
    return Totals(
        courses=len(rows),
        counts={flag: sum(r.has(flag) for r in rows) for flag in FLAGS},
    )


# --- export ---------------------------------------------------------------------------------------
CSV_HEADER = [
    "Patient",
    "Therapist",
    "Variant",
    "Phase",
    "Latest session",
    "Planned sessions",
    "Last session",
    "Next session",
    "Baseline PHQ-9",
    "Latest PHQ-9",
    "Change from baseline",
    "Risk",
    "Deteriorating",
    "Contact the patient",
    "Overdue",
    "PHQ-9 overdue",
    "Not on track",
    "Adherence gaps",
    "Gap details",
]


def csv_row(row):
    return [
        row.patient.full_name,
        str(row.therapist),
        row.variant,
        row.course.get_phase_display(),
        row.position,
        row.course.planned_sessions,
        row.last_session.isoformat() if row.last_session else "",
        timezone.localtime(row.next_session).strftime("%Y-%m-%d %H:%M") if row.next_session else "",
        row.baseline_phq9 if row.baseline_phq9 is not None else "",
        row.latest_phq9 if row.latest_phq9 is not None else "",
        row.change if row.change is not None else "",
        row.risk,
        " ".join(row.deteriorated),
        "yes" if row.contact else "",
        "yes" if row.overdue else "",
        "yes" if row.phq9_overdue else "",
        "yes" if row.off_track else "",
        len(row.gaps),
        " ".join(g.message for g in row.gaps),
    ]


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """A spreadsheet runs text that starts like a formula: such text is prefixed with a quote.

    Numbers are written as numbers (a negative change is not a formula).
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# --- a PHQ-9 sparkline ----------------------------------------------------------------------------
SPARK_W, SPARK_H, SPARK_PAD = 72, 26, 3
PHQ9_MAX = instruments.PHQ9.max_total


def sparkline(totals_, max_score=PHQ9_MAX) -> SafeString:
    """A tiny PHQ-9 line (higher is worse), decoration beside the number in the table.

    Presentation attributes only: the Content-Security-Policy forbids style attributes.
    """
    if len(totals_) < 2:
        return SafeString("")
    inner_w, inner_h = SPARK_W - 2 * SPARK_PAD, SPARK_H - 2 * SPARK_PAD
    step = inner_w / (len(totals_) - 1)
    xy = [
        (SPARK_PAD + i * step, SPARK_PAD + inner_h * (1 - min(t, max_score) / max_score))
        for i, t in enumerate(totals_)
    ]
    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
    last_x, last_y = xy[-1]
    threshold_y = SPARK_PAD + inner_h * (1 - instruments.PHQ9_CASENESS / max_score)
    return format_html(
        '<svg class="sparkline" width="{w}" height="{h}" viewBox="0 0 {w} {h}" '
        'aria-hidden="true" focusable="false">'
        '<line x1="{p}" x2="{x2}" y1="{ty}" y2="{ty}" stroke="#9ca3af" '
        'stroke-width="1" stroke-dasharray="2 2"/>'
        '<polyline points="{points}" fill="none" stroke="#1d4e89" stroke-width="1.5" '
        'stroke-linejoin="round"/>'
        '<circle cx="{lx}" cy="{ly}" r="2.5" fill="#1d4e89"/>'
        "</svg>",
        w=SPARK_W,
        h=SPARK_H,
        p=SPARK_PAD,
        x2=SPARK_W - SPARK_PAD,
        ty=f"{threshold_y:.1f}",
        points=points,
        lx=f"{last_x:.1f}",
        ly=f"{last_y:.1f}",
    )
