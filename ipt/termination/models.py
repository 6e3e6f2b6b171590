"""The termination phase and after (IPT-REFERENCE.md, "Termination phase")."""

import calendar

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from ipt.accounts.history import tracked
from ipt.course.models import Phase, TransitionRefused, TreatmentCourse
from ipt.measures.models import MeasureResponse

# What to do if symptoms return, offered for a new plan and then put in the patient's words.
IF_SYMPTOMS_RETURN = (
    "If the warning signs last more than a week or two, act early: go back to the actions in "
    "this plan and talk to the people you trust. If you still feel low after that, contact the "
    "clinic to book a booster session, or see your GP. Depression that comes back can be treated "
    "again, and early help works best."
)

# A maintenance contract is agreed in the termination phase or after completion.
MAINTENANCE_PHASES = (Phase.TERMINATION, Phase.COMPLETED)


def maintenance_refusal(course):
    """Why no maintenance contract can be agreed for this course now, or ''."""
    if course.phase == Phase.ENDED_EARLY:
        return (
            "The course ended early, so there is no maintenance contract: record any referral or "
            "onward care in the early ending."
        )
    if course.phase not in MAINTENANCE_PHASES:
        return (
            "A maintenance contract is agreed in the termination phase, or once the course is "
            "completed."
        )
    return ""


@tracked("course__patient")
class ProgressReview(models.Model):
    """Progress against the baseline and the contract goals, reviewed with the patient."""

    course = models.OneToOneField(
        TreatmentCourse, on_delete=models.CASCADE, related_name="progress_review"
    )
    reviewed_on = models.DateField("reviewed on")
    what_helped = models.TextField(
        "what the patient did that helped",
        help_text="In the patient's words where possible: IPT credits the patient with the change.",
    )
    patient_view = models.TextField("how the patient sees the change", blank=True)
    further_treatment = models.TextField(
        "alternative or additional treatment, or referral",
        blank=True,
        help_text="Required when the patient has not improved: IPT is one treatment among several.",
    )
    # IPT-A: the ending is reviewed with the parent or carer too.
    parent_involvement = models.TextField("the parent's or carer's part in the review", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Progress review of {self.reviewed_on}"


@tracked("course__patient")
class RelapsePreventionPlan(models.Model):
    """Interpersonal triggers mapped to warning signs, coping and people to contact."""

    course = models.OneToOneField(
        TreatmentCourse, on_delete=models.CASCADE, related_name="relapse_plan"
    )
    written_on = models.DateField("written on")
    if_symptoms_return = models.TextField(
        "what to do if symptoms return",
        help_text="e.g. book a booster session, see the GP, restart the weekly actions.",
    )
    emergency_contacts = models.TextField(
        "emergency contacts",
        default="999 or A&E in an emergency · NHS 111, option 2, for urgent mental health help · "
        "Samaritans 116 123, any time",
    )
    # IPT-A: the parent or carer named on the plan, and how they will help.
    parent = models.ForeignKey(
        "ipt.ParentCarer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="parent or carer on the plan",
    )
    parent_role = models.TextField("how the parent or carer will help", blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Relapse-prevention plan of {self.written_on}"

    @classmethod
    def for_rows(cls, course):
        """``(plan, started)``: the plan rows are added to, started today with sensible
        defaults if there is none yet.

        Rows usually come first in the session; what to do if symptoms return is agreed after.
        """
        try:
            return course.relapse_plan, False
        except cls.DoesNotExist:
            pass
        plan = cls.objects.create(
            course=course, written_on=timezone.localdate(), if_symptoms_return=IF_SYMPTOMS_RETURN
        )
        return plan, True


@tracked("plan__course__patient")
class RelapseTrigger(models.Model):
    plan = models.ForeignKey(
        RelapsePreventionPlan, on_delete=models.CASCADE, related_name="triggers"
    )
    trigger = models.CharField("interpersonal trigger", max_length=300)
    warning_signs = models.TextField("early warning signs")
    coping = models.TextField("coping skills and actions")
    people = models.TextField("people to contact", blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.trigger


@tracked("course__patient")
class MaintenanceContract(models.Model):
    """Continuation after the acute course: follow-ups and booster sessions, or maintenance IPT."""

    class Kind(models.TextChoices):
        CHECK_INS = "check_ins", "Follow-up check-ins, every 3 to 6 months"
        # Frank et al.: maintenance IPT (IPT-M), monthly sessions of IPT's focal work, which
        # protects against recurrence in recurrent depression.
        MAINTENANCE_IPT = "maintenance_ipt", "Maintenance IPT: monthly IPT sessions"

    DEFAULT_INTERVAL_MONTHS = 3  # IPT: follow-ups every 3-6 months, for a year by default
    DEFAULT_INTERVALS = {Kind.CHECK_INS: DEFAULT_INTERVAL_MONTHS, Kind.MAINTENANCE_IPT: 1}
    DEFAULT_COUNT = 4

    course = models.OneToOneField(
        TreatmentCourse, on_delete=models.CASCADE, related_name="maintenance"
    )
    kind = models.CharField(
        "type of maintenance", max_length=20, choices=Kind.choices, default=Kind.CHECK_INS
    )
    agreed_on = models.DateField("agreed on")
    interval_months = models.PositiveSmallIntegerField(
        "months between appointments", default=DEFAULT_INTERVAL_MONTHS
    )
    number_of_followups = models.PositiveSmallIntegerField(
        "number of follow-ups", default=DEFAULT_COUNT
    )
    booster_sessions = models.PositiveSmallIntegerField(
        "booster sessions available", default=0, help_text="Extra sessions the patient may ask for."
    )
    notes = models.TextField("notes", blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(interval_months__gte=1, interval_months__lte=12),
                name="maintenance_interval_1_to_12_months",
            ),
            models.CheckConstraint(
                condition=models.Q(number_of_followups__gte=1, number_of_followups__lte=12),
                name="maintenance_followups_1_to_12",
            ),
        ]

    def __str__(self):
        return f"Maintenance from {self.agreed_on}"

    def schedule(self, start):
        """Follow-up dates every ``interval_months`` from ``start`` (day clamped to month end)."""
        dates = []
        for n in range(1, self.number_of_followups + 1):
            month = start.month - 1 + n * self.interval_months
            year, month = start.year + month // 12, month % 12 + 1
            day = min(start.day, _days_in_month(year, month))
            dates.append(start.replace(year=year, month=month, day=day))
        return dates

    @property
    def interval_words(self):
        """ "every month", "every 3 months": how often the follow-ups come, in words."""
        n = self.interval_months
        return "every month" if n == 1 else f"every {n} months"

    @property
    def is_maintenance_ipt(self):
        return self.kind == self.Kind.MAINTENANCE_IPT

    @property
    def appointment_words(self):
        """What each regular appointment is called: "follow-up" or "maintenance IPT session"."""
        return "maintenance IPT session" if self.is_maintenance_ipt else "follow-up"

    @property
    def plan_words(self):
        """ "4 follow-ups, every 3 months", "12 maintenance IPT sessions, every month"."""
        n = self.number_of_followups
        return f"{n} {self.appointment_words}{'' if n == 1 else 's'}, {self.interval_words}"

    @property
    def schedule_start(self):
        """Follow-ups count from the end of the course, or from the agreement while it goes on."""
        return self.course.ended_on or self.agreed_on

    def has_regular_followups(self):
        return self.followups.filter(kind=FollowUp.Kind.FOLLOW_UP).exists()

    def plan_followups(self):
        """Plan the regular follow-ups still due; those held or missed stay as they were.

        The first time, that is ``self.schedule(self.schedule_start)``. Later (a new interval
        or number), the follow-ups still due are replaced by the ones left, counted on from the
        latest follow-up that took place or was missed.
        """
        regular = [f for f in self.followups.all() if f.kind == FollowUp.Kind.FOLLOW_UP]
        done = [f for f in regular if f.status != FollowUp.Status.DUE or f.phq9_id]
        due = [f for f in regular if f not in done]
        left = self.number_of_followups - len(done)
        anchor = max((f.held_on or f.due_on for f in done), default=self.schedule_start)
        rest = MaintenanceContract(
            interval_months=self.interval_months, number_of_followups=max(left, 0)
        )
        FollowUp.objects.filter(pk__in=[f.pk for f in due]).delete()
        FollowUp.objects.bulk_create(
            FollowUp(maintenance=self, due_on=day) for day in rest.schedule(anchor)
        )

    def add_booster(self, due_on, notes=""):
        """Plan a booster session, within the number the contract offers.

        The contract row is locked while counting, so two quick submissions cannot both take
        the last booster.
        """
        with transaction.atomic():
            type(self).objects.select_for_update().only("pk").get(pk=self.pk)
            used = self.followups.filter(kind=FollowUp.Kind.BOOSTER).count()
            if used >= self.booster_sessions:
                raise TransitionRefused(
                    [
                        f"All {self.booster_sessions} booster session"
                        f"{'s' if self.booster_sessions != 1 else ''} in the contract are "
                        "planned: offer more in the contract first."
                    ]
                )
            return FollowUp.objects.create(
                maintenance=self, kind=FollowUp.Kind.BOOSTER, due_on=due_on, notes=notes
            )

    def upcoming(self, today=None):
        """The follow-ups still to come, in words for the patient ("March 2027")."""
        today = today or timezone.localdate()
        return [
            f"{f.due_on:%B %Y}{' (booster session)' if f.kind == FollowUp.Kind.BOOSTER else ''}"
            for f in self.followups.all()
            if f.status == FollowUp.Status.DUE and f.due_on >= today
        ]


def _days_in_month(year, month):
    return calendar.monthrange(year, month)[1]


@tracked("maintenance__course__patient")
class FollowUp(models.Model):
    class Kind(models.TextChoices):
        FOLLOW_UP = "follow_up", "Follow-up"
        BOOSTER = "booster", "Booster session"

    class Status(models.TextChoices):
        DUE = "due", "Due"
        HELD = "held", "Held"
        MISSED = "missed", "Missed"

    maintenance = models.ForeignKey(
        MaintenanceContract, on_delete=models.CASCADE, related_name="followups"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.FOLLOW_UP)
    due_on = models.DateField("due on")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DUE)
    held_on = models.DateField("held on", null=True, blank=True)
    phq9 = models.OneToOneField(
        "ipt.MeasureResponse",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followup",
    )
    notes = models.TextField("notes", blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="held") | models.Q(held_on__isnull=False),
                name="held_followup_has_a_date",
            ),
        ]

    def __str__(self):
        return f"{self.label} due {self.due_on}"

    @property
    def label(self):
        """What the visit is called: under maintenance IPT the planned ones are IPT sessions."""
        if self.kind == self.Kind.FOLLOW_UP and self.maintenance.is_maintenance_ipt:
            return "Maintenance IPT session"
        return self.get_kind_display()

    @property
    def takes_focal_work(self):
        """A maintenance IPT session or a booster is an IPT session: it keeps the focal work."""
        return self.kind == self.Kind.BOOSTER or self.maintenance.is_maintenance_ipt

    def record(self, *, by, phq9_answers=None, difficulty=None, focal_work=None):
        """Record the follow-up as its fields now say (held or missed), with the PHQ-9 taken
        at it, if any, dated the day it was held, and the work in each focal area
        (``focal_work``: {problem area: {"event", "work", "next_step"}}), kept as typed.

        The row is locked and re-read first: once recorded, a follow-up's PHQ-9 is part of the
        record, so a second submission cannot add another.
        """
        with transaction.atomic():
            locked = type(self).objects.select_for_update().get(pk=self.pk)
            if phq9_answers is not None and locked.phq9_id:
                raise TransitionRefused(["A PHQ-9 is already recorded at this follow-up."])
            if phq9_answers is not None:
                self.phq9 = MeasureResponse.record(
                    self.maintenance.course, "phq9", phq9_answers, taken_on=self.held_on,
                    difficulty=difficulty, by=by, refresh_watch=False,
                )  # fmt: skip
            self.recorded_by = by
            self.save()
            for area, text in (focal_work or {}).items():
                if area.course_id != self.maintenance.course_id:
                    raise ValueError("The problem area is not one of this course's.")
                if any(v.strip() for v in text.values()):
                    MaintenanceFocalWork.objects.update_or_create(
                        followup=self, problem_area=area, defaults=text
                    )
                else:
                    MaintenanceFocalWork.objects.filter(followup=self, problem_area=area).delete()
            self.maintenance.course.refresh_watch()


@tracked("followup__maintenance__course__patient")
class MaintenanceFocalWork(models.Model):
    """Maintenance IPT (Frank): each monthly session keeps the acute phase's focal work on the
    agreed problem areas: what happened with the people in the area since the last session
    (the mood-event link), the work done in the session, and the interpersonal step until the
    next one. One row per session and area; an area left blank has none."""

    followup = models.ForeignKey(FollowUp, on_delete=models.CASCADE, related_name="focal_work")
    problem_area = models.ForeignKey(
        "ipt.ProblemArea", on_delete=models.CASCADE, related_name="maintenance_work"
    )
    event = models.TextField(
        "what happened with the people in this area since the last session", blank=True
    )
    work = models.TextField("the work done in this area", blank=True)
    next_step = models.TextField("the interpersonal step until the next session", blank=True)

    class Meta:
        ordering = ["problem_area__created_at", "problem_area_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["followup", "problem_area"], name="maintenance_work_once_per_area"
            )
        ]

    def __str__(self):
        return f"Focal work at {self.followup}: {self.problem_area}"
