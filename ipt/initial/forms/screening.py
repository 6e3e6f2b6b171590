"""The suitability screen and the diagnosis."""

from django import forms
from django.utils import timezone

from ipt import typed
from ipt.initial.models import Diagnosis, SuitabilityScreen
from ipt.widgets import DateInput, MonthField, no_blank_radio


def _yes_no(label, yes="Yes", no="No"):
    """A question answered yes or no, never left to default: an untouched screen is no screen."""
    return forms.TypedChoiceField(
        label=label,
        choices=[("yes", yes), ("no", no)],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={"required": f"Answer yes or no: {label.lower()}."},
    )


class SuitabilityForm(typed.ModelForm):
    # IPT-REFERENCE.md, "Before starting: suitability": each contraindication screened for, and
    # the capacities IPT needs recorded.
    acute_mania = _yes_no("Acute mania", yes="Present", no="Absent")
    active_psychosis = _yes_no("Active psychosis", yes="Present", no="Absent")
    severe_neurocognitive_impairment = _yes_no(
        "Severe neurocognitive impairment", yes="Present", no="Absent"
    )
    severe_substance_use = _yes_no(
        "Severe active substance use disorder", yes="Present", no="Absent"
    )
    acute_suicidality = _yes_no("Acute suicidality", yes="Present", no="Absent")
    reality_testing = _yes_no("Can reality-test")
    sustained_attention = _yes_no("Can sustain attention through a session")
    learning = _yes_no("Can learn and use new ways of relating")
    alliance = _yes_no("Can form a working alliance")

    CONTRAINDICATIONS = [name for name, _ in SuitabilityScreen.CONTRAINDICATIONS]
    CAPACITIES = [name for name, _ in SuitabilityScreen.CAPACITIES]

    class Meta:
        model = SuitabilityScreen
        fields = [
            "screened_on",
            "acute_mania",
            "active_psychosis",
            "severe_neurocognitive_impairment",
            "severe_substance_use",
            "acute_suicidality",
            "reality_testing",
            "sustained_attention",
            "learning",
            "alliance",
            "notes",
            "override_reason",
        ]
        widgets = {
            "screened_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "override_reason": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("screened_on", timezone.localdate())
        if self.instance.pk:  # a saved screen shows its answers as the radios' values
            for name in self.CONTRAINDICATIONS + self.CAPACITIES:
                value = getattr(self.instance, name)
                self.initial[name] = None if value is None else ("yes" if value else "no")
        else:
            for name in self.CONTRAINDICATIONS + self.CAPACITIES:
                self.initial[name] = None

    def contraindication_fields(self):
        return [self[name] for name in self.CONTRAINDICATIONS]

    def capacity_fields(self):
        return [self[name] for name in self.CAPACITIES]


class DiagnosisForm(typed.ModelForm):
    unchecked_dates = ("onset",)  # a month: MonthField holds it to 1900 .. this month

    class Meta:
        model = Diagnosis
        field_classes = {"onset": MonthField}
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
        if onset and diagnosed and onset > diagnosed.replace(day=1):
            self.add_error("onset", "The episode's onset comes before the diagnosis.")
        return cleaned
