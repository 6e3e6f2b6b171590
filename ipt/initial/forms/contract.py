"""The treatment contract: editing a draft, signing it with the patient, amending it."""

import unicodedata

from django import forms
from django.utils import timezone

from ipt import typed
from ipt.initial.contract import TreatmentContract, parent_signature_required
from ipt.widgets import DateInput, TimeInput, session_minutes_in_range

# Apostrophes and dashes a keyboard or phone may type for the one in the record.
_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'", "\u02bc": "'",
                       "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
                       "\u2212": "-"})  # fmt: skip


def comparable_name(name):
    """A name as a person reads it: Unicode-normalised (NFKC, so "e" + combining diaeresis is
    "ë"), case-folded, apostrophes and dashes of every kind the same, spaces collapsed."""
    folded = unicodedata.normalize("NFKC", name).translate(_FOLD).casefold()
    return " ".join(folded.split())


def _same_name(typed, full_name):
    """Names compared as a person would: "Zoë O’Brien-Łukasz" typed any way is the same."""
    return comparable_name(typed) == comparable_name(full_name)


class ContractForm(typed.ModelForm):
    """The terms of an unsigned contract, checked against the course they belong to."""

    plan_dates = ("start_date", "expected_end_date")

    class Meta:
        model = TreatmentContract
        fields = [
            "focal_areas",
            "goals",
            "number_of_sessions",
            "weekday",
            "session_time",
            "session_minutes",
            "start_date",
            "expected_end_date",
            "missed_session_policy",
            "sick_role",
            "time_limit",
            "confidentiality",
            "crisis_plan",
        ]
        widgets = {
            "focal_areas": forms.Textarea(attrs={"rows": 2}),
            "goals": forms.Textarea(attrs={"rows": 4}),
            "session_time": TimeInput(),
            "start_date": DateInput(),
            "expected_end_date": DateInput(),
            "missed_session_policy": forms.Textarea(attrs={"rows": 4}),
            "sick_role": forms.Textarea(attrs={"rows": 4}),
            "time_limit": forms.Textarea(attrs={"rows": 3}),
            "confidentiality": forms.Textarea(attrs={"rows": 3}),
            "crisis_plan": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "focal_areas": "One area per line; IPT works on one focal area, at most two.",
            "goals": "One goal per line, in words the patient recognises.",
            "crisis_plan": "Printed in a box on the contract: who to call and where to go.",
        }

    def __init__(self, *args, course, **kwargs):
        self.course = course
        super().__init__(*args, **kwargs)
        rule = course.rule
        self.fields["number_of_sessions"].widget.attrs.update(
            min=rule.min_sessions, max=rule.max_sessions
        )
        self.fields["number_of_sessions"].help_text = (
            f"{course.get_variant_display()}: {rule.description}. "
            f"This course is planned for {course.planned_sessions}."
        )
        if self.is_amendment:
            self.fields["number_of_sessions"].help_text += (
                " A different number here renegotiates the contract: once you and the patient "
                "sign this version, the course and its planned sessions follow it."
            )
        self.fields["session_minutes"].widget.attrs.update(min=20, max=120, step=5)
        self.fields["focal_areas"].error_messages["required"] = (
            "Name the focal problem area: choose it with the patient first."
        )
        self.fields["goals"].error_messages["required"] = "Write at least one goal."
        self.fields["weekday"].label = "Day of the week"
        self.fields["session_time"].label = "Time"

    def clean_focal_areas(self):
        return "\n".join(
            line.strip() for line in self.cleaned_data["focal_areas"].splitlines() if line.strip()
        )

    def clean_goals(self):
        lines = [line.strip() for line in self.cleaned_data["goals"].splitlines() if line.strip()]
        if not lines:
            raise forms.ValidationError("Write at least one goal.")
        return "\n".join(lines)

    def clean_number_of_sessions(self):
        # IPT: the contract fixes the count, and it is the course's count: changing the number
        # of sessions means changing the course, not only the paper.
        number = self.cleaned_data["number_of_sessions"]
        rule, course = self.course.rule, self.course
        if self.is_amendment and number != course.planned_sessions:
            # IPT: renegotiating the count (e.g. 12 -> 16) within the variant's range.
            if reasons := course.session_count_blockers(number):
                raise forms.ValidationError(reasons)
            return number
        if not rule.min_sessions <= number <= rule.max_sessions:
            span = (
                f"{rule.min_sessions}"
                if rule.min_sessions == rule.max_sessions
                else f"{rule.min_sessions} to {rule.max_sessions}"
            )
            raise forms.ValidationError(f"{course.get_variant_display()} has {span} sessions.")
        if number != course.planned_sessions:
            raise forms.ValidationError(
                f"This course is planned for {course.planned_sessions} sessions: the contract "
                f"must agree with the course. Write {course.planned_sessions}."
            )
        return number

    @property
    def is_amendment(self):
        return self.instance.version > 1

    def clean_session_minutes(self):
        return session_minutes_in_range(self.cleaned_data["session_minutes"])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("expected_end_date")
        if start and end and end <= start:
            self.add_error("expected_end_date", "The expected end date must be after the start.")
        return cleaned


class ContractSignForm(typed.Form):
    """The patient's typed name is their signature; the therapist signs as the logged-in user."""

    patient_name = forms.CharField(
        label="Patient's full name, typed by the patient",
        max_length=200,
        help_text="Typing their name is the patient's signature.",
    )
    patient_signed_on = forms.DateField(label="Date the patient signed", widget=DateInput())
    therapist_signed_on = forms.DateField(label="Date you sign", widget=DateInput())
    agreed = forms.BooleanField(
        label="The patient has read the contract and agrees to it",
        error_messages={"required": "Confirm that the patient has read and agreed to it."},
    )

    def __init__(self, *args, contract, **kwargs):
        self.contract = contract
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.initial.setdefault("patient_signed_on", today)
        self.initial.setdefault("therapist_signed_on", today)
        self.parent_signs = parent_signature_required(contract.course)
        if self.parent_signs:
            # IPT-A: the clinic asks a parent or carer to sign beside the adolescent.
            self.fields["parent"] = forms.ModelChoiceField(
                label="Parent or carer who signs",
                queryset=contract.course.parents.filter(consent_on__isnull=False),
                empty_label=None,
                help_text="A parent or carer whose consent is recorded (Parents and carers).",
                error_messages={"required": "Choose the parent or carer who signs."},
            )
            self.fields["parent_signed_on"] = forms.DateField(
                label="Date the parent or carer signed", widget=DateInput()
            )
            self.initial.setdefault("parent_signed_on", today)
            self.fields["patient_name"].label = "Adolescent's full name, typed by the adolescent"

    def clean_patient_name(self):
        typed = self.cleaned_data["patient_name"]
        full_name = self.contract.course.patient.full_name
        if not _same_name(typed, full_name):
            raise forms.ValidationError(
                f"The typed name must be the patient's full name as recorded: {full_name}."
            )
        return " ".join(typed.split())

    def _not_in_future(self, field):
        day = self.cleaned_data[field]
        if day > timezone.localdate():
            raise forms.ValidationError("A signature cannot be dated in the future.")
        return day

    def clean_patient_signed_on(self):
        return self._not_in_future("patient_signed_on")

    def clean_therapist_signed_on(self):
        return self._not_in_future("therapist_signed_on")

    def clean_parent_signed_on(self):
        return self._not_in_future("parent_signed_on")

    def clean(self):
        cleaned = super().clean()
        if not self.contract.focal_areas.strip() or not self.contract.goal_lines:
            self.add_error(
                None,
                "The contract has no focal problem area or goals yet: agree them and save the "
                "draft before it is signed.",
            )
        return cleaned


class ContractAmendForm(typed.Form):
    reason = forms.CharField(
        label="Why is the contract being amended?",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=(
            "For example: a second focal area agreed in session 5, a new day and time, or a "
            "renegotiated number of sessions (within the range of the form of IPT)."
        ),
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why the contract is being amended.")
        return reason


# A contract's PDF is well under 1 MB; anything far larger is not one of ours.
MAX_COPY_BYTES = 20 * 1024 * 1024


class ContractVerifyForm(forms.Form):
    copy = forms.FileField(
        label="A copy of a signed contract (PDF)",
        help_text="The file is compared with the documents stored at signing; it is not kept.",
    )

    def clean_copy(self):
        copy = self.cleaned_data["copy"]
        if copy.size > MAX_COPY_BYTES:
            raise forms.ValidationError("This file is too large to be one of our contract PDFs.")
        return copy
