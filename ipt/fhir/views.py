"""The FHIR R4 download of a course: for its treating therapist only, recorded in the audit."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_GET

from ipt.accounts.access import is_treating_therapist
from ipt.accounts.models import AccessEvent
from ipt.course.models import TreatmentCourse
from ipt.fhir.export import bundle, course_resources


def _course(request, pk):
    course = get_object_or_404(
        TreatmentCourse.objects.visible_to(request.user)
        .select_related("patient__therapist", "diagnosis", "relapse_plan")
        .prefetch_related("transitions", "measures", "contracts", "sessions"),
        pk=pk,
    )
    if not is_treating_therapist(request.user, course.patient):
        raise PermissionDenied("Only the treating therapist exports the record.")
    return course


@require_GET
def course_bundle(request, pk):
    course = _course(request, pk)
    with_notes = request.GET.get("notes") == "1"
    AccessEvent.record(
        request, course.patient, "FHIR export with notes" if with_notes else "FHIR export"
    )
    base = request.build_absolute_uri(reverse("course:overview", kwargs={"pk": pk}))
    text = bundle(course_resources(course, with_notes=with_notes), f"{base}fhir/")
    response = HttpResponse(text, content_type="application/fhir+json")
    response["Content-Disposition"] = f'attachment; filename="course-{course.pk}-fhir.json"'
    return response
