"""Form widgets and helpers every room's forms share."""

from django import forms
from django.utils import timezone


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


def session_minutes_in_range(minutes):
    """IPT sessions usually last 45-60 minutes: a length outside 20-120 is a typing slip."""
    if not 20 <= minutes <= 120:
        raise forms.ValidationError("IPT sessions usually last 45–60 minutes; give 20 to 120.")
    return minutes


def no_blank_radio(form, *names):
    """Drop the empty choice Django adds to a required model choice field.

    As a radio button it would read "- Select an option -" and start out checked: the
    therapist must choose an answer, and leaving it unchosen already shows "required".
    """
    for name in names:
        field = form.fields[name]
        field.choices = [(value, label) for value, label in field.choices if value != ""]


class MonthInput(forms.DateInput):
    """A month and year (``<input type="month">``, "2026-03"); where a browser shows it as
    text, "March 2026", "03/2026" and a full date are read too."""

    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__({"placeholder": "YYYY-MM", **(attrs or {})}, format="%Y-%m")


class MonthField(forms.DateField):
    """A month, stored as its first day: what a therapist knows of an onset is usually "March"."""

    widget = MonthInput
    input_formats = ["%Y-%m", "%Y-%m-%d", "%m/%Y", "%B %Y", "%b %Y", "%d/%m/%Y"]
    default_error_messages = {
        "invalid": "Enter a month and year, e.g. 2026-03 or March 2026.",
    }

    def to_python(self, value):
        day = super().to_python(value.strip() if isinstance(value, str) else value)
        return day.replace(day=1) if day else day

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        this_month = timezone.localdate().replace(day=1)
        if value > this_month:
            raise forms.ValidationError("The month cannot be in the future.")
        if value.year < 1900:
            raise forms.ValidationError("Enter a month from 1900 on.")
