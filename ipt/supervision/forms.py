"""Supervision: the caseload review's filters, feedback, and session ratings."""

from django import forms

from ipt import typed
from ipt.course.models import Phase
from ipt.supervision.caseload import DEFAULT_SORT, FLAGS, SORTS
from ipt.supervision.models import SessionRating
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


SCORES = [
    (1, "1 Not evident"),
    (2, "2 Minimal"),
    (3, "3 Adequate"),
    (4, "4 Good"),
    (5, "5 Excellent"),
]


class SessionRatingForm(typed.Form):
    """A 1-5 score and a comment for each key IPT element; elements left blank are not rated."""

    def __init__(self, *args, existing=(), **kwargs):
        super().__init__(*args, **kwargs)
        current = {r.element: r for r in existing}
        for element in SessionRating.Element:
            rating = current.get(element.value)
            self.fields[f"{element.value}_score"] = forms.TypedChoiceField(
                label=element.label,
                choices=SCORES,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect,
                initial=rating.score if rating else None,
                error_messages={"invalid_choice": "Choose a score from 1 to 5."},
            )
            self.fields[f"{element.value}_comment"] = forms.CharField(
                label=f"Comment on {element.label[0].lower()}{element.label[1:]}",
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=rating.comment if rating else "",
            )

    def elements(self):
        """(element, score field, comment field) for the template."""
        return [
            (e, self[f"{e.value}_score"], self[f"{e.value}_comment"]) for e in SessionRating.Element
        ]

    def clean(self):
        cleaned = super().clean()
        scored = False
        for element in SessionRating.Element:
            score = cleaned.get(f"{element.value}_score")
            comment = (cleaned.get(f"{element.value}_comment") or "").strip()
            if score is not None:
                scored = True
            elif comment and f"{element.value}_score" not in self.errors:
                self.add_error(
                    f"{element.value}_score", "Give a score from 1 to 5 with the comment."
                )
        if not scored and not self.errors:
            raise forms.ValidationError("Rate at least one element of the session from 1 to 5.")
        return cleaned

    def ratings(self):
        """{element: (score, comment)} for the elements rated."""
        return {
            element.value: (
                self.cleaned_data[f"{element.value}_score"],
                self.cleaned_data[f"{element.value}_comment"].strip(),
            )
            for element in SessionRating.Element
            if self.cleaned_data.get(f"{element.value}_score") is not None
        }
