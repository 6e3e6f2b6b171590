"""Sick role (with its patient handout), problem areas and the interpersonal formulation."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from ipt.course.access import get_course_for
from ipt.course.models import TreatmentCourse, Variant
from ipt.initial.forms.focus import FormulationForm, ProblemAreaForm, SickRoleForm
from ipt.initial.models import Formulation, ProblemArea
from ipt.pdf import patient_pdf_name, pdf_response, render_pdf

# --- sick role -----------------------------------------------------------------------------


def _sick_role_page(request, course, form, record, can_write):
    return render(
        request,
        "ipt/course/sick_role.html",
        {
            "course": course,
            "form": form,
            "record": record,
            "can_write": can_write,
            "adolescent": course.variant == Variant.ADOLESCENT,
        },
    )


@require_http_methods(["GET", "POST"])
def sick_role(request, pk):
    course, can_write = get_course_for(request, pk, action="sick role")
    record = course._one("sick_role")
    form = SickRoleForm(request.POST or None, instance=record, course=course)
    if request.method == "POST" and form.is_valid():
        record = form.save(commit=False)
        record.course = course
        with course.changing():
            record.save()
        messages.success(request, "Sick role saved. The patient handout is ready to print.")
        return redirect("course:sick_role", course.pk)
    return _sick_role_page(request, course, form, record, can_write)


@require_GET
def sick_role_pdf(request, pk):
    course, can_write = get_course_for(request, pk, action="sick role handout")
    record = course._one("sick_role")
    if record is None:
        # Shown in place (not redirected) so supervisors, who cannot record it, get the page too.
        messages.info(request, "Record the sick role first: the handout is made from it.")
        return _sick_role_page(request, course, SickRoleForm(course=course), None, can_write)
    patient = course.patient
    pdf = render_pdf(
        "ipt/pdf/sick_role.html",
        {"course": course, "patient": patient, "sick_role": record},
        request,
    )
    return pdf_response(pdf, patient_pdf_name("sick-role", patient))


# --- problem areas -------------------------------------------------------------------------


def problem_areas(request, pk):
    course, can_write = get_course_for(request, pk, action="problem areas")
    areas = list(course.problem_areas.all())
    return render(
        request,
        "ipt/course/problem_areas.html",
        {
            "course": course,
            "areas": areas,
            "can_write": can_write,
            "can_add": len(areas) < ProblemArea.MAX_PER_COURSE,
        },
    )


def _render_area_form(request, course, form, *, chosen_area, can_write):
    editing = form is not None and form.instance.pk is not None
    inventory = list(course.inventory.all())
    context = {
        "course": course,
        "form": form,
        "chosen_area": chosen_area,
        "can_write": can_write,
        "editing": editing,
        "area_choices": ProblemArea.choices_for(
            course, exclude=form.instance.pk if editing else None
        ),
        "has_inventory": bool(inventory),
        "has_deceased": any(person.deceased for person in inventory),
    }
    template = "ipt/course/problem_area_form.html"
    if request.htmx and request.method == "GET":
        template += "#area_form"
    return render(request, template, context)


def _warn_if_contract_signed(request, course):
    if course.signed_contract:
        messages.warning(
            request,
            "The signed treatment contract still names the earlier focus: amend the contract "
            "so it matches.",
        )


def _save_locked(course, form):
    """Validate and save while holding the course row.

    Two saves at once would otherwise both pass the "at most two, each area once" checks and
    the second would hit the database's unique constraint: validating under the lock means
    the user always gets a form error, never an IntegrityError.
    """
    with transaction.atomic():
        TreatmentCourse.objects.select_for_update().only("pk").get(pk=course.pk)
        if not form.is_valid():
            return False
        form.save()
        course.refresh_watch()
    return True


@require_http_methods(["GET", "POST"])
def problem_area_new(request, pk):
    course, can_write = get_course_for(request, pk, write=True, action="add problem area")
    if len(course.problem_areas.all()) >= ProblemArea.MAX_PER_COURSE:
        messages.warning(
            request,
            "IPT focuses on one problem area, at most two: remove one before adding another.",
        )
        return redirect("course:problem_areas", course.pk)

    params = request.POST if request.method == "POST" else request.GET
    area = params.get("area", "")
    if area not in ProblemArea.Area.values:
        if request.method == "POST":
            messages.error(request, "Choose a problem area first.")
        return _render_area_form(request, course, None, chosen_area=None, can_write=can_write)
    area = ProblemArea.Area(area)

    if request.method == "POST":
        form = ProblemAreaForm(request.POST, course=course, area=area)
        if _save_locked(course, form):
            messages.success(request, f"Problem area agreed: {form.instance.detail}.")
            _warn_if_contract_signed(request, course)
            return redirect("course:problem_areas", course.pk)
    else:
        # Text typed before switching area comes along (htmx includes it in the request).
        carried = {"rationale": request.GET.get("rationale", "")}
        form = ProblemAreaForm(initial=carried, course=course, area=area)
    return _render_area_form(request, course, form, chosen_area=area, can_write=can_write)


@require_http_methods(["GET", "POST"])
def problem_area_edit(request, pk, area_pk):
    course, can_write = get_course_for(request, pk, write=True, action="edit problem area")
    problem_area = get_object_or_404(course.problem_areas.all(), pk=area_pk)
    if request.method == "POST":
        form = ProblemAreaForm(request.POST, instance=problem_area, course=course, area=None)
        if _save_locked(course, form):
            messages.success(request, f"Problem area saved: {form.instance.detail}.")
            _warn_if_contract_signed(request, course)
            return redirect("course:problem_areas", course.pk)
    else:
        form = ProblemAreaForm(instance=problem_area, course=course, area=None)
    return _render_area_form(request, course, form, chosen_area=form.area, can_write=can_write)


@require_POST
def problem_area_delete(request, pk, area_pk):
    course, _ = get_course_for(request, pk, action="remove problem area")
    problem_area = get_object_or_404(course.problem_areas.all(), pk=area_pk)
    label = problem_area.detail
    with course.changing():
        problem_area.delete()
    messages.success(request, f"Problem area removed: {label}.")
    _warn_if_contract_signed(request, course)
    url = reverse("course:problem_areas", args=[course.pk])
    # An htmx delete reloads the whole list page, with its message.
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_POST
def problem_area_primary(request, pk, area_pk):
    """With two areas, the one the work leads with (the session page opens on it)."""
    course, _ = get_course_for(request, pk, write=True, action="choose primary problem area")
    problem_area = get_object_or_404(course.problem_areas.all(), pk=area_pk)
    problem_area.make_primary()
    messages.success(request, f"Primary problem area: {problem_area.detail}.")
    return redirect("course:problem_areas", course.pk)


# --- formulation ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def formulation(request, pk):
    course, can_write = get_course_for(request, pk, action="formulation")
    record = course._one("formulation")
    from_draft = request.method != "POST" and (record is None or request.GET.get("draft") == "1")
    initial = {"text": Formulation.draft(course)} if from_draft else {}
    form = FormulationForm(request.POST or None, instance=record, initial=initial)
    if request.method == "POST" and form.is_valid():
        record = form.save(commit=False)
        record.course = course
        with course.changing():
            record.save()
        messages.success(request, "Formulation saved.")
        return redirect(course)
    context = {
        "course": course,
        "form": form,
        "record": record,
        "can_write": can_write,
        "from_draft": from_draft,
        "areas": list(course.problem_areas.all()),
        "diagnosis": course._one("diagnosis"),
    }
    template = "ipt/course/formulation.html"
    if request.htmx and request.method != "POST":
        template += "#formulation_form"
    return render(request, template, context)
