"""Correcting a group session recorded as held, until it is finalised.

A facilitator who ticked the wrong member absent, typed the wrong mood or wants to add to the
group's notes corrects the group session; each member's own session is changed through its
own methods (``Session.set_status``, ``Session.record_mood``), which lock it and refuse a
finalised one, and their course's stored watch follows. A member whose session is finalised is
never changed: the correction is refused, naming them, and nothing else is changed either.
Every correction is kept as a ``GroupSessionCorrection`` (who, when, why, what changed), an
append-only row, beside the record history of the rows it changed.
"""

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from groups import rules
from ipt.accounts.triggers import append_only
from ipt.course.models import TransitionRefused
from sessions_app.models import Session


class GroupSessionCorrection(models.Model):
    group_session = models.ForeignKey(
        "groups.GroupSession", on_delete=models.PROTECT, related_name="corrections"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    reason = models.TextField("what was corrected and why")
    changes = models.TextField()

    class Meta:
        ordering = ["at", "pk"]
        triggers = append_only("Corrections of a group session")

    def __str__(self):
        return f"Correction of {self.group_session} on {self.at:%-d %b %Y}"


def _state(row):
    return {"attendance": row.attendance, "reason": row.reason, "mood": row.session.mood_rating}


def _wanted(entry):
    came = entry["attendance"] in rules.CAME
    return {
        "attendance": entry["attendance"],
        "reason": "" if came else (entry.get("reason") or "").strip(),
        "mood": entry.get("mood") if came else None,
    }


def _refusals(group_session, entries, reason):
    reasons = [] if reason.strip() else ["Say what was corrected and why."]
    rows = {r.member_id: r for r in group_session.attendance.select_related("session", "member")}
    reasons.extend(rules.members_refusals([e["member"].pk for e in entries], rows))
    for entry in entries:
        row = rows.get(entry["member"].pk)
        errors = rules.entry_errors(
            attendance=entry["attendance"], reason=entry.get("reason") or "",
            mood=entry.get("mood"), phq9="", event="", action="",
        )  # fmt: skip
        if errors or row is None:
            reasons.extend(f"{entry['member'].first_name}: {e}" for e in errors.values())
            continue
        session = row.session
        reasons.extend(
            f"{row.member.first_name}: {r}"
            for r in rules.correction_refusals(
                _state(row),
                _wanted(entry),
                finalised=session.is_finalised,
                has_measure=session.phq9_id is not None,
                has_rows=session.events.exists() or session.homework_set.exists(),
            )
        )
    return reasons, rows


def correct(group_session, entries, *, theme, process_notes, reason, by):
    """Guard -> lock -> re-check -> change -> record. ``entries``: one dict per member recorded
    at the session (member, attendance, reason, mood)."""
    with transaction.atomic():
        locked = group_session._locked_held()
        reasons, rows = _refusals(locked, entries, reason)
        if reasons:
            raise TransitionRefused(reasons)
        lines = []
        for entry in entries:
            row = rows[entry["member"].pk]
            before, after = _state(row), _wanted(entry)
            if before == after:
                continue
            session = Session.objects.select_related("course").get(pk=row.session_id)
            with session.course.changing():
                if (before["attendance"], before["reason"]) != (
                    after["attendance"],
                    after["reason"],
                ):
                    if after["attendance"] in rules.CAME:
                        note = (
                            "Came late to the group session."
                            if after["attendance"] == rules.LATE
                            else ""
                        )
                        session.set_status(Session.Status.HELD, note)
                    else:
                        session.set_status(Session.Status.MISSED, after["reason"])
                if before["mood"] != after["mood"]:
                    session.record_mood(after["mood"])
            row.attendance, row.reason = after["attendance"], after["reason"]
            if row.attendance not in rules.CAME:
                row.mood_event_linked = False
            row.save(update_fields=["attendance", "reason", "mood_event_linked"])
            lines.append(rules.describe_change(row.member.first_name, before, after))
        for field, value, label in (
            ("theme", theme, "the group's theme"),
            ("process_notes", process_notes, "the group process notes"),
        ):
            if getattr(locked, field) != value:
                setattr(locked, field, value)
                lines.append(f"Changed {label}.")
        if not lines:
            raise TransitionRefused(["Nothing was changed."])
        locked.save(update_fields=["theme", "process_notes"])
        return GroupSessionCorrection.objects.create(
            group_session=locked, by=by, reason=reason.strip(), changes="\n".join(lines)
        )
