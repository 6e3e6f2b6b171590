"""The interpersonal inventory: each significant person, and the closeness circle.

People are added, edited and removed in place with htmx; every action also works as a plain
page and POST + redirect. An htmx answer carries the changed card or form, plus the closeness
circle swapped out of band, so the chart never disagrees with the list.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ipt import charts
from ipt.course.access import get_course_for
from ipt.initial.forms.inventory import PersonForm
from ipt.initial.models import Closeness, InventoryPerson

PAGE = "ipt/course/inventory.html"
# The card's label for each inventory question, and how a question not yet asked is named.
QUESTIONS = {
    "what_like": ("What they are like", "what they are like"),
    "time_together": ("Time together", "time together"),
    "can_discuss": ("Can talk about", "what can be talked about"),
    "cannot_discuss": ("Cannot talk about", "what cannot be talked about"),
    "feelings": ("Feelings when together", "feelings when together"),
    "patient_expects": ("Expects of them", "what the patient expects of them"),
    "they_expect": ("They expect of the patient", "what they expect of the patient"),
    "expectations_met": ("Expectations met?", "whether the expectations are met"),
    "satisfying": ("Satisfying", "what is satisfying"),
    "unsatisfying": ("Unsatisfying", "what is unsatisfying"),
    "conflicts": ("Conflicts", "conflicts"),
    "conflicts_resolve": ("Do conflicts resolve?", "whether they resolve"),
    "knows_about_depression": (
        "Knows about the depression",
        "whether they know about the depression",
    ),
    "would_change": ("Would like to change", "what the patient would change"),
}

CHOICES = ("conflicts_resolve", "knows_about_depression", "expectations_met")


@dataclass
class Card:
    """What a person's card shows: the answers given so far and the questions still open."""

    person: InventoryPerson
    answers: list[tuple[str, str]]
    unasked: list[str]
    focal: list[str]  # the problem areas this person is the focus of
    events: int  # timeline events involving them


def _card(person, focal, events):
    answers, unasked = [], []
    for name in PersonForm.QUESTIONS:
        label, todo = QUESTIONS[name]
        value = getattr(person, name)
        if name in CHOICES and value:
            value = getattr(person, f"get_{name}_display")()
        if value.strip():
            answers.append((label, value))
        elif not (person.deceased and name == "knows_about_depression"):
            unasked.append(todo)
    return Card(person, answers, unasked, focal.get(person.pk, []), events.get(person.pk, 0))


def _context(can_write, course, *, person=None, circle=True, **extra):
    """Cards (or one card) for the page, and the closeness circle with its text alternative."""
    # IPT: the person at the heart of a focal problem area (who died, with whom the dispute
    # is) is marked in the circle and on their card.
    focal = {}
    for area in course.problem_areas.all():
        if area.person_id:
            focal.setdefault(area.person_id, []).append(area.get_area_display())
    events = {}
    for event in course.life_events.all():
        if event.person_id:
            events[event.person_id] = events.get(event.person_id, 0) + 1
    people = list(course.inventory.all())
    context = {
        "course": course,
        "can_write": can_write,
        "cards": [_card(p, focal, events) for p in people],
        **extra,
    }
    if person is not None:
        context["card"] = _card(person, focal, events)
        context["person"] = person
    if circle:
        name = course.patient.display_name
        context["circle_svg"] = charts.closeness_circle(
            [
                charts.CirclePerson(
                    p.name,
                    f"{p.relationship}, died" if p.deceased else p.relationship,
                    p.closeness,
                    focal=p.pk in focal,
                )
                for p in people
            ],
            title=f"Closeness circle: the people around {name}",
            centre_label=name,
        )
        context["rings"] = [
            (label, [c for c in context["cards"] if c.person.closeness == value])
            for value, label in Closeness.choices
        ]
    return context


def _changed(course):
    """Forget the prefetched people, so the circle shows the change just saved."""
    course.refresh_from_db(fields=["inventory"])
    return course


@require_http_methods(["GET", "POST"])
def inventory(request, pk):
    course, can_write = get_course_for(request, pk, action="interpersonal inventory")
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = form.save(commit=False)
        person.course = course
        with course.changing():
            person.save()
        if request.htmx:
            # A fresh form replaces the one posted; the new card and the circle go out of band.
            # The next person can be typed straight away.
            form = PersonForm(focus=True)
            context = _context(can_write, _changed(course), person=person, form=form)
            return render(request, f"{PAGE}#person_added", context)
        messages.success(request, f"{person.name} ({person.relationship}) added to the inventory.")
        return redirect("course:inventory", course.pk)
    if request.method == "POST" and request.htmx:
        # The posted form comes back with its errors and the typed text, in place.
        return render(request, f"{PAGE}#add_form", {"course": course, "form": form})
    return render(request, PAGE, _context(can_write, course, form=form))


@require_GET
def person_detail(request, pk, person_pk):
    course, can_write = get_course_for(request, pk, action="inventory person")
    person = get_object_or_404(course.inventory.all(), pk=person_pk)
    if request.htmx:  # "Cancel" on an edit form in place: the card comes back
        context = _context(can_write, course, person=person, circle=False)
        return render(request, f"{PAGE}#person_card", context)
    events = [e for e in course.life_events.all() if e.person_id == person.pk]
    context = _context(can_write, course, person=person, circle=False, events=events)
    return render(request, "ipt/course/inventory/person.html", context)


@require_http_methods(["GET", "POST"])
def person_edit(request, pk, person_pk):
    course, can_write = get_course_for(request, pk, write=True, action="edit inventory person")
    person = get_object_or_404(course.inventory.all(), pk=person_pk)
    # In place, the cursor goes to the form that has just replaced the card.
    in_place = bool(request.htmx) and request.method == "GET"
    form = PersonForm(request.POST or None, instance=person, focus=in_place)
    if request.method == "POST" and form.is_valid():
        with course.changing():
            person = form.save()
        if request.htmx:
            context = _context(can_write, _changed(course), person=person, saved=True)
            return render(request, f"{PAGE}#person_saved", context)
        messages.success(request, f"{person.name} ({person.relationship}) saved.")
        return redirect(f"{reverse('course:inventory', args=[course.pk])}#person-{person.pk}")
    context = {"course": course, "person": person, "form": form}
    if request.htmx:
        return render(request, f"{PAGE}#person_form", context)
    return render(request, "ipt/course/inventory/person_edit.html", context)


@require_POST
def person_delete(request, pk, person_pk):
    course, can_write = get_course_for(request, pk, action="remove inventory person")
    person = get_object_or_404(course.inventory.all(), pk=person_pk)
    name = f"{person.name} ({person.relationship})"
    # Timeline events and problem areas keep their text; only their link to the person goes.
    with course.changing():
        person.delete()
    if request.htmx:
        # The card (the button's target) is swapped for nothing, so it leaves the list.
        context = _context(can_write, _changed(course), removed=name)
        return render(request, f"{PAGE}#person_removed", context)
    messages.success(request, f"{name} removed from the inventory.")
    return redirect("course:inventory", course.pk)
