"""Supervision: feedback and ratings of how IPT is delivered. Supervisors never edit records."""

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from ipt.course.models import TreatmentCourse
from ipt.supervision import fidelity


class SupervisionFeedback(models.Model):
    """A supervisor's feedback on a course, or on one session of it; the therapist acknowledges."""

    course = models.ForeignKey(TreatmentCourse, on_delete=models.CASCADE, related_name="feedback")
    session = models.ForeignKey(
        "sessions_app.Session",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="feedback",
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField("feedback")
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Feedback of {self.created_at:%-d %b %Y}"

    @classmethod
    def give(cls, course, session, *, author, text):
        with course.changing():
            return cls.objects.create(course=course, session=session, author=author, text=text)

    def acknowledge(self):
        """Once: the first acknowledgement's time stands, however many clicks or tabs."""
        if self.acknowledged_at is None:
            with self.course.changing():
                type(self).objects.filter(pk=self.pk, acknowledged_at__isnull=True).update(
                    acknowledged_at=timezone.now()
                )
            self.refresh_from_db(fields=["acknowledged_at"])


class SessionRating(models.Model):
    """A 1-5 rating of one item of the IPT fidelity scale (fidelity.ITEMS) for one session:
    by the therapist's supervisor, or the treating therapist's self-rating (one per session).

    Ratings given before the anchored scale keep their rows: the items carry the earlier
    elements' keys, so they are read on the anchored items (see fidelity.py)."""

    Element = models.TextChoices(
        "Element", [(i.key.upper(), (i.key, i.label)) for i in fidelity.ITEMS]
    )

    session = models.ForeignKey(
        "sessions_app.Session", on_delete=models.CASCADE, related_name="ratings"
    )
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    by_therapist = models.BooleanField("self-rating by the treating therapist", default=False)
    element = models.CharField(max_length=30, choices=Element.choices)
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["element"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="rating_1_to_5"
            ),
            models.UniqueConstraint(
                fields=["session", "rater", "element"], name="one_rating_per_element"
            ),
            models.UniqueConstraint(
                fields=["session", "element"],
                condition=models.Q(by_therapist=True),
                name="one_self_rating_per_session",
            ),
        ]

    def __str__(self):
        return f"{self.get_element_display()}: {self.score}"

    @classmethod
    def record(cls, session, *, rater, by_therapist, ratings, drift):
        """Save one rater's ratings of a held session: ``ratings`` {item: (score, comment)},
        ``drift`` (level, seen) or None. Guard, lock the session, re-check, write."""
        from sessions_app.models import Session

        if session.status != Session.Status.HELD:
            raise ValueError("Only a session that was held can be rated.")
        with transaction.atomic():
            locked = Session.objects.select_for_update().get(pk=session.pk)
            if locked.status != Session.Status.HELD:
                raise ValueError("Only a session that was held can be rated.")
            if by_therapist:
                # One self-rating per session: a therapist who took the course over replaces it.
                cls.objects.filter(session=locked, by_therapist=True).exclude(rater=rater).delete()
                DriftRating.objects.filter(session=locked, by_therapist=True).exclude(
                    rater=rater
                ).delete()
            for element, (score, comment) in ratings.items():
                cls.objects.update_or_create(
                    session=locked,
                    rater=rater,
                    element=element,
                    defaults={"score": score, "comment": comment, "by_therapist": by_therapist},
                )
            if drift is not None:
                level, seen = drift
                DriftRating.objects.update_or_create(
                    session=locked,
                    rater=rater,
                    defaults={"level": level, "seen": seen, "by_therapist": by_therapist},
                )

    @staticmethod
    def record_facts(session):
        """What the session's record shows, for the self-rating's suggestions."""
        from sessions_app.models import Homework

        events = list(session.events.all())
        analyses = list(session.communication_analyses.all())
        steps = ("scene", "verbatim", "impact", "alternatives")
        full = sum(all(getattr(a, f).strip() for f in steps) for a in analyses)
        partial = sum(any(getattr(a, f).strip() for f in steps) for a in analyses) - full
        homework = list(session.homework_set.all())
        return fidelity.RecordFacts(
            mood_measured=session.phq9_id is not None or session.mood_rating is not None,
            events=len(events),
            focal_events=sum(e.focal for e in events),
            focal_work=bool(session.focal_notes.strip() or session.techniques),
            analyses_full=full,
            analyses_partial=partial,
            homework_set=len(homework),
            homework_with_person=sum(bool(h.person_id or h.with_whom.strip()) for h in homework),
            homework_reviewed=Homework.objects.filter(reviewed_in=session).count(),
        )

    @classmethod
    def scores(cls, session, *, by_therapist, rater=None):
        """{item: score} of the self-rating, or of one supervisor's rating."""
        rows = cls.objects.filter(session=session, by_therapist=by_therapist)
        if rater is not None:
            rows = rows.filter(rater=rater)
        return {r.element: r.score for r in rows}


class DriftRating(models.Model):
    """The drift item of the fidelity scale: how much non-IPT work was seen, and what."""

    class Level(models.TextChoices):
        NONE = "none", "None"
        SOME = "some", "Some"
        SUBSTANTIAL = "substantial", "Substantial"

    session = models.ForeignKey(
        "sessions_app.Session", on_delete=models.CASCADE, related_name="drift_ratings"
    )
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    by_therapist = models.BooleanField("self-rating by the treating therapist", default=False)
    level = models.CharField("non-IPT interventions seen", max_length=12, choices=Level.choices)
    seen = models.TextField("what was seen", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "rater"], name="one_drift_per_rater"),
            models.UniqueConstraint(
                fields=["session"],
                condition=models.Q(by_therapist=True),
                name="one_self_drift_per_session",
            ),
        ]

    def __str__(self):
        return f"Non-IPT interventions: {self.get_level_display()}"
