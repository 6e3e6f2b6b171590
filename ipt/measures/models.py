"""Recorded symptom measures and risk assessments. The instruments live in ipt/measures/instruments.py."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models

from ipt.course.models import TreatmentCourse
from ipt.measures import instruments


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
    def record(cls, course, instrument_code, answers, *, taken_on, by, difficulty=None):
        instrument = instruments.get_instrument(instrument_code)
        total = instrument.score(answers)  # raises ValueError with a clinical message
        return cls.objects.create(
            course=course,
            instrument_code=instrument_code,
            answers=list(answers),
            total=total,
            difficulty=difficulty,
            taken_on=taken_on,
            recorded_by=by,
        )

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
    def needs_risk_assessment(self):
        # IPT-REFERENCE: PHQ-9 item 9 above 0 requires a documented suicide-risk assessment.
        return self.instrument_code == "phq9" and instruments.phq9_needs_risk_assessment(
            self.answers
        )

    def item_rows(self):
        """(item, answer, answer label) for showing a completed measure."""
        rows = []
        for item, answer in zip(self.instrument.items, self.answers, strict=True):
            label = dict(item.choices).get(answer, str(answer))
            rows.append((item, answer, label))
        return rows


class RiskAssessment(models.Model):
    class Level(models.TextChoices):
        LOW = "low", "Low"
        MODERATE = "moderate", "Moderate"
        HIGH = "high", "High"
        IMMINENT = "imminent", "Imminent: emergency procedure started"

    course = models.ForeignKey(
        TreatmentCourse, on_delete=models.CASCADE, related_name="risk_assessments"
    )
    measure = models.ForeignKey(
        MeasureResponse,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="risk_assessments",
        help_text="The PHQ-9 whose item 9 prompted this assessment, if any.",
    )
    assessed_on = models.DateField("assessed on")
    level = models.CharField("level of risk", max_length=20, choices=Level.choices)
    findings = models.TextField(
        "what was found",
        help_text="Thoughts, plans, intent, means, past attempts, protective factors.",
    )
    safety_plan = models.TextField("safety plan")
    actions_taken = models.TextField(
        "actions taken", help_text="e.g. GP informed, crisis team contacted."
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
        return self.level in (self.Level.HIGH, self.Level.IMMINENT)
