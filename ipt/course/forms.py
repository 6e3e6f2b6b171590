from django import forms
from django.utils import timezone

from ipt import typed
from ipt.course.models import VARIANT_RULES, EndReason, TreatmentCourse, Variant
from ipt.course.variants import variant_age_problem
from ipt.widgets import DateInput, session_minutes_in_range


class CourseStartForm(typed.ModelForm):
    plan_dates = ("start_date",)  # a course may be started ahead of its first session

    class Meta:
        model = TreatmentCourse
        fields = [
            "variant",
            "planned_sessions",
            "session_minutes",
            "initial_phase_sessions",
            "start_date",
        ]
        widgets = {"start_date": DateInput(), "variant": forms.RadioSelect}

    def __init__(self, *args, patient=None, **kwargs):
        self.patient = patient
        super().__init__(*args, **kwargs)
        rule = VARIANT_RULES[Variant.INDIVIDUAL]
        self.fields["variant"].help_text = " · ".join(
            f"{Variant(v).label}: {r.description}" for v, r in VARIANT_RULES.items()
        )
        self.initial.setdefault("planned_sessions", rule.default_sessions)
        self.initial.setdefault("initial_phase_sessions", rule.initial_phase_sessions)
        self.initial.setdefault("start_date", timezone.localdate())
        self.fields["planned_sessions"].widget.attrs.update(min=1, max=30)
        self.fields["session_minutes"].widget.attrs.update(min=20, max=120, step=5)

    def clean_session_minutes(self):
        return session_minutes_in_range(self.cleaned_data["session_minutes"])

    def clean(self):
        cleaned = super().clean()
        variant, planned = cleaned.get("variant"), cleaned.get("planned_sessions")
        initial = cleaned.get("initial_phase_sessions")
        if variant and planned:
            rule = VARIANT_RULES[Variant(variant)]
            if not rule.min_sessions <= planned <= rule.max_sessions:
                span = (
                    f"{rule.min_sessions}"
                    if rule.min_sessions == rule.max_sessions
                    else f"{rule.min_sessions} to {rule.max_sessions}"
                )
                self.add_error(
                    "planned_sessions",
                    f"{Variant(variant).label} has {span} sessions.",
                )
        if self.patient is not None and (
            problem := variant_age_problem(
                variant, self.patient.date_of_birth, cleaned.get("start_date")
            )
        ):
            self.add_error("variant", problem)
        if planned and initial and initial >= planned:
            self.add_error(
                "initial_phase_sessions",
                "The initial phase must leave sessions for the middle and termination phases.",
            )
        return cleaned


class EndEarlyForm(typed.Form):
    reason = forms.ChoiceField(
        label="Why is the course ending?", choices=EndReason.choices, widget=forms.RadioSelect
    )
    ended_on = forms.DateField(label="Date it ended", widget=DateInput())
    note = forms.CharField(
        label="What happened",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Required for 'Other'. Record any referral or onward care arranged.",
    )

    def __init__(self, *args, course, **kwargs):
        self.course = course
        super().__init__(*args, **kwargs)
        self.initial.setdefault("ended_on", timezone.localdate())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == EndReason.OTHER and not cleaned.get("note", "").strip():
            self.add_error("note", "Describe what happened when the reason is 'Other'.")
        ended = cleaned.get("ended_on")
        if ended and ended < self.course.start_date:
            self.add_error("ended_on", "The course cannot end before it started.")
        if ended and ended > timezone.localdate():
            self.add_error("ended_on", "An early ending is recorded once it has happened.")
        return cleaned


class TransitionForm(typed.Form):
    on = forms.DateField(
        label="The phase began on",
        required=False,  # left empty: today
        widget=DateInput(),
        help_text="Today, or the day of the session where it was agreed.",
    )
    note = forms.CharField(
        label="Note (optional)", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["on"].initial = timezone.localdate()
