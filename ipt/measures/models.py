"""Recorded symptom measures and risk assessments. The instruments live in ipt/measures/instruments.py."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import IntegrityError, models, transaction

from ipt.accounts.history import tracked
from ipt.course.models import TreatmentCourse
from ipt.measures import instruments
from ipt.rules import risk


@tracked("course__patient")
class MeasureResponse(models.Model):
    class Instrument(models.TextChoices):
        PHQ9 = "phq9", "PHQ-9"
        GAD7 = "gad7", "GAD-7"
        HAMD17 = "hamd17", "HAM-D-17"

    course = models.ForeignKey(TreatmentCourse, on_delete=models.CASCADE, related_name="measures")
    instrument_code = models.CharField("measure", max_length=10, choices=Instrument.choices)
    answers = ArrayField(models.PositiveSmallIntegerField())
    # Stored once, from the answers, so caseload lists can sort and filter in the database.
    total = models.PositiveSmallIntegerField()
    difficulty = models.PositiveSmallIntegerField(null=True, blank=True)
    taken_on = models.DateField("date")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The form's one-time token: the same form submitted twice records one measure.
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["taken_on", "created_at"]
        indexes = [models.Index(fields=["course", "instrument_code", "taken_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total__lte=52), name="measure_total_in_range"
            ),
        ]

    def __str__(self):
        return f"{self.get_instrument_code_display()} {self.total} on {self.taken_on}"

    @classmethod
    def record(
        cls,
        course,
        instrument_code,
        answers,
        *,
        taken_on,
        by,
        difficulty=None,
        submission=None,
        refresh_watch=True,
    ):
        """Score and store a measure. With a ``submission`` token, a second submission of the
        same form gives the measure already recorded, never a duplicate. The course's watch is
        refreshed in the same transaction, unless the caller (a session, a follow-up) changes
        more and refreshes it at its end."""
        instrument = instruments.get_instrument(instrument_code)
        total = instrument.score(answers)  # raises ValueError with a clinical message
        try:
            with transaction.atomic():
                measure = cls.objects.create(
                    course=course,
                    instrument_code=instrument_code,
                    answers=list(answers),
                    total=total,
                    difficulty=difficulty,
                    taken_on=taken_on,
                    recorded_by=by,
                    submission=submission,
                )
                if refresh_watch:
                    course.refresh_watch()
                return measure
        except IntegrityError:
            if submission is None:
                raise
            return cls.objects.get(course=course, submission=submission)

    @property
    def instrument(self):
        return instruments.get_instrument(self.instrument_code)

    @property
    def band(self):
        return self.instrument.band(self.total)

    @property
    def item9(self):
        return (
            self.answers[instruments.PHQ9_RISK_ITEM - 1] if self.instrument_code == "phq9" else None
        )

    @property
    def hamd_suicide(self):
        return (
            self.answers[instruments.HAMD_SUICIDE_ITEM - 1]
            if self.instrument_code == "hamd17"
            else None
        )

    @property
    def risk_signal(self):
        """The risk signal this score raises (rules/risk.py), or None."""
        # IPT-REFERENCE: PHQ-9 item 9 above 0, or HAM-D-17 item 3 above 0, requires a
        # documented suicide-risk assessment.
        if self.instrument_code == "phq9" and instruments.phq9_needs_risk_assessment(self.answers):
            kind, text = risk.PHQ9_ITEM9, f"PHQ-9 item 9 scored {self.item9}"
        elif self.instrument_code == "hamd17" and self.hamd_suicide:
            kind, text = risk.HAMD_ITEM3, f"HAM-D-17 item 3 (suicide) rated {self.hamd_suicide}"
        else:
            return None
        return risk.Signal(kind, self.taken_on, text, self.created_at, self.pk)

    @property
    def needs_risk_assessment(self):
        return self.risk_signal is not None

    def item_rows(self):
        """(item, answer, answer label) for showing a completed measure."""
        rows = []
        for item, answer in zip(self.instrument.items, self.answers, strict=True):
            label = dict(item.choices).get(answer, str(answer))
            rows.append((item, answer, label))
        return rows


@tracked("course__patient")
class RiskAssessment(models.Model):
    """A dated suicide-risk assessment (IPT-REFERENCE.md, "Risk and measurement-based care").

    Assessments are added, never edited: the record shows the risk as it was judged each time.
    """

    class Level(models.TextChoices):
        LOW = "low", "Low"
        MODERATE = "moderate", "Moderate"
        HIGH = "high", "High"
        IMMINENT = "imminent", "Imminent: emergency procedure started"

    class Reason(models.TextChoices):
        PHQ9_ITEM9 = risk.PHQ9_ITEM9, "PHQ-9 item 9 above 0"
        HAMD_ITEM3 = risk.HAMD_ITEM3, "HAM-D-17 item 3 (suicide) above 0"
        SUICIDALITY_SCREEN = risk.SUICIDALITY_SCREEN, "Acute suicidality on the suitability screen"
        CONCERN = "concern", "My own clinical concern"
        REVIEW = "review", "A planned review of the risk"

    course = models.ForeignKey(
        TreatmentCourse, on_delete=models.CASCADE, related_name="risk_assessments"
    )
    measure = models.ForeignKey(
        MeasureResponse,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="risk_assessments",
        help_text="The PHQ-9 or HAM-D-17 whose suicide item prompted this assessment, if any.",
    )
    reason = models.CharField(
        "what prompted it", max_length=30, choices=Reason.choices, default=Reason.CONCERN
    )
    assessed_on = models.DateField("assessed on")
    level = models.CharField("level of risk", max_length=20, choices=Level.choices)
    asked = models.TextField(
        "what was asked",
        blank=True,
        help_text="The questions put to the patient: thoughts of death, plans, intent, means, "
        "past attempts.",
    )
    findings = models.TextField(
        "what was found",
        help_text="Thoughts, plans, intent, means, past attempts, and what the patient said.",
    )
    protective_factors = models.TextField(
        "protective factors",
        blank=True,
        help_text="e.g. children, faith, reasons for living, people who help, engagement.",
    )
    safety_plan = models.TextField(
        "safety plan", blank=True, help_text="Required when the risk is high or imminent."
    )
    actions_taken = models.TextField(
        "actions taken",
        blank=True,
        help_text="e.g. crisis team contacted, GP asked to review. Required when the risk is high "
        "or imminent.",
    )
    informed = models.TextField(
        "who was informed",
        blank=True,
        help_text="e.g. the GP, the supervisor, the perinatal team, a family member (with consent).",
    )
    review_on = models.DateField(
        "review by", null=True, blank=True, help_text="When the risk will next be reviewed."
    )
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assessed_on", "pk"]

    def __str__(self):
        return f"Risk {self.get_level_display().lower()} on {self.assessed_on}"

    @property
    def is_elevated(self):
        return self.level in risk.ELEVATED

    def as_rule(self):
        """This assessment as the plain value the risk rules read (rules/risk.py)."""
        return risk.Assessment(
            self.assessed_on, self.level, self.created_at, self.measure_id, self.review_on, self.pk
        )
