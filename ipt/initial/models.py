"""The records of the initial phase (IPT-REFERENCE.md, "Initial phase")."""

from django.conf import settings
from django.db import models

from ipt.accounts.history import tracked
from ipt.charts import KIND_LABELS  # the one list of kinds' labels, shared with the timeline
from ipt.course.models import TreatmentCourse


@tracked("course__patient")
class SuitabilityScreen(models.Model):
    """IPT is not the first treatment in these states: stabilisation comes first."""

    CONTRAINDICATIONS = [
        ("acute_mania", "Acute mania"),
        ("active_psychosis", "Active psychosis"),
        ("severe_neurocognitive_impairment", "Severe neurocognitive impairment"),
        ("severe_substance_use", "Severe active substance use disorder"),
        ("acute_suicidality", "Acute suicidality"),
    ]

    course = models.OneToOneField(
        TreatmentCourse, on_delete=models.CASCADE, related_name="suitability"
    )
    screened_on = models.DateField("screened on")
    acute_mania = models.BooleanField("acute mania", default=False)
    active_psychosis = models.BooleanField("active psychosis", default=False)
    severe_neurocognitive_impairment = models.BooleanField(
        "severe neurocognitive impairment", default=False
    )
    severe_substance_use = models.BooleanField(
        "severe active substance use disorder", default=False
    )
    acute_suicidality = models.BooleanField("acute suicidality", default=False)
    # IPT needs the capacity to reality-test, sustain attention, learn and form an alliance.
    # None: not recorded (screens made before these were asked).
    CAPACITIES = [
        ("reality_testing", "Can reality-test"),
        ("sustained_attention", "Can sustain attention through a session"),
        ("learning", "Can learn and use new ways of relating"),
        ("alliance", "Can form a working alliance"),
    ]
    reality_testing = models.BooleanField("can reality-test", null=True, blank=True)
    sustained_attention = models.BooleanField("can sustain attention", null=True, blank=True)
    learning = models.BooleanField("can learn", null=True, blank=True)
    alliance = models.BooleanField("can form an alliance", null=True, blank=True)
    notes = models.TextField(
        "notes",
        blank=True,
        help_text="Capacity to reality-test, sustain attention, learn and form an alliance.",
    )
    override_reason = models.TextField(
        "reason for going on with IPT despite a contraindication",
        blank=True,
        help_text="Required to go on when a contraindication is present.",
    )
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Suitability screen of {self.screened_on}"

    @property
    def contraindications(self):
        """What stands against IPT now: each contraindication present, and each capacity the
        screen found lacking."""
        present = [label for field, label in self.CONTRAINDICATIONS if getattr(self, field)]
        lacking = [
            f"not: {label.lower()}"
            for field, label in self.CAPACITIES
            if getattr(self, field) is False
        ]
        return present + lacking

    @property
    def passed(self):
        return not self.contraindications

    @property
    def overridden(self):
        return bool(self.contraindications) and bool(self.override_reason.strip())

    @property
    def cleared(self):
        return self.passed or self.overridden


@tracked("course__patient")
class Diagnosis(models.Model):
    class Disorder(models.TextChoices):
        MDD = "mdd", "Major depressive disorder"
        MDD_PERIPARTUM = "mdd_peripartum", "Major depressive disorder with peripartum onset"
        PDD = "pdd", "Persistent depressive disorder (dysthymia)"
        OTHER = "other", "Other depressive disorder"

    class Episode(models.TextChoices):
        SINGLE = "single", "Single episode"
        RECURRENT = "recurrent", "Recurrent"

    class Severity(models.TextChoices):
        MILD = "mild", "Mild"
        MODERATE = "moderate", "Moderate"
        SEVERE = "severe", "Severe"

    course = models.OneToOneField(
        TreatmentCourse, on_delete=models.CASCADE, related_name="diagnosis"
    )
    disorder = models.CharField("disorder", max_length=20, choices=Disorder.choices)
    other_disorder = models.CharField("other disorder (describe)", max_length=200, blank=True)
    episode = models.CharField("episode", max_length=20, choices=Episode.choices)
    severity = models.CharField("severity", max_length=20, choices=Severity.choices)
    onset = models.DateField(
        "onset of the current episode", help_text="The month and year, e.g. March 2026."
    )
    diagnosed_on = models.DateField("diagnosed on")
    explained_as_illness = models.BooleanField(
        "explained to the patient as a common, treatable medical illness", default=False
    )
    notes = models.TextField("notes", blank=True)

    class Meta:
        verbose_name_plural = "diagnoses"
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(disorder="other") | ~models.Q(other_disorder=""),
                name="other_disorder_described",
            )
        ]

    def __str__(self):
        return self.summary

    @property
    def disorder_label(self):
        if self.disorder == self.Disorder.OTHER:
            return self.other_disorder
        return self.get_disorder_display()

    @property
    def summary(self):
        return (
            f"{self.disorder_label}, {self.get_episode_display().lower()}, "
            f"{self.get_severity_display().lower()}"
        )


@tracked("course__patient")
class SickRole(models.Model):
    """IPT: depression is an illness, not a failing; some duties are excused while recovering."""

    course = models.OneToOneField(
        TreatmentCourse, on_delete=models.CASCADE, related_name="sick_role"
    )
    given_on = models.DateField("given on")
    excused = models.TextField(
        "temporarily excused from",
        help_text="What the patient may set aside for now, e.g. hosting family events.",
    )
    commitments = models.TextField(
        "the patient commits to",
        help_text="The work of recovery, e.g. coming to sessions, trying the weekly actions.",
    )
    limited = models.BooleanField(
        "limited sick role (adolescents)",
        default=False,
        help_text="Adolescents keep going to school: only some duties are eased.",
    )
    notes = models.TextField("notes", blank=True)

    def __str__(self):
        return f"Sick role given on {self.given_on}"


class Closeness(models.IntegerChoices):
    CLOSEST = 1, "Closest"
    CLOSE = 2, "Close"
    LESS_CLOSE = 3, "Less close"


@tracked("course__patient")
class InventoryPerson(models.Model):
    """One significant person in the interpersonal inventory."""

    class Met(models.TextChoices):
        # IPT: expectations that are not met, or not mutual, are where a dispute starts.
        MET = "met", "Met"
        PARTLY = "partly", "Partly met"
        NOT_MET = "not_met", "Not met"
        NOT_KNOWN = "not_known", "Not known"

    class Resolves(models.TextChoices):
        NO_CONFLICT = "no_conflict", "No real conflicts"
        USUALLY = "usually", "Usually resolved"
        SOMETIMES = "sometimes", "Sometimes resolved"
        RARELY = "rarely", "Rarely or never resolved"

    class Knows(models.TextChoices):
        YES = "yes", "Yes"
        PARTLY = "partly", "Partly"
        NO = "no", "No"

    course = models.ForeignKey(TreatmentCourse, on_delete=models.CASCADE, related_name="inventory")
    name = models.CharField("name", max_length=120)
    relationship = models.CharField(
        "relationship", max_length=120, help_text="e.g. wife, manager, friend"
    )
    closeness = models.PositiveSmallIntegerField(
        "closeness", choices=Closeness.choices, default=Closeness.CLOSE
    )
    deceased = models.BooleanField("has died", default=False)
    what_like = models.TextField("what they are like", blank=True)
    time_together = models.TextField("time together and shared activities", blank=True)
    can_discuss = models.TextField("what can be talked about", blank=True)
    cannot_discuss = models.TextField("what cannot be talked about", blank=True)
    feelings = models.TextField("feelings when together", blank=True)
    # IPT inventory: the expectations of each party, whether they are fulfilled, and the
    # satisfying and unsatisfying aspects of the relationship (Weissman, Markowitz & Klerman).
    patient_expects = models.TextField("what the patient expects of them", blank=True)
    they_expect = models.TextField("what they expect of the patient", blank=True)
    expectations_met = models.CharField(
        "are the expectations met?", max_length=10, choices=Met.choices, blank=True
    )
    satisfying = models.TextField("what is satisfying in the relationship", blank=True)
    unsatisfying = models.TextField("what is unsatisfying in the relationship", blank=True)
    conflicts = models.TextField("conflicts", blank=True)
    conflicts_resolve = models.CharField(
        "do conflicts get resolved?", max_length=20, choices=Resolves.choices, blank=True
    )
    knows_about_depression = models.CharField(
        "knows about the depression", max_length=10, choices=Knows.choices, blank=True
    )
    would_change = models.TextField("what the patient would change", blank=True)
    # IPT: the circle is drawn again at termination to show change in the network.
    closeness_at_end = models.PositiveSmallIntegerField(
        "closeness at the end of therapy", choices=Closeness.choices, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["closeness", "name", "pk"]

    def __str__(self):
        return f"{self.name} ({self.relationship})"


@tracked("course__patient")
class LifeEvent(models.Model):
    """A point on the timeline linking the depression to its interpersonal context."""

    class Kind(models.TextChoices):
        LOSS = "loss", KIND_LABELS["loss"]
        CONFLICT = "conflict", KIND_LABELS["conflict"]
        ROLE_CHANGE = "role_change", KIND_LABELS["role_change"]
        MOVE = "move", KIND_LABELS["move"]
        HEALTH = "health", KIND_LABELS["health"]
        OTHER = "other", KIND_LABELS["other"]
        SYMPTOM_ONSET = "symptom_onset", KIND_LABELS["symptom_onset"]
        SYMPTOM_WORSENING = "symptom_worsening", KIND_LABELS["symptom_worsening"]
        SYMPTOM_IMPROVEMENT = "symptom_improvement", KIND_LABELS["symptom_improvement"]

    course = models.ForeignKey(
        TreatmentCourse, on_delete=models.CASCADE, related_name="life_events"
    )
    happened_on = models.DateField("when")
    description = models.CharField("what happened", max_length=300)
    kind = models.CharField("kind", max_length=30, choices=Kind.choices)
    person = models.ForeignKey(
        InventoryPerson,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="life_events",
        verbose_name="person involved",
    )

    class Meta:
        ordering = ["happened_on", "pk"]

    def __str__(self):
        return f"{self.happened_on:%b %Y}: {self.description}"

    @property
    def is_symptom(self):
        return self.kind.startswith("symptom_")


@tracked("course__patient")
class ProblemArea(models.Model):
    class Area(models.TextChoices):
        GRIEF = "grief", "Grief"
        ROLE_DISPUTE = "role_dispute", "Role dispute"
        ROLE_TRANSITION = "role_transition", "Role transition"
        INTERPERSONAL_DEFICITS = "interpersonal_deficits", "Interpersonal deficits"

    class DisputeStage(models.TextChoices):
        RENEGOTIATION = "renegotiation", "Renegotiation"
        IMPASSE = "impasse", "Impasse"
        DISSOLUTION = "dissolution", "Dissolution"

    # IPT goals for each problem area (IPT-REFERENCE.md); pre-filled, then the therapist edits.
    DEFAULT_GOALS = {
        Area.GRIEF: [
            "Facilitate the mourning process.",
            "Re-establish interests and relationships.",
        ],
        Area.ROLE_DISPUTE: [
            "Identify the dispute.",
            "Choose a plan of action.",
            "Change expectations and/or faulty communication to bring about a satisfactory resolution.",
        ],
        Area.ROLE_TRANSITION: [
            "Mourn and accept the loss of the old role.",
            "See the new role more positively.",
            "Build mastery and social support in the new role.",
            "Restore self-esteem.",
        ],
        Area.INTERPERSONAL_DEFICITS: [
            "Reduce social isolation.",
            "Build new relationships and the social skills to keep them.",
        ],
    }
    # What each area means, as a therapist would explain it when choosing (IPT-REFERENCE.md).
    DESCRIPTIONS = {
        Area.GRIEF: "Complicated bereavement: the death of someone important, with "
        "mourning that has stalled, been put off or gone on unresolved.",
        Area.ROLE_DISPUTE: "A conflict with a significant person (partner, parent, "
        "child, boss) who wants something different from the relationship.",
        Area.ROLE_TRANSITION: "A life change that unsettles the patient's roles: job "
        "loss, divorce, a new baby, a move, retirement, a diagnosis.",
        Area.INTERPERSONAL_DEFICITS: "Long-standing isolation or difficulty forming "
        "and keeping relationships, without a recent loss, conflict or change.",
    }
    MAX_PER_COURSE = 2  # IPT: one focal area, at most two

    course = models.ForeignKey(
        TreatmentCourse, on_delete=models.CASCADE, related_name="problem_areas"
    )
    area = models.CharField("problem area", max_length=30, choices=Area.choices)
    rationale = models.TextField(
        "why this area", help_text="How it links to the depression's onset or course."
    )
    person = models.ForeignKey(
        InventoryPerson,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="problem_areas",
        verbose_name="person",
        help_text="Grief: who died. Role dispute: with whom.",
    )
    date_of_death = models.DateField("date of death", null=True, blank=True)
    dispute_stage = models.CharField(
        "stage of the dispute", max_length=20, choices=DisputeStage.choices, blank=True
    )
    from_role = models.CharField("from the role of", max_length=200, blank=True)
    to_role = models.CharField("to the role of", max_length=200, blank=True)
    # With two areas, the one the work leads with (the session page opens on it).
    primary = models.BooleanField("primary area", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-primary", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["course", "area"], name="problem_area_once_per_course"),
            models.CheckConstraint(
                condition=models.Q(area="role_dispute") | models.Q(dispute_stage=""),
                name="dispute_stage_only_for_disputes",
            ),
            models.CheckConstraint(
                condition=~models.Q(area="role_dispute") | ~models.Q(dispute_stage=""),
                name="dispute_has_a_stage",
            ),
            models.CheckConstraint(
                condition=models.Q(area="grief") | models.Q(date_of_death__isnull=True),
                name="date_of_death_only_for_grief",
            ),
        ]

    def __str__(self):
        return self.get_area_display()

    @classmethod
    def choices_for(cls, course, exclude=None):
        """The four areas with their IPT goals, and whether each can still be chosen (an area
        is chosen once per course; ``exclude`` is the area being edited)."""
        taken = {a.area for a in course.problem_areas.all() if a.pk != exclude}
        return [
            {
                "value": area.value,
                "label": area.label,
                "description": cls.DESCRIPTIONS[area],
                "goals": cls.DEFAULT_GOALS[area],
                "taken": area.value in taken,
            }
            for area in cls.Area
        ]

    @property
    def detail(self):
        """The area in one clinical phrase, e.g. 'Role dispute with Maria (wife): impasse'."""
        if self.area == self.Area.GRIEF and self.person:
            died = f", died {self.date_of_death:%B %Y}" if self.date_of_death else ""
            return f"Grief for {self.person.name} ({self.person.relationship}{died})"
        if self.area == self.Area.ROLE_DISPUTE:
            who = f" with {self.person.name} ({self.person.relationship})" if self.person else ""
            return f"Role dispute{who}: {self.get_dispute_stage_display().lower()}"
        if self.area == self.Area.ROLE_TRANSITION and (self.from_role or self.to_role):
            return f"Role transition from {self.from_role or '…'} to {self.to_role or '…'}"
        return self.get_area_display()

    # What a patient reads: what happened and with whom, never the clinical name of the area.
    # "Interpersonal sensitivity" is the patient-facing name for interpersonal deficits.
    PATIENT_NAMES = {
        Area.GRIEF: "Grief",
        Area.ROLE_DISPUTE: "A disagreement with someone close",
        Area.ROLE_TRANSITION: "A change in your life",
        Area.INTERPERSONAL_DEFICITS: "Interpersonal sensitivity",
    }
    DISPUTE_IN_WORDS = {
        DisputeStage.RENEGOTIATION: "which you are both still trying to sort out",
        DisputeStage.IMPASSE: "where talking seems to have stopped",
        DisputeStage.DISSOLUTION: "and the relationship coming to an end",
    }

    @property
    def in_plain_words(self):
        """The area as the patient would say it, e.g. 'the arguments with Maria, where talking
        seems to have stopped'."""
        person = self.person
        if self.area == self.Area.GRIEF:
            if person:
                return f"the death of {person.name}, and how hard it has been to grieve"
            return "a loss you are still grieving"
        if self.area == self.Area.ROLE_DISPUTE:
            who = f"{person.name}" if person else "someone close to you"
            stage = self.DISPUTE_IN_WORDS.get(self.dispute_stage, "")
            return f"the disagreements with {who}{', ' + stage if stage else ''}"
        if self.area == self.Area.ROLE_TRANSITION:
            if self.from_role and self.to_role:
                return (
                    f"the change from {self.from_role} to {self.to_role}, and what it has meant "
                    "for you"
                )
            return "a big change in your life, and what it has meant for you"
        return "feeling cut off from people, and finding it hard to make and keep close ties"

    def make_primary(self):
        """This area leads; the course's other area becomes the secondary one."""
        with self.course.changing():
            areas = list(type(self).objects.select_for_update().filter(course_id=self.course_id))
            for area in areas:
                if area.primary != (area.pk == self.pk):
                    area.primary = area.pk == self.pk
                    area.save(update_fields=["primary"])
        self.primary = True

    def set_goals(self, texts):
        """Replace the goals with the given lines, keeping their order."""
        self.goals.all().delete()
        ProblemAreaGoal.objects.bulk_create(
            ProblemAreaGoal(problem_area=self, text=text, position=i)
            for i, text in enumerate(t.strip() for t in texts if t.strip())
        )


@tracked("problem_area__course__patient")
class ProblemAreaGoal(models.Model):
    class Review(models.TextChoices):
        ACHIEVED = "achieved", "Achieved"
        PARTLY = "partly", "Partly achieved"
        NOT_ACHIEVED = "not_achieved", "Not achieved"

    problem_area = models.ForeignKey(ProblemArea, on_delete=models.CASCADE, related_name="goals")
    text = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0)
    # Reviewed in the termination phase against the contract.
    review = models.CharField("reviewed as", max_length=20, choices=Review.choices, blank=True)
    review_note = models.TextField("review note", blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.text


@tracked("course__patient")
class Formulation(models.Model):
    """A short shared statement linking the depression to the problem area."""

    course = models.OneToOneField(
        TreatmentCourse, on_delete=models.CASCADE, related_name="formulation"
    )
    text = models.TextField("formulation")
    shared_on = models.DateField("shared with the patient on", null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return self.text[:60]

    @staticmethod
    def draft(course):
        """A starting draft from the diagnosis and the chosen areas, for the therapist to edit."""
        name = course.patient.display_name
        diagnosis = course._one("diagnosis")
        illness = diagnosis.disorder_label.lower() if diagnosis else "depression"
        areas = list(course.problem_areas.all())
        parts = [
            f"{name}, you are suffering from {illness}. This is a common, treatable illness, "
            "and it is not your fault."
        ]
        if areas:
            # In the patient's language: what happened and with whom, not "role dispute".
            focus = " and ".join(a.in_plain_words for a in areas)
            parts.append(
                f"Your depression seems to be connected to what has been happening in your "
                f"relationships: {focus}."
            )
            parts.append(
                f"Over the next {course.planned_sessions} weeks we will work on "
                f"{'this' if len(areas) == 1 else 'these'} together. As things improve with the "
                "people who matter to you, we expect your mood to improve too. Does that fit "
                "how you see it?"
            )
        return " ".join(parts)
