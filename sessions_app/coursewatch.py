"""The stored watch of a course: what every list shows about it (sessions_app/watch.py)."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property

from ipt.rules import adherence, flags


class CourseWatch(models.Model):
    """What every list shows about a course, stored so that a list is one indexed query.

    Written only by ``sessions_app.watch.refresh`` from the pure rules. A database trigger on
    every table of the course's record marks the row ``stale`` in the writing transaction;
    the writing model method refreshes it before its transaction ends, and a list refreshes
    any row still stale (a write from the admin or a bulk load) before it reads. Flags that
    only time changes are stored as dates and compared with today in SQL.
    """

    course = models.OneToOneField(
        "ipt.TreatmentCourse", on_delete=models.CASCADE, primary_key=True, related_name="watch"
    )
    stale = models.BooleanField(default=True)
    # The day after the next session date: the adherence checks and the missed-contact count
    # read today's date against session dates, so the row is refreshed once that day comes.
    recheck_on = models.DateField(null=True)
    position = models.PositiveSmallIntegerField(default=0)  # session k of N
    last_held = models.DateField(null=True)
    overdue_from = models.DateField(null=True)  # an active course with no session held since
    misses_in_a_row = models.PositiveSmallIntegerField(default=0)
    contact = models.BooleanField(default=False)
    phq9 = ArrayField(models.SmallIntegerField(), default=list)  # the course's PHQ-9s, oldest first
    baseline_phq9 = models.SmallIntegerField(null=True)
    latest_phq9 = models.SmallIntegerField(null=True)
    phq9_change = models.SmallIntegerField(null=True)
    phq9_overdue = models.BooleanField(default=False)
    off_track = models.BooleanField(default=False)
    deteriorated = ArrayField(models.TextField(), default=list)
    deteriorating = models.BooleanField(default=False)
    risk_kind = models.CharField(max_length=20, blank=True)  # "", "unassessed", "elevated"
    risk_message = models.TextField(blank=True)
    risk_signals = ArrayField(models.TextField(), default=list)  # unanswered, oldest first
    risk_level = models.CharField(max_length=20, blank=True)  # "high" or "imminent", else ""
    # Every adherence check (ipt/rules/adherence.py): {"key", "name", "ok", "message", "sessions"}.
    checks = models.JSONField(default=list)
    gap_count = models.PositiveSmallIntegerField(default=0)
    feedback_open = models.PositiveSmallIntegerField(default=0)  # not yet acknowledged
    last_feedback_at = models.DateTimeField(null=True)
    # Which came first, the focal rating's rise or the PHQ-9's fall (ipt/rules/precedence.py
    # Verdict); "" for a course without focal ratings.
    precedence = models.CharField(max_length=12, blank=True)
    refreshed_at = models.DateTimeField(null=True)

    class Meta:
        indexes = [
            models.Index(fields=["stale"], condition=models.Q(stale=True), name="watch_stale"),
            models.Index(fields=["recheck_on"], name="watch_recheck_on"),
            models.Index(
                fields=["risk_kind"], condition=~models.Q(risk_kind=""), name="watch_at_risk"
            ),
        ]

    def __str__(self):
        return f"Watch of course {self.course_id}"

    def overdue_on(self, day):
        return self.overdue_from is not None and self.overdue_from <= day

    # The names of sessions_app.watch.Watch, for the lists that show either.
    @property
    def overdue(self):
        return self.overdue_on(timezone.localdate())

    @cached_property
    def adherence(self):
        """The adherence summary as stored (what ``adherence.review`` gives from the record)."""
        return adherence.summarise(
            adherence.CheckResult(**{**c, "sessions": tuple(c["sessions"])}) for c in self.checks
        )

    @property
    def gaps(self):
        return self.adherence.gaps

    @property
    def risk(self):
        return flags.RiskFlag(self.risk_kind, self.risk_message) if self.risk_kind else None
