"""Each meeting of a course: planned from the contract, then held, missed or cancelled.

sessions_app knows the course (ipt); the course never reaches into a session's internals.
"""

from datetime import datetime, timedelta

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from ipt.accounts.history import tracked
from ipt.accounts.triggers import Refuse, RefuseInFinalised, append_only, kept_with_session
from ipt.course.models import TransitionRefused
from ipt.initial.models import ProblemArea
from ipt.measures.models import MeasureResponse
from ipt.rules import risk
from ipt.typed import MAX_NOTE_LENGTH, UnsaveableText, clean_typed_text  # noqa: F401


class Technique(models.TextChoices):
    COMMUNICATION_ANALYSIS = "communication_analysis", "Communication analysis"
    ROLE_PLAY = "role_play", "Role play"
    DECISION_ANALYSIS = "decision_analysis", "Decision analysis"
    ENCOURAGEMENT_OF_AFFECT = "encouragement_of_affect", "Encouragement of affect"
    CLARIFICATION = "clarification", "Clarification"
    EXPLORATORY_QUESTIONS = "exploratory_questions", "Exploratory questions"
    THERAPEUTIC_RELATIONSHIP = "therapeutic_relationship", "Use of the therapeutic relationship"


class EditConflict(Exception):
    """Another tab saved this field since this one loaded it; nothing was overwritten."""

    def __init__(self, current_value, current_version):
        self.current_value = current_value
        self.current_version = current_version
        super().__init__("This text was changed in another window.")


LOCKED_MESSAGE = "This session is finalised: add a dated addendum instead."


class SessionLocked(TransitionRefused):
    """A finalised session is not edited; later changes are dated addenda."""

    def __init__(self, message):
        super().__init__([message])


class Autosaved(models.Model):
    """Text fields saved as they are typed, each with its own version for conflict checks.

    ``versions`` maps a field name to how many times it has been saved. A save names the version
    it started from: if another tab saved the field since, the save is refused with both texts
    so the therapist can choose. Fields are versioned separately so that two tabs working on
    different parts of the same session never get in each other's way.
    """

    AUTOSAVE_FIELDS: tuple[str, ...] = ()

    versions = models.JSONField(default=dict, editable=False)

    class Meta:
        abstract = True

    @property
    def pk_str(self):
        # Templates build autosave targets such as "event:12" with the add filter.
        return str(self.pk)

    def version_of(self, field):
        return self.versions.get(field, 0)

    def session_for_lock(self):
        return self.session

    def autosave(self, field, value, base_version, base_text=None):
        if field not in self.AUTOSAVE_FIELDS:
            raise ValueError(f"{field} is not saved as it is typed.")
        value = clean_typed_text(self._meta.get_field(field), value)
        with transaction.atomic():
            obj = type(self).objects.select_for_update().get(pk=self.pk)
            if obj.session_for_lock().is_finalised:
                raise SessionLocked(LOCKED_MESSAGE)
            current = obj.version_of(field)
            stored = getattr(obj, field)
            # A conflict is a real second writer: the server holds a text this page never saw.
            # The same text saved again (a retried save whose answer was lost), or a server
            # still holding what this page last knew (a page restored with an old version
            # number), is no conflict.
            unseen = base_text is None or stored != clean_typed_text(
                self._meta.get_field(field), base_text
            )
            if base_version != current and stored != value and unseen:
                raise EditConflict(stored, current)
            if getattr(obj, field) != value:
                setattr(obj, field, value)
                obj.versions[field] = current + 1
                obj.save(update_fields=[field, "versions", *obj.extra_autosave_updates()])
            self.__dict__.update({field: value, "versions": obj.versions})
            return obj.version_of(field)

    def extra_autosave_updates(self):
        return []


class SessionQuerySet(models.QuerySet):
    def counted(self):
        """Sessions that take a place in the course: all but those cancelled by the clinic."""
        return self.exclude(status=Session.Status.CANCELLED)


@tracked("course__patient")
class Session(Autosaved):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        HELD = "held", "Held"
        MISSED = "missed", "Missed (did not attend)"
        CANCELLED = "cancelled", "Cancelled"

    class HomeworkOutcome(models.TextChoices):
        DONE = "done", "Done"
        PARTLY = "partly", "Partly done"
        NOT_DONE = "not_done", "Not done"

    AUTOSAVE_FIELDS = (
        "mood_context",
        "focal_notes",
        "role_play_notes",
        "notes",
        "ending_feelings",
        "takes_forward",
    )

    course = models.ForeignKey(
        "ipt.TreatmentCourse", on_delete=models.CASCADE, related_name="sessions"
    )
    number = models.PositiveSmallIntegerField()
    scheduled_for = models.DateTimeField("date and time")
    rescheduled_from = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    status_note = models.CharField("reason", max_length=300, blank=True)

    mood_rating = models.PositiveSmallIntegerField(
        "mood (0 = worst, 10 = best)", null=True, blank=True
    )
    phq9 = models.OneToOneField(
        "ipt.MeasureResponse",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="session",
    )
    mood_context = models.TextField(
        "how the patient has felt, and what happened with the people in the focal area", blank=True
    )
    focal_notes = models.TextField("work on the focal area: progress towards the goals", blank=True)
    techniques = ArrayField(
        models.CharField(max_length=40, choices=Technique.choices), default=list, blank=True
    )
    role_play_notes = models.TextField("role play", blank=True)
    notes = models.TextField("session notes", blank=True)
    ending_feelings = models.TextField("feelings about ending", blank=True)
    takes_forward = models.TextField("what the patient takes forward", blank=True)

    finalised_at = models.DateTimeField(null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(
                fields=["course", "number"], name="session_number_unique_in_course"
            ),
            models.CheckConstraint(
                condition=models.Q(mood_rating__isnull=True) | models.Q(mood_rating__lte=10),
                name="mood_rating_0_to_10",
            ),
            models.CheckConstraint(
                condition=models.Q(finalised_at__isnull=True) | models.Q(status="held"),
                name="only_held_sessions_are_finalised",
            ),
        ]
        # A finalised session is part of the record: only its "last touched" time may move
        # (corrections are addenda).
        triggers = [
            Refuse(
                name="finalised_session_unchanged",
                operation=pgtrigger.Update,
                condition=pgtrigger.Condition(
                    "OLD.finalised_at IS NOT NULL AND (to_jsonb(OLD) - 'updated_at')"
                    " IS DISTINCT FROM (to_jsonb(NEW) - 'updated_at')"
                ),
                message="A finalised session cannot be changed; add an addendum instead.",
            ),
            Refuse(
                name="finalised_session_kept",
                operation=pgtrigger.Delete,
                condition=pgtrigger.Q(old__finalised_at__isnull=False),
                message="A finalised session cannot be deleted.",
            ),
        ]

    def __str__(self):
        return f"Session {self.number} of {self.course.planned_sessions}"

    def get_absolute_url(self):
        return reverse("sessions_app:detail", args=[self.pk])

    def session_for_lock(self):
        return self

    def extra_autosave_updates(self):
        return ["updated_at"]

    @property
    def is_finalised(self):
        return self.finalised_at is not None

    @property
    def label(self):
        return f"Session {self.number} of {self.course.planned_sessions}"

    @property
    def phase_label(self):
        if self.number <= self.course.initial_phase_sessions:
            return "Initial phase"
        if self.number > self.course.planned_sessions - 3:
            return "Ending approaches"
        return "Middle phase"

    # --- what is done during the hour (each guarded by the view's lock on finalised sessions)
    def set_status(self, status, note="", *, today=None):
        """Planned, held, missed or cancelled. A session still to come cannot have been held or
        missed (reschedule it instead); a held session's status can be corrected until it is
        finalised (the view refuses changes to a finalised one)."""
        today = today or timezone.localdate()
        if status in (self.Status.HELD, self.Status.MISSED) and (
            timezone.localtime(self.scheduled_for).date() > today
        ):
            raise TransitionRefused(
                [
                    f"{self.label} is planned for "
                    f"{timezone.localtime(self.scheduled_for):%-d %b %Y}: it cannot be marked "
                    f"{self.Status(status).label.lower()} before then. Reschedule it if it took "
                    "place on another day."
                ]
            )
        self._change(status=status, status_note=note)

    def reschedule(self, when):
        """Move the session; the first date it was planned for is kept."""
        self._change(
            rescheduled_from=self.rescheduled_from or self.scheduled_for, scheduled_for=when
        )

    def _locked_open(self):
        """Lock the session's row and re-check, inside the transaction, that it is not
        finalised: a change racing "Finalise" in another tab is refused, never half-made."""
        locked = type(self).objects.select_for_update().only("finalised_at", "phq9").get(pk=self.pk)
        if locked.is_finalised:
            raise SessionLocked(LOCKED_MESSAGE)
        return locked

    def _change(self, **fields):
        with transaction.atomic():
            self._locked_open()
            for name, value in fields.items():
                setattr(self, name, value)
            self.save(update_fields=[*fields, "updated_at"])
            self.course.refresh_watch()

    def record_phq9(self, answers, *, by, difficulty=None):
        """The session's PHQ-9, dated the day of the session; once. The session row is locked
        and re-read, so a double submission records one PHQ-9, never an orphan second one."""
        with transaction.atomic():
            locked = self._locked_open()
            if locked.phq9_id is not None:
                raise TransitionRefused(["A PHQ-9 is already recorded for this session."])
            self.phq9 = MeasureResponse.record(
                self.course, "phq9", answers, taken_on=timezone.localtime(self.scheduled_for).date(),
                by=by, difficulty=difficulty, refresh_watch=False,
            )  # fmt: skip
            self.save(update_fields=["phq9", "updated_at"])
            self.course.refresh_watch()
        return self.phq9

    def record_mood(self, rating):
        self._change(mood_rating=rating)

    @property
    def takes_focal_rating(self):
        """IPT middle phase: the patient rates each focal area at every session after the
        initial phase (Goal-Based-Outcomes style)."""
        return self.number > self.course.initial_phase_sessions

    def record_focal_rating(self, area, rating):
        FocalRating.record(self, area, rating)

    def finalise_blockers(self):
        """Why this session cannot be finalised now, in words (an empty list: it can)."""
        reasons = []
        if self.status != Session.Status.HELD:
            reasons.append("Only a session that was held is finalised: mark it as held first.")
        # IPT: a session is not closed over an unanswered risk signal of its course.
        course = type(self.course).objects.with_initial_phase().get(pk=self.course_id)
        reasons.extend(risk.closing_blockers(course.risk_state()))
        if self.is_finalised:
            reasons.append("This session is already finalised.")
        return reasons

    def finalise(self, by, at=None):
        """Lock the session's record; later changes are dated addenda.

        Guard, lock, re-check, change: the row is locked and the guard read again inside the
        transaction, so two clicks (or two tabs) finalise it once and the second is refused.
        """
        with transaction.atomic():
            locked = (
                type(self)
                .objects.select_for_update(of=("self",))
                .select_related("phq9")
                .get(pk=self.pk)
            )
            if reasons := locked.finalise_blockers():
                raise TransitionRefused(reasons)
            self.finalised_at = at or timezone.now()
            self.finalised_by = by
            self.save(update_fields=["finalised_at", "finalised_by", "updated_at"])
            self.course.refresh_watch()

    def change_dispute_stage(self, area, stage):
        """Record the dispute's stage as reassessed in this session (IPT: the stage is judged
        anew as therapy goes on). A stage that is not a stage, or unchanged, records nothing."""
        if stage not in ProblemArea.DisputeStage.values or stage == area.dispute_stage:
            return False
        with transaction.atomic():
            DisputeStageChange.objects.create(problem_area=area, session=self, stage=stage)
            area.dispute_stage = stage
            area.save(update_fields=["dispute_stage"])
            self.course.refresh_watch()
        return True

    @classmethod
    def plan_course(cls, course, *, weekday, at, start):
        """Weekly sessions from the contract's schedule, numbered 1..N across the whole course."""
        first = start + timedelta(days=(weekday - start.weekday()) % 7)
        existing = set(course.sessions.values_list("number", flat=True))
        tz = timezone.get_current_timezone()
        with course.changing():
            return cls.objects.bulk_create(
                cls(
                    course=course,
                    number=n,
                    scheduled_for=datetime.combine(first + timedelta(weeks=n - 1), at, tzinfo=tz),
                )
                for n in range(1, course.planned_sessions + 1)
                if n not in existing
            )


@tracked("session__course__patient")
class InterpersonalEvent(Autosaved):
    """Since last session: what happened with someone, and how the patient felt."""

    AUTOSAVE_FIELDS = ("what_happened", "feelings")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="events")
    person = models.ForeignKey(
        "ipt.InventoryPerson", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    what_happened = models.TextField("what happened", blank=True)
    feelings = models.TextField("how the patient felt", blank=True)
    focal = models.BooleanField("related to the focal area", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        triggers = [kept_with_session()]

    def __str__(self):
        return self.what_happened[:60] or "Interpersonal event"


@tracked("set_in__course__patient")
class Homework(Autosaved):
    """IPT homework: a concrete interpersonal action for the coming week, reviewed next time."""

    AUTOSAVE_FIELDS = ("action", "with_whom", "review_notes")

    set_in = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="homework_set")
    action = models.TextField("the action", blank=True)
    person = models.ForeignKey(
        "ipt.InventoryPerson", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    with_whom = models.CharField("with whom", max_length=200, blank=True)
    due_by = models.DateField("by when", null=True, blank=True)
    reviewed_in = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="homework_reviewed"
    )
    outcome = models.CharField(max_length=20, choices=Session.HomeworkOutcome.choices, blank=True)
    review_notes = models.TextField("what happened", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "homework"
        # Homework belongs to the session that set it until it is reviewed, then to the session
        # that reviewed it (the review is part of that session): as session_for_lock says.
        triggers = [
            RefuseInFinalised(
                name="kept_with_finalised_session",
                sessions="sessions_app_session",
                on_insert="COALESCE(NEW.reviewed_in_id, NEW.set_in_id)",
                on_update="COALESCE(NEW.reviewed_in_id, NEW.set_in_id)",
                was_update="OLD.reviewed_in_id",
                was_delete="COALESCE(OLD.reviewed_in_id, OLD.set_in_id)",
            )
        ]

    def __str__(self):
        return self.action[:60] or "Homework"

    @property
    def session(self):
        return self.set_in

    def review(self, outcome, *, in_session):
        """Last week's homework reviewed in this session: done, partly or not (else nothing)."""
        if outcome not in Session.HomeworkOutcome.values:
            return False
        self.outcome, self.reviewed_in = outcome, in_session
        self.save(update_fields=["outcome", "reviewed_in"])
        return True

    def session_for_lock(self):
        # Reviewing last week's homework is part of this week's (unfinalised) session.
        return self.reviewed_in or self.set_in


@tracked("session__course__patient")
class CommunicationAnalysis(Autosaved):
    """IPT communication analysis, in its four steps."""

    AUTOSAVE_FIELDS = ("scene", "verbatim", "intended", "impact", "alternatives")
    STEPS = (
        ("scene", "1. Scene setting", "Where and when was it, what was the mood, who was there?"),
        (
            "verbatim",
            "2. What was said",
            "The exact words, tone of voice and body language, as close as the patient can recall.",
        ),
        (
            "intended",
            "3a. What the patient meant",
            "What did the patient want the other person to understand?",
        ),
        (
            "impact",
            "3b. The impact",
            "How did it land with the other person? Where did intention and impact part?",
        ),
        (
            "alternatives",
            "4. Alternatives",
            "Other ways to say it, found together; which to try, and was it role-played?",
        ),
    )

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="communication_analyses"
    )
    person = models.ForeignKey(
        "ipt.InventoryPerson", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    scene = models.TextField(blank=True)
    verbatim = models.TextField(blank=True)
    intended = models.TextField(blank=True)
    impact = models.TextField(blank=True)
    alternatives = models.TextField(blank=True)
    role_played = models.BooleanField("alternative role-played", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "communication analyses"
        triggers = [kept_with_session()]

    def __str__(self):
        return (
            f"Communication analysis with {self.person}"
            if self.person
            else "Communication analysis"
        )


class DisputeStageChange(models.Model):
    """IPT: the stage of a role dispute is reassessed as therapy goes on."""

    problem_area = models.ForeignKey("ipt.ProblemArea", on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="dispute_stage_changes"
    )
    stage = models.CharField(max_length=20)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self):
        return self.stage


class Addendum(models.Model):
    """A dated addition to a finalised session: the original record is never changed."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="addenda")
    text = models.TextField("addendum")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = "addenda"
        triggers = append_only("Addenda")

    def __str__(self):
        return f"Addendum of {self.at:%-d %b %Y}"


# Defined in its own module, a model of this app all the same.
from sessions_app.calendarfeed.models import CalendarFeed  # noqa: E402, F401
from sessions_app.coursewatch import CourseWatch  # noqa: E402, F401
from sessions_app.focal import FocalRating  # noqa: E402
from sessions_app.focalwork import DecisionAnalysis, StrategyNote  # noqa: E402, F401
from sessions_app.parentsessions import ParentSession  # noqa: E402, F401
from sessions_app.reminders import SessionReminder  # noqa: E402, F401
from sessions_app.selfreport.models import (  # noqa: E402, F401
    QuestionnaireEvent,
    QuestionnaireLink,
    RateCounter,
)
