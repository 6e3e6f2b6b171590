"""After the acute course: relapse-prevention plan (with the patient's PDF), maintenance
contract, follow-ups and booster sessions (IPT-REFERENCE.md, "Termination phase").

The plan's rows are added, edited and removed in place with htmx, as in the inventory; every
action also works as a plain page and POST + redirect. The maintenance contract and its
follow-ups are the only records still written once a course is completed
(``after_completion=True``).
"""

from dataclasses import dataclass

from django.contrib import messages
from django.db import transaction
from django.db.models import Max
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ipt import measures
from ipt.access import get_course_for
from ipt.forms.aftercare import (
    IF_SYMPTOMS_RETURN,
    BoosterForm,
    FollowUpForm,
    FollowUpPHQ9Form,
    MaintenanceForm,
    RelapsePlanForm,
    TriggerForm,
)
from ipt.models import (
    FollowUp,
    MaintenanceContract,
    MeasureResponse,
    Phase,
    ProblemArea,
    RelapsePreventionPlan,
    RelapseTrigger,
)
from ipt.pdf import pdf_response, render_pdf

PLAN = "ipt/course/relapse_plan.html"
Area = ProblemArea.Area


# --- the relapse-prevention plan -------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    """A row the therapist may start from; never saved unless they add it."""

    key: str
    trigger: str
    warning_signs: str
    coping: str
    source: str  # why it is suggested, e.g. "Role dispute with Maria (wife): impasse"

    @property
    def initial(self):
        return {"trigger": self.trigger, "warning_signs": self.warning_signs, "coping": self.coping}


def suggestions(course):
    """Triggers suggested by the focal problem areas, plus the ending of therapy itself."""
    found = []
    for area in course.problem_areas.all():
        name = area.person.name if area.person else ""
        if area.area == Area.ROLE_DISPUTE:
            who = name or "them"
            row = (
                f"A row with {who} about …" if name else "A row about …",
                f"Going quiet with {who} and keeping what I need to myself; lying awake going "
                "over the argument.",
                f"Pick a calm moment to talk with {who}; say clearly what I need and listen to "
                "what they need, as we practised. If it gets heated, take a break and come back "
                "to it.",
            )
        elif area.area == Area.ROLE_TRANSITION:
            new = f" as {area.to_role}" if area.to_role else ""
            old = f" ({area.from_role})" if area.from_role else ""
            row = (
                f"Setbacks in the new role{new}",
                f"Missing the old role{old} and feeling I cannot cope with the new one; pulling "
                "away from people.",
                "Remind myself what I have already managed in the new role; ask the people who "
                "support me for help; keep up what gives me a sense of mastery.",
            )
        elif area.area == Area.GRIEF:
            who = name or "the person I lost"
            row = (
                f"Anniversaries and reminders of {who}",
                "Pulling away from friends and family; the loss feeling raw again.",
                f"Let myself remember {who} and talk about them with someone I trust; keep up "
                "the interests and relationships I have taken up again.",
            )
        else:
            row = (
                "Spending more time on my own, or a friendship going wrong",
                "Cancelling plans, not answering messages, staying in.",
                "Keep at least one social contact each week; use what we practised to get in "
                "touch and keep the conversation going.",
            )
        found.append(Suggestion(f"area-{area.pk}", *row, source=area.detail))
    # IPT: the end of therapy is itself a final role transition.
    found.append(
        Suggestion(
            "ending",
            "Missing the weekly sessions now that therapy has ended",
            "Feeling on my own with problems; stopping the things that helped.",
            "Keep going with what worked in our sessions; lean on the people in this plan; "
            "book a booster session if I need one.",
            source="The end of therapy",
        )
    )
    return found


def _people(course):
    """Names for the people-to-contact field, from the inventory (those still living)."""
    return [f"{p.name} ({p.relationship})" for p in course.inventory.all() if not p.deceased]


def _plan_context(request, course, plan, *, fresh=False, **extra):
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
        "can_edit": course.is_active and course.patient.therapist_id == request.user.pk,
        "suggestions": suggestions(course),
        "people": _people(course),
        **extra,
    }


def _plan_page(request, course, plan, *, plan_form=None, trigger_form=None, **extra):
    context = _plan_context(request, course, plan, **extra)
    context["plan_form"] = plan_form or RelapsePlanForm(instance=plan, course=course)
    context["form"] = trigger_form or TriggerForm()
    return render(request, PLAN, context)


def _plan_for_rows(request, course):
    """The plan the rows belong to, started with sensible defaults if it is not there yet.

    Rows usually come first in the session; what to do if symptoms return is agreed after.
    """
    plan = course._one("relapse_plan")
    if plan is not None:
        return plan, False
    plan = RelapsePreventionPlan.objects.create(
        course=course, written_on=timezone.localdate(), if_symptoms_return=IF_SYMPTOMS_RETURN
    )
    if not request.htmx:  # in place, the status line says it
        messages.info(
            request,
            "Relapse-prevention plan started today: check what to do if symptoms return and the "
            "emergency contacts, and save them.",
        )
    return plan, True


def _plan_url(course, anchor=""):
    url = reverse("course:relapse_plan", args=[course.pk])
    return f"{url}#{anchor}" if anchor else url


@require_http_methods(["GET", "POST"])
def relapse_plan(request, pk):
    write = request.method == "POST"
    course = get_course_for(request, pk, write=write, action="relapse-prevention plan")
    plan = course._one("relapse_plan")
    if request.htmx and not write and (row := request.GET.get("trigger")):
        # "Cancel" on a row edited in place: the row comes back as it was.
        trigger = get_object_or_404(RelapseTrigger.objects.filter(plan__course=course), pk=row)
        context = _plan_context(request, course, plan, trigger=trigger)
        return render(request, f"{PLAN}#trigger_row", context)
    plan_form = RelapsePlanForm(request.POST or None, instance=plan, course=course)
    if write and plan_form.is_valid():
        plan = plan_form.save(commit=False)
        plan.course = course
        plan.save()
        messages.success(request, "Relapse-prevention plan saved. The patient's copy is ready.")
        return redirect("course:relapse_plan", course.pk)
    return _plan_page(request, course, plan, plan_form=plan_form)


@require_http_methods(["GET", "POST"])
def trigger_new(request, pk):
    course = get_course_for(request, pk, write=True, action="add relapse trigger")
    plan = course._one("relapse_plan")
    if request.method == "GET":
        # A suggestion put into the add form for the therapist to finish: nothing is saved.
        chosen = next(
            (s for s in suggestions(course) if s.key == request.GET.get("suggestion")), None
        )
        form = TriggerForm(initial=chosen.initial if chosen else {}, focus=True)
        if request.htmx:
            return render(
                request, f"{PLAN}#add_form", _plan_context(request, course, plan, form=form)
            )
        return _plan_page(request, course, plan, trigger_form=form, suggested=chosen)
    form = TriggerForm(request.POST)
    if form.is_valid():
        with transaction.atomic():
            plan, started = _plan_for_rows(request, course)
            last = plan.triggers.aggregate(last=Max("position"))["last"]
            trigger = form.save(commit=False)
            trigger.plan = plan
            trigger.position = 0 if last is None else last + 1
            trigger.save()
        if request.htmx:
            context = _plan_context(
                request,
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
        return render(request, f"{PLAN}#add_form", _plan_context(request, course, plan, form=form))
    return _plan_page(request, course, plan, trigger_form=form)


@require_http_methods(["GET", "POST"])
def trigger_edit(request, pk, trigger_pk):
    course = get_course_for(request, pk, write=True, action="edit relapse trigger")
    trigger = get_object_or_404(RelapseTrigger.objects.filter(plan__course=course), pk=trigger_pk)
    in_place = bool(request.htmx) and request.method == "GET"
    form = TriggerForm(request.POST or None, instance=trigger, focus=in_place)
    if request.method == "POST" and form.is_valid():
        trigger = form.save()
        if request.htmx:
            context = _plan_context(
                request, course, trigger.plan, fresh=True, trigger=trigger, saved=True
            )
            return render(request, f"{PLAN}#trigger_saved", context)
        messages.success(request, f"Saved: {trigger.trigger}.")
        return redirect(_plan_url(course, f"trigger-{trigger.pk}"))
    context = _plan_context(request, course, trigger.plan, trigger=trigger, form=form)
    if request.htmx:
        return render(request, f"{PLAN}#trigger_form", context)
    return render(request, "ipt/course/relapse_plan/trigger_edit.html", context)


@require_POST
def trigger_delete(request, pk, trigger_pk):
    course = get_course_for(request, pk, write=True, action="remove relapse trigger")
    trigger = get_object_or_404(RelapseTrigger.objects.filter(plan__course=course), pk=trigger_pk)
    plan, text = trigger.plan, trigger.trigger
    trigger.delete()
    if request.htmx:
        # The row (the button's target) is swapped for nothing, so it leaves the list.
        context = _plan_context(request, course, plan, fresh=True, removed=text)
        return render(request, f"{PLAN}#trigger_removed", context)
    messages.success(request, f"Removed from the plan: {text}.")
    return redirect("course:relapse_plan", course.pk)


def _contact_lines(text):
    """Emergency contacts as separate lines, whether typed one a line or joined with '·'."""
    return [part.strip() for line in text.splitlines() for part in line.split("·") if part.strip()]


@require_GET
def relapse_plan_pdf(request, pk):
    course = get_course_for(request, pk, action="relapse-prevention plan PDF")
    plan = course._one("relapse_plan")
    if plan is None:
        # Shown in place (not redirected) so supervisors, who cannot write it, get the page too.
        messages.info(
            request, "Write the relapse-prevention plan first: the patient's copy is made from it."
        )
        return _plan_page(request, course, None)
    patient = course.patient
    maintenance = course._one("maintenance")
    upcoming = []
    if maintenance is not None:
        today = timezone.localdate()
        for f in maintenance.followups.all():
            if f.status == FollowUp.Status.DUE and f.due_on >= today:
                booster = " (booster session)" if f.kind == FollowUp.Kind.BOOSTER else ""
                upcoming.append(f"{f.due_on:%B %Y}{booster}")
    pdf = render_pdf(
        "ipt/pdf/relapse_plan.html",
        {
            "course": course,
            "patient": patient,
            "plan": plan,
            "triggers": list(plan.triggers.all()),
            "contacts": _contact_lines(plan.emergency_contacts),
            "maintenance": maintenance,
            "upcoming": upcoming,
        },
        request,
        stylesheets=["css/aftercare.css"],
    )
    surname = patient.full_name.split()[-1] if patient.full_name.split() else "patient"
    return pdf_response(pdf, f"relapse-plan-{surname}.pdf")


# --- maintenance contract, follow-ups and booster sessions -------------------------------------


def schedule_start(course, contract):
    """Follow-ups count from the end of the course, or from the agreement while it goes on."""
    return course.ended_on or contract.agreed_on


def plan_followups(contract, start):
    """Plan the regular follow-ups still due; those held or missed stay as they were.

    The first time, that is ``contract.schedule(start)``. Later (a new interval or number),
    the follow-ups still due are replaced by the ones left, counted on from the latest
    follow-up that took place or was missed.
    """
    regular = [f for f in contract.followups.all() if f.kind == FollowUp.Kind.FOLLOW_UP]
    done = [f for f in regular if f.status != FollowUp.Status.DUE or f.phq9_id]
    due = [f for f in regular if f not in done]
    left = contract.number_of_followups - len(done)
    anchor = max((f.held_on or f.due_on for f in done), default=start)
    rest = MaintenanceContract(
        interval_months=contract.interval_months, number_of_followups=max(left, 0)
    )
    FollowUp.objects.filter(pk__in=[f.pk for f in due]).delete()
    FollowUp.objects.bulk_create(
        FollowUp(maintenance=contract, due_on=day) for day in rest.schedule(anchor)
    )


PHQ9_CASENESS = 10  # NHS Talking Therapies: a PHQ-9 of 10 or more is a clinical case


@dataclass
class FollowUpRow:
    followup: FollowUp
    overdue: bool
    phq9: MeasureResponse | None
    since_end: measures.Outcome | None  # against the last PHQ-9 of the course itself
    since_baseline: measures.Outcome | None

    @property
    def rising(self):
        """Symptoms coming back: a reliable rise since the end, or back to 10 or more."""
        change = self.since_end
        return bool(
            change
            and (change.reliable_deterioration or change.baseline < PHQ9_CASENESS <= change.latest)
        )


def followup_rows(course, followups, today=None):
    """Each follow-up with its PHQ-9 compared with the end of the course and the baseline."""
    today = today or timezone.localdate()
    at_followups = {f.phq9_id for f in followups if f.phq9_id}
    phq9s = course.phq9_responses(include_follow_ups=True)
    by_pk = {m.pk: m for m in phq9s}
    in_course = [m for m in phq9s if m.pk not in at_followups]
    baseline = in_course[0] if in_course else None
    end = in_course[-1] if in_course else None
    rows = []
    for f in followups:
        phq9 = by_pk.get(f.phq9_id)
        since_end = since_baseline = None
        if phq9 is not None:
            if end is not None:
                since_end = measures.outcome("phq9", end.total, phq9.total)
            if baseline is not None:
                since_baseline = measures.outcome("phq9", baseline.total, phq9.total)
        overdue = f.status == FollowUp.Status.DUE and f.due_on < today
        rows.append(FollowUpRow(f, overdue, phq9, since_end, since_baseline))
    return rows, baseline, end


MAINTENANCE_PHASES = (Phase.TERMINATION, Phase.COMPLETED)


def _maintenance_refusal(course):
    """Why no maintenance contract can be agreed for this course now, or ''."""
    if course.phase == Phase.ENDED_EARLY:
        return (
            "The course ended early, so there is no maintenance contract: record any referral or "
            "onward care in the early ending."
        )
    if course.phase not in MAINTENANCE_PHASES:
        return (
            "A maintenance contract is agreed in the termination phase, or once the course is "
            "completed."
        )
    return ""


def _maintenance_page(request, course, contract, *, form=None, booster_form=None):
    followups = list(contract.followups.all()) if contract else []
    rows, baseline, end = followup_rows(course, followups)
    boosters = sum(1 for f in followups if f.kind == FollowUp.Kind.BOOSTER)
    refusal = _maintenance_refusal(course)
    return render(
        request,
        "ipt/course/maintenance.html",
        {
            "course": course,
            "contract": contract,
            "form": form or MaintenanceForm(instance=contract, course=course),
            "booster_form": booster_form or BoosterForm(course=course),
            "rows": rows,
            "baseline": baseline,
            "end": end,
            "boosters_used": boosters,
            "boosters_left": max((contract.booster_sessions if contract else 0) - boosters, 0),
            "refusal": refusal,
            "can_edit": not refusal and course.patient.therapist_id == request.user.pk,
        },
    )


@require_http_methods(["GET", "POST"])
def maintenance(request, pk):
    write = request.method == "POST"
    course = get_course_for(
        request, pk, write=write, action="maintenance contract", after_completion=True
    )
    contract = course._one("maintenance")
    if not write:
        return _maintenance_page(request, course, contract)
    if refusal := _maintenance_refusal(course):
        messages.error(request, refusal)
        return redirect("course:maintenance", course.pk)
    if request.POST.get("form") == "booster":
        return _add_booster(request, course, contract)
    form = MaintenanceForm(request.POST, instance=contract, course=course)
    if not form.is_valid():
        return _maintenance_page(request, course, contract, form=form)
    first = contract is None
    with transaction.atomic():
        contract = form.save(commit=False)
        contract.course = course
        contract.save()
        planned = contract.followups.filter(kind=FollowUp.Kind.FOLLOW_UP).exists()
        if not planned or form.replans:
            plan_followups(contract, schedule_start(course, contract))
    if first:
        messages.success(
            request,
            f"Maintenance contract agreed: {contract.number_of_followups} follow-ups, every "
            f"{contract.interval_months} months.",
        )
    elif form.replans:
        messages.success(
            request, "Maintenance contract saved; the follow-ups still due are re-planned."
        )
    else:
        messages.success(request, "Maintenance contract saved.")
    return redirect("course:maintenance", course.pk)


def _add_booster(request, course, contract):
    if contract is None:
        messages.error(
            request, "Agree the maintenance contract first: it sets the booster sessions."
        )
        return redirect("course:maintenance", course.pk)
    form = BoosterForm(request.POST, course=course)
    if not form.is_valid():
        return _maintenance_page(request, course, contract, booster_form=form)
    used = contract.followups.filter(kind=FollowUp.Kind.BOOSTER).count()
    if used >= contract.booster_sessions:
        messages.error(
            request,
            f"All {contract.booster_sessions} booster session"
            f"{'s' if contract.booster_sessions != 1 else ''} in the contract are planned: "
            "offer more in the contract first.",
        )
        return redirect("course:maintenance", course.pk)
    booster = FollowUp.objects.create(
        maintenance=contract,
        kind=FollowUp.Kind.BOOSTER,
        due_on=form.cleaned_data["due_on"],
        notes=form.cleaned_data["notes"],
    )
    messages.success(
        request, f"Booster session planned for {booster.due_on.day} {booster.due_on:%B %Y}."
    )
    return redirect("course:maintenance", course.pk)


@require_http_methods(["GET", "POST"])
def followup(request, pk, followup_pk):
    write = request.method == "POST"
    course = get_course_for(
        request, pk, write=write, action="maintenance follow-up", after_completion=True
    )
    visit = get_object_or_404(
        FollowUp.objects.filter(maintenance__course=course).select_related("maintenance"),
        pk=followup_pk,
    )
    form = FollowUpForm(request.POST or None, instance=visit)
    # Once recorded, a follow-up's PHQ-9 is part of the record: it is shown, not re-entered.
    phq9_form = None if visit.phq9_id else FollowUpPHQ9Form(request.POST or None)
    if write and _save_followup(request, course, visit, form, phq9_form):
        response = visit.phq9
        if response is not None:
            messages.success(
                request,
                f"{visit.get_kind_display()} recorded. PHQ-9 {response.total} "
                f"({response.band.label.lower()}).",
            )
            if response.needs_risk_assessment:
                messages.error(
                    request,
                    f"PHQ-9 item 9 scored {response.item9}: document a suicide-risk assessment now.",
                )
                return redirect(
                    f"{reverse('course:risk_new', args=[course.pk])}?measure={response.pk}"
                )
        else:
            messages.success(request, f"{visit.get_kind_display()} recorded.")
        return redirect("course:maintenance", course.pk)
    followups = list(visit.maintenance.followups.all())
    rows, baseline, end = followup_rows(course, followups)
    return render(
        request,
        "ipt/course/followup.html",
        {
            "course": course,
            "visit": visit,
            "row": next(r for r in rows if r.followup.pk == visit.pk),
            "baseline": baseline,
            "end": end,
            "form": form,
            "phq9_form": phq9_form,
            "can_edit": course.phase in MAINTENANCE_PHASES
            and course.patient.therapist_id == request.user.pk,
        },
    )


def _save_followup(request, course, visit, form, phq9_form):
    """Validate both forms together; record the PHQ-9 (if given) and link it. True if saved."""
    valid = form.is_valid()
    phq9_given = phq9_form is not None and phq9_form.started
    if phq9_given and valid and form.cleaned_data["status"] == FollowUp.Status.MISSED:
        form.add_error("status", "A PHQ-9 was entered, so the follow-up was held.")
        valid = False
    if phq9_given and not phq9_form.is_valid():
        valid = False
    if not valid:
        return False
    with transaction.atomic():
        visit = form.save(commit=False)
        if phq9_given:
            visit.phq9 = MeasureResponse.record(
                course,
                "phq9",
                phq9_form.answers,
                taken_on=form.cleaned_data["held_on"],
                difficulty=phq9_form.cleaned_data.get("difficulty"),
                by=request.user,
            )
        visit.recorded_by = request.user
        visit.save()
    return True
