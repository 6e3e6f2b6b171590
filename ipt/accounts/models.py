from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models

from ipt.accounts.triggers import append_only


class Role(models.TextChoices):
    THERAPIST = "therapist", "Therapist"
    SUPERVISOR = "supervisor", "Supervisor"
    CLINIC_ADMIN = "clinic_admin", "Clinic admin"
    # Reads the clinic's aggregate outcomes only: no patient, course or session is visible.
    CLINIC_LEAD = "clinic_lead", "Clinic lead"


class User(AbstractUser):
    """A member of the clinic's staff. Patients never log in."""

    role = models.CharField(max_length=20, choices=Role.choices, default=Role.THERAPIST)
    supervisor = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervisees",
        limit_choices_to={"role": Role.SUPERVISOR},
        help_text="Every therapist has a clinical supervisor who reviews their caseload.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(supervisor__isnull=True) | models.Q(role=Role.THERAPIST),
                name="only_therapists_have_a_supervisor",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    @property
    def is_therapist(self):
        return self.role == Role.THERAPIST

    @property
    def is_supervisor(self):
        return self.role == Role.SUPERVISOR

    @property
    def is_clinic_admin(self):
        return self.role == Role.CLINIC_ADMIN

    @property
    def is_clinic_lead(self):
        return self.role == Role.CLINIC_LEAD

    @property
    def reads_outcomes(self):
        """The clinic's outcomes report: its lead, and supervisors (aggregates, small cells
        suppressed below clinic level)."""
        return self.role in (Role.CLINIC_LEAD, Role.SUPERVISOR)

    def clean(self):
        super().clean()
        if self.supervisor_id and self.role != Role.THERAPIST:
            raise ValidationError({"supervisor": "Only therapists have a supervisor."})
        if self.supervisor_id and self.supervisor.role != Role.SUPERVISOR:
            raise ValidationError(
                {"supervisor": "Choose a member of staff with the supervisor role."}
            )
        if self.supervisor_id and self.supervisor_id == self.pk:
            raise ValidationError({"supervisor": "A therapist cannot supervise themselves."})
        # The roles never mix on one record: whoever treats a patient is a therapist under
        # supervision, and whoever supervises treats nobody.
        if self.pk and self.role != Role.THERAPIST and (n := self.patients.count()):
            raise ValidationError(
                {
                    "role": f"This therapist still treats {n} patient{'s' if n != 1 else ''}: "
                    "hand them to another therapist before changing the role."
                }
            )
        if self.pk and self.role != Role.SUPERVISOR and (n := self.supervisees.count()):
            raise ValidationError(
                {
                    "role": f"This supervisor still supervises {n} therapist"
                    f"{'s' if n != 1 else ''}: give them another supervisor first."
                }
            )


class AccessEvent(models.Model):
    """One look at (or change to) a patient's record: who, which patient, what, when, from where.

    Written by the access functions, never by views directly, so no patient data is reached
    without a trace.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="access_events")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="access_events"
    )
    action = models.CharField(max_length=40)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["patient", "-at"])]
        triggers = append_only("Access events")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.action} {self.patient_id}"

    @classmethod
    def record(cls, request, patient, action):
        return cls.objects.create(
            user=request.user,
            patient=patient,
            action=action,
            method=request.method[:10],
            path=request.get_full_path()[:500],
            ip_address=request.META.get("REMOTE_ADDR") or None,
        )


class AuthEvent(models.Model):
    """A login, a failed login, a logout, a lockout, or a refused request (403/404): the part of
    the audit that is about who tried to get in, not which record they read."""

    class Kind(models.TextChoices):
        LOGIN = "login", "Logged in"
        LOGIN_FAILED = "login_failed", "Failed login"
        LOGOUT = "logout", "Logged out"
        LOCKED_OUT = "locked_out", "Locked out"
        REFUSED = "refused", "Refused"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="auth_events"
    )
    username = models.CharField(max_length=150, blank=True)  # as typed, for failed logins
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    method = models.CharField(max_length=10, blank=True)
    path = models.CharField(max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        triggers = append_only("Sign-in events")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"

    @classmethod
    def record(cls, request, kind, *, user=None, username="", status=None):
        user = user if user is not None else getattr(request, "user", None)
        if user is not None and not user.is_authenticated:
            user = None
        return cls.objects.create(
            kind=kind,
            user=user,
            username=(username or (user.get_username() if user else ""))[:150],
            status=status,
            method=(request.method or "")[:10] if request else "",
            path=request.get_full_path()[:500] if request else "",
            ip_address=(request.META.get("REMOTE_ADDR") or None) if request else None,
        )


class StaffChange(models.Model):
    """A change to who may see what: a staff member's role, supervisor, or admin rights, with
    who made it and when (shown read-only in the admin)."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="staff_changes")
    field = models.CharField(max_length=40)
    before = models.CharField(max_length=200, blank=True)
    after = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-at"]
        triggers = append_only("Staff changes")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.by}: {self.user} {self.field} {self.before} → {self.after}"

    # The fields that decide what a member of staff may see or do.
    WATCHED = ("role", "supervisor", "is_staff", "is_superuser", "is_active")

    @classmethod
    def record_changes(cls, by, before, after):
        """One row per watched field that differs between two states of the same user."""
        rows = [
            cls(
                by=by,
                user=after,
                field=name,
                before=str(getattr(before, name) if before else "")[:200],
                after=str(getattr(after, name))[:200],
            )
            for name in cls.WATCHED
            if before is None or getattr(before, name) != getattr(after, name)
        ]
        cls.objects.bulk_create(rows)
        return rows


class SignIn(models.Model):
    """A browser signed in as a member of staff: listed on their Sign-in security page, where
    they can end it (a login left open on another computer). Removed at logout; one whose
    session has lapsed is not listed."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_ins")
    session_key = models.CharField(max_length=40, unique=True)
    at = models.DateTimeField(auto_now_add=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField("browser", max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self):
        return f"{self.user} since {self.at:%Y-%m-%d %H:%M}"

    BROWSERS = (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"))
    SYSTEMS = (
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
    )
    SYSTEMS += (("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))

    @property
    def browser(self):
        """The browser and system in words ("Firefox on Windows"), from the user agent."""
        agent = self.user_agent
        name = next((label for mark, label in self.BROWSERS if mark in agent), None)
        if name is None and "Safari/" in agent:
            name = "Safari"
        system = next((label for mark, label in self.SYSTEMS if mark in agent), None)
        if name and system:
            return f"{name} on {system}"
        return name or system or "Unknown browser"
