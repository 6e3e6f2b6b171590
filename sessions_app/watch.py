"""What every list shows about a course: its place, its rhythm and the flags it raises.

One function, ``watch(course, sessions)``, puts the pure rules (ipt/rules/flags.py,
ipt/rules/risk.py) together from a course's prefetched records, so that the course page, the
session page, Today and the supervisor's caseload review say the same thing about the same
course.
"""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.utils import timezone

from ipt.rules import flags
from ipt.rules.flags import RiskFlag
from sessions_app.models import Session
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
