from datetime import date, timedelta

from django import forms
from django.utils import timezone

from ipt import typed
from ipt.accounts.models import Role, User
from ipt.course.variants import Variant
from ipt.initial.models import ProblemArea


class OutcomesFilterForm(typed.Form):
    """The report's period and filters (GET). A bad date is shown next to its field."""

    start = forms.DateField(label="Courses started from", required=False)
    end = forms.DateField(label="to", required=False)
    therapist = forms.ChoiceField(required=False)
    supervisor = forms.ChoiceField(required=False)
    variant = forms.ChoiceField(required=False, choices=[("", "All variants"), *Variant.choices])
    area = forms.ChoiceField(
        label="Problem area",
        required=False,
        choices=[("", "All problem areas"), *ProblemArea.Area.choices],
    )

    def __init__(self, data):
        super().__init__(data)
        staff = User.objects.filter(role__in=[Role.THERAPIST, Role.SUPERVISOR], is_active=True)
        staff = list(staff.order_by("first_name", "last_name", "pk"))
        self.fields["therapist"].choices = [("", "All therapists")] + [
            (str(u.pk), str(u)) for u in staff if u.role == Role.THERAPIST
        ]
        self.fields["supervisor"].choices = [("", "All supervisors")] + [
            (str(u.pk), str(u)) for u in staff if u.role == Role.SUPERVISOR
        ]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", "The end of the period is before its start.")
        return data

    def filters(self):
        """The valid filters; the default period is the last twelve months."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        today = timezone.localdate()
        end = data.get("end") or today
        start = data.get("start") or date(end.year - 1, end.month, 1) + timedelta(days=0)
        if start > end:
            start, end = end, start
        return {
            "start": start,
            "end": end,
            "therapist": int(data["therapist"]) if data.get("therapist") else None,
            "supervisor": int(data["supervisor"]) if data.get("supervisor") else None,
            "variant": data.get("variant") or "",
            "area": data.get("area") or "",
        }
