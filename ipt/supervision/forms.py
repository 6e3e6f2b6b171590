"""Supervision: the caseload review's filters, feedback, and session ratings."""

from django import forms

from ipt import typed
from ipt.course.models import Phase
from ipt.supervision import fidelity
from ipt.supervision.caseload import DEFAULT_SORT, FLAGS, SORTS
from sessions_app.models import Session


def _sort_choices():
    choices = [(DEFAULT_SORT, SORTS[DEFAULT_SORT][0])]
    for key, (label, _) in SORTS.items():
        if key != DEFAULT_SORT:
            choices += [(key, label), (f"-{key}", f"{label}, descending")]
    return choices


class DashboardFilterForm(typed.Form):
    """GET filters of the caseload review. A value that is not a choice is ignored."""

    therapist = forms.ChoiceField(required=False)
    phase = forms.ChoiceField(required=False, choices=[("", "All active phases"), *Phase.choices])
    flag = forms.ChoiceField(
        label="Flag", required=False, choices=[("", "Any or none"), *FLAGS.items()]
    )
    sort = forms.ChoiceField(label="Sort by", required=False, choices=_sort_choices())
    closed = forms.BooleanField(label="Include completed and ended-early courses", required=False)

    def __init__(self, data, *, therapists):
        super().__init__(data)
        self.fields["therapist"].choices = [("", "All therapists")] + [
            (str(t.pk), str(t)) for t in therapists
        ]

    def filters(self):
        """The valid filters only: a stale or tampered link still shows the caseload."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "therapist": int(data["therapist"]) if data.get("therapist") else None,
            "phase": data.get("phase") or "",
            "flag": data.get("flag") or "",
            "sort": data.get("sort") or DEFAULT_SORT,
            "closed": bool(data.get("closed")),
        }


class FeedbackForm(typed.Form):
    session = forms.ModelChoiceField(
        label="About",
        queryset=Session.objects.none(),
        required=False,
        empty_label="The course as a whole",
    )
    text = forms.CharField(
        label="Feedback",
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What went well and what to work on, in the language of the IPT model.",
        error_messages={"required": "Write the feedback for the therapist."},
    )

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["session"].queryset = course.sessions.filter(status=Session.Status.HELD)
        self.fields["session"].label_from_instance = lambda s: (
            f"Session {s.number} ({s.scheduled_for:%-d %b %Y})"
        )


class SessionRatingForm(typed.Form):
    """The fidelity scale: a 1-5 score and a comment for each item (items left blank are not
    rated), and the drift item: how much non-IPT work was seen, and what.

    ``initial`` scores ({item: score}) pre-fill items not yet rated (the self-rating's
    suggestions from the record)."""

    drift_hint = fidelity.DRIFT_HINT

    def __init__(self, *args, existing=(), drift=None, suggested=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = {r.element: r for r in existing}
        suggested = suggested or {}
        for item in fidelity.ITEMS:
            rating = current.get(item.key)
            self.fields[f"{item.key}_score"] = forms.TypedChoiceField(
                label=item.label,
                choices=fidelity.SCORES,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                initial=rating.score if rating else suggested.get(item.key),
                error_messages={"invalid_choice": "Choose a score from 1 to 5."},
            )
            self.fields[f"{item.key}_comment"] = forms.CharField(
                label=f"Comment on {item.label[0].lower()}{item.label[1:]}",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=rating.comment if rating else "",
            )
        self.fields["drift_level"] = forms.ChoiceField(
            label=fidelity.DRIFT_LABEL,
            choices=fidelity.DRIFT_LEVELS,
            required=False,
            widget=forms.RadioSelect,
            initial=drift.level if drift else None,
            error_messages={"invalid_choice": "Choose none, some or substantial."},
        )
        self.fields["drift_seen"] = forms.CharField(
            label="What was seen",
            required=False,
            max_length=2000,
            widget=forms.Textarea(attrs={"rows": 2}),
            initial=drift.seen if drift else "",
        )

    def elements(self):
        """(item, score field, comment field) for the template."""
        return [
            (item, self[f"{item.key}_score"], self[f"{item.key}_comment"])
            for item in fidelity.ITEMS
        ]

    def clean(self):
        cleaned = super().clean()
        scored = False
        for item in fidelity.ITEMS:
            score = cleaned.get(f"{item.key}_score")
            comment = (cleaned.get(f"{item.key}_comment") or "").strip()
            if score is not None:
                scored = True
            elif comment and f"{item.key}_score" not in self.errors:
                self.add_error(f"{item.key}_score", "Give a score from 1 to 5 with the comment.")
        level = cleaned.get("drift_level") or ""
        seen = (cleaned.get("drift_seen") or "").strip()
        if level in ("some", "substantial") and not seen:
            self.add_error("drift_seen", "Say which non-IPT interventions were seen.")
        elif seen and not level and "drift_level" not in self.errors:
            self.add_error("drift_level", "Say how much non-IPT work was seen.")
        if level:
            scored = True
        if not scored and not self.errors:
            raise forms.ValidationError("Rate at least one item of the session.")
        return cleaned

    def ratings(self):
        """{item: (score, comment)} for the items rated."""
        return {
            item.key: (
                self.cleaned_data[f"{item.key}_score"],
                self.cleaned_data[f"{item.key}_comment"].strip(),
            )
            for item in fidelity.ITEMS
            if self.cleaned_data.get(f"{item.key}_score") is not None
        }

    def drift(self):
        """(level, what was seen), or None when the drift item was left blank."""
        level = self.cleaned_data.get("drift_level")
        return (level, self.cleaned_data["drift_seen"].strip()) if level else None
