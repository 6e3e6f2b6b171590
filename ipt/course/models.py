"""The treatment course: one time-limited IPT contract with a patient, and its phases."""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from ipt.accounts.models import Role
from ipt.measures import instruments


class Variant(models.TextChoices):
    INDIVIDUAL = "individual", "Individual IPT"
    BRIEF = "brief", "Brief IPT (IPT-B)"
    ADOLESCENT = "adolescent", "IPT for adolescents (IPT-A)"


@dataclass(frozen=True)
class VariantRule:
    min_sessions: int
    max_sessions: int
    default_sessions: int
    initial_phase_sessions: int
    description: str


# IPT: the contract fixes the count; the initial phase length varies by source (configurable).
VARIANT_RULES = {
    Variant.INDIVIDUAL: VariantRule(
        12, 16, 12, 3, "12–16 weekly sessions; initial phase sessions 1–3"
    ),
    Variant.BRIEF: VariantRule(8, 9, 8, 2, "8 sessions (+1 optional engagement session)"),
    Variant.ADOLESCENT: VariantRule(12, 12, 12, 4, "12 sessions; initial phase sessions 1–4"),
}


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


class CourseQuerySet(models.QuerySet):
    def visible_to(self, user):
        # Same rule as PatientQuerySet.visible_to: the treating therapist, or their supervisor.
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.THERAPIST:
            return self.filter(patient__therapist=user)
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
            "measures__risk_assessments",
            "risk_assessments",
            "life_events",
            "relapse_plan__triggers",
        )


def with_active_course(patients):
    """Each patient's active course (``patient.active_course``), with what its risk flag reads."""
    courses = TreatmentCourse.objects.active().prefetch_related(
        "measures__risk_assessments", "risk_assessments"
    )
    return patients.select_related("therapist").prefetch_related(
        models.Prefetch("courses", queryset=courses, to_attr="active_courses")
    )


@dataclass(frozen=True)
class Step:
    key: str
    title: str
    done: bool
    summary: str
    url: str
    blocking: str = ""  # a clinical reason this step currently blocks the course


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
        ]

    def __str__(self):
        return f"{self.get_variant_display()} for {self.patient} from {self.start_date:%d %b %Y}"

    def get_absolute_url(self):
        return reverse("course:overview", args=[self.pk])

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
        return self.start_date + timedelta(weeks=self.planned_sessions - 1)

    def phq9_responses(self, *, include_follow_ups=False):
        """The course's PHQ-9s in date order; maintenance follow-ups after the end only if asked.

        The outcome of the course is judged at its end; later follow-ups are judged on their own.
        """
        return sorted(
            (
                m
                for m in self.measures.all()
                if m.instrument_code == "phq9"
                and (include_follow_ups or self.ended_on is None or m.taken_on <= self.ended_on)
            ),
            key=lambda m: (m.taken_on, m.created_at),
        )

    @property
    def baseline_phq9(self):
        """IPT: the first PHQ-9 of the course is the baseline progress is measured against."""
        responses = self.phq9_responses()
        return responses[0] if responses else None

    @property
    def latest_phq9(self):
        responses = self.phq9_responses()
        return responses[-1] if responses else None

    def unassessed_risks(self):
        """Measures with PHQ-9 item 9 above 0 that still lack a documented risk assessment."""
        return [
            m
            for m in self.measures.all()
            if m.needs_risk_assessment and not m.risk_assessments.all()
        ]

    @property
    def latest_risk_assessment(self):
        assessments = sorted(self.risk_assessments.all(), key=lambda r: (r.assessed_on, r.pk))
        return assessments[-1] if assessments else None

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
        url = lambda name: reverse(f"course:{name}", args=[self.pk])  # noqa: E731
        suitability = self._one("suitability")
        diagnosis = self._one("diagnosis")
        sick_role = self._one("sick_role")
        formulation = self._one("formulation")
        baseline = self.baseline_phq9
        risks = self.unassessed_risks()
        inventory = list(self.inventory.all())
        events = list(self.life_events.all())
        areas = list(self.problem_areas.all())
        contract = self.current_contract

        if suitability is None:
            suit_summary, suit_block = "Not yet screened.", ""
        elif suitability.passed:
            suit_summary, suit_block = "No contraindication found.", ""
        elif suitability.overridden:
            suit_summary = "Contraindication overridden: " + suitability.override_reason
            suit_block = ""
        else:
            suit_summary = "Contraindicated: " + ", ".join(suitability.contraindications).lower()
            suit_block = "Stabilisation comes first; record a reasoned override to go on with IPT."

        if diagnosis and baseline:
            diag_summary = f"{diagnosis.summary}. Baseline PHQ-9 {baseline.total} ({baseline.band.label.lower()})."
        elif diagnosis:
            diag_summary = f"{diagnosis.summary}. No baseline PHQ-9 yet."
        else:
            diag_summary = "Not yet recorded."
        if risks:
            diag_summary += " Risk assessment needed (PHQ-9 item 9)."

        steps = [
            Step(
                "suitability",
                "Suitability screen",
                bool(suitability and suitability.cleared),
                suit_summary,
                url("suitability"),
                suit_block,
            ),
            Step(
                "diagnosis",
                "Diagnosis and baseline PHQ-9",
                bool(diagnosis and baseline and not risks),
                diag_summary,
                url("diagnosis"),
            ),
            Step(
                "sick_role",
                "Sick role",
                sick_role is not None,
                f"Given on {sick_role.given_on:%d %b %Y}." if sick_role else "Not yet given.",
                url("sick_role"),
            ),
            Step(
                "inventory",
                "Interpersonal inventory",
                bool(inventory),
                f"{len(inventory)} {'person' if len(inventory) == 1 else 'people'}."
                if inventory
                else "No one added yet.",
                url("inventory"),
            ),
            Step(
                "timeline",
                "Timeline",
                bool(events),
                f"{len(events)} event{'s' if len(events) != 1 else ''}."
                if events
                else "No events yet.",
                url("timeline"),
            ),
            Step(
                "problem_areas",
                "Problem areas",
                bool(areas),
                ", ".join(a.get_area_display() for a in areas) + "."
                if areas
                else "Not yet chosen.",
                url("problem_areas"),
            ),
            Step(
                "formulation",
                "Interpersonal formulation",
                bool(formulation and formulation.text.strip()),
                "Written." if formulation and formulation.text.strip() else "Not yet written.",
                url("formulation"),
            ),
            Step(
                "contract",
                "Treatment contract",
                bool(contract and contract.is_signed),
                (
                    f"Version {contract.version}, signed {contract.patient_signed_on:%d %b %Y}."
                    if contract and contract.is_signed
                    else (
                        f"Version {contract.version}, not yet signed."
                        if contract
                        else "Not yet drafted."
                    )
                ),
                url("contract"),
            ),
        ]
        return steps

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
        for measure in self.unassessed_risks():
            reasons.append(
                f"PHQ-9 item 9 scored {measure.item9} on {measure.taken_on:%d %b %Y}: "
                "a suicide-risk assessment must be documented."
            )
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
    def _transition(self, to_phase, by, note="", **fields):
        with transaction.atomic():
            locked = type(self).objects.select_for_update().get(pk=self.pk)
            PhaseTransition.objects.create(
                course=self, from_phase=locked.phase, to_phase=to_phase, by=by, note=note
            )
            self.phase = to_phase
            for name, value in fields.items():
                setattr(self, name, value)
            self.save(update_fields=["phase", *fields])

    def _require_phase(self, *phases, action):
        if self.phase not in phases:
            raise TransitionRefused(
                [f"The course is in the {self.get_phase_display().lower()}, so it cannot {action}."]
            )

    def enter_middle_phase(self, by, note=""):
        self._require_phase(Phase.INITIAL, action="enter the middle phase")
        blockers = self.middle_phase_blockers()
        if blockers:
            raise TransitionRefused(blockers)
        self._transition(Phase.MIDDLE, by, note)

    def enter_termination_phase(self, by, note=""):
        self._require_phase(Phase.MIDDLE, action="move to the termination phase")
        self._transition(Phase.TERMINATION, by, note)

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
        self._require_phase(Phase.TERMINATION, action="be completed")
        blockers = self.completion_blockers()
        if blockers:
            raise TransitionRefused(blockers)
        self._transition(Phase.COMPLETED, by, note, ended_on=timezone.localdate())

    def end_early(self, by, reason, on, note=""):
        self._require_phase(*Phase.active(), action="end early")
        reasons = []
        if reason not in EndReason.values:
            reasons.append("Choose why the course is ending early.")
        if reason == EndReason.OTHER and not note.strip():
            reasons.append("Describe the reason when it is 'Other'.")
        if on is None:
            reasons.append("Give the date the course ended.")
        elif on < self.start_date:
            reasons.append("The course cannot end before it started.")
        if reasons:
            raise TransitionRefused(reasons)
        self._transition(Phase.ENDED_EARLY, by, note, ended_on=on, end_reason=reason, end_note=note)


class PhaseTransition(models.Model):
    """A row for every phase change: from, to, who, when and why."""

    course = models.ForeignKey(
        TreatmentCourse, on_delete=models.CASCADE, related_name="transitions"
    )
    from_phase = models.CharField(max_length=20, choices=Phase.choices)
    to_phase = models.CharField(max_length=20, choices=Phase.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_from_phase_display()} → {self.get_to_phase_display()}"
