"""The treatment course: one time-limited IPT contract with a patient, and its phases."""

from contextlib import contextmanager

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property

from ipt.accounts.access import group_member_courses
from ipt.accounts.history import tracked
from ipt.accounts.models import Role
from ipt.accounts.triggers import append_only
from ipt.course import steps
from ipt.course.variants import VARIANT_RULES, Variant, VariantRule  # noqa: F401
from ipt.dates import shift
from ipt.measures import instruments
from ipt.rules import risk


class Phase(models.TextChoices):
    INITIAL = "initial", "Initial phase"
    MIDDLE = "middle", "Middle phase"
    TERMINATION = "termination", "Termination phase"
    COMPLETED = "completed", "Completed"
    ENDED_EARLY = "ended_early", "Ended early"

    @classmethod
    def active(cls):
        return [cls.INITIAL, cls.MIDDLE, cls.TERMINATION]


class EndReason(models.TextChoices):
    DROP_OUT = "drop_out", "Dropped out"
    REFERRAL = "referral", "Referred on"
    HOSPITALISATION = "hospitalisation", "Hospitalised"
    OTHER = "other", "Other"


class TransitionRefused(Exception):
    """A phase change the record does not yet support; ``reasons`` say what is missing."""

    def __init__(self, reasons):
        self.reasons = list(reasons)
        super().__init__(" ".join(self.reasons))


def measures_prefetch():
    """The ``measures`` prefetch of every page and list that reads a course's scores: each
    measure with its risk assessments and whether a maintenance follow-up took it, so that
    ``own_measures()`` and the risk rules run no query of their own."""
    measure = TreatmentCourse._meta.get_field("measures").related_model
    return models.Prefetch(
        "measures",
        queryset=measure.objects.select_related("followup").prefetch_related("risk_assessments"),
    )


class CourseQuerySet(models.QuerySet):
    def visible_to(self, user):
        # As PatientQuerySet.visible_to: treating therapist, group facilitators, supervisor.
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.THERAPIST:
            return self.filter(Q(patient__therapist=user) | Q(pk__in=group_member_courses(user)))
        if user.role == Role.SUPERVISOR:
            return self.filter(patient__therapist__supervisor=user)
        return self.none()

    def active(self):
        return self.filter(phase__in=Phase.active())

    def with_initial_phase(self):
        """Everything the course overview and the middle-phase guard read, in fixed queries."""
        return self.select_related(
            "patient__therapist",
            "suitability",
            "diagnosis",
            "sick_role",
            "formulation",
            "progress_review",
            "relapse_plan",
            "maintenance",
        ).prefetch_related(
            "inventory",
            "problem_areas__goals",
            "problem_areas__person",
            "contracts",
            measures_prefetch(),
            models.Prefetch(
                "risk_assessments",
                queryset=TreatmentCourse._meta.get_field(
                    "risk_assessments"
                ).related_model.objects.select_related("assessed_by"),
            ),
            "life_events",
            "relapse_plan__triggers",
        )


def _taken_at_follow_up(measure):
    try:
        return measure.followup is not None
    except models.ObjectDoesNotExist:
        return False


@tracked("patient")
class TreatmentCourse(models.Model):
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="courses"
    )
    variant = models.CharField(max_length=20, choices=Variant.choices, default=Variant.INDIVIDUAL)
    planned_sessions = models.PositiveSmallIntegerField(
        "number of sessions", help_text="Fixed by the contract: IPT is time-limited."
    )
    session_minutes = models.PositiveSmallIntegerField("session length (minutes)", default=50)
    initial_phase_sessions = models.PositiveSmallIntegerField(
        "sessions in the initial phase",
        help_text="Usually 3 (brief IPT 2, adolescents 4).",
    )
    start_date = models.DateField("start date")
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.INITIAL)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    end_note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "-pk"]
        constraints = [
            # IPT: one course at a time; earlier courses stay readable.
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(phase__in=["initial", "middle", "termination"]),
                name="one_active_course_per_patient",
            ),
            models.CheckConstraint(
                condition=models.Q(planned_sessions__gte=1, planned_sessions__lte=30),
                name="course_sessions_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(initial_phase_sessions__gte=1)
                & models.Q(initial_phase_sessions__lt=models.F("planned_sessions")),
                name="course_initial_phase_shorter_than_course",
            ),
            models.CheckConstraint(
                condition=~models.Q(phase="ended_early")
                | (models.Q(ended_on__isnull=False) & ~models.Q(end_reason="")),
                name="early_ending_has_reason_and_date",
            ),
            # A completed course ended by completing, not for an early ending's reason.
            models.CheckConstraint(
                condition=~models.Q(phase="completed") | models.Q(end_reason=""),
                name="completed_course_has_no_end_reason",
            ),
        ]

    def __str__(self):
        return f"{self.get_variant_display()} for {self.patient} from {self.start_date:%-d %b %Y}"

    def get_absolute_url(self):
        return reverse("course:overview", args=[self.pk])

    # The stored watch of the course (sessions_app.watch), set when sessions_app loads.
    watch_refresher = None

    def refresh_watch(self):
        """Store the course's flags afresh, in the caller's transaction: every model method
        that changes the record ends with this."""
        type(self).watch_refresher(self)

    # The course's sessions (sessions_app.plan), set when sessions_app loads: the highest
    # session number holding a record, and the planning that keeps sessions 1..N.
    session_planner = None

    def session_count_blockers(self, number):
        """Why the course cannot have ``number`` sessions (IPT: the count is the variant's and
        the contract's; sessions already recorded stay in the course)."""
        rule, reasons = self.rule, []
        if not self.is_active:
            reasons.append("The course has ended: its number of sessions stays as it was.")
        if not rule.min_sessions <= number <= rule.max_sessions:
            span = (
                f"{rule.min_sessions}"
                if rule.min_sessions == rule.max_sessions
                else f"{rule.min_sessions} to {rule.max_sessions}"
            )
            reasons.append(f"{self.get_variant_display()} has {span} sessions.")
        recorded = type(self).session_planner.last_recorded(self)
        if number < recorded:
            reasons.append(
                f"Session {recorded} is already recorded: the course cannot have fewer than "
                f"{recorded} sessions."
            )
        return reasons

    def change_planned_sessions(self, number):
        """Guard, lock, re-check, change: the course's number of sessions becomes ``number``
        (a signed amendment of the contract), and its planned sessions follow: sessions beyond
        the new end that hold nothing are removed, new ones continue the weekly rhythm."""
        if reasons := self.session_count_blockers(number):
            raise TransitionRefused(reasons)
        with self.changing():
            locked = type(self).objects.select_for_update().get(pk=self.pk)
            if reasons := locked.session_count_blockers(number):
                raise TransitionRefused(reasons)
            if locked.planned_sessions == number:
                return
            self.planned_sessions = number
            self.save(update_fields=["planned_sessions"])
            type(self).session_planner.match_plan(self)

    @contextmanager
    def changing(self):
        """A change to the course's record: one transaction, ending with the watch refreshed."""
        with transaction.atomic():
            yield self
            self.refresh_watch()

    @classmethod
    def start(cls, course):
        """Start an unsaved ``course`` for its patient: guard, lock, re-check, create.

        IPT: one course at a time. The patient's row is locked while the active course is
        looked for, so two quick "start" clicks start one course; the second is refused.
        """
        patient_model = type(course.patient)
        with transaction.atomic():
            patient_model.objects.select_for_update().only("pk").get(pk=course.patient_id)
            active = cls.objects.active().filter(patient_id=course.patient_id).first()
            if active is not None:
                raise TransitionRefused(
                    ["This patient already has an active course: it is shown here."]
                )
            course.save()
            course.refresh_watch()
        return course

    # --- reading the record ------------------------------------------------------------------
    def _one(self, name):
        """A one-to-one step record, or None when it has not been done yet."""
        try:
            return getattr(self, name)
        except models.ObjectDoesNotExist:
            return None

    # Templates cannot catch DoesNotExist: these give None for a step not yet done.
    @property
    def suitability_or_none(self):
        return self._one("suitability")

    @property
    def diagnosis_or_none(self):
        return self._one("diagnosis")

    @property
    def formulation_or_none(self):
        return self._one("formulation")

    @property
    def therapist(self):
        return self.patient.therapist

    @property
    def is_active(self):
        return self.phase in Phase.active()

    @property
    def rule(self):
        return VARIANT_RULES[Variant(self.variant)]

    @property
    def expected_end_date(self):
        return shift(self.start_date, weeks=self.planned_sessions - 1)

    def is_own_measure(self, measure):
        """Whether a score belongs to the course itself: the one definition of "in course".

        IPT: the outcome of the course is judged at its end. A score taken at a maintenance
        follow-up, or after the course ended, is judged on its own (the maintenance page
        compares those), even when the follow-up fell on the day the course ended.
        """
        if _taken_at_follow_up(measure):
            return False
        return self.ended_on is None or measure.taken_on <= self.ended_on

    def measures_of(self, code, *, include_follow_ups=False):
        """One instrument's scores in date order: the course's own, or every one if asked."""
        return sorted(
            (
                m
                for m in self.measures.all()
                if m.instrument_code == code and (include_follow_ups or self.is_own_measure(m))
            ),
            key=lambda m: (m.taken_on, m.created_at),
        )

    def phq9_responses(self, *, include_follow_ups=False):
        """The course's PHQ-9s in date order (``measures_of("phq9")``)."""
        return self.measures_of("phq9", include_follow_ups=include_follow_ups)

    @property
    def baseline_phq9(self):
        """IPT: the first PHQ-9 of the course is the baseline progress is measured against."""
        responses = self.phq9_responses()
        return responses[0] if responses else None

    @property
    def latest_phq9(self):
        responses = self.phq9_responses()
        return responses[-1] if responses else None

    # --- risk: every signal stays in sight until a dated assessment answers it (rules/risk.py)
    def risk_signals(self):
        """Every risk signal in the record, in date order (prefetched data only)."""
        signals = [signal for m in self.measures.all() if (signal := m.risk_signal)]
        suitability = self._one("suitability")
        if suitability is not None and suitability.acute_suicidality:
            how = " (overridden to go on with IPT)" if suitability.overridden else ""
            signals.append(
                risk.Signal(
                    risk.SUICIDALITY_SCREEN,
                    suitability.screened_on,
                    f"Acute suicidality recorded on the suitability screen{how}",
                )
            )
        return sorted(signals, key=lambda s: s.on)

    def risk_state(self, today=None):
        return risk.risk_state(
            self.risk_signals(),
            [a.as_rule() for a in self.risk_assessments.all()],
            today or timezone.localdate(),
        )

    @cached_property
    def risk(self):
        """Today's risk state, worked out once per request (``risk_state()`` for a fresh one)."""
        return self.risk_state()

    @property
    def open_risk_measure_ids(self):
        """The measures whose risk signal no assessment answers yet (for marking them)."""
        return {s.measure_id for s in self.risk.open_signals if s.measure_id}

    @property
    def current_risk_assessment(self):
        """The assessment that stands today (a later-dated one is a typing slip, not "latest")."""
        current = self.risk.current
        if current is None:
            return None
        return next(a for a in self.risk_assessments.all() if a.pk == current.pk)

    def risk_history(self):
        """Every signal and assessment in date order, each assessment with its record."""
        by_pk = {a.pk: a for a in self.risk_assessments.all()}
        rows = risk.history(
            self.risk_signals(),
            [a.as_rule() for a in by_pk.values()],
            timezone.localdate(),
        )
        return [(row, by_pk.get(row.assessment.pk) if row.assessment else None) for row in rows]

    @property
    def current_contract(self):
        contracts = sorted(self.contracts.all(), key=lambda c: c.version)
        return contracts[-1] if contracts else None

    @property
    def signed_contract(self):
        signed = [c for c in self.contracts.all() if c.is_signed]
        return max(signed, key=lambda c: c.version) if signed else None

    # --- the initial phase, step by step -----------------------------------------------------
    def initial_phase_steps(self):
        """Each step of the initial phase, done or not, with what it records (steps.py)."""
        return steps.initial_phase_steps(self)

    def middle_phase_blockers(self):
        """What must be in the record before the middle phase can begin, in clinical words."""
        reasons = []
        suitability = self._one("suitability")
        if suitability is None:
            reasons.append("The suitability screen has not been completed.")
        elif not suitability.cleared:
            reasons.append(
                "The suitability screen found a contraindication ("
                + ", ".join(suitability.contraindications).lower()
                + ") and no reasoned override has been recorded."
            )
        if self._one("diagnosis") is None:
            reasons.append("No diagnosis has been recorded.")
        if self.baseline_phq9 is None:
            reasons.append("No baseline PHQ-9 has been recorded.")
        reasons.extend(risk.closing_blockers(self.risk_state()))
        if self._one("sick_role") is None:
            reasons.append("The sick role has not been given.")
        if not self.inventory.all():
            reasons.append("The interpersonal inventory has no one in it yet.")
        if not self.problem_areas.all():
            reasons.append("No problem area has been agreed.")
        if self.signed_contract is None:
            reasons.append("The treatment contract has not been signed by patient and therapist.")
        return reasons

    def next_step(self):
        for step in self.initial_phase_steps():
            if not step.done:
                return step
        return None

    # --- phase transitions: guard -> change -> record ----------------------------------------
    def _transition(self, to_phase, by, note="", *, guard, on=None, **fields):
        """Guard, lock, re-check, change, record.

        ``guard(course)`` raises TransitionRefused with the reasons. It runs first on the
        record as the page loaded it (a quick answer), then again inside the transaction on
        the course row locked and read afresh: of two requests at once (two tabs, a double
        click, "complete" racing "end early"), the second waits for the first, sees the phase
        it left, and is refused; it can never write a second transition.
        """
        guard(self)
        with transaction.atomic():
            type(self).objects.select_for_update().only("pk").get(pk=self.pk)
            fresh = type(self).objects.with_initial_phase().get(pk=self.pk)
            if fresh.phase != self.phase:
                raise TransitionRefused(
                    [
                        f"The course moved to the {fresh.get_phase_display().lower()} a moment "
                        "ago (another window or a second click): nothing more was done."
                    ]
                )
            guard(fresh)
            PhaseTransition.objects.create(
                course=self, from_phase=fresh.phase, to_phase=to_phase, by=by, note=note, on=on
            )
            self.phase = to_phase
            for name, value in fields.items():
                setattr(self, name, value)
            self.save(update_fields=["phase", *fields])
            self.refresh_watch()

    def _require_phase(self, *phases, action):
        if self.phase not in phases:
            raise TransitionRefused(
                [f"The course is in the {self.get_phase_display().lower()}, so it cannot {action}."]
            )

    def phase_date_blockers(self, on):
        """A phase begins on a day of the course: not before it started, nor before the phase
        it follows began, nor in the future (``on`` None: today)."""
        if on is None:
            return []
        if on > timezone.localdate():
            return ["A phase begins on a day that has come: give today or an earlier date."]
        began = [self.start_date, *(t.began_on for t in self.transitions.all())]
        if on < max(began):
            return [
                f"The phase cannot begin before {max(began):%-d %b %Y}, when the course "
                "or its current phase began."
            ]
        return []

    def enter_middle_phase(self, by, note="", on=None):
        """``on``: the day the middle phase began (the session it was agreed in), today if None."""

        def guard(course):
            course._require_phase(Phase.INITIAL, action="enter the middle phase")
            if blockers := course.middle_phase_blockers() + course.phase_date_blockers(on):
                raise TransitionRefused(blockers)

        self._transition(Phase.MIDDLE, by, note, guard=guard, on=on)

    def enter_termination_phase(self, by, note="", on=None):
        def guard(course):
            course._require_phase(Phase.MIDDLE, action="move to the termination phase")
            if blockers := course.phase_date_blockers(on):
                raise TransitionRefused(blockers)

        self._transition(Phase.TERMINATION, by, note, guard=guard, on=on)

    @property
    def phq9_outcome(self):
        """Baseline against the latest PHQ-9 (ipt.measures.outcome), or None without two scores."""
        baseline, latest = self.baseline_phq9, self.latest_phq9
        if baseline is None or latest is None or baseline.pk == latest.pk:
            return None
        return instruments.outcome("phq9", baseline.total, latest.total)

    @property
    def improved(self):
        """Response or reliable improvement on the PHQ-9; None when there is nothing to compare."""
        result = self.phq9_outcome
        return None if result is None else (result.response or result.reliable_improvement)

    def completion_blockers(self):
        """What the termination phase must have recorded before the course is completed."""
        reasons = []
        review = self._one("progress_review")
        plan = self._one("relapse_plan")
        if review is None:
            reasons.append("Progress has not been reviewed against the baseline and the goals.")
        unreviewed = [g for a in self.problem_areas.all() for g in a.goals.all() if not g.review]
        if unreviewed:
            reasons.append(
                f"{len(unreviewed)} contract goal{'s have' if len(unreviewed) != 1 else ' has'} "
                "not been reviewed as achieved, partly achieved or not achieved."
            )
        if plan is None or not plan.triggers.all():
            reasons.append(
                "There is no relapse-prevention plan with at least one trigger mapped to warning "
                "signs, coping and people to contact."
            )
        if self.improved is False and review is not None and not review.further_treatment.strip():
            reasons.append(
                "The patient has not improved: record the alternative or additional treatment, "
                "or the referral, in the progress review."
            )
        return reasons

    def complete(self, by, note=""):
        def guard(course):
            course._require_phase(Phase.TERMINATION, action="be completed")
            blockers = course.completion_blockers() + risk.closing_blockers(course.risk_state())
            if blockers:
                raise TransitionRefused(blockers)

        self._transition(Phase.COMPLETED, by, note, guard=guard, ended_on=timezone.localdate())

    def end_early(self, by, reason, on, note=""):
        def guard(course):
            course._require_phase(*Phase.active(), action="end early")
            if reasons := course.early_ending_blockers(reason, on, note):
                raise TransitionRefused(reasons)

        self._transition(
            Phase.ENDED_EARLY,
            by,
            note,
            guard=guard,
            ended_on=on,
            end_reason=reason,
            end_note=note,
        )

    def early_ending_blockers(self, reason, on, note=""):
        reasons = []
        if reason not in EndReason.values:
            reasons.append("Choose why the course is ending early.")
        if reason == EndReason.OTHER and not note.strip():
            reasons.append("Describe the reason when it is 'Other'.")
        # IPT: a course cannot close over an unanswered risk signal, whatever the reason.
        reasons.extend(risk.closing_blockers(self.risk_state()))
        if on is None:
            reasons.append("Give the date the course ended.")
        elif on < self.start_date:
            reasons.append("The course cannot end before it started.")
        return reasons


class PhaseTransition(models.Model):
    """A row for every phase change: from, to, who, when and why."""

    course = models.ForeignKey(
        TreatmentCourse, on_delete=models.CASCADE, related_name="transitions"
    )
    from_phase = models.CharField(max_length=20, choices=Phase.choices)
    to_phase = models.CharField(max_length=20, choices=Phase.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    on = models.DateField(
        "began on",
        null=True,
        blank=True,
        help_text="The day the new phase began, where it was recorded later; else the day of `at`.",
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        constraints = [
            # A course passes from one phase to another once (the transitions cannot race).
            models.UniqueConstraint(
                fields=["course", "from_phase", "to_phase"], name="one_transition_per_step"
            ),
        ]
        triggers = append_only("Phase transitions")

    def __str__(self):
        return f"{self.get_from_phase_display()} → {self.get_to_phase_display()}"

    @property
    def began_on(self):
        """The day the phase began: as given, else the local day it was recorded."""
        return self.on or timezone.localtime(self.at).date()
