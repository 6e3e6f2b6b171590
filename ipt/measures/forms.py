"""Recording a symptom measure, item by item, and a risk assessment."""

from django import forms
from django.utils import timezone

from ipt.measures.models import RiskAssessment
from ipt.widgets import DateInput, no_blank_radio


class MeasureForm(forms.Form):
    """One field per item of an instrument, built from its definition in ipt/measures/instruments.py."""

    taken_on = forms.DateField(label="Date completed", widget=DateInput())

    def __init__(self, *args, instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.initial.setdefault("taken_on", timezone.localdate())
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


class RiskAssessmentForm(forms.ModelForm):
    class Meta:
        model = RiskAssessment
        fields = ["assessed_on", "level", "findings", "safety_plan", "actions_taken"]
        widgets = {
            "assessed_on": DateInput(),
            "level": forms.RadioSelect,
            "findings": forms.Textarea(attrs={"rows": 4}),
            "safety_plan": forms.Textarea(attrs={"rows": 4}),
            "actions_taken": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("assessed_on", timezone.localdate())
        no_blank_radio(self, "level")
