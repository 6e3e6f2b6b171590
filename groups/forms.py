from django import forms
from django.utils import timezone

from groups import rules
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
            "ending_sessions",
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
        # WHO Group IPT's usual ending: the last two group sessions, unless the group says one.
        self.fields["ending_sessions"].required = False

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("venue") and not cleaned.get("video_link"):
            self.add_error("venue", "Give the room or site, or a video link.")
        for name, low, high in (("planned_sessions", 8, 12), ("member_limit", 6, 10)):
            value = cleaned.get(name)
            if value is not None and not low <= value <= high:
                self.add_error(name, f"Between {low} and {high} (WHO Group IPT).")
        return cleaned

    def clean_ending_sessions(self):
        return self.cleaned_data.get("ending_sessions") or 2

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


class MemberEntryForm(typed.Form):
    """One member's part of a group session: attendance, then what a member who came brought."""

    attendance = forms.ChoiceField(
        choices=[("present", "Present"), ("late", "Late"), ("absent", "Absent")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        max_length=300, required=False, label="Reason for absence", help_text="If absent."
    )
    mood = forms.IntegerField(
        required=False, label="Mood (0 = worst, 10 = best)", widget=forms.NumberInput
    )
    phq9 = forms.CharField(
        max_length=40, required=False, label="Quick PHQ-9",
        help_text="The nine answers, 0 to 3 each, item 1 first: for example 2 1 1 0 2 1 1 0 0.",
    )  # fmt: skip
    event = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False,
        label="The interpersonal event they bring",
    )  # fmt: skip
    action = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Their action for the week"
    )

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, prefix=f"m{member.pk}", **kwargs)
        self.member = member

    @property
    def error_prefix(self):
        return self.member.first_name

    def clean(self):
        cleaned = super().clean()
        if "attendance" in self.errors or "mood" in self.errors:
            return cleaned
        values = {k: cleaned.get(k) or "" for k in self._rule_fields}
        values["mood"] = cleaned.get("mood")
        for field, message in rules.entry_errors(**values).items():
            self.add_error(field, message)
        return cleaned

    _rule_fields = ("attendance", "reason", "mood", "phq9", "event", "action")

    def entry(self):
        return {"member": self.member, **{k: self.cleaned_data.get(k) for k in self._rule_fields}}


class GroupSessionForm(typed.Form):
    theme = forms.CharField(max_length=200, required=False, label="The group's theme")
    process_notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}), required=False,
        label="Group process: cohesion, members helping members, conflicts between members",
    )  # fmt: skip


class ChecklistForm(typed.Form):
    """The fidelity checklist after a group session, in plain words for lay facilitators."""

    problem_area_work = forms.BooleanField(
        required=False, label=rules.GROUP_ITEMS["problem_area_work"]
    )
    members_helped = forms.BooleanField(required=False, label=rules.GROUP_ITEMS["members_helped"])
    action_plans = forms.BooleanField(required=False, label=rules.GROUP_ITEMS["action_plans"])
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False,
        label="Anything to talk over with your supervisor",
    )  # fmt: skip

    def __init__(self, *args, group_session, **kwargs):
        came = [a for a in group_session.attendance.all() if a.attendance in rules.CAME]
        initial = {k: getattr(group_session, k) for k in rules.GROUP_ITEMS}
        initial["note"] = group_session.checklist_note
        initial.update({f"linked_{a.pk}": a.mood_event_linked for a in came})
        super().__init__(*args, initial=initial, **kwargs)
        self.came = came
        for row in came:
            self.fields[f"linked_{row.pk}"] = forms.BooleanField(
                required=False, label=row.member.first_name
            )

    def linked_fields(self):
        return [self[f"linked_{a.pk}"] for a in self.came]

    def item_fields(self):
        return [self[k] for k in rules.GROUP_ITEMS]

    def linked(self):
        return {a.pk for a in self.came if self.cleaned_data.get(f"linked_{a.pk}")}

    def items(self):
        return {k: self.cleaned_data[k] for k in rules.GROUP_ITEMS}


class MemberCorrectionForm(typed.Form):
    """One member's attendance and mood, as corrected."""

    attendance = MemberEntryForm.base_fields["attendance"]
    reason = MemberEntryForm.base_fields["reason"]
    mood = MemberEntryForm.base_fields["mood"]

    def __init__(self, *args, row, **kwargs):
        initial = {
            "attendance": row.attendance,
            "reason": row.reason,
            "mood": row.session.mood_rating,
        }
        super().__init__(*args, prefix=f"c{row.member_id}", initial=initial, **kwargs)
        self.row, self.member = row, row.member

    @property
    def error_prefix(self):
        return self.member.first_name

    def clean(self):
        cleaned = super().clean()
        if "attendance" in self.errors or "mood" in self.errors:
            return cleaned
        errors = rules.entry_errors(
            attendance=cleaned.get("attendance"), reason=cleaned.get("reason") or "",
            mood=cleaned.get("mood"), phq9="", event="", action="",
        )  # fmt: skip
        for field, message in errors.items():
            self.add_error(field, message)
        return cleaned

    def entry(self):
        return {
            "member": self.member,
            **{k: self.cleaned_data.get(k) for k in ("attendance", "reason", "mood")},
        }


class CorrectionForm(typed.Form):
    theme = GroupSessionForm.base_fields["theme"]
    process_notes = GroupSessionForm.base_fields["process_notes"]
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="What you corrected and why",
        help_text="Kept with the group session's record, with your name and the time.",
    )


class EndingForm(typed.Form):
    achieved = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False,
        label="What the group achieved together",
    )  # fmt: skip
    ending_feelings = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False,
        label="How members felt about the group ending",
        help_text="Sadness, worry, relief or pride: IPT treats the ending as a change to talk about.",
    )  # fmt: skip

    def __init__(self, *args, ending, members, **kwargs):
        initial = (
            {"achieved": ending.achieved, "ending_feelings": ending.ending_feelings}
            if ending
            else {}
        )
        initial.update({f"plan_{m.pk}": m.ending_plan for m in members})
        super().__init__(*args, initial=initial, **kwargs)
        self.members = members
        for m in members:
            self.fields[f"plan_{m.pk}"] = forms.CharField(
                widget=forms.Textarea(attrs={"rows": 2}), required=False,
                label=f"{m.first_name}'s plan for keeping well, in a few words",
            )  # fmt: skip

    def plan_fields(self):
        return [(m, self[f"plan_{m.pk}"]) for m in self.members]

    def plans(self):
        return {m.pk: self.cleaned_data.get(f"plan_{m.pk}", "") for m in self.members}
