"""The focal-relationship rating: the patient's 0-10 of how things are in each focal area.

Goal-Based-Outcomes style: at each middle session the patient says, for each agreed problem
area, where things stand now (0 = as bad as they could be, 10 = as good as they could be).
IPT predicts that interpersonal functioning improves before symptoms do; these ratings, set
beside the PHQ-9, let the course show whether it did (ipt/rules/precedence.py).
"""

from django.db import models, transaction

from ipt.accounts.history import tracked
from ipt.accounts.triggers import kept_with_session

SCALE = range(11)


@tracked("session__course__patient")
class FocalRating(models.Model):
    session = models.ForeignKey(
        "sessions_app.Session", on_delete=models.CASCADE, related_name="focal_ratings"
    )
    problem_area = models.ForeignKey(
        "ipt.ProblemArea", on_delete=models.CASCADE, related_name="focal_ratings"
    )
    rating = models.PositiveSmallIntegerField("rating (0 = as bad as it could be, 10 = as good)")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["problem_area__created_at", "problem_area_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "problem_area"], name="focal_rating_once_per_area_and_session"
            ),
            models.CheckConstraint(condition=models.Q(rating__lte=10), name="focal_rating_0_to_10"),
        ]
        triggers = [kept_with_session()]

    def __str__(self):
        return f"{self.problem_area}: {self.rating}/10"

    @classmethod
    def record(cls, session, area, rating):
        """The patient's rating for one area in this session, saved exactly as chosen (None
        removes it). Guard, lock, change: the session row is locked and re-checked open."""
        if area.course_id != session.course_id:
            raise ValueError("The problem area is not one of this course's.")
        if rating is not None and rating not in SCALE:
            raise ValueError("A focal rating is a whole number from 0 to 10.")
        with transaction.atomic():
            session._locked_open()
            if rating is None:
                cls.objects.filter(session=session, problem_area=area).delete()
            else:
                cls.objects.update_or_create(
                    session=session, problem_area=area, defaults={"rating": rating}
                )
            session.course.refresh_watch()


def focal_rows(session):
    """For the session page: each problem area of the course, with the rating given in this
    session and the one given at the last session that rated it (what the patient said then)."""
    if not session.takes_focal_rating:
        return []
    areas = list(session.course.problem_areas.select_related("person"))
    ratings = list(
        FocalRating.objects.filter(
            session__course_id=session.course_id, session__number__lte=session.number
        )
        .order_by("session__number")
        .values_list("problem_area_id", "session__number", "rating")
    )
    rows = []
    for area in areas:
        mine = [(n, r) for a, n, r in ratings if a == area.pk]
        today = next((r for n, r in mine if n == session.number), None)
        before = [(n, r) for n, r in mine if n < session.number]
        rows.append(
            {
                "area": area,
                "rating": today,
                "last": before[-1] if before else None,
                "choices": [(n, n == today) for n in SCALE],
            }
        )
    return rows
