from datetime import date

from django import forms
from django.utils import timezone

from ipt import typed


class ExportForm(typed.Form):
    """The period of a FHIR export: the courses started in it."""

    start = forms.DateField(
        label="Courses started from",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    end = forms.DateField(
        label="up to and including",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    with_notes = forms.BooleanField(
        label="Include the session notes",
        required=False,
        help_text="Only when the receiving service needs them: notes are the most private part "
        "of the record.",
    )

    def __init__(self, data=None, *, notes=True):
        today = timezone.localdate()
        initial = {"start": date(today.year - 1, today.month, 1), "end": today}
        super().__init__(data, initial=initial)
        if not notes:
            del self.fields["with_notes"]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The end of the period is before its start.")
        return data
