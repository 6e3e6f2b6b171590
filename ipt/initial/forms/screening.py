"""The suitability screen and the diagnosis."""

from django import forms
from django.utils import timezone

from ipt.initial.models import Diagnosis, SuitabilityScreen
from ipt.widgets import DateInput, no_blank_radio


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
        no_blank_radio(self, "episode", "severity")

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
