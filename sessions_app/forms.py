from datetime import datetime

from django import forms

from ipt import typed
from ipt.initial.contract import WEEKDAYS
from ipt.measures import instruments
from ipt.widgets import DateInput
from sessions_app.models import Session, Technique


class PlanForm(typed.Form):
    plan_dates = ("first_date",)

    first_date = forms.DateField(label="First session", widget=DateInput())
    weekday = forms.TypedChoiceField(label="Weekly on", choices=WEEKDAYS, coerce=int)
    at = forms.TimeField(label="At", widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))


class StatusForm(typed.Form):
    status = forms.ChoiceField(choices=Session.Status.choices, widget=forms.RadioSelect)
    status_note = forms.CharField(
        label="Reason (needed when missed or cancelled)", required=False, max_length=300
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("status") in (Session.Status.MISSED, Session.Status.CANCELLED)
            and not cleaned.get("status_note", "").strip()
        ):
            self.add_error("status_note", "Note why the session did not take place.")
        return cleaned


class RescheduleForm(typed.Form):
    plan_dates = ("scheduled_for",)

    scheduled_for = forms.DateTimeField(
        label="New date and time",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class MoodRatingForm(typed.Form):
    mood_rating = forms.TypedChoiceField(
        label="Mood today, from 0 (worst) to 10 (best)",
        choices=[(n, str(n)) for n in range(11)],
        coerce=int,
        widget=forms.RadioSelect,
    )


class QuickPhq9Form(typed.Form):
    """PHQ-9 typed as nine digits: fast by keyboard in the room."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for item in instruments.PHQ9.items:
            self.fields[f"item_{item.number}"] = forms.IntegerField(
                label=f"{item.number}. {item.text}",
                min_value=0,
                max_value=3,
                widget=forms.NumberInput(
                    attrs={"min": 0, "max": 3, "inputmode": "numeric", "class": "digit"}
                ),
                error_messages=dict.fromkeys(
                    ("required", "invalid", "min_value", "max_value"), "0–3"
                ),
            )
        self.fields["difficulty"] = forms.TypedChoiceField(
            label=instruments.PHQ9.difficulty_question,
            choices=[("", "—"), *instruments.PHQ9.difficulty_choices],
            coerce=int,
            required=False,
            empty_value=None,
        )

    def item_fields(self):
        return [self[f"item_{item.number}"] for item in instruments.PHQ9.items]

    @property
    def answers(self):
        return [self.cleaned_data[f"item_{item.number}"] for item in instruments.PHQ9.items]


class TechniquesForm(typed.Form):
    techniques = forms.MultipleChoiceField(
        label="Techniques used",
        choices=Technique.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class AddendumForm(typed.Form):
    text = forms.CharField(label="Addendum", widget=forms.Textarea(attrs={"rows": 3}))


def default_plan_initial(course, contract):
    if contract and contract.is_signed:
        return {
            "first_date": course.start_date,
            "weekday": contract.weekday,
            "at": contract.session_time,
        }
    start = course.start_date
    return {"first_date": start, "weekday": start.weekday(), "at": datetime(2000, 1, 1, 10).time()}
