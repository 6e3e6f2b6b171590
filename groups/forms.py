from django import forms
from django.utils import timezone

from groups.models import TherapyGroup
from ipt import typed
from ipt.accounts.models import Role, User
from ipt.course.models import EndReason, TreatmentCourse
from ipt.widgets import DateInput


class TimeInput(forms.TimeInput):
    input_type = "time"


class GroupForm(typed.ModelForm):
    plan_dates = ("start_date",)

    class Meta:
        model = TherapyGroup
        fields = [
            "name",
            "co_facilitators",
            "venue",
            "video_link",
            "weekday",
            "meets_at",
            "start_date",
            "planned_sessions",
            "member_limit",
        ]
        widgets = {
            "start_date": DateInput(),
            "meets_at": TimeInput(format="%H:%M"),
            "co_facilitators": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, lead, **kwargs):
        super().__init__(*args, **kwargs)
        self.lead = lead
        self.fields["co_facilitators"].queryset = (
            User.objects.filter(role=Role.THERAPIST, is_active=True)
            .exclude(pk=lead.pk)
            .order_by("last_name", "first_name")
        )
        self.initial.setdefault("start_date", timezone.localdate())

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("venue") and not cleaned.get("video_link"):
            self.add_error("venue", "Give the room or site, or a video link.")
        for name, low, high in (("planned_sessions", 8, 12), ("member_limit", 6, 10)):
            value = cleaned.get(name)
            if value is not None and not low <= value <= high:
                self.add_error(name, f"Between {low} and {high} (WHO Group IPT).")
        return cleaned

    def save(self, commit=True):
        self.instance.lead = self.lead
        return super().save(commit)


class AddMemberForm(typed.Form):
    course = forms.ModelChoiceField(
        queryset=TreatmentCourse.objects.none(), label="Group IPT course", empty_label=None
    )

    def __init__(self, *args, courses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["course"].queryset = courses
        self.fields["course"].label_from_instance = lambda c: c.patient.full_name


class LeaveForm(typed.Form):
    reason = forms.ChoiceField(choices=EndReason.choices, label="Why the member left")
    left_on = forms.DateField(widget=DateInput(), label="Left on")
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
