"""The course summary: asked for on its page, prepared by the worker, then downloaded
(ipt/termination/summary.py)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from ipt.course.access import get_course_for
from ipt.pdf import pdf_response
from ipt.termination.summary import PreparedSummary

PAGE = "ipt/course/summary.html"


@require_http_methods(["GET", "POST"])
def summary(request, pk):
    """The summary page; a POST asks for a new summary, htmx polls the status region.

    Preparing a print of the record changes nothing in it, so it is a read (``write=False``):
    the supervisor may ask, and so may anyone on a closed course.
    """
    if request.method == "POST":
        course, _ = get_course_for(request, pk, write=False, action="prepare course summary")
        _summary, new = PreparedSummary.prepare_for(course, request.user)
        if not new:
            messages.info(request, "A summary is already being prepared: it is shown here.")
        return redirect("course:summary", course.pk)
    course, can_write = get_course_for(request, pk, action="course summary")
    context = {
        "course": course,
        "can_write": can_write,
        "summary": PreparedSummary.latest_for(course),
    }
    if request.htmx:
        return render(request, f"{PAGE}#status", context)
    return render(request, PAGE, context)


@require_GET
def summary_download(request, pk, summary_pk):
    """A prepared summary's PDF, only through a course the user may read."""
    course, _ = get_course_for(request, pk, action="course summary PDF")
    prepared = get_object_or_404(PreparedSummary.objects.filter(course=course), pk=summary_pk)
    if not prepared.is_ready:
        raise Http404("This summary is not ready.")
    prepared.course = course
    return pdf_response(bytes(prepared.pdf), prepared.filename)
