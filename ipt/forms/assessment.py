"""Suitability, diagnosis, symptom measures and risk assessment."""

from django import forms
from django.utils import timezone

from ipt.forms.course import DateInput
from ipt.models import Diagnosis, RiskAssessment, SuitabilityScreen


def _no_blank_radio(form, *names):
    """Drop the empty choice Django adds to a required model choice field.

    As a radio button it would read "- Select an option -" and start out checked: the
    therapist must choose an answer, and leaving it unchosen already shows "required".
    """
    for name in names:
        field = form.fields[name]
        field.choices = [(value, label) for value, label in field.choices if value != ""]


class SuitabilityForm(forms.ModelForm):
    class Meta:
        model = SuitabilityScreen
        fields = [
            "screened_on",
            "acute_mania",
            "active_psychosis",
            "severe_neurocognitive_impairment",
            "severe_substance_use",
            "acute_suicidality",
            "notes",
            "override_reason",
        ]
        widgets = {
            "screened_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "override_reason": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "acute_mania": "Acute mania",
            "active_psychosis": "Active psychosis",
            "severe_neurocognitive_impairment": "Severe neurocognitive impairment",
            "severe_substance_use": "Severe active substance use disorder",
            "acute_suicidality": "Acute suicidality",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("screened_on", timezone.localdate())


class DiagnosisForm(forms.ModelForm):
    class Meta:
        model = Diagnosis
        fields = [
            "disorder",
            "other_disorder",
            "episode",
            "severity",
            "onset",
            "diagnosed_on",
            "explained_as_illness",
            "notes",
        ]
        widgets = {
            "onset": DateInput(),
            "diagnosed_on": DateInput(),
            "episode": forms.RadioSelect,
            "severity": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("diagnosed_on", timezone.localdate())
        _no_blank_radio(self, "episode", "severity")

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("disorder") == Diagnosis.Disorder.OTHER
            and not cleaned.get("other_disorder", "").strip()
        ):
            self.add_error("other_disorder", "Name the disorder.")
        onset, diagnosed = cleaned.get("onset"), cleaned.get("diagnosed_on")
        if onset and diagnosed and onset > diagnosed:
            self.add_error("onset", "The episode's onset comes before the diagnosis.")
        return cleaned


class MeasureForm(forms.Form):
    """One field per item of an instrument, built from its definition in ipt/measures.py."""

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
        _no_blank_radio(self, "level")
