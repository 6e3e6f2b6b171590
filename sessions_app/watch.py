"""What every list shows about a course: its place, its rhythm and the flags it raises.

``watch(course, sessions)`` puts the pure rules (ipt/rules/flags.py, ipt/rules/risk.py,
ipt/rules/adherence.py) together from a course's prefetched records, so that the course page,
the session page, Today and the supervisor's caseload review say the same thing about the same
course. ``refresh(course_ids)`` stores the result in each course's CourseWatch row: the one
function that writes it, called by the model methods that change a record (through
``TreatmentCourse.refresh_watch``) and by a list before it reads (``refresh_due``) for rows the
database marked stale by another path.
"""

from dataclasses import dataclass, field
from datetime import date

import pgtrigger
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ipt.accounts.history import TRACKED
from ipt.accounts.triggers import MarksStale
from ipt.course.models import Phase, TreatmentCourse, measures_prefetch
from ipt.dates import shift
from ipt.rules import adherence, flags
from ipt.rules.flags import RiskFlag
from ipt.supervision.models import SupervisionFeedback
from sessions_app import adherence as adherence_facts
from sessions_app import focal
from sessions_app.models import CourseWatch, DisputeStageChange, Session
from sessions_app.progress import course_progress

TOOK_PLACE = (Session.Status.HELD, Session.Status.MISSED)


@dataclass(frozen=True)
class Watch:
    position: int  # session k of N: the latest session that took place
    last_held: date | None
    misses_in_a_row: int
    overdue: bool  # no session held for more than OVERDUE_AFTER_DAYS
    contact: bool  # two or more missed or cancelled in a row: contact the patient
    phq9_overdue: bool
    off_track: bool
    deteriorated: tuple[str, ...] = ()  # e.g. "PHQ-9 9 → 20 (+11)"
    risk: RiskFlag | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def any(self):
        return bool(
            self.overdue
            or self.contact
            or self.phq9_overdue
            or self.off_track
            or self.deteriorated
            or self.risk
        )


def phq9_by_session(course, sessions):
    """(session number, total) of each of the course's own PHQ-9s, oldest first. A PHQ-9 taken
    outside a session belongs to the latest session that took place on or before its date
    (0: before session 1, the baseline)."""
    session_of = {s.phq9_id: s.number for s in sessions if s.phq9_id}
    took_place = [
        (timezone.localtime(s.scheduled_for).date(), s.number)
        for s in sessions
        if s.status in TOOK_PLACE
    ]
    rows = []
    for m in course.phq9_responses():
        if m.pk in session_of:
            number = session_of[m.pk]
        else:
            number = max((n for on, n in took_place if on <= m.taken_on), default=0)
        rows.append((number, m.total))
    return rows


def last_measured_before(course, sessions, session_number):
    """The session the latest PHQ-9 before ``session_number`` belongs to, or None."""
    earlier = [n for n, _ in phq9_by_session(course, sessions) if n < session_number]
    return max(earlier, default=None)


def deterioration(course):
    """Reliable rises from the baseline, in words, for each instrument with the thresholds."""
    found = []
    for code, name in (("phq9", "PHQ-9"), ("gad7", "GAD-7")):
        scores = course.measures_of(code)
        if len(scores) >= 2 and flags.deteriorated(code, scores[0].total, scores[-1].total):
            first, last = scores[0].total, scores[-1].total
            found.append(f"{name} {first} → {last} (+{last - first}) since the baseline")
    return tuple(found)


def watch(course, sessions=None, today=None):
    """The course's flags from prefetched records: sessions, measures, risk assessments."""
    sessions = sorted(
        course.sessions.all() if sessions is None else sessions, key=lambda s: s.number
    )
    today = today or timezone.localdate()
    now = timezone.now()
    progress = course_progress(course, sessions)
    held = [s for s in sessions if s.status == Session.Status.HELD]
    last_held = timezone.localtime(held[-1].scheduled_for).date() if held else None
    past = [
        s.status for s in sessions if s.status != Session.Status.PLANNED and s.scheduled_for <= now
    ]
    misses = flags.misses_in_a_row(past)
    phq9 = phq9_by_session(course, sessions)
    last_measured = phq9[-1][0] if phq9 else None
    active = course.is_active
    off_track = False
    if len(phq9) >= 2:
        off_track = flags.not_on_track(
            phq9[0][1],
            phq9[-1][1],
            phq9[-1][0],
            course.planned_sessions,
            course.initial_phase_sessions,
            # A late response shows as a fall since the PHQ-9 before the latest; with only two
            # scores that one is the baseline, and the whole change is judged instead.
            previous=phq9[-2][1] if len(phq9) >= 3 else None,
        )
    return Watch(
        position=progress.position,
        last_held=last_held,
        misses_in_a_row=misses,
        overdue=active and flags.is_overdue(last_held, course.start_date, today),
        contact=active and misses >= flags.CONTACT_AFTER_MISSES,
        phq9_overdue=active
        and flags.phq9_overdue(progress.position, last_measured, settings.PHQ9_EVERY_SESSIONS),
        off_track=active and off_track,
        deteriorated=deterioration(course) if active else (),
        risk=flags.risk_flag_for(course),
    )


# --- the stored watch ----------------------------------------------------------------------
def for_watch(courses):
    """Courses with everything ``stored_values`` reads, in a fixed number of queries.

    Only what the rules read (``with_initial_phase`` would fetch the whole initial-phase
    record as well). tests/test_course_watch.py fails if a rule starts reading something not
    fetched here.
    """
    return courses.select_related(
        "patient", "sick_role", "relapse_plan", "suitability", "formulation"
    ).prefetch_related(
        measures_prefetch(),
        "risk_assessments",
        "inventory",
        "problem_areas__person",
        "problem_areas__focal_ratings",
        "contracts",
        "transitions",
        "relapse_plan__triggers",
        "feedback",
        adherence_facts.session_prefetch(),
    )


def recheck_on(sessions, today):
    """The day after the next session date from today on: the first day a date comparison in
    the rules (adherence, missed sessions, the next planned session) can answer otherwise."""
    days = [timezone.localtime(s.scheduled_for).date() for s in sessions]
    coming = [d for d in days if d >= today]
    return shift(min(coming), 1) if coming else None


def stored_values(course, today):
    """The CourseWatch fields of one course fetched with ``for_watch``."""
    sessions = sorted(course.sessions.all(), key=lambda s: s.number)
    found = watch(course, sessions, today)
    phq9 = [m.total for m in course.phq9_responses()]
    checks = adherence.run_checks(adherence_facts.facts_for(course, sessions, today=today))
    feedback = list(course.feedback.all())
    overdue_from = None
    if course.is_active:
        overdue_from = shift(found.last_held or course.start_date, flags.OVERDUE_AFTER_DAYS + 1)
    return {
        "stale": False,
        "recheck_on": recheck_on(sessions, today),
        "position": found.position,
        "last_held": found.last_held,
        "overdue_from": overdue_from,
        "misses_in_a_row": found.misses_in_a_row,
        "contact": found.contact,
        "phq9": phq9,
        "baseline_phq9": phq9[0] if phq9 else None,
        "latest_phq9": phq9[-1] if phq9 else None,
        "phq9_change": phq9[-1] - phq9[0] if len(phq9) > 1 else None,
        "phq9_overdue": found.phq9_overdue,
        "off_track": found.off_track,
        "deteriorated": list(found.deteriorated),
        "deteriorating": bool(found.deteriorated),
        "risk_kind": found.risk.kind if found.risk else "",
        "risk_message": found.risk.message if found.risk else "",
        "risk_signals": [s.text for s in course.risk.open_signals],
        "risk_level": course.risk.level if course.risk.elevated else "",
        "checks": [
            {
                "key": c.key,
                "name": c.name,
                "ok": c.ok,
                "message": c.message,
                "sessions": list(c.sessions),
            }
            for c in checks
        ],
        "gap_count": sum(c.ok is False for c in checks),
        "feedback_open": sum(f.acknowledged_at is None for f in feedback),
        "last_feedback_at": max((f.created_at for f in feedback), default=None),
        "precedence": focal.course_precedence(course, sessions),
    }


STORED_FIELDS = [f.name for f in CourseWatch._meta.concrete_fields if not f.primary_key]
# Courses per transaction: a write to one of them waits at most for one batch.
BATCH = 200


def refresh(course_ids, today=None):
    """Recompute and store the watch of these courses: in the caller's transaction if there
    is one (a model method), else one transaction per batch (a list catching up).

    The watch rows are locked first, so a write to one of these courses waits (its trigger
    marks the row stale) or is waited for: a refresh never stores a result computed before a
    write that committed after it. A batch holds its locks for one batch only.
    """
    today = today or timezone.localdate()
    ids = sorted(set(course_ids))
    now = timezone.now()
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        with transaction.atomic():
            list(
                CourseWatch.objects.select_for_update()
                .filter(course_id__in=batch)
                .order_by("course_id")
                .values_list("course_id", flat=True)
            )
            rows = [
                CourseWatch(course=course, refreshed_at=now, **stored_values(course, today))
                for course in for_watch(TreatmentCourse.objects.filter(pk__in=batch))
            ]
            CourseWatch.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["course"],
                update_fields=STORED_FIELDS,
            )
    return len(ids)


def in_sight(courses):
    """Active courses, and closed ones whose risk still needs attention by their stored watch
    (refresh it first). IPT: risk is never out of sight, whatever else happened to the course."""
    return courses.filter(Q(phase__in=Phase.active()) | ~Q(watch__risk_kind=""))


def due(courses, today):
    """Of these courses, those whose stored watch is missing, marked stale, or reaches a day
    that can change it."""
    return courses.filter(
        Q(watch__isnull=True) | Q(watch__stale=True) | Q(watch__recheck_on__lte=today)
    )


def refresh_due(courses, today=None):
    """Bring the stored watch of these courses up to date before a list reads it."""
    today = today or timezone.localdate()
    ids = list(due(courses, today).values_list("pk", flat=True))
    return refresh(ids, today) if ids else 0


def refresh_course(course):
    """The hook behind ``TreatmentCourse.refresh_watch``."""
    refresh([course.pk])


# --- what marks a watch stale ----------------------------------------------------------------
def watched_models():
    """{model: path from its rows to the course} of every table whose rows can change a
    course's watch: the record the history keeps (``@tracked``), the supervisor's feedback and
    the dispute stages."""
    found = {
        model: to_patient.removesuffix("patient").removesuffix("__")
        for model, to_patient in TRACKED.items()
        if to_patient == "patient" or to_patient.endswith("__patient")
    }
    found[SupervisionFeedback] = "course"
    found[DisputeStageChange] = "session__course"
    return found


def install():
    """Called once by the app's ready(): the triggers (their migrations are the apps' own) and
    the hook of ``TreatmentCourse.refresh_watch``."""
    for model, path in watched_models().items():
        trigger = MarksStale(
            name="marks_course_watch_stale",
            table=CourseWatch._meta.db_table,
            key="course_id",
            path=path,
        )
        if trigger.get_uri(model) not in pgtrigger.registry._registry:
            pgtrigger.register(trigger)(model)
    TreatmentCourse.watch_refresher = staticmethod(refresh_course)


def rebuild_all(today=None):
    """Recompute every course's watch, a batch per transaction (the management command)."""
    return refresh(TreatmentCourse.objects.values_list("pk", flat=True), today)


def fresh_watch(course, today=None):
    """One course's stored watch, refreshed first if due (two queries when it is not)."""
    refresh_due(TreatmentCourse.objects.filter(pk=course.pk), today)
    return CourseWatch.objects.get(course=course)
