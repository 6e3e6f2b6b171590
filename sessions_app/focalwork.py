"""Focal work in the problem area: strategy notes per session, and decision analysis.

Models of sessions_app (imported at the foot of sessions_app/models.py).
"""

from django.db import models, transaction

from ipt.accounts.history import tracked
from ipt.accounts.triggers import kept_with_session
from sessions_app import strategies
from sessions_app.models import LOCKED_MESSAGE, Autosaved, Homework, SessionLocked, Technique


class StrategyNoteQuerySet(models.QuerySet):
    def worked_on_before(self, session):
        """The course's strategy notes with text, from sessions before this one: one query,
        however many sessions the course has."""
        return (
            self.filter(session__course_id=session.course_id, session__number__lt=session.number)
            .exclude(text="")
            .values_list("problem_area_id", "key", "session__number", "session__scheduled_for")
        )

    def worked_on_in(self, course_id):
        return (
            self.filter(session__course_id=course_id)
            .exclude(text="")
            .values_list("problem_area_id", "key", "session__number", "session__scheduled_for")
        )


def by_area(rows):
    """(area id, key, number, when) rows -> {area id: [(key, number, date), ...]}."""
    out = {}
    for area_id, key, number, when in rows:
        out.setdefault(area_id, []).append((key, number, when.date()))
    return out


@tracked("session__course__patient")
class StrategyNote(Autosaved):
    """What was done in one session on one strategy of a problem area (sessions_app/strategies)."""

    AUTOSAVE_FIELDS = ("text",)

    session = models.ForeignKey(
        "sessions_app.Session", on_delete=models.CASCADE, related_name="strategy_notes"
    )
    problem_area = models.ForeignKey(
        "ipt.ProblemArea", on_delete=models.CASCADE, related_name="strategy_notes"
    )
    key = models.CharField("strategy", max_length=40)
    text = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = StrategyNoteQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "problem_area", "key"], name="one_strategy_note_per_session"
            )
        ]
        # A finalised session's notes are kept by the database too (no person link to clear).
        triggers = [kept_with_session(person_column=None)]

    def __str__(self):
        return strategies.strategy_title(self.problem_area.area, self.key)

    @classmethod
    def for_writing(cls, session, area, key):
        """The note to type into: created on the first keystroke, for a strategy of the area."""
        if key not in {s.key for s in strategies.strategies_for(area.area)}:
            raise ValueError(f"{key} is not a strategy of {area}.")
        note, _ = cls.objects.get_or_create(session=session, problem_area=area, key=key)
        return note


@tracked("session__course__patient")
class DecisionAnalysis(Autosaved):
    """IPT decision analysis: the decision, the options with their consequences for the patient
    and for the other person, the choice and the first step (often the new homework)."""

    OPTIONS = 3
    AUTOSAVE_FIELDS = (
        "decision",
        *(f"option_{n}{part}" for n in range(1, OPTIONS + 1) for part in ("", "_self", "_other")),
        "choice",
        "first_step",
    )

    session = models.ForeignKey(
        "sessions_app.Session", on_delete=models.CASCADE, related_name="decision_analyses"
    )
    person = models.ForeignKey(
        "ipt.InventoryPerson", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decision = models.TextField("the decision to be made", blank=True)
    option_1 = models.TextField("option 1", blank=True)
    option_1_self = models.TextField("consequences for the patient", blank=True)
    option_1_other = models.TextField("consequences for the other person", blank=True)
    option_2 = models.TextField("option 2", blank=True)
    option_2_self = models.TextField("consequences for the patient", blank=True)
    option_2_other = models.TextField("consequences for the other person", blank=True)
    option_3 = models.TextField("option 3", blank=True)
    option_3_self = models.TextField("consequences for the patient", blank=True)
    option_3_other = models.TextField("consequences for the other person", blank=True)
    choice = models.TextField("the option chosen, and why", blank=True)
    first_step = models.TextField("the first step", blank=True)
    homework = models.ForeignKey(
        Homework, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "decision analyses"
        triggers = [kept_with_session()]

    def __str__(self):
        return self.decision[:60] or "Decision analysis"

    @property
    def options(self):
        """The option slots, each (n, option field, for the patient, for the other person)."""
        return [
            (n, f"option_{n}", f"option_{n}_self", f"option_{n}_other")
            for n in range(1, self.OPTIONS + 1)
        ]

    def make_homework(self):
        """The first step becomes the session's new homework, with the same person; once.

        Guard, lock, re-check, change: a double click sets one homework."""
        with transaction.atomic():
            locked = type(self).objects.select_for_update().get(pk=self.pk)
            if self.session.is_finalised:
                raise SessionLocked(LOCKED_MESSAGE)
            if locked.homework_id is not None:
                return locked.homework
            if not locked.first_step.strip():
                raise ValueError("Write the first step before making it the homework.")
            homework = Homework.objects.create(
                set_in=self.session, action=locked.first_step.strip(), person=locked.person
            )
            locked.homework = homework
            locked.save(update_fields=["homework"])
            session = self.session
            if Technique.DECISION_ANALYSIS not in session.techniques:
                session.techniques = [*session.techniques, Technique.DECISION_ANALYSIS]
                session.save(update_fields=["techniques", "updated_at"])
            session.course.refresh_watch()
            self.homework = homework
            return homework
