"""Supervision: feedback and ratings of how IPT is delivered. Supervisors never edit records."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from ipt.course.models import TreatmentCourse


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
    """A supervisor's 1-5 rating of one key IPT element of a session."""

    class Element(models.TextChoices):
        MOOD_AND_EVENTS = "mood_and_events", "Mood linked to interpersonal events"
        FOCAL_AREA = "focal_area", "Work on the focal problem area"
        TECHNIQUES = "techniques", "Use of IPT techniques (e.g. communication analysis)"
        HOMEWORK = "homework", "Homework set and reviewed"
        STANCE = "stance", "Therapeutic stance: active, engaged ally"

    session = models.ForeignKey(
        "sessions_app.Session", on_delete=models.CASCADE, related_name="ratings"
    )
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
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
        ]

    def __str__(self):
        return f"{self.get_element_display()}: {self.score}"
