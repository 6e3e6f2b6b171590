"""The FHIR R4 export of every course started in a period, prepared in the background.

A clinic's year is hundreds of courses and tens of thousands of resources, each validated by
``fhir.resources``: minutes of work, so it is a prepared file (ipt/prepared.py), like the
course summary. Who may ask, and what they get:

- a **therapist** exports the courses of their own patients (the treating therapist's, as the
  course download), session notes only when asked for;
- the **clinic lead** exports every course of the clinic, **pseudonymised** (ipt/fhir/export.py):
  the lead reads aggregates and never an individual record, so the file names no patient and
  holds none of the record's free text;
- nobody else (403).

The courses are chosen when the export is asked for and kept on its row, so the audit written
then (an access event per patient, in the same transaction) names exactly the patients whose
records the file holds; each download is recorded again. The file is served only to whoever
asked for it.
"""

import json

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models, transaction
from django.tasks import task

from ipt.accounts.models import AccessEvent, User
from ipt.course.models import TreatmentCourse
from ipt.fhir.export import course_resources
from ipt.prepared import PreparedFile, run_prepared

CHUNK = 50  # courses read (and progress written) at a time


class PreparedExportQuerySet(models.QuerySet):
    def without_bytes(self):
        return self.defer("bundle")


class PreparedExport(PreparedFile):
    class Scope(models.TextChoices):
        OWN = "own", "My patients' courses"
        CLINIC = "clinic", "Every course of the clinic, pseudonymised"

    scope = models.CharField(max_length=10, choices=Scope.choices)
    start = models.DateField()
    end = models.DateField()
    with_notes = models.BooleanField(default=False)
    course_ids = ArrayField(models.IntegerField())
    done = models.PositiveIntegerField(default=0)  # courses exported so far: the progress
    bundle = models.BinaryField(null=True, blank=True)

    objects = PreparedExportQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["requested_by", "-requested_at"], name="export_latest")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="ready") | models.Q(bundle__isnull=False),
                name="ready_export_has_its_bundle",
            ),
            models.CheckConstraint(
                condition=~models.Q(scope="clinic") | models.Q(with_notes=False),
                name="pseudonymised_export_has_no_notes",
            ),
        ]

    def __str__(self):
        return f"FHIR export of {self.start} to {self.end} ({self.status})"

    @property
    def total(self):
        return len(self.course_ids)

    @property
    def pseudonymised(self):
        return self.scope == self.Scope.CLINIC

    @property
    def percent(self):
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def filename(self):
        kind = "pseudonymised-" if self.pseudonymised else ""
        return f"ipt-fhir-{kind}{self.start:%Y-%m-%d}-{self.end:%Y-%m-%d}.json"

    @classmethod
    def latest_for(cls, user):
        return cls.objects.without_bytes().filter(requested_by=user).first()

    @staticmethod
    def scope_for(user):
        """The export this member of staff may ask for, or None."""
        if user.is_therapist:
            return PreparedExport.Scope.OWN
        if user.is_clinic_lead:
            return PreparedExport.Scope.CLINIC
        return None

    @staticmethod
    def courses_for(user, start, end):
        """The courses started in [start, end] that ``user`` may export, in order."""
        courses = TreatmentCourse.objects.filter(start_date__gte=start, start_date__lte=end)
        if user.is_therapist:
            courses = courses.filter(patient__therapist=user)
        elif not user.is_clinic_lead:
            return courses.none()
        return courses.order_by("start_date", "pk")

    @classmethod
    def prepare_for(cls, request, start, end, *, with_notes=False):
        """Guard, lock, re-check, change, record: ``(export, new)``, or ``(None, False)`` when
        no course started in the period. One export on its way per person at a time (a double
        click gets the one already queued); the access events and the task are written in the
        same transaction as the row."""
        user = request.user
        scope = cls.scope_for(user)
        if scope is None:
            raise PermissionError("Only therapists and the clinic lead export courses.")
        with_notes = with_notes and scope == cls.Scope.OWN
        with transaction.atomic():
            User.objects.select_for_update().only("pk").get(pk=user.pk)
            pending = cls.pending().defer("bundle").filter(requested_by=user).first()
            if pending is not None:
                return pending, False
            chosen = list(cls.courses_for(user, start, end).values_list("pk", "patient_id"))
            if not chosen:
                return None, False
            export = cls.objects.create(
                requested_by=user,
                scope=scope,
                start=start,
                end=end,
                with_notes=with_notes,
                course_ids=[pk for pk, _ in chosen],
            )
            action = "FHIR export of a period" + (
                ", pseudonymised" if export.pseudonymised else (" with notes" if with_notes else "")
            )
            record_each(request, {patient for _, patient in chosen}, action)
            export.enqueue(prepare_fhir_export)
        return cls.objects.without_bytes().get(pk=export.pk), True

    def patient_ids(self):
        return set(
            TreatmentCourse.objects.filter(pk__in=self.course_ids).values_list(
                "patient_id", flat=True
            )
        )


def record_each(request, patient_ids, action):
    """One access event per patient, as ``AccessEvent.record`` writes them, in one insert."""
    AccessEvent.objects.bulk_create(
        AccessEvent(
            user=request.user,
            patient_id=patient,
            action=action[:40],
            method=request.method[:10],
            path=request.get_full_path()[:500],
            ip_address=request.META.get("REMOTE_ADDR") or None,
        )
        for patient in sorted(patient_ids)
    )


def export_bytes(export, progress=None):
    """The Bundle of the export's courses as JSON bytes. Each resource is validated as it is
    built (``course_resources``), written once (a patient with two courses, the therapist of
    many), and the courses are read ``CHUNK`` at a time so memory holds one chunk's records;
    ``progress(done)`` is called after each chunk."""
    base = f"{settings.SITE_URL}/fhir/"
    seen, parts, done = set(), [], 0
    ids = list(export.course_ids)
    for at in range(0, len(ids), CHUNK):
        courses = (
            TreatmentCourse.objects.filter(pk__in=ids[at : at + CHUNK])
            .select_related("patient__therapist", "diagnosis", "relapse_plan")
            .prefetch_related("transitions", "measures", "contracts", "sessions")
            .order_by("start_date", "pk")
        )
        for course in courses:
            resources = course_resources(
                course, with_notes=export.with_notes, pseudonymised=export.pseudonymised
            )
            for resource in resources:
                key = (resource.get_resource_type(), resource.id)
                if key in seen:
                    continue
                seen.add(key)
                full_url = json.dumps(f"{base}{key[0]}/{key[1]}")
                body = resource.model_dump_json(exclude_none=True)
                parts.append(f'{{"fullUrl":{full_url},"resource":{body}}}')
            done += 1
        if progress is not None:
            progress(done)
    return (
        '{"resourceType":"Bundle","type":"collection","entry":[' + ",".join(parts) + "]}"
    ).encode()


@task()
def prepare_fhir_export(export_id):
    """Build one requested export into its row (the worker runs this)."""

    def make(export):
        return {"bundle": export_bytes(export, lambda n: export._mark(done=n))}

    return run_prepared(PreparedExport.objects.without_bytes(), export_id, make)
