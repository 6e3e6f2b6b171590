"""A group session of group IPT and each member's attendance at it.

The group session holds what is shared: its number, date and time, the group's theme and the
facilitators' process notes (cohesion, conflicts between members). What is about one member
belongs to that member's own course record: recording a group session as held writes, for each
current member, a session of their own course (``sessions_app.models.Session``), found on the
same day among the course's planned sessions or else added after its last one, and changed
through the session's own methods: held for a member who came (on time or late), missed for one
who was absent with the reason as its note, the member's mood and PHQ-9 recorded on it, the
interpersonal event they brought as its event and their action for the week as its homework.
So the safety net of an individual course applies to each member with no rule of its own: two
group sessions missed in a row ask for contact, a PHQ-9 item 9 above 0 raises the risk flow,
and the stored watch of each course is refreshed as any session change refreshes it. A member's
course shows their own sessions only; the group record names members by first name.

``GroupAttendance`` is the link: one row per member per group session, naming the member's
session it wrote.
"""

from datetime import datetime, timedelta

import pghistory
from django.conf import settings
from django.db import models, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone

from groups import rules
from ipt.accounts.history import tracked
from ipt.accounts.triggers import append_only
from ipt.course.models import TransitionRefused
from sessions_app.models import Homework, InterpersonalEvent, Session


class Attendance(models.TextChoices):
    PRESENT = rules.PRESENT, "Present"
    LATE = rules.LATE, "Late"
    ABSENT = rules.ABSENT, "Absent"


# The group's shared record has no single patient: its history is kept, outside any one
# member's record history.
@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    obj_field=pghistory.ObjForeignKey(related_name="+", related_query_name="+"),
    model_name="GroupSessionEvent",
    meta={"triggers": append_only("Record history entries")},
)
class GroupSession(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        HELD = "held", "Held"

    group = models.ForeignKey(
        "groups.TherapyGroup", on_delete=models.CASCADE, related_name="group_sessions"
    )
    number = models.PositiveSmallIntegerField()
    scheduled_for = models.DateTimeField("date and time")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    theme = models.CharField("the group's theme", max_length=200, blank=True)
    process_notes = models.TextField(
        "group process: cohesion, members helping members, conflicts between members", blank=True
    )
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    held_at = models.DateTimeField(null=True, blank=True)
    finalised_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The facilitator's fidelity checklist (rules.GROUP_ITEMS; the mood-event link is ticked
    # per member on their attendance row). Filled once the session is held, until finalised.
    checklist_at = models.DateTimeField(null=True, blank=True)
    checklist_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    problem_area_work = models.BooleanField(rules.GROUP_ITEMS["problem_area_work"], default=False)
    members_helped = models.BooleanField(rules.GROUP_ITEMS["members_helped"], default=False)
    action_plans = models.BooleanField(rules.GROUP_ITEMS["action_plans"], default=False)
    checklist_note = models.TextField("anything to talk over with your supervisor", blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["group", "number"], name="group_session_number_unique"),
            models.CheckConstraint(
                condition=Q(status="planned") | Q(held_at__isnull=False),
                name="held_group_session_has_when",
            ),
            models.CheckConstraint(
                condition=Q(finalised_at__isnull=True) | Q(status="held"),
                name="only_held_group_sessions_are_finalised",
            ),
        ]

    def __str__(self):
        return self.label

    def get_absolute_url(self):
        return reverse("groups:session", args=[self.group_id, self.pk])

    @property
    def label(self):
        return f"Group session {self.number} of {self.group.planned_sessions}"

    @property
    def in_termination_phase(self):
        return self.group.in_termination_phase(self.number)

    @property
    def phase_label(self):
        """WHO Group IPT: session 1 is the initial phase, the last one or two (as the group
        agreed) the termination phase."""
        if self.number == 1:
            return "Initial phase"
        if self.in_termination_phase:
            return "Termination phase"
        return "Middle phase"

    @property
    def is_held(self):
        return self.status == self.Status.HELD

    @property
    def is_finalised(self):
        return self.finalised_at is not None

    @property
    def checklist(self):
        """The filled checklist (rules.Checklist), or None before it is filled. Reads the
        session's attendance: prefetch ``attendance`` on lists."""
        if self.checklist_at is None:
            return None
        came = [a for a in self.attendance.all() if a.attendance in rules.CAME]
        return rules.Checklist(
            came=len(came),
            linked=sum(a.mood_event_linked for a in came),
            items={k: getattr(self, k) for k in rules.GROUP_ITEMS},
        )

    # --- after the session: the checklist, corrections, finalising ----------------------------
    def _locked_held(self):
        """Lock the row and re-check that it is held and not finalised."""
        locked = type(self).objects.select_for_update().select_related("group").get(pk=self.pk)
        if not locked.is_held:
            raise TransitionRefused(["This group session is not recorded as held yet."])
        if locked.is_finalised:
            raise TransitionRefused(
                ["This group session is finalised: add an addendum to a member's own session."]
            )
        return locked

    def record_checklist(self, *, linked, items, note, by):
        """The facilitator's fidelity checklist: ``linked`` the attendance rows (ids) of members
        who made the mood-event link, ``items`` the group items ticked. Guard -> lock ->
        re-check -> change (the group session's and the attendance rows' history keep it)."""
        with transaction.atomic():
            locked = self._locked_held()
            came = set(
                locked.attendance.filter(attendance__in=rules.CAME).values_list("pk", flat=True)
            )
            if set(linked) - came:
                raise TransitionRefused(["Only members who came can be ticked."])
            for row in locked.attendance.all():
                if row.mood_event_linked != (row.pk in linked):
                    row.mood_event_linked = row.pk in linked
                    row.save(update_fields=["mood_event_linked"])
            for key in rules.GROUP_ITEMS:
                setattr(locked, key, bool(items.get(key)))
            locked.checklist_note, locked.checklist_at, locked.checklist_by = (
                note,
                timezone.now(),
                by,
            )
            locked.save()
        return locked

    def finalise_refusals(self):
        reasons = []
        if self.checklist_at is None:
            reasons.append("Fill in the fidelity checklist first.")
        for row in self.attendance.select_related("session__course", "member__course__patient"):
            if row.attendance in rules.CAME and not row.session.is_finalised:
                blockers = [
                    b for b in row.session.finalise_blockers() if "already finalised" not in b
                ]
                reasons.extend(f"{row.member.first_name}: {b}" for b in blockers)
        return reasons

    def finalise(self, by):
        """Finalise the group session and, through each member's ``Session.finalise``, the
        session of every member who came (a member's already finalised session is left as
        it is; a missed session is never finalised). All or nothing: one member's open risk
        signal refuses the whole, naming the member."""
        with transaction.atomic():
            locked = self._locked_held()
            if reasons := locked.finalise_refusals():
                raise TransitionRefused(reasons)
            now = timezone.now()
            for row in locked.attendance.select_related("session__course"):
                if row.attendance in rules.CAME and not row.session.is_finalised:
                    row.session.finalise(by, at=now)
            locked.finalised_at, locked.finalised_by = now, by
            locked.save(update_fields=["finalised_at", "finalised_by"])
        self.finalised_at, self.finalised_by = locked.finalised_at, by
        return locked

    def correct(self, entries, *, theme, process_notes, reason, by):
        from groups.correcting import correct

        return correct(
            self, entries, theme=theme, process_notes=process_notes, reason=reason, by=by
        )

    # --- planning ---------------------------------------------------------------------------
    @staticmethod
    def plan_refusals(group, sessions):
        from groups.models import GroupStatus

        reasons = []
        if group.status == GroupStatus.ENDED:
            reasons.append("The group has ended: no more group sessions are planned.")
        if any(s.status == GroupSession.Status.PLANNED for s in sessions):
            reasons.append("The next group session is already planned: record it first.")
        if len(sessions) >= group.planned_sessions:
            reasons.append(f"All {group.planned_sessions} group sessions are planned.")
        return reasons

    @classmethod
    def plan_next(cls, group):
        """Guard -> lock -> re-check -> create: the next weekly group session, a week after
        the last one (the first on the group's weekday from its start date)."""
        if reasons := cls.plan_refusals(group, list(group.group_sessions.all())):
            raise TransitionRefused(reasons)
        with transaction.atomic():
            locked = type(group).objects.select_for_update().get(pk=group.pk)
            sessions = list(locked.group_sessions.all())
            if reasons := cls.plan_refusals(locked, sessions):
                raise TransitionRefused(reasons)
            if sessions:
                when = sessions[-1].scheduled_for + timedelta(weeks=1)
            else:
                start = locked.start_date
                first = start + timedelta(days=(locked.weekday - start.weekday()) % 7)
                when = datetime.combine(
                    first, locked.meets_at, tzinfo=timezone.get_current_timezone()
                )
            from groups.models import GroupStatus

            planned = cls.objects.create(group=locked, number=len(sessions) + 1, scheduled_for=when)
            if locked.in_termination_phase(planned.number) and locked.status != GroupStatus.CLOSING:
                # The ending is in sight: the group takes no new members from now on.
                locked.status = GroupStatus.CLOSING
                locked.save(update_fields=["status"])
            return planned

    # --- recording it as held ---------------------------------------------------------------
    def hold_refusals(self, entries, today):
        reasons = []
        if self.is_held:
            reasons.append("This group session is already recorded as held.")
        if timezone.localtime(self.scheduled_for).date() > today:
            reasons.append(
                f"{self.label} is planned for {timezone.localtime(self.scheduled_for):%-d %b %Y}:"
                " it is recorded on the day."
            )
        current = self.group.current_members().values_list("pk", flat=True)
        reasons.extend(rules.members_refusals([e["member"].pk for e in entries], current))
        for entry in entries:
            if errors := rules.entry_errors(**{k: entry.get(k) for k in ENTRY_FIELDS}):
                reasons.append(f"{entry['member'].first_name}: " + " ".join(errors.values()))
        return reasons

    def hold(self, entries, *, theme, process_notes, by, today=None):
        """Record the group session as held: guard -> lock -> re-check -> change -> record.

        ``entries``: one dict per current member (member, attendance, reason, mood, phq9,
        event, action). Each member's own course session is written as the module says."""
        today = today or timezone.localdate()
        if reasons := self.hold_refusals(entries, today):
            raise TransitionRefused(reasons)
        with transaction.atomic():
            locked = type(self).objects.select_for_update().select_related("group").get(pk=self.pk)
            if reasons := locked.hold_refusals(entries, today):
                raise TransitionRefused(reasons)
            for entry in entries:
                locked._record_member(entry, by=by, today=today)
            locked.status, locked.held_by, locked.held_at = self.Status.HELD, by, timezone.now()
            locked.theme, locked.process_notes = theme, process_notes
            locked.save()
        self.__dict__.update(
            {f: getattr(locked, f) for f in ("status", "held_by_id", "held_at", "theme")}
        )
        return locked

    def _member_session(self, course):
        """The member's own session of this day (planned, not finalised), else a new one."""
        day = timezone.localtime(self.scheduled_for).date()
        planned = course.sessions.filter(
            scheduled_for__date=day, status=Session.Status.PLANNED, finalised_at__isnull=True
        ).first()
        if planned:
            if planned.scheduled_for != self.scheduled_for:
                planned.reschedule(self.scheduled_for)
            return planned
        last = course.sessions.aggregate(n=Max("number"))["n"] or 0
        return Session.objects.create(
            course=course, number=last + 1, scheduled_for=self.scheduled_for
        )

    def _record_member(self, entry, *, by, today):
        member = entry["member"]
        course = member.course
        with course.changing():
            session = self._member_session(course)
            came = entry["attendance"] in rules.CAME
            if came:
                note = (
                    "Came late to the group session." if entry["attendance"] == rules.LATE else ""
                )
                session.set_status(Session.Status.HELD, note, today=today)
            else:
                session.set_status(Session.Status.MISSED, entry["reason"].strip(), today=today)
            if came and entry.get("mood") is not None:
                session.record_mood(entry["mood"])
            if came and entry.get("phq9"):
                session.record_phq9(rules.parse_phq9(entry["phq9"]), by=by)
            if came and entry.get("event", "").strip():
                InterpersonalEvent.objects.create(
                    session=session, what_happened=entry["event"].strip(), focal=True
                )
            if came and entry.get("action", "").strip():
                Homework.objects.create(
                    set_in=session, action=entry["action"].strip(),
                    due_by=timezone.localtime(self.scheduled_for).date() + timedelta(days=6),
                )  # fmt: skip
            GroupAttendance.objects.create(
                group_session=self, member=member, attendance=entry["attendance"],
                reason="" if came else entry["reason"].strip(), session=session,
            )  # fmt: skip


ENTRY_FIELDS = ("attendance", "reason", "mood", "phq9", "event", "action")


@tracked("member__course__patient")
class GroupAttendance(models.Model):
    group_session = models.ForeignKey(
        GroupSession, on_delete=models.CASCADE, related_name="attendance"
    )
    member = models.ForeignKey(
        "groups.GroupMember", on_delete=models.PROTECT, related_name="attendance"
    )
    attendance = models.CharField(max_length=10, choices=Attendance.choices)
    reason = models.CharField("reason for absence", max_length=300, blank=True)
    mood_event_linked = models.BooleanField(rules.LINK_ITEM, default=False)
    session = models.OneToOneField(
        "sessions_app.Session", on_delete=models.PROTECT, related_name="group_attendance",
        help_text="The session of the member's own course this group session wrote.",
    )  # fmt: skip

    class Meta:
        ordering = ["member__joined_on", "member__pk"]
        verbose_name_plural = "group attendance"
        constraints = [
            models.UniqueConstraint(
                fields=["group_session", "member"], name="one_attendance_per_member"
            ),
            models.CheckConstraint(
                condition=~Q(attendance="absent") | ~Q(reason=""),
                name="absence_has_a_reason",
            ),
        ]

    def __str__(self):
        return f"{self.member.first_name}: {self.get_attendance_display()}"
