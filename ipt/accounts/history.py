"""The record's history: who changed which field of a patient's record, and when.

``@tracked("course__patient")`` on a model keeps every insert, change and removal of its rows in
an event table (django-pghistory: database triggers, so no code path can skip it), each event
tied to the signed-in user who made it. The event tables are append-only like the audit.

``changes_to(patient)`` lists the events of every tracked model of one patient, newest first,
as a queryset to page through; ``described(rows)`` turns a page of it into what a clinician
reads: when, who, which part of the record, and each field's value before and after.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

import pghistory
from django.apps import apps
from django.db.models import CharField, OuterRef, Subquery, Value
from django.utils import timezone

from ipt.accounts.triggers import append_only

# Bookkeeping columns that are not part of what the clinician wrote.
NOT_KEPT = {"updated_at", "versions"}

# Tracked model -> the lookup from one of its events to the patient.
TRACKED: dict[type, str] = {}

WHAT_HAPPENED = {"insert": "Added", "update": "Changed", "delete": "Removed"}


def tracked(to_patient):
    """Keep the history of the decorated model; ``to_patient`` leads from a row to its patient."""

    def decorate(model):
        pghistory.track(
            pghistory.InsertEvent(),
            pghistory.UpdateEvent(),
            pghistory.DeleteEvent(),
            exclude=[f.name for f in model._meta.local_fields if f.name in NOT_KEPT],
            obj_field=pghistory.ObjForeignKey(related_name="+", related_query_name="+"),
            model_name=f"{model.__name__}Event",
            meta={"triggers": append_only("Record history entries")},
        )(model)
        TRACKED[model] = to_patient
        return model

    return decorate


def event_model(model):
    return apps.get_model(model._meta.app_label, f"{model.__name__}Event")


def changes_to(patient):
    """Every change to the patient's record, newest first: rows of (model, pgh_id, at)."""
    parts = [
        event_model(model)
        .objects.filter(**{path: patient.pk})
        .annotate(model=Value(model._meta.label, output_field=CharField()))
        .values_list("model", "pgh_id", "pgh_created_at")
        for model, path in TRACKED.items()
    ]
    return parts[0].union(*parts[1:], all=True).order_by("-pgh_created_at", "-pgh_id")


@dataclass
class Change:
    label: str
    before: str
    after: str


@dataclass
class Entry:
    at: datetime
    user_id: int | None
    what: str
    part: str
    changes: list[Change] = field(default_factory=list)
    user: object = None


def shown(model_field, value):
    """A stored value as the form showed it: a choice by its label, a yes/no, a date as dates are
    written in the app, a list of choices by their labels, a blank as a dash."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, list):
        base = getattr(model_field, "base_field", model_field)
        return ", ".join(shown(base, item) for item in value)
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%-d %b %Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%-d %b %Y")
    return str(value)


def _fields(model):
    return [
        f
        for f in model._meta.concrete_fields
        if f.name not in NOT_KEPT and not f.primary_key and not f.is_relation
    ]


def _changes(model, event, previous):
    if event.pgh_label == "delete":
        return []
    changes = []
    for f in _fields(model):
        after = getattr(event, f.attname, None)
        before = getattr(previous, f.attname, None) if previous is not None else None
        if previous is not None and before == after:
            continue
        if previous is None and shown(f, after) == "—":
            continue
        changes.append(Change(str(f.verbose_name).capitalize(), shown(f, before), shown(f, after)))
    return changes


def _part(model, event):
    """Which part of the record: its kind, and a numbered one by its number ("Session 3")."""
    part = str(model._meta.verbose_name).capitalize()
    number = getattr(event, "number", None)
    return f"{part} {number}" if isinstance(number, int) else part


def described(rows):
    """The page's events in words, in the page's order: a bounded number of queries (two per
    kind of record on the page, one for the people), whatever the page holds."""
    wanted: dict[str, list[int]] = {}
    for label, pgh_id, _ in rows:
        wanted.setdefault(label, []).append(pgh_id)
    entries = {}
    for label, ids in wanted.items():
        model = apps.get_model(label)
        events = event_model(model).objects
        before = events.filter(
            pgh_obj_id=OuterRef("pgh_obj_id"), pgh_id__lt=OuterRef("pgh_id")
        ).order_by("-pgh_id")
        page = list(
            events.filter(pgh_id__in=ids)
            .select_related("pgh_context")
            .annotate(earlier_event=Subquery(before.values("pgh_id")[:1]))
        )
        previous = events.in_bulk([e.earlier_event for e in page if e.earlier_event])
        for event in page:
            context = event.pgh_context.metadata if event.pgh_context else {}
            entries[label, event.pgh_id] = Entry(
                at=event.pgh_created_at,
                user_id=context.get("user"),
                what=WHAT_HAPPENED.get(event.pgh_label, event.pgh_label),
                part=_part(model, event),
                changes=_changes(model, event, previous.get(event.earlier_event)),
            )
    people = apps.get_model("ipt", "User").objects.in_bulk(
        {e.user_id for e in entries.values() if e.user_id}
    )
    for entry in entries.values():
        entry.user = people.get(entry.user_id)
    return [entries[label, pgh_id] for label, pgh_id, _ in rows if (label, pgh_id) in entries]
