"""Group IPT (WHO model): a group, its facilitators and its members.

Each member is a patient with their own course of variant "group"; what is clinical about a
member stays in that course's record. The group holds only who meets, when and where.
"""

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from groups import rules
from ipt.accounts.models import Role
from ipt.course.models import EndReason, Variant
from ipt.course.steps import initial_phase_steps


class GroupStatus(models.TextChoices):
    FORMING = "forming", "Forming"
    RUNNING = "running", "Running"
    CLOSING = "closing", "Closing"
    ENDED = "ended", "Ended"

    @classmethod
    def open(cls):
        return (cls.FORMING, cls.RUNNING)


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class JoinRefused(Exception):
    def __init__(self, reasons):
        super().__init__(" ".join(reasons))
        self.reasons = reasons


class TherapyGroupQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The lead and co-facilitators see a group; so does the lead's supervisor (read only)."""
        if not user.is_authenticated:
            return self.none()
        if user.role == Role.SUPERVISOR:
            return self.filter(lead__supervisor=user)
        facilitated = TherapyGroup.co_facilitators.through.objects.filter(user=user)
        return self.filter(Q(lead=user) | Q(pk__in=facilitated.values("therapygroup")))


class TherapyGroup(models.Model):
    name = models.CharField(max_length=120)
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="led_groups",
        limit_choices_to={"role": Role.THERAPIST},
        verbose_name="lead facilitator",
    )
    co_facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="co_facilitated_groups",
        help_text="Staff who run the group with the lead; they read and write the members' records.",
    )
    venue = models.CharField(max_length=200, blank=True, help_text="Room or site.")
    video_link = models.URLField(blank=True)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, verbose_name="meets on")
    meets_at = models.TimeField(verbose_name="at")
    planned_sessions = models.PositiveSmallIntegerField(
        default=rules.GROUP_SESSIONS_DEFAULT,
        verbose_name="planned group sessions",
        help_text=f"WHO Group IPT: {rules.GROUP_SESSIONS_DEFAULT}; "
        f"{rules.GROUP_SESSIONS_MIN} to {rules.GROUP_SESSIONS_MAX}.",
    )
    ending_sessions = models.PositiveSmallIntegerField(
        choices=[(1, "The last group session"), (2, "The last two group sessions")],
        default=2,
        verbose_name="termination phase",
        help_text="WHO Group IPT: the last one or two group sessions process the ending.",
    )
    start_date = models.DateField()
    status = models.CharField(
        max_length=10, choices=GroupStatus.choices, default=GroupStatus.FORMING
    )
    member_limit = models.PositiveSmallIntegerField(
        default=rules.MEMBER_LIMIT_DEFAULT,
        help_text=f"WHO Group IPT: {rules.MEMBER_LIMIT_MIN} to {rules.MEMBER_LIMIT_MAX} members.",
    )
    ended_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = TherapyGroupQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    planned_sessions__gte=rules.GROUP_SESSIONS_MIN,
                    planned_sessions__lte=rules.GROUP_SESSIONS_MAX,
                ),
                name="group_sessions_8_to_12",
            ),
            models.CheckConstraint(
                condition=Q(
                    member_limit__gte=rules.MEMBER_LIMIT_MIN,
                    member_limit__lte=rules.MEMBER_LIMIT_MAX,
                ),
                name="group_member_limit_6_to_10",
            ),
            models.CheckConstraint(
                condition=~Q(venue="", video_link=""), name="group_meets_somewhere"
            ),
            models.CheckConstraint(
                condition=Q(ending_sessions__in=(1, 2)), name="group_ending_1_or_2_sessions"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("groups:detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status in GroupStatus.open()

    @property
    def is_ended(self):
        return self.status == GroupStatus.ENDED

    def in_termination_phase(self, number):
        return number > self.planned_sessions - self.ending_sessions

    def facilitated_by(self, user):
        """The lead or a co-facilitator: they run the group and write its members' records."""
        return self.lead_id == user.pk or self.co_facilitators.filter(pk=user.pk).exists()

    def current_members(self):
        return self.members.filter(left_on__isnull=True)

    def candidate(self, course):
        steps = {s.key: s for s in initial_phase_steps(course)}
        return rules.Candidate(
            is_group_course=course.variant == Variant.GROUP,
            is_active=course.is_active,
            already_member=GroupMember.objects.filter(course=course, left_on__isnull=True).exists(),
            steps_missing=tuple(steps[k].title for k in rules.PRE_GROUP_STEPS if not steps[k].done),
        )

    def join_refusals(self, course):
        return rules.join_refusals(
            self.candidate(course),
            group_open=self.is_open,
            members=self.current_members().count(),
            limit=self.member_limit,
        )

    def add_member(self, course, *, by, on=None):
        """Guard -> lock -> re-check -> change: the group row is locked so that two facilitators
        adding the last place at once cannot pass the member limit."""
        if reasons := self.join_refusals(course):
            raise JoinRefused(reasons)
        with transaction.atomic():
            group = TherapyGroup.objects.select_for_update().get(pk=self.pk)
            if reasons := group.join_refusals(course):
                raise JoinRefused(reasons)
            return GroupMember.objects.create(
                group=group, course=course, joined_on=on or timezone.localdate(), added_by=by
            )


class GroupMember(models.Model):
    group = models.ForeignKey(TherapyGroup, on_delete=models.CASCADE, related_name="members")
    course = models.ForeignKey(
        "ipt.TreatmentCourse", on_delete=models.PROTECT, related_name="group_memberships"
    )
    joined_on = models.DateField()
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # Leaving is recorded like an early ending: when, why, a note; never deleted.
    left_on = models.DateField(null=True, blank=True)
    leave_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    leave_note = models.TextField(blank=True)
    # At the group's ending: the member's plan for keeping well, as noted in the group (their
    # relapse-prevention plan itself is in their own course).
    ending_plan = models.TextField("their plan, noted in the group", blank=True)

    class Meta:
        ordering = ["joined_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["course"],
                condition=Q(left_on__isnull=True),
                name="one_current_group_per_course",
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True, leave_reason="")
                | (Q(left_on__isnull=False) & ~Q(leave_reason="")),
                name="leaving_has_date_and_reason",
            ),
        ]

    def __str__(self):
        return f"{self.first_name} in {self.group}"

    @property
    def first_name(self):
        """What the shared group record shows of a member: their first name only."""
        return self.course.patient.full_name.split()[0]

    def leave(self, *, reason, on, note=""):
        with transaction.atomic():
            member = GroupMember.objects.select_for_update().get(pk=self.pk)
            if member.left_on:
                raise JoinRefused(
                    [f"{member.first_name} left the group on {member.left_on:%-d %b %Y}."]
                )
            if on < member.joined_on:
                raise JoinRefused(["A member cannot leave before they joined."])
            member.left_on, member.leave_reason, member.leave_note = on, reason, note
            member.save(update_fields=["left_on", "leave_reason", "leave_note"])
            return member


# Defined in its own module, models of this app all the same.
from groups.correcting import GroupSessionCorrection  # noqa: E402, F401
from groups.ending import GroupEnding  # noqa: E402, F401
from groups.sessions import Attendance, GroupAttendance, GroupSession  # noqa: E402, F401
