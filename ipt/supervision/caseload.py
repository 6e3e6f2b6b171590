"""The supervisor's caseload review: one row per course, read from each course's stored watch.

A supervisor oversees every course of every supervisee, which can run to thousands. The flags
of each course are kept in its CourseWatch row (sessions_app/watch.py, from the pure rules of
ipt/rules/), so filtering, sorting, totals and paging are PostgreSQL's work on indexed
columns, and only the page's rows are fetched, whatever the size of the caseload.
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, Lower, NullIf, Trim
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import SafeString

from ipt.course.models import Phase, TreatmentCourse, Variant
from ipt.measures import instruments
from ipt.rules import precedence
from sessions_app import watch as course_watch
from sessions_app.models import Session

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
    Variant.GROUP: "Group",
}

# Rows per page of the table. Totals, filters and sorting always cover the whole caseload;
# a page is what a supervisor reads at once, and its rows are most of the page's cost.
PAGE_SIZE = 50


def flag_condition(flag, today):
    """The SQL condition of one flag on a course's stored watch."""
    return {
        "risk": ~Q(watch__risk_kind=""),
        "deteriorating": Q(watch__deteriorating=True),
        "contact": Q(watch__contact=True),
        # Time alone makes a course overdue: the watch keeps the day it becomes so.
        "overdue": Q(watch__overdue_from__lte=today),
        "measure": Q(watch__phq9_overdue=True),
        "off_track": Q(watch__off_track=True),
        "gaps": Q(watch__gap_count__gt=0),
    }[flag]


@dataclass
class Row:
    """What the caseload review shows about one course (its watch, formatted)."""

    course: TreatmentCourse
    today: date

    @property
    def watch(self):
        return self.course.watch

    @property
    def patient(self):
        return self.course.patient

    @property
    def therapist(self):
        return self.course.patient.therapist

    @property
    def variant(self):
        return VARIANT_SHORT.get(self.course.variant, self.course.get_variant_display())

    position = property(lambda self: self.watch.position)
    last_session = property(lambda self: self.watch.last_held)
    phq9 = property(lambda self: self.watch.phq9)
    latest_phq9 = property(lambda self: self.watch.latest_phq9)
    baseline_phq9 = property(lambda self: self.watch.baseline_phq9)
    change = property(lambda self: self.watch.phq9_change)
    risk = property(lambda self: self.watch.risk_message)
    deteriorated = property(lambda self: tuple(self.watch.deteriorated))
    contact = property(lambda self: self.watch.contact)
    misses_in_a_row = property(lambda self: self.watch.misses_in_a_row)
    phq9_overdue = property(lambda self: self.watch.phq9_overdue)
    off_track = property(lambda self: self.watch.off_track)

    @property
    def next_session(self) -> datetime | None:
        return getattr(self.course, "next_session", None)

    @property
    def overdue(self):
        return self.watch.overdue_on(self.today)

    @cached_property
    def gaps(self):
        return list(self.watch.gaps)

    @property
    def sparkline(self):
        return sparkline(self.phq9)

    @property
    def cache_key(self):
        """Every value the row shows, as one string: the key of its rendered HTML, so that a
        row whose values changed is rendered anew and an unchanged one is not."""
        course, watch = self.course, self.watch
        return repr((
            course.pk, self.patient.full_name, self.variant, str(self.therapist), course.phase,
            course.planned_sessions, course.is_active, watch.position, watch.last_held,
            self.next_session, watch.phq9, watch.baseline_phq9, watch.latest_phq9,
            watch.phq9_change, watch.risk_message, watch.deteriorated, watch.contact,
            watch.misses_in_a_row, self.overdue, watch.phq9_overdue, watch.off_track,
            watch.checks,
        ))  # fmt: skip


def courses_for(supervisor, *, include_closed=False, therapist=None, phase="", today=None):
    """The supervisees' courses the review lists, their stored watch brought up to date.

    Closed courses are listed while their risk needs attention (the watch's risk flag),
    unless asked for all of them or for one phase.
    """
    today = today or timezone.localdate()
    courses = TreatmentCourse.objects.visible_to(supervisor)
    if therapist:
        courses = courses.filter(patient__therapist_id=therapist)
    if phase:
        courses = courses.filter(phase=phase)
    course_watch.refresh_due(courses, today)
    if not phase and not include_closed:
        courses = course_watch.in_sight(courses)
    return courses


def with_flag(courses, flag, today=None):
    if flag not in FLAGS:
        return courses
    return courses.filter(flag_condition(flag, today or timezone.localdate()))


def totals(courses, today=None):
    """The number of courses, and of those with each flag: one aggregate query."""
    today = today or timezone.localdate()
    counts = courses.aggregate(
        courses=Count("pk"),
        **{f: Count("pk", filter=flag_condition(f, today)) for f in FLAGS},
    )
    return Totals(courses=counts.pop("courses"), counts=counts)


def precedence_counts(courses):
    """Across these courses (closed ones included): how many show interpersonal change first,
    symptoms first, together... from the stored watch, in one aggregate query. None when no
    course has focal ratings."""
    counts = courses.aggregate(
        **{v.value: Count("pk", filter=Q(watch__precedence=v.value)) for v in precedence.Verdict}
    )
    rated = sum(counts.values())
    if not rated:
        return None
    return {"courses": rated, "counts": [(v.label, counts[v.value]) for v in precedence.Verdict]}


def _next_session():
    return Subquery(
        Session.objects.filter(
            course=OuterRef("pk"),
            status=Session.Status.PLANNED,
            scheduled_for__gte=timezone.now(),
        )
        .order_by("scheduled_for")
        .values("scheduled_for")[:1]
    )


def _flag(condition):
    return ExpressionWrapper(condition, output_field=BooleanField())


def _therapist_name():
    full = Trim(
        Concat("patient__therapist__first_name", Value(" "), "patient__therapist__last_name")
    )
    return Lower(Coalesce(NullIf(full, Value("")), "patient__therapist__username"))


PHASE_RANK = Case(
    *(When(phase=phase, then=Value(i)) for i, phase in enumerate(Phase.values)),
    default=Value(99),
    output_field=IntegerField(),
)

SORTS = {
    # key: (label, the value to sort by; None sorts last whichever the direction)
    "priority": ("Flags first", None),
    "patient": ("Patient", Lower("patient__full_name")),
    "therapist": ("Therapist", _therapist_name()),
    "phase": ("Phase", PHASE_RANK),
    "session": ("Session", F("watch__position")),
    "last": ("Last session", F("watch__last_held")),
    "next": ("Next session", F("next_session")),
    "phq9": ("Latest PHQ-9", F("watch__latest_phq9")),
    "change": ("Change from baseline", F("watch__phq9_change")),
}
DEFAULT_SORT = "priority"


def sorted_courses(courses, sort=DEFAULT_SORT, today=None):
    """Sort by 'key' or '-key' (descending); ties and courses without a value go by name."""
    today = today or timezone.localdate()
    key = sort.removeprefix("-")
    if key == "next":  # only then over the whole caseload; else for the page's rows only
        courses = courses.annotate(next_session=_next_session())
    name = Lower("patient__full_name").asc()
    if key not in SORTS or key == "priority":
        return courses.order_by(
            *(_flag(flag_condition(f, today)).desc() for f in list(FLAGS)[:-1]),
            F("watch__gap_count").desc(nulls_last=True),
            name,
            "pk",
        )
    value = SORTS[key][1]
    order = value.desc(nulls_last=True) if sort.startswith("-") else value.asc(nulls_last=True)
    return courses.order_by(order, name, "pk")


def listed(courses, sort=DEFAULT_SORT, today=None):
    """The courses in the review's order, each with its watch and people (page it, then
    ``rows``)."""
    return sorted_courses(courses, sort, today).select_related("watch", "patient__therapist")


def rows(courses, today=None):
    """The rows of a page (or of an export), with each course's next planned session (one
    query for the page, unless the sort already fetched them)."""
    today = today or timezone.localdate()
    courses = list(courses)
    missing = {c.pk for c in courses if not hasattr(c, "next_session")}
    if missing:
        upcoming = dict(
            Session.objects.filter(
                course_id__in=missing,
                status=Session.Status.PLANNED,
                scheduled_for__gte=timezone.now(),
            )
            .values("course_id")
            .annotate(first=Min("scheduled_for"))
            .values_list("course_id", "first")
        )
        for course in courses:
            if course.pk in missing:
                course.next_session = upcoming.get(course.pk)
    return [Row(course, today) for course in courses]


@dataclass(frozen=True)
class Totals:
    courses: int
    counts: dict  # flag key -> number of courses with it

    def __getattr__(self, flag):
        try:
            return self.counts[flag]
        except KeyError:
            raise AttributeError(flag) from None

    @property
    def flags(self):
        """(key, label, count) of each flag, in FLAGS order, for the totals bar."""
        return [(key, label, self.counts[key]) for key, label in FLAGS.items()]


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
