"""After the acute course: the relapse-prevention plan, maintenance contract and follow-ups."""

from django import forms
from django.utils import timezone

from ipt import typed
from ipt.course.variants import Variant
from ipt.measures import instruments
from ipt.measures.forms import MeasureForm
from ipt.termination.models import (
    IF_SYMPTOMS_RETURN,
    FollowUp,
    MaintenanceContract,
    RelapsePreventionPlan,
    RelapseTrigger,
)
from ipt.widgets import DateInput


def _not_in_future(day, message):
    if day > timezone.localdate():
        raise forms.ValidationError(message)
    return day


class RelapsePlanForm(typed.ModelForm):
    class Meta:
        model = RelapsePreventionPlan
        fields = ["written_on", "if_symptoms_return", "emergency_contacts", "parent", "parent_role"]
        widgets = {
            "parent_role": forms.Textarea(attrs={"rows": 2}),
            "written_on": DateInput(),
            "if_symptoms_return": forms.Textarea(attrs={"rows": 4}),
            "emergency_contacts": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"written_on": "Written with the patient on"}
        help_texts = {
            "parent": "IPT-A: the parent or carer the adolescent turns to if the signs return; "
            "named on the adolescent's copy.",
            "parent_role": "e.g. notices the warning signs, helps book a booster session.",
            "if_symptoms_return": "Addressed to the patient: it is printed on their copy.",
            "emergency_contacts": "Printed in a box on the patient's copy. One per line, or "
            "separated by “·”.",
        }
        error_messages = {
            "if_symptoms_return": {
                "required": "Say what the patient should do if the depression comes back."
            },
            "emergency_contacts": {
                "required": "Give at least one number to call in a crisis: risk always points "
                "to emergency help."
            },
        }

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.course = course
        self.initial.setdefault("written_on", timezone.localdate())
        if self.instance.pk is None:
            self.initial.setdefault("if_symptoms_return", IF_SYMPTOMS_RETURN)
        if course.variant == Variant.ADOLESCENT:
            self.fields["parent"].queryset = course.parents.all()
            self.fields["parent"].empty_label = "No parent or carer on the plan"
        else:
            del self.fields["parent"], self.fields["parent_role"]

    def clean_written_on(self):
        day = _not_in_future(
            self.cleaned_data["written_on"], "Give the day the plan was written: today or earlier."
        )
        if day < self.course.start_date:
            raise forms.ValidationError("The plan cannot be written before the course started.")
        return day


class TriggerForm(typed.ModelForm):
    """One row of the plan: interpersonal trigger → warning signs → coping → people."""

    class Meta:
        model = RelapseTrigger
        fields = ["trigger", "warning_signs", "coping", "people"]
        labels = {
            "trigger": "When this happens (interpersonal trigger)",
            "warning_signs": "Early warning signs",
            "coping": "What helps: coping skills and actions",
            "people": "People to contact",
        }
        help_texts = {
            "trigger": "A situation with the people in the patient's life, e.g. a row with "
            "their partner, a setback at work, an anniversary.",
            "warning_signs": "What the patient, or those close to them, would notice first.",
            "coping": "What worked in therapy, in the patient's words.",
            "people": "Who the patient can turn to: from the inventory, or anyone else.",
        }
        widgets = {
            "warning_signs": forms.Textarea(attrs={"rows": 2}),
            "coping": forms.Textarea(attrs={"rows": 2}),
            "people": forms.TextInput(attrs={"list": "inventory-people", "autocomplete": "off"}),
        }
        error_messages = {
            "trigger": {"required": "Name the interpersonal situation that could set things off."},
            "warning_signs": {"required": "Say what the first signs of the depression would be."},
            "coping": {"required": "Say what the patient can do when the signs appear."},
        }

    def __init__(self, *args, focus=False, **kwargs):
        super().__init__(*args, **kwargs)
        # Ids must stay unique when the add form and edits in place share the page.
        self.auto_id = f"trigger-{self.instance.pk}-%s" if self.instance.pk else "new-trigger-%s"
        self.fields["trigger"].widget.attrs["autocomplete"] = "off"
        if focus:  # htmx moves the cursor here when the form is swapped in
            self.fields["trigger"].widget.attrs["autofocus"] = True

    def _tidy(self, name):
        return self.cleaned_data[name].strip()

    def clean_trigger(self):
        return " ".join(self.cleaned_data["trigger"].split())

    def clean_warning_signs(self):
        return self._tidy("warning_signs")

    def clean_coping(self):
        return self._tidy("coping")

    def clean_people(self):
        return self._tidy("people")


class MaintenanceForm(typed.ModelForm):
    class Meta:
        model = MaintenanceContract
        fields = [
            "kind",
            "agreed_on",
            "interval_months",
            "number_of_followups",
            "booster_sessions",
            "notes",
        ]
        widgets = {
            "kind": forms.RadioSelect(),
            "agreed_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {"agreed_on": "Agreed with the patient on", "number_of_followups": "How many"}
        help_texts = {
            "kind": "Maintenance IPT goes on with the focal work in monthly sessions, for "
            "recurrent depression; check-ins review the PHQ-9 and the relapse plan.",
            "interval_months": "Leave empty for the usual: every month for maintenance IPT, "
            "every 3 months for check-ins (IPT: 3 to 6). Changing it re-plans only the "
            "appointments still due.",
            "number_of_followups": "4 check-ins three months apart, or 12 monthly maintenance "
            "IPT sessions, cover the first year.",
        }

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.course = course
        self.initial.setdefault("agreed_on", timezone.localdate())
        self.fields["interval_months"].widget.attrs.update(min=1, max=12)
        self.fields["interval_months"].required = False
        self.fields["kind"].required = False
        self.initial.setdefault("kind", MaintenanceContract.Kind.CHECK_INS)
        if self.instance.pk is None:
            self.initial.setdefault("interval_months", None)
        self.fields["number_of_followups"].widget.attrs.update(min=1, max=12)
        self.fields["booster_sessions"].widget.attrs.update(min=0, max=12)

    def clean_agreed_on(self):
        day = _not_in_future(
            self.cleaned_data["agreed_on"], "Record the contract once it has been agreed."
        )
        if day < self.course.start_date:
            raise forms.ValidationError("The contract cannot be agreed before the course started.")
        return day

    def clean_interval_months(self):
        months = self.cleaned_data["interval_months"]
        if months is not None and not 1 <= months <= 12:
            raise forms.ValidationError(
                "Give 1 to 12 months between appointments (maintenance IPT: every month; "
                "check-ins: every 3 to 6 months)."
            )
        return months

    def clean(self):
        cleaned = super().clean()
        kind = cleaned["kind"] = cleaned.get("kind") or MaintenanceContract.Kind.CHECK_INS
        if cleaned.get("interval_months") is None and "interval_months" not in self.errors:
            cleaned["interval_months"] = MaintenanceContract.DEFAULT_INTERVALS[kind]
        return cleaned

    def clean_number_of_followups(self):
        count = self.cleaned_data["number_of_followups"]
        if not 1 <= count <= 12:
            raise forms.ValidationError("Plan 1 to 12 follow-ups.")
        return count

    def clean_booster_sessions(self):
        count = self.cleaned_data["booster_sessions"]
        if count > 12:
            raise forms.ValidationError("Offer at most 12 booster sessions.")
        return count

    @property
    def replans(self):
        """Whether the saved changes move the follow-ups still due."""
        moved = {"interval_months", "number_of_followups", "kind"}
        if self.course.ended_on is None:  # the schedule starts from the agreed date
            moved.add("agreed_on")
        return bool(moved & set(self.changed_data))


class BoosterForm(typed.Form):
    plan_dates = ("due_on",)

    due_on = forms.DateField(label="Date of the booster session", widget=DateInput())
    notes = forms.CharField(
        label="Why now (optional)",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        help_text="e.g. warning signs after a row with Maria.",
    )

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.course = course
        self.auto_id = "booster-%s"
        self.initial.setdefault("due_on", timezone.localdate())

    def clean_due_on(self):
        day = self.cleaned_data["due_on"]
        if day < self.course.start_date:
            raise forms.ValidationError("A booster session comes after the course started.")
        return day


class FollowUpForm(typed.ModelForm):
    """Whether a follow-up was held or missed, when, and what came of it."""

    status = forms.ChoiceField(
        label="Did the follow-up take place?",
        choices=[(FollowUp.Status.HELD, "Held"), (FollowUp.Status.MISSED, "Missed")],
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the follow-up was held or missed."},
    )

    class Meta:
        model = FollowUp
        fields = ["status", "held_on", "notes"]
        widgets = {"held_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 4})}
        labels = {"held_on": "Held on"}
        help_texts = {
            "notes": "How the patient is, how the relationships in the focal area are going, "
            "and whether the relapse-prevention plan has been needed.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.status == FollowUp.Status.DUE:
            self.initial["status"] = None
            # The instance's empty date is already in ``initial``: setdefault would keep it.
            if self.initial.get("held_on") is None:
                self.initial["held_on"] = timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        status, held_on = cleaned.get("status"), cleaned.get("held_on")
        if status == FollowUp.Status.HELD:
            if held_on is None and "held_on" not in self.errors:
                self.add_error("held_on", "Give the date the follow-up was held.")
            elif held_on and held_on > timezone.localdate():
                self.add_error("held_on", "A follow-up is recorded once it has been held.")
        elif status == FollowUp.Status.MISSED:
            if self.instance.phq9_id:
                self.add_error("status", "A PHQ-9 was recorded at this follow-up, so it was held.")
            cleaned["held_on"] = None
        return cleaned


class FollowUpPHQ9Form(MeasureForm):
    """The PHQ-9 taken at a follow-up, item by item; its date is the follow-up's date."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, instrument=instruments.PHQ9, prefix="phq9", **kwargs)
        del self.fields["taken_on"]

    @property
    def started(self):
        """Whether any item was answered: a follow-up without a PHQ-9 is allowed."""
        return any(
            self.data.get(self.add_prefix(f"item_{item.number}")) not in (None, "")
            for item in self.instrument.items
        )


class FocalWorkForm(typed.Form):
    """A maintenance IPT session's work in one focal area (optional, kept as typed)."""

    event = forms.CharField(
        label="What happened with the people in this area since the last session",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    work = forms.CharField(
        label="The work done in this session",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The area's own strategies, communication analysis or role play, as in the "
        "middle phase: kept up, monthly, to protect against a recurrence.",
    )
    next_step = forms.CharField(
        label="The interpersonal step until the next session",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, area, work=None, **kwargs):
        initial = {f: getattr(work, f) for f in ("event", "work", "next_step")} if work else None
        super().__init__(*args, prefix=f"w{area.pk}", initial=initial, **kwargs)
        self.area = area

    @property
    def error_prefix(self):
        return self.area.detail

    def text(self):
        return {f: self.cleaned_data.get(f, "") for f in ("event", "work", "next_step")}
