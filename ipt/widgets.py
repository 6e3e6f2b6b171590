"""Form widgets and helpers every room's forms share."""

from django import forms


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
