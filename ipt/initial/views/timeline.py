"""The timeline: life events beside the onset and course of the depression.

IPT links the depression to what was happening in the patient's relationships when it began
and when it got worse (IPT-REFERENCE.md, initial phase step 4). The chart is drawn on the
server (ipt/charts/timeline.py) with a table of the same events as its text alternative.

Adding and removing an event works with htmx and as plain POST + redirect: the add form is
swapped in place (fresh, or with its errors and the typed text), the chart and table region
and a status line out of band. Editing an event is a page of its own.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from ipt import charts
from ipt.course.access import get_course_for
from ipt.initial.forms.inventory import LifeEventForm
from ipt.initial.models import LifeEvent

PAGE = "ipt/course/timeline.html"


def _context(can_write, course, form, **extra):
    people = {p.pk: p for p in course.inventory.all()}  # prefetched: no query per event
    rows = [(event, people.get(event.person_id)) for event in course.life_events.all()]
    chart = charts.timeline(
        [
            charts.TimelineEvent(e.happened_on, e.description, e.kind, p.name if p else "")
            for e, p in rows
        ],
        title=f"Timeline of life events and symptoms of {course.patient.display_name}",
    )
    return {
        "course": course,
        "can_write": can_write,
        "rows": rows,
        "chart": chart,
        "has_onset": any(e.kind == LifeEvent.Kind.SYMPTOM_ONSET for e, _ in rows),
        "diagnosis": course.diagnosis_or_none,
        "form": form,
        **extra,
    }


def _initial(request, course):
    """'Mark the onset' links here with ?kind=symptom_onset: start from the diagnosis's date."""
    kind = request.GET.get("kind")
    if kind not in LifeEvent.Kind.values:
        return {}
    initial = {"kind": kind}
    diagnosis = course.diagnosis_or_none
    if kind == LifeEvent.Kind.SYMPTOM_ONSET:
        initial["description"] = "The depression began"
        if diagnosis:
            initial["happened_on"] = diagnosis.onset
    return initial


def _changed(course):
    """Forget the prefetched events, so the chart and table show the change just saved."""
    course.refresh_from_db(fields=["life_events"])
    return course


@require_http_methods(["GET", "POST"])
def timeline(request, pk):
    course, can_write = get_course_for(request, pk, action="timeline")
    form = LifeEventForm(request.POST or None, course=course, initial=_initial(request, course))
    if request.method == "POST" and form.is_valid():
        event = form.save(commit=False)
        event.course = course
        with course.changing():
            event.save()
        added = f"Added to the timeline: {event.happened_on:%b %Y}, {event.description}."
        if request.htmx:
            fresh = LifeEventForm(course=course, focus=True)
            context = _context(can_write, _changed(course), fresh, status=added)
            return render(request, f"{PAGE}#event_added", context)
        messages.success(request, added)
        return redirect("course:timeline", course.pk)
    if request.method == "POST" and request.htmx:
        return render(request, f"{PAGE}#event_form", {"course": course, "form": form})
    return render(request, PAGE, _context(can_write, course, form))


@require_http_methods(["GET", "POST"])
def event_edit(request, pk, event_pk):
    course, _ = get_course_for(request, pk, write=True, action="edit timeline event")
    event = get_object_or_404(course.life_events.all(), pk=event_pk)
    form = LifeEventForm(request.POST or None, instance=event, course=course)
    if request.method == "POST" and form.is_valid():
        event = form.save()
        messages.success(request, f"Saved: {event.happened_on:%b %Y}, {event.description}.")
        return redirect("course:timeline", course.pk)
    return render(
        request,
        "ipt/course/timeline/event_edit.html",
        {"course": course, "form": form, "event": event},
    )


@require_POST
def event_delete(request, pk, event_pk):
    course, can_write = get_course_for(request, pk, action="remove timeline event")
    event = get_object_or_404(course.life_events.all(), pk=event_pk)
    event.delete()
    removed = f"Removed from the timeline: {event.happened_on:%b %Y}, {event.description}."
    if request.htmx:  # the add form is left alone: it may hold text being typed
        context = _context(can_write, _changed(course), form=None, status=removed)
        return render(request, f"{PAGE}#event_removed", context)
    messages.success(request, removed)
    return redirect("course:timeline", course.pk)
