"""The report's rows: one flat query over the clinic's courses (plus one count of referrals).

Everything the pure functions in ``compute`` read comes from a single query with
subqueries, so the report's cost does not grow with the number of courses.
"""

from datetime import date

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Count, Exists, Func, IntegerField, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from ipt.course.models import TreatmentCourse
from ipt.initial.models import ProblemArea
from ipt.outcomes.compute import CourseRow
from patients.models import Patient
from sessions_app.models import Session
from sessions_app.watch import refresh_due


class Cardinality(Func):
    """PostgreSQL's number of elements of an array."""

    function = "cardinality"
    output_field = IntegerField()


def _count(queryset):
    return Coalesce(
        Subquery(
            queryset.order_by().values("course").annotate(n=Count("pk")).values("n")[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def course_rows(start: date, end: date, *, therapist=None, supervisor=None, variant="", area=""):
    """The courses started in [start, end] matching the filters, as ``CourseRow``s."""
    courses = TreatmentCourse.objects.filter(start_date__gte=start, start_date__lte=end)
    if therapist:
        courses = courses.filter(patient__therapist_id=therapist)
    if supervisor:
        courses = courses.filter(patient__therapist__supervisor_id=supervisor)
    if variant:
        courses = courses.filter(variant=variant)
    if area:
        courses = courses.filter(
            Exists(ProblemArea.objects.filter(course=OuterRef("pk"), area=area))
        )
    refresh_due(courses)  # the stored PHQ-9s and adherence checks are read below
    held = Session.objects.filter(course=OuterRef("pk"), status=Session.Status.HELD)
    first_held = (
        held.order_by()
        .values("course")
        .annotate(first=Min("scheduled_for__date"))
        .values("first")[:1]
    )
    values = (
        courses.annotate(
            area_list=ArrayAgg(
                "problem_areas__area",
                distinct=True,
                filter=Q(problem_areas__isnull=False),
                default=[],
            ),
            held_n=_count(held),
            held_phq9_n=_count(held.filter(phq9__isnull=False)),
            first_held_on=Subquery(first_held),
            phq9_n=Coalesce(Cardinality("watch__phq9"), 0),
        )
        .values_list(
            "start_date",
            "phase",
            "end_reason",
            "patient__therapist_id",
            "patient__therapist__supervisor_id",
            "variant",
            "area_list",
            "patient__created_at",
            "first_held_on",
            "held_n",
            "held_phq9_n",
            "watch__baseline_phq9",
            "watch__latest_phq9",
            "phq9_n",
            "watch__gap_count",
            "watch__checks",
            "watch__precedence",
        )
        .order_by("start_date", "pk")
    )
    return [
        CourseRow(
            start_date=v[0],
            phase=v[1],
            end_reason=v[2],
            therapist_id=v[3],
            supervisor_id=v[4],
            variant=v[5],
            areas=tuple(v[6]),
            referred_on=v[7].date() if v[7] else None,
            first_held=v[8],
            held=v[9],
            held_with_phq9=v[10],
            baseline=v[11],
            latest=v[12],
            phq9_count=v[13],
            all_markers=None if not v[15] else v[14] == 0,
            precedence=v[16] or "",
        )
        for v in values
    ]


def referrals(start: date, end: date, *, therapist=None, supervisor=None):
    """Patients whose record was made (the referral received) in the period."""
    patients = Patient.objects.filter(created_at__date__gte=start, created_at__date__lte=end)
    if therapist:
        patients = patients.filter(therapist_id=therapist)
    if supervisor:
        patients = patients.filter(therapist__supervisor_id=supervisor)
    return patients.count()
