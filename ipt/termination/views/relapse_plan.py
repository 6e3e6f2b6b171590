"""The relapse-prevention plan, with the patient's PDF (IPT-REFERENCE.md, "Termination
phase").

The plan's rows are added, edited and removed in place with htmx, as in the inventory; every
action also works as a plain page and POST + redirect.
"""

from django.contrib import messages
from django.db import transaction
from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ipt.course.access import get_course_for
from ipt.pdf import patient_pdf_name, pdf_response, render_pdf
from ipt.termination.forms.aftercare import RelapsePlanForm, TriggerForm
from ipt.termination.models import RelapsePreventionPlan, RelapseTrigger
from ipt.termination.rules import contact_lines, people_to_contact, suggestions

PLAN = "ipt/course/relapse_plan.html"


def _plan_context(can_write, course, plan, *, fresh=False, **extra):
    if plan is None:
        triggers = []
    elif fresh:  # after a change: the prefetched rows are stale
        triggers = list(RelapseTrigger.objects.filter(plan=plan))
    else:
        triggers = list(plan.triggers.all())
    return {
        "course": course,
        "plan": plan,
        "triggers": triggers,
        "can_write": can_write,
        "suggestions": suggestions(course),
        "people": people_to_contact(course),
        **extra,
    }


def _plan_page(request, can_write, course, plan, *, plan_form=None, trigger_form=None, **extra):
    context = _plan_context(can_write, course, plan, **extra)
    context["plan_form"] = plan_form or RelapsePlanForm(instance=plan, course=course)
    context["form"] = trigger_form or TriggerForm()
    return render(request, PLAN, context)


def _plan_for_rows(request, course):
    """The plan the rows belong to (started today if it is not there yet), and whether it
    was started now."""
    plan, started = RelapsePreventionPlan.for_rows(course)
    if started and not request.htmx:  # in place, the status line says it
        messages.info(
            request,
            "Relapse-prevention plan started today: check what to do if symptoms return and the "
            "emergency contacts, and save them.",
        )
    return plan, started


def _plan_url(course, anchor=""):
    url = reverse("course:relapse_plan", args=[course.pk])
    return f"{url}#{anchor}" if anchor else url


@require_http_methods(["GET", "POST"])
def relapse_plan(request, pk):
    course, can_write = get_course_for(request, pk, action="relapse-prevention plan")
    plan = course._one("relapse_plan")
    if request.htmx and request.method != "POST" and (row := request.GET.get("trigger")):
        # "Cancel" on a row edited in place: the row comes back as it was.
        trigger = get_object_or_404(RelapseTrigger.objects.filter(plan__course=course), pk=row)
        context = _plan_context(can_write, course, plan, trigger=trigger)
        return render(request, f"{PLAN}#trigger_row", context)
    plan_form = RelapsePlanForm(request.POST or None, instance=plan, course=course)
    if request.method == "POST" and plan_form.is_valid():
        plan = plan_form.save(commit=False)
        plan.course = course
        with course.changing():
            plan.save()
        messages.success(request, "Relapse-prevention plan saved. The patient's copy is ready.")
        return redirect("course:relapse_plan", course.pk)
    return _plan_page(request, can_write, course, plan, plan_form=plan_form)


@require_http_methods(["GET", "POST"])
def trigger_new(request, pk):
    course, can_write = get_course_for(request, pk, write=True, action="add relapse trigger")
    plan = course._one("relapse_plan")
    if request.method == "GET":
        # A suggestion put into the add form for the therapist to finish: nothing is saved.
        chosen = next(
            (s for s in suggestions(course) if s.key == request.GET.get("suggestion")), None
        )
        form = TriggerForm(initial=chosen.initial if chosen else {}, focus=True)
        if request.htmx:
            return render(
                request, f"{PLAN}#add_form", _plan_context(can_write, course, plan, form=form)
            )
        return _plan_page(request, can_write, course, plan, trigger_form=form, suggested=chosen)
    form = TriggerForm(request.POST)
    if form.is_valid():
        with transaction.atomic():
            plan, started = _plan_for_rows(request, course)
            last = plan.triggers.aggregate(last=Max("position"))["last"]
            trigger = form.save(commit=False)
            trigger.plan = plan
            trigger.position = 0 if last is None else last + 1
            with course.changing():
                trigger.save()
        if request.htmx:
            context = _plan_context(
                can_write,
                course,
                plan,
                fresh=True,
                trigger=trigger,
                form=TriggerForm(focus=True),
                started=started,
            )
            return render(request, f"{PLAN}#trigger_added", context)
        messages.success(request, f"Added to the plan: {trigger.trigger}.")
        return redirect(_plan_url(course, f"trigger-{trigger.pk}"))
    if request.htmx:
        return render(
            request, f"{PLAN}#add_form", _plan_context(can_write, course, plan, form=form)
        )
    return _plan_page(request, can_write, course, plan, trigger_form=form)


@require_http_methods(["GET", "POST"])
def trigger_edit(request, pk, trigger_pk):
    course, can_write = get_course_for(request, pk, write=True, action="edit relapse trigger")
    trigger = get_object_or_404(RelapseTrigger.objects.filter(plan__course=course), pk=trigger_pk)
    in_place = bool(request.htmx) and request.method == "GET"
    form = TriggerForm(request.POST or None, instance=trigger, focus=in_place)
    if request.method == "POST" and form.is_valid():
        with course.changing():
            trigger = form.save()
        if request.htmx:
            context = _plan_context(
                can_write, course, trigger.plan, fresh=True, trigger=trigger, saved=True
            )
            return render(request, f"{PLAN}#trigger_saved", context)
        messages.success(request, f"Saved: {trigger.trigger}.")
        return redirect(_plan_url(course, f"trigger-{trigger.pk}"))
    context = _plan_context(can_write, course, trigger.plan, trigger=trigger, form=form)
    if request.htmx:
        return render(request, f"{PLAN}#trigger_form", context)
    return render(request, "ipt/course/relapse_plan/trigger_edit.html", context)


@require_POST
def trigger_delete(request, pk, trigger_pk):
    course, can_write = get_course_for(request, pk, action="remove relapse trigger")
    trigger = get_object_or_404(RelapseTrigger.objects.filter(plan__course=course), pk=trigger_pk)
    plan, text = trigger.plan, trigger.trigger
    with course.changing():
        trigger.delete()
    if request.htmx:
        # The row (the button's target) is swapped for nothing, so it leaves the list.
        context = _plan_context(can_write, course, plan, fresh=True, removed=text)
        return render(request, f"{PLAN}#trigger_removed", context)
    messages.success(request, f"Removed from the plan: {text}.")
    return redirect("course:relapse_plan", course.pk)


@require_GET
def relapse_plan_pdf(request, pk):
    course, can_write = get_course_for(request, pk, action="relapse-prevention plan PDF")
    plan = course._one("relapse_plan")
    if plan is None:
        # Shown in place (not redirected) so supervisors, who cannot write it, get the page too.
        messages.info(
            request, "Write the relapse-prevention plan first: the patient's copy is made from it."
        )
        return _plan_page(request, can_write, course, None)
    patient = course.patient
    maintenance = course._one("maintenance")
    upcoming = maintenance.upcoming() if maintenance is not None else []
    pdf = render_pdf(
        "ipt/pdf/relapse_plan.html",
        {
            "course": course,
            "patient": patient,
            "plan": plan,
            "triggers": list(plan.triggers.all()),
            "contacts": contact_lines(plan.emergency_contacts),
            "maintenance": maintenance,
            "upcoming": upcoming,
            "review": course._one("progress_review"),
        },
        request,
    )
    return pdf_response(pdf, patient_pdf_name("relapse-plan", patient))
