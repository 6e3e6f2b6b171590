"""The focal-relationship rating: the patient's 0-10 of how things are in each focal area.

Goal-Based-Outcomes style: at each middle session the patient says, for each agreed problem
area, where things stand now (0 = as bad as they could be, 10 = as good as they could be).
IPT predicts that interpersonal functioning improves before symptoms do; these ratings, set
beside the PHQ-9, let the course show whether it did (ipt/rules/precedence.py).
"""

from dataclasses import dataclass

from django.db import models, transaction

from ipt import charts
from ipt.accounts.history import tracked
from ipt.accounts.triggers import kept_with_session
from ipt.rules import precedence

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
        triggers = [kept_with_session(person_column=None)]

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


# --- the course page: the focal rating beside the PHQ-9 and mood, and the precedence reading ----
@dataclass(frozen=True)
class FocalTableRow:
    session: int
    phq9: int | None
    phq9_change: int | None
    mood: int | None
    ratings: list  # per area: (rating, change since its previous rating) or None


def course_series(course, sessions, ratings=None):
    """The three series of a course by session number: PHQ-9 (baseline = 0), mood, and each
    focal area's ratings, plus the per-session mean of the focal ratings for precedence."""
    responses = course.phq9_responses()
    by_measure = {s.phq9_id: s.number for s in sessions if s.phq9_id}
    baseline = responses[0] if responses else None
    phq9 = sorted(
        (0 if m == baseline and m.pk not in by_measure else by_measure[m.pk], m.total)
        for m in responses
        if m.pk in by_measure or m == baseline
    )
    mood = [(s.number, s.mood_rating) for s in sessions if s.mood_rating is not None]
    areas = list(course.problem_areas.all())
    if ratings is None:
        ratings = list(
            FocalRating.objects.filter(session__course=course).values_list(
                "problem_area_id", "session__number", "rating"
            )
        )
    per_area = {a.pk: sorted((n, r) for pa, n, r in ratings if pa == a.pk) for a in areas}
    by_session = {}
    for _, n, r in ratings:
        by_session.setdefault(n, []).append(r)
    focal_mean = sorted((n, sum(rs) / len(rs)) for n, rs in by_session.items())
    return areas, phq9, mood, per_area, focal_mean


def focal_overview(course, sessions):
    """What the course page shows: the chart, its data table and the precedence reading."""
    areas, phq9, mood, per_area, focal_mean = course_series(course, sessions)
    if not focal_mean and not mood:
        return None
    last = max([course.planned_sessions, *(n for n, _ in phq9), *(n for n, _ in mood)])
    chart = charts.ratings_chart(
        charts.RatingSeries("PHQ-9 total", tuple(phq9), "phq9") if phq9 else None,
        [
            *(
                charts.RatingSeries(f"Focal rating: {a.detail}", tuple(per_area[a.pk]), "focal")
                for a in areas
                if per_area[a.pk]
            ),
            *([charts.RatingSeries("Mood (0-10)", tuple(mood), "mood")] if mood else []),
        ],
        last_session=last,
        title=f"Focal rating, PHQ-9 and mood over the course of {course.patient.full_name}",
    )
    phq9_changes = {c.session: c for c in precedence.changes(phq9)}
    area_changes = {a.pk: {c.session: c for c in precedence.changes(per_area[a.pk])} for a in areas}
    moods = dict(mood)
    numbers = sorted({*phq9_changes, *moods, *(n for c in area_changes.values() for n in c)})
    rows = [
        FocalTableRow(
            session=n,
            phq9=phq9_changes[n].value if n in phq9_changes else None,
            phq9_change=phq9_changes[n].change if n in phq9_changes else None,
            mood=moods.get(n),
            ratings=[
                (area_changes[a.pk][n].value, area_changes[a.pk][n].change)
                if n in area_changes[a.pk]
                else None
                for a in areas
            ],
        )
        for n in numbers
    ]
    return {
        "chart": chart,
        "rows": rows,
        "areas": areas,
        "reading": precedence.precedence(focal_mean, phq9),
    }


def course_precedence(course, sessions):
    """The stored watch's reading of which came first (a ``precedence.Verdict`` value), from
    the course's prefetched problem areas and their focal ratings; "" without any rating."""
    number = {s.pk: s.number for s in sessions}
    ratings = [
        (area.pk, number[r.session_id], r.rating)
        for area in course.problem_areas.all()
        for r in area.focal_ratings.all()
        if r.session_id in number
    ]
    if not ratings:
        return ""
    _, phq9, _, _, focal_mean = course_series(course, sessions, ratings)
    return precedence.precedence(focal_mean, phq9).verdict.value
