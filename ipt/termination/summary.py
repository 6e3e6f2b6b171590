"""The course summary PDF, prepared in the background (Django's tasks framework and its worker).

The summary draws the whole course (every session's scores, the chart, the review, the risk
history), which takes WeasyPrint seconds on a long course: too long to hold a request and a
web worker. So asking for it stores a ``PreparedSummary`` and enqueues
``prepare_course_summary`` with its id (nothing about the patient goes into the task queue);
the worker (``manage.py db_worker``, started beside the server by ``make run``) renders the
PDF into that row, and the summary page polls its status until the file is ready. The bytes are
served only through the course (``get_course_for``): whoever may read the course may download
the summaries prepared for it, and nobody else.

A summary is a print of the record as it stood when it was rendered, not part of the record:
preparing one changes nothing clinical, so a supervisor may prepare one, and so may anyone who
reads a closed course.
"""

import logging

from django.db import models, transaction
from django.tasks import task

from ipt.course.models import TreatmentCourse
from ipt.pdf import patient_pdf_name, render_pdf
from ipt.prepared import PreparedFile, run_prepared
from ipt.termination.forms.review import areas_with_goals
from ipt.termination.rules import outcome_rows
from sessions_app.progress import course_progress, symptom_chart

logger = logging.getLogger(__name__)


def render_course_summary(course, request=None):
    sessions = list(course.sessions.select_related("phq9"))
    chart, chart_rows = symptom_chart(course, sessions)
    return render_pdf(
        "ipt/pdf/course_summary.html",
        {
            "course": course,
            "patient": course.patient,
            "therapist": course.therapist,
            "diagnosis": course.diagnosis_or_none,
            "areas": areas_with_goals(course),
            "progress": course_progress(course, sessions),
            "chart": chart,
            "chart_rows": chart_rows,
            "outcomes": outcome_rows(course),
            "review": course._one("progress_review"),
            "plan": course._one("relapse_plan"),
            "maintenance": course._one("maintenance"),
            "transitions": list(course.transitions.select_related("by")),
        },
        request,
    )


class PreparedSummaryQuerySet(models.QuerySet):
    def without_bytes(self):
        return self.defer("pdf")


class PreparedSummary(PreparedFile):
    course = models.ForeignKey(
        TreatmentCourse, on_delete=models.CASCADE, related_name="prepared_summaries"
    )
    pdf = models.BinaryField(null=True, blank=True)

    objects = PreparedSummaryQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["course", "-requested_at"], name="summary_latest")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="ready") | models.Q(pdf__isnull=False),
                name="ready_summary_has_its_pdf",
            )
        ]

    def __str__(self):
        return f"Course summary of {self.requested_at:%Y-%m-%d %H:%M} ({self.status})"

    @property
    def filename(self):
        return patient_pdf_name("course-summary", self.course.patient)

    @classmethod
    def latest_for(cls, course):
        return cls.objects.without_bytes().filter(course=course).first()

    @classmethod
    def prepare_for(cls, course, user):
        """Guard, lock, change: one summary in preparation per course at a time (a double
        click or two readers asking at once get the one already on its way), enqueued in the
        same transaction, so a summary is never stored without its task or the reverse."""
        with transaction.atomic():
            TreatmentCourse.objects.select_for_update().only("pk").get(pk=course.pk)
            pending = cls.pending().defer("pdf").filter(course=course).first()
            if pending is not None:
                return pending, False
            summary = cls.objects.create(course=course, requested_by=user)
            summary.enqueue(prepare_course_summary)
        return cls.objects.without_bytes().get(pk=summary.pk), True


@task()
def prepare_course_summary(summary_id):
    """Render one requested summary into its row (the worker runs this)."""

    def make(summary):
        course = TreatmentCourse.objects.with_initial_phase().get(pk=summary.course_id)
        return {"pdf": render_course_summary(course)}

    return run_prepared(PreparedSummary.objects.without_bytes(), summary_id, make)
