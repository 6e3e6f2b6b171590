"""The FHIR R4 downloads: one course (its treating therapist's), or every course started in a
period (prepared in the background: ipt/fhir/bulk.py). Each is recorded in the audit."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from ipt.accounts.access import is_treating_therapist
from ipt.accounts.models import AccessEvent
from ipt.course.models import TreatmentCourse
from ipt.fhir.bulk import PreparedExport, record_each
from ipt.fhir.export import bundle, course_resources
from ipt.fhir.forms import ExportForm

FHIR_JSON = "application/fhir+json"
PAGE = "ipt/fhir/exports.html"


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
    response = HttpResponse(text, content_type=FHIR_JSON)
    response["Content-Disposition"] = f'attachment; filename="course-{course.pk}-fhir.json"'
    return response


def _scope(request):
    scope = PreparedExport.scope_for(request.user)
    if scope is None:
        raise PermissionDenied("FHIR exports are for therapists and the clinic lead.")
    return scope


@require_http_methods(["GET", "POST"])
def exports(request):
    """The export of a period: asked for here (POST), prepared by the worker, its progress
    polled by htmx (the status region), then offered for download."""
    scope = _scope(request)
    own = scope == PreparedExport.Scope.OWN
    form = ExportForm(request.POST or None, notes=own)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        export, new = PreparedExport.prepare_for(
            request, data["start"], data["end"], with_notes=data.get("with_notes", False)
        )
        if export is None:
            form.add_error(None, "No course started in this period: there is nothing to export.")
        else:
            if not new:
                messages.info(request, "An export is already being prepared: it is shown here.")
            return redirect("fhir_exports")
    context = {"form": form, "own": own, "export": PreparedExport.latest_for(request.user)}
    if request.htmx and request.method == "GET":
        return render(request, f"{PAGE}#status", context)
    return render(request, PAGE, context)


@require_GET
def export_download(request, export_pk):
    """A prepared export, for whoever asked for it alone; each download is recorded."""
    _scope(request)
    export = get_object_or_404(
        PreparedExport.objects.filter(requested_by=request.user), pk=export_pk
    )
    if not export.is_ready:
        raise Http404("This export is not ready.")
    action = "FHIR export of a period, downloaded"
    record_each(request, export.patient_ids(), action)
    response = HttpResponse(bytes(export.bundle), content_type=FHIR_JSON)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response
