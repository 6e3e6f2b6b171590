"""Files prepared in the background by the task worker (``manage.py db_worker``).

A file that takes seconds to make (the course summary PDF, a FHIR export of many courses) is
not made in the request: asking for it stores a row (status, who asked, when) and enqueues a
task with the row's id, in the same transaction; the worker makes the file into the row, and
the page polls its status until the file is ready. ``PreparedFile`` is that row's shape and
``run_prepared`` the task's body, shared by every kind of prepared file.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

# A file queued or being made for longer than this has lost its worker (stopped, crashed): it
# is shown as not finished, and asking again prepares a new one.
GIVE_UP_AFTER = timedelta(minutes=10)


class PreparedFile(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be prepared"
        RENDERING = "rendering", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Could not be prepared"

    # A UUID, not a counter: the download URL tells nothing about how many there are.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    task_id = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        abstract = True

    @property
    def is_pending(self):
        return self.status in (self.Status.QUEUED, self.Status.RENDERING)

    @property
    def gave_up(self):
        """Pending for so long that its worker is gone: shown as not finished."""
        return self.is_pending and timezone.now() - self.requested_at > GIVE_UP_AFTER

    @property
    def is_ready(self):
        return self.status == self.Status.READY

    @classmethod
    def pending(cls):
        """Rows still on their way (queued or being made, their worker not given up on)."""
        return cls.objects.filter(
            status__in=[cls.Status.QUEUED, cls.Status.RENDERING],
            requested_at__gt=timezone.now() - GIVE_UP_AFTER,
        )

    def enqueue(self, task):
        """Queue ``task`` with this row's id (only the id: no patient data in the queue); call
        inside the transaction that created the row."""
        result = task.enqueue(str(self.pk))
        type(self).objects.filter(pk=self.pk).update(task_id=str(result.id)[:64])

    def _mark(self, **fields):
        type(self).objects.filter(pk=self.pk).update(**fields)


def run_prepared(queryset, pk, make):
    """The task's body: take the queued row (locked, so two attempts never both run), mark it
    as being prepared, store what ``make(row)`` returns (a dict of fields), or the failure.
    ``queryset`` is the model's, without the bytes of the file."""
    model = queryset.model
    with transaction.atomic():
        row = queryset.select_for_update().filter(pk=pk, status=model.Status.QUEUED).first()
        if row is None:  # already taken by another attempt, or removed
            return "skipped"
        row._mark(status=model.Status.RENDERING, started_at=timezone.now())
    try:
        fields = make(row)
    except Exception as error:
        row._mark(
            status=model.Status.FAILED,
            finished_at=timezone.now(),
            error=f"{type(error).__name__}: {error}"[:500],
        )
        raise  # the task result records the traceback too
    row._mark(status=model.Status.READY, finished_at=timezone.now(), **fields)
    return "ready"
