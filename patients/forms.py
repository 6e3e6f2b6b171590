import uuid
from datetime import date

from django import forms

from ipt.typed import ModelForm as TypedModelForm
from patients.models import Patient


class PatientForm(TypedModelForm):
    # A token per page shown, sent back with the form: the same form submitted twice (a double
    # click, a resent request) adds the patient once.
    submission = forms.UUIDField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Patient
        fields = [
            "full_name",
            "preferred_name",
            "date_of_birth",
            "phone",
            "email",
            "session_reminders",
            "questionnaire_in_reminder",
            "address",
            "emergency_contact_name",
            "emergency_contact_relationship",
            "emergency_contact_phone",
            "referral_source",
            "referral_reason",
        ]
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "address": forms.Textarea(attrs={"rows": 2}),
            "referral_reason": forms.Textarea(attrs={"rows": 3}),
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
            "emergency_contact_phone": forms.TextInput(attrs={"type": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            del self.fields["submission"]  # editing: saving twice changes nothing anyway
        else:
            self.initial.setdefault("submission", uuid.uuid4())

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        today = date.today()
        if born > today:
            raise forms.ValidationError("The date of birth cannot be in the future.")
        if born.year < 1900:
            raise forms.ValidationError("Please check the year of birth.")
        return born

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("phone") and not cleaned.get("email"):
            self.add_error("phone", "Give at least a phone number or an email address.")
        if cleaned.get("session_reminders") and not cleaned.get("email"):
            self.add_error("email", "Reminders are sent by email: give the patient's address.")
        return cleaned
