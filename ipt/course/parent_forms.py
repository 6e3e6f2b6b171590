"""A parent or carer of an adolescent (IPT-A): who they are, and their consent."""

import uuid

from django import forms
from django.utils import timezone

from ipt import typed
from ipt.course.parents import ParentCarer
from ipt.widgets import DateInput


class ParentForm(typed.ModelForm):
    """Added directly, or picked from the people of the interpersonal inventory."""

    # A token per form shown: the same form sent twice adds the parent or carer once.
    submission = forms.UUIDField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ParentCarer
        fields = [
            "person",
            "name",
            "relationship",
            "parental_responsibility",
            "phone",
            "email",
            "contact_notes",
        ]
        labels = {"person": "From the interpersonal inventory (optional)"}
        help_texts = {
            "person": "Choose them here if they are already in the inventory: their name and "
            "relationship are then taken from it unless you type them.",
        }

    def __init__(self, *args, course, **kwargs):
        self.course = course
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = course.inventory.all()
        self.fields["person"].empty_label = "Not in the inventory"
        self.fields["name"].required = False
        self.fields["relationship"].required = False
        self.initial.setdefault("submission", uuid.uuid4())

    def clean(self):
        cleaned = super().clean()
        person = cleaned.get("person")
        for name in ("name", "relationship"):
            if not (cleaned.get(name) or "").strip():
                if person is not None:
                    cleaned[name] = getattr(person, name)
                else:
                    self.add_error(
                        name,
                        "Give the parent's or carer's name."
                        if name == "name"
                        else "Say how they are related to the adolescent.",
                    )
        return cleaned


class ConsentForm(typed.Form):
    consent_on = forms.DateField(label="Date consent was given", widget=DateInput())
    consent_given_by = forms.CharField(
        label="Consent given by",
        max_length=120,
        help_text="Usually the parent or carer with parental responsibility.",
    )
    consent_to_sessions = forms.BooleanField(
        label="Agrees to take part in sessions (parent sessions and joint sessions)",
        required=False,
    )
    consent_to_sharing = forms.BooleanField(
        label="Agrees to information being shared between the therapist and the parent or carer",
        required=False,
    )
    adolescent_assent = forms.BooleanField(
        label="The adolescent agrees to this parent's or carer's involvement",
        required=False,
        help_text="IPT-A: no parent or joint session without the adolescent's assent.",
    )
    consent_notes = forms.CharField(
        label="What was agreed about confidentiality",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="e.g. what the adolescent says alone stays private, except a risk to safety.",
    )

    def __init__(self, *args, parent, **kwargs):
        self.parent = parent
        self.course = parent.course
        super().__init__(*args, **kwargs)
        self.initial.setdefault("consent_on", parent.consent_on or timezone.localdate())
        self.initial.setdefault("consent_given_by", parent.consent_given_by or parent.name)
        for name in (
            "consent_to_sessions",
            "consent_to_sharing",
            "adolescent_assent",
            "consent_notes",
        ):
            self.initial.setdefault(name, getattr(parent, name))
