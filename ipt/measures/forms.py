"""Recording a symptom measure, item by item, and a risk assessment."""

import uuid

from django import forms
from django.utils import timezone

from ipt import typed
from ipt.measures.models import RiskAssessment
from ipt.rules import risk
from ipt.widgets import DateInput, no_blank_radio


class MeasureForm(typed.Form):
    """One field per item of an instrument, built from its definition in ipt/measures/instruments.py."""

    taken_on = forms.DateField(label="Date completed", widget=DateInput())
    # A token per form shown: the same form sent twice records the measure once.
    submission = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.initial.setdefault("taken_on", timezone.localdate())
        self.initial.setdefault("submission", uuid.uuid4())
        for item in instrument.items:
            self.fields[f"item_{item.number}"] = forms.TypedChoiceField(
                label=f"{item.number}. {item.text}",
                choices=[(score, f"{score} – {label}") for score, label in item.choices],
                coerce=int,
                widget=forms.RadioSelect(attrs={"class": "score"}),
                error_messages={"required": "Choose a score for this item."},
            )
        if instrument.difficulty_question:
            self.fields["difficulty"] = forms.TypedChoiceField(
                label=instrument.difficulty_question,
                choices=list(instrument.difficulty_choices),
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect,
            )

    def item_fields(self):
        return [self[f"item_{item.number}"] for item in self.instrument.items]

    def clean_taken_on(self):
        taken_on = self.cleaned_data["taken_on"]
        if taken_on > timezone.localdate():
            raise forms.ValidationError("A measure is recorded on or after the day it was taken.")
        return taken_on

    @property
    def answers(self):
        return [self.cleaned_data[f"item_{item.number}"] for item in self.instrument.items]


class RiskAssessmentForm(typed.ModelForm):
    """A dated risk assessment; the rules it must meet are ``rules.risk.assessment_errors``."""

    plan_dates = ("review_on",)

    class Meta:
        model = RiskAssessment
        fields = [
            "reason",
            "assessed_on",
            "level",
            "asked",
            "findings",
            "protective_factors",
            "safety_plan",
            "actions_taken",
            "informed",
            "review_on",
        ]
        widgets = {
            "reason": forms.RadioSelect,
            "assessed_on": DateInput(),
            "level": forms.RadioSelect,
            "asked": forms.Textarea(attrs={"rows": 3}),
            "findings": forms.Textarea(attrs={"rows": 4}),
            "protective_factors": forms.Textarea(attrs={"rows": 3}),
            "safety_plan": forms.Textarea(attrs={"rows": 4}),
            "actions_taken": forms.Textarea(attrs={"rows": 3}),
            "informed": forms.Textarea(attrs={"rows": 2}),
            "review_on": DateInput(),
        }

    def __init__(self, *args, signal=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.signal = signal
        self.initial.setdefault("assessed_on", timezone.localdate())
        # What prompted it follows from the signal being answered; asked only when there is
        # none (then "my own concern" unless the therapist says otherwise).
        self.fields["reason"].required = False
        no_blank_radio(self, "level", "reason")

    def clean_reason(self):
        if self.signal is not None:
            return self.signal.kind
        return self.cleaned_data["reason"] or RiskAssessment.Reason.CONCERN

    def clean(self):
        cleaned = super().clean()
        errors = risk.assessment_errors(
            assessed_on=cleaned.get("assessed_on"),
            level=cleaned.get("level"),
            safety_plan=cleaned.get("safety_plan") or "",
            actions=cleaned.get("actions_taken") or "",
            review_on=cleaned.get("review_on"),
            today=timezone.localdate(),
            signal_on=self.signal.on if self.signal else None,
        )
        for name, message in errors.items():
            if name not in self.errors:
                self.add_error(name, message)
        return cleaned
