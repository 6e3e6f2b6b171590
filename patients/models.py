import hashlib
from datetime import date

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.urls import reverse

from ipt.accounts.access import group_member_courses
from ipt.accounts.history import tracked
from ipt.accounts.models import Role, User
from ipt.accounts.triggers import append_only


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


class DuplicatePatient(Exception):
    """An identifier of the referral is already a patient's at the clinic."""

    def __init__(self, identifier, patient):
        super().__init__(f"{identifier[0]}|{identifier[1]}")
        self.identifier = identifier
        self.patient = patient


class PatientIdentifier(models.Model):
    """An identifier another system gives the patient (an NHS number, a hospital number), as
    a referral carried it: a second referral with the same one is the same patient."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="identifiers")
    system = models.CharField(max_length=200)  # the issuing system's URI
    value = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["system", "value"], name="one_patient_per_identifier")
        ]

    def __str__(self):
        return f"{self.system}|{self.value}"

    @classmethod
    def holder(cls, identifiers):
        """The first (identifier, patient) already at the clinic among ``identifiers``."""
        for system, value in identifiers:
            found = cls.objects.filter(system=system, value=value).select_related("patient")
            if (row := found.first()) is not None:
                return (system, value), row.patient
        return None


class ImportedReferral(models.Model):
    """The referral a patient's record was made from (a FHIR Patient resource), its text kept
    as it was uploaded, with its SHA-256: the record's fields came from it unchanged, and
    whatever the record had no field for is still here."""

    patient = models.OneToOneField(
        Patient, on_delete=models.CASCADE, related_name="imported_referral"
    )
    resource = models.TextField()
    sha256 = models.CharField(max_length=64)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        triggers = append_only("Imported referrals")

    def __str__(self):
        return f"Referral of {self.patient} imported {self.imported_at:%Y-%m-%d}"

    @classmethod
    def make_patient(cls, patient, *, text, identifiers, user):
        """Guard, lock, re-check, change: the new ``patient`` (unsaved, its fields from the
        referral) with its identifiers and the file, in one transaction; ``DuplicatePatient``
        when an identifier is already a patient's. The same form sent twice gives the patient
        already made (``patient.submission``)."""
        with transaction.atomic():
            User.objects.select_for_update().only("pk").get(pk=user.pk)
            if patient.submission is not None:
                done = Patient.objects.filter(submission=patient.submission, therapist=user)
                if (earlier := done.first()) is not None:
                    return earlier, False
            if (found := PatientIdentifier.holder(identifiers)) is not None:
                raise DuplicatePatient(*found)
            try:
                with transaction.atomic():
                    patient.save()
                    PatientIdentifier.objects.bulk_create(
                        PatientIdentifier(patient=patient, system=s, value=v)
                        for s, v in dict.fromkeys(identifiers)
                    )
            except IntegrityError:
                # Another import took the identifier in the meantime.
                found = PatientIdentifier.holder(identifiers)
                if found is None:
                    raise
                raise DuplicatePatient(*found) from None
            cls.objects.create(
                patient=patient,
                resource=text,
                sha256=hashlib.sha256(text.encode()).hexdigest(),
                imported_by=user,
            )
        return patient, True
