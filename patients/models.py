from datetime import date

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse

from ipt.accounts.access import group_member_courses
from ipt.accounts.history import tracked
from ipt.accounts.models import Role


class PatientQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Patients this member of staff may see at all.

        A therapist sees their own caseload (and the current members of the groups they
        facilitate); a supervisor sees their supervisees' patients
        (read-only, enforced by the access function); nobody else sees any patient.
        """
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.THERAPIST:
            in_groups = group_member_courses(user).values("course__patient")
            return self.filter(Q(therapist=user) | Q(pk__in=in_groups))
        if user.role == Role.SUPERVISOR:
            return self.filter(therapist__supervisor=user)
        return self.none()


@tracked("pgh_obj")
class Patient(models.Model):
    therapist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="patients",
        limit_choices_to={"role": Role.THERAPIST},
    )
    full_name = models.CharField("full name", max_length=200)
    preferred_name = models.CharField(
        "preferred name",
        max_length=100,
        blank=True,
        help_text="What the patient likes to be called.",
    )
    date_of_birth = models.DateField("date of birth")
    phone = models.CharField("phone", max_length=40, blank=True)
    email = models.EmailField("email", blank=True)
    address = models.TextField("address", blank=True)
    # Reminders by email, only with the patient's agreement (asked in the room, recorded here).
    session_reminders = models.BooleanField(
        "The patient agrees to an email reminder the day before each session",
        default=False,
        help_text="Sent to the email address above, about 24 hours before: the day and time only.",
    )
    questionnaire_in_reminder = models.BooleanField(
        "Include the questionnaire link in the reminder",
        default=False,
        help_text="When no link was made for that session yet, the reminder brings a new one "
        "(PHQ-9), so the answers are in when the session starts.",
    )
    emergency_contact_name = models.CharField("emergency contact", max_length=200)
    emergency_contact_relationship = models.CharField(
        "relationship to patient", max_length=100, blank=True
    )
    emergency_contact_phone = models.CharField("emergency contact phone", max_length=40)
    referral_source = models.CharField(
        "referred by", max_length=200, help_text="For example the GP practice or service."
    )
    referral_reason = models.TextField("reason for referral")
    # The add-patient form's one-time token: a double submission adds the patient once.
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_of_birth__gt=date(1900, 1, 1)),
                name="patient_born_after_1900",
            ),
        ]

    def __str__(self):
        return self.full_name

    def get_absolute_url(self):
        return reverse("patients:detail", args=[self.pk])

    def add_once(self):
        """Save a new patient once per form shown: the same submission again (a double click)
        gives the patient already added, never a duplicate or a server error."""
        if self.submission is None:
            self.save()
            return self
        try:
            with transaction.atomic():
                self.save()
        except IntegrityError:
            return type(self).objects.get(submission=self.submission, therapist=self.therapist)
        return self

    @property
    def active_course(self):
        """Needs the caseload's prefetch (ipt/course/views.py); a patient has at most one."""
        return self.active_courses[0] if self.active_courses else None

    @property
    def display_name(self):
        return self.preferred_name or self.full_name.split(" ")[0]
