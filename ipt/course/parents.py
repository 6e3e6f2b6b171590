"""A parent or carer of an adolescent in IPT-A (Mufson), and their consent.

IPT-A: a parent or carer joins parts of the initial phase (psychoeducation, the limited sick
role, consent), can attend middle sessions on a dispute with them, and takes part in the
review at the end. Their involvement rests on recorded consent, given with the adolescent's
assent: what they agreed to (taking part in sessions, information being shared), who gave it
and when. A parent's record stays with the course (it is part of the record's history).
"""

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from ipt.accounts.history import tracked
from ipt.course.models import TransitionRefused, TreatmentCourse
from ipt.course.variants import Variant

NOT_ADOLESCENT = (
    "Parents and carers take part in IPT for adolescents (IPT-A): this course is {variant}."
)


class ParentQuerySet(models.QuerySet):
    def may_attend(self):
        """Those whose consent allows them to take part in sessions, with the adolescent's
        assent (IPT-A: no parent session without both)."""
        return self.filter(consent_to_sessions=True, adolescent_assent=True)


@tracked("course__patient")
class ParentCarer(models.Model):
    course = models.ForeignKey(TreatmentCourse, on_delete=models.CASCADE, related_name="parents")
    person = models.ForeignKey(
        "ipt.InventoryPerson",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="in the interpersonal inventory as",
    )
    name = models.CharField("name", max_length=120)
    relationship = models.CharField(
        "relationship to the adolescent",
        max_length=120,
        help_text="e.g. mother, father, stepfather, grandmother, foster carer",
    )
    parental_responsibility = models.BooleanField("has parental responsibility", default=True)
    phone = models.CharField("phone", max_length=40, blank=True)
    email = models.EmailField("email", blank=True)
    contact_notes = models.CharField("how and when to contact them", max_length=300, blank=True)

    consent_on = models.DateField("consent given on", null=True, blank=True)
    consent_given_by = models.CharField(
        "consent given by",
        max_length=120,
        blank=True,
        help_text="Who gave consent: usually the parent or carer with parental responsibility.",
    )
    consent_to_sessions = models.BooleanField(
        "to take part in sessions (parent sessions and joint sessions)", default=False
    )
    consent_to_sharing = models.BooleanField(
        "to information being shared between the therapist and the parent or carer",
        default=False,
    )
    adolescent_assent = models.BooleanField(
        "the adolescent agrees to this parent's or carer's involvement", default=False
    )
    consent_notes = models.TextField(
        "what was agreed about confidentiality",
        blank=True,
        help_text="e.g. what the adolescent says alone stays private, except a risk to safety.",
    )
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The form's one-time token: the same form submitted twice adds the parent once.
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    objects = ParentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "parent or carer"
        verbose_name_plural = "parents and carers"
        constraints = [
            # Consent is dated and names who gave it, or it is not recorded at all.
            models.CheckConstraint(
                condition=(models.Q(consent_on__isnull=True) & models.Q(consent_given_by=""))
                | (models.Q(consent_on__isnull=False) & ~models.Q(consent_given_by="")),
                name="parent_consent_dated_and_named",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.relationship})"

    @property
    def consent_recorded(self):
        return self.consent_on is not None

    @property
    def may_attend(self):
        return self.consent_to_sessions and self.adolescent_assent

    def consent_summary(self):
        """What was agreed, in a line a clinician reads."""
        if not self.consent_recorded:
            return "Consent not recorded yet."
        agreed = [
            label
            for agreed, label in (
                (self.consent_to_sessions, "taking part in sessions"),
                (self.consent_to_sharing, "sharing information"),
            )
            if agreed
        ]
        to = " and ".join(agreed) if agreed else "nothing yet"
        assent = "with" if self.adolescent_assent else "without"
        return (
            f"Consent to {to}, given by {self.consent_given_by} on "
            f"{self.consent_on:%-d %b %Y}, {assent} the adolescent's assent."
        )

    # --- rules -----------------------------------------------------------------------------
    @staticmethod
    def change_blockers(course):
        """Why parents and carers cannot be added or changed on this course now."""
        if course.variant != Variant.ADOLESCENT:
            return [NOT_ADOLESCENT.format(variant=course.get_variant_display())]
        if not course.is_active:
            return ["The course has ended: its parents and carers can be read, not changed."]
        return []

    @staticmethod
    def consent_blockers(on, given_by, course):
        reasons = []
        if on is None or not given_by.strip():
            reasons.append("Give the date consent was given and who gave it.")
        elif on > timezone.localdate():
            reasons.append("Consent is recorded once it has been given: not a future date.")
        elif on < course.patient.date_of_birth:
            reasons.append("That date is before the adolescent was born.")
        return reasons

    # --- changes: guard -> lock -> re-check -> change -> record ------------------------------
    @classmethod
    def add(cls, course, *, submission=None, **fields):
        """A parent or carer for an adolescent course (the course row locked, the guard read
        again inside the transaction); the same ``submission`` again gives the one added."""
        if reasons := cls.change_blockers(course):
            raise TransitionRefused(reasons)
        with course.changing():
            locked = TreatmentCourse.objects.select_for_update().get(pk=course.pk)
            if submission and (same := cls.objects.filter(submission=submission).first()):
                return same
            if reasons := cls.change_blockers(locked):
                raise TransitionRefused(reasons)
            return cls.objects.create(course=course, submission=submission, **fields)

    def _locked(self):
        if reasons := self.change_blockers(self.course):
            raise TransitionRefused(reasons)
        TreatmentCourse.objects.select_for_update().only("pk").get(pk=self.course_id)
        locked = type(self).objects.select_related("course").get(pk=self.pk)
        if reasons := self.change_blockers(locked.course):
            raise TransitionRefused(reasons)
        return locked

    def update(self, **fields):
        with transaction.atomic():
            self._locked()
            for name, value in fields.items():
                setattr(self, name, value)
            self.save(update_fields=list(fields))
            self.course.refresh_watch()

    def record_consent(self, *, by, on, given_by, sessions, sharing, assent, notes=""):
        """Record (or record again: consent can change) what was agreed, by whom and when."""
        if reasons := self.consent_blockers(on, given_by, self.course):
            raise TransitionRefused(reasons)
        self.update(
            consent_on=on,
            consent_given_by=given_by.strip(),
            consent_to_sessions=sessions,
            consent_to_sharing=sharing,
            adolescent_assent=assent,
            consent_notes=notes,
            consent_recorded_by=by,
        )
