"""Parent sessions of an adolescent course (IPT-A): the parent or carer alone, or joint with
the adolescent, each with its own short record, finalised like a session.

IPT-A (Mufson): a parent joins parts of the initial phase (psychoeducation, the limited sick
role, consent), can attend middle sessions on a dispute with them, and the ending is reviewed
with them. They are not numbered among the course's sessions (the contract's count is the
adolescent's), but they are listed with them, in date order.
"""

import pgtrigger
from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from ipt.accounts.history import tracked
from ipt.accounts.triggers import Refuse
from ipt.course.models import TransitionRefused, TreatmentCourse
from ipt.course.parents import ParentCarer

ALREADY_FINALISED = "This parent session is finalised: its record is kept as it was."


@tracked("course__patient")
class ParentSession(models.Model):
    class Kind(models.TextChoices):
        PARENT = "parent", "Parent or carer alone"
        JOINT = "joint", "Joint: the parent or carer with the adolescent"

    class Focus(models.TextChoices):
        PSYCHOEDUCATION = "psychoeducation", "Depression and IPT-A explained"
        SICK_ROLE = "sick_role", "The limited sick role: what is eased, what goes on"
        CONSENT = "consent", "Consent and confidentiality"
        DISPUTE = "dispute", "A dispute between the adolescent and the parent or carer"
        PROGRESS = "progress", "Progress and how to support the adolescent"
        ENDING = "ending", "The ending: progress review and relapse plan"
        OTHER = "other", "Other"

    course = models.ForeignKey(
        "ipt.TreatmentCourse", on_delete=models.CASCADE, related_name="parent_sessions"
    )
    parent = models.ForeignKey(
        "ipt.ParentCarer",
        on_delete=models.PROTECT,
        related_name="sessions",
        verbose_name="parent or carer",
    )
    kind = models.CharField("who attended", max_length=10, choices=Kind.choices)
    held_on = models.DateField("date")
    others_present = models.CharField("anyone else present", max_length=200, blank=True)
    focus = models.CharField("focus", max_length=20, choices=Focus.choices)
    focus_detail = models.CharField("the focus in a few words", max_length=200, blank=True)
    notes = models.TextField("notes", blank=True)
    agreed_actions = models.TextField("what was agreed", blank=True)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    finalised_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The form's one-time token: the same form submitted twice records one parent session.
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["held_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(finalised_at__isnull=True)
                | models.Q(finalised_by__isnull=False),
                name="finalised_parent_session_names_who",
            ),
        ]
        # A finalised parent session is part of the record: kept as it was.
        triggers = [
            Refuse(
                name="finalised_parent_session_kept",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__finalised_at__isnull=False),
                message="A finalised parent session cannot be changed or deleted.",
            )
        ]

    def __str__(self):
        return f"{self.label}, {self.held_on:%-d %b %Y}"

    def get_absolute_url(self):
        return reverse("sessions_app:parent_session", args=[self.pk])

    @property
    def label(self):
        if self.kind == self.Kind.JOINT:
            return f"Joint session with {self.parent.name}"
        return f"Parent session with {self.parent.name}"

    @property
    def is_finalised(self):
        return self.finalised_at is not None

    # --- rules -----------------------------------------------------------------------------
    @staticmethod
    def blockers(course, parent, held_on):
        """Why this parent session cannot be recorded, in clinical words (empty: it can)."""
        reasons = list(ParentCarer.change_blockers(course))
        if parent is None or parent.course_id != course.pk:
            reasons.append("Choose a parent or carer of this course.")
        elif not parent.may_attend:
            reasons.append(
                f"{parent.name} has no recorded consent to take part in sessions with the "
                "adolescent's assent: record their consent first."
            )
        if held_on is not None:
            if held_on > timezone.localdate():
                reasons.append("A parent session is recorded once it has taken place.")
            elif held_on < course.start_date:
                reasons.append(
                    f"The course started on {course.start_date:%-d %b %Y}: a parent session "
                    "of the course is not before then."
                )
        return reasons

    # --- changes: guard -> lock -> re-check -> change -> record ------------------------------
    @classmethod
    def record(cls, course, *, by, parent, held_on, submission=None, **fields):
        """Guard, lock the course, re-check, create; the same ``submission`` again (a double
        click) gives the parent session already recorded."""
        if reasons := cls.blockers(course, parent, held_on):
            raise TransitionRefused(reasons)
        with course.changing():
            locked = TreatmentCourse.objects.select_for_update().get(pk=course.pk)
            if submission and (same := cls.objects.filter(submission=submission).first()):
                return same
            fresh = ParentCarer.objects.filter(pk=parent.pk).first()
            if reasons := cls.blockers(locked, fresh, held_on):
                raise TransitionRefused(reasons)
            return cls.objects.create(
                course=course, parent=fresh, held_on=held_on, created_by=by,
                submission=submission, **fields,
            )  # fmt: skip

    def _locked_open(self):
        locked = type(self).objects.select_for_update().get(pk=self.pk)
        if locked.is_finalised:
            raise TransitionRefused([ALREADY_FINALISED])
        return locked

    def update(self, *, parent, held_on, **fields):
        with self.course.changing():
            self._locked_open()
            fresh = ParentCarer.objects.filter(pk=parent.pk).first()
            if reasons := self.blockers(self.course, fresh, held_on):
                raise TransitionRefused(reasons)
            self.parent, self.held_on = fresh, held_on
            for name, value in fields.items():
                setattr(self, name, value)
            self.save()

    def finalise_blockers(self):
        reasons = []
        if self.is_finalised:
            reasons.append(ALREADY_FINALISED)
        if not (self.notes.strip() or self.agreed_actions.strip()):
            reasons.append("Write the notes or what was agreed before finalising.")
        return reasons

    def finalise(self, by):
        with transaction.atomic():
            locked = type(self).objects.select_for_update().get(pk=self.pk)
            if reasons := locked.finalise_blockers():
                raise TransitionRefused(reasons)
            self.finalised_at, self.finalised_by = timezone.now(), by
            self.save(update_fields=["finalised_at", "finalised_by", "updated_at"])
            self.course.refresh_watch()
