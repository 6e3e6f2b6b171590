"""The termination phase: progress review against the baseline and the goals, the closeness
circle drawn again at the end."""

from dataclasses import dataclass

from django import forms
from django.utils import timezone

from ipt import typed
from ipt.course.variants import Variant
from ipt.initial.models import Closeness, ProblemArea, ProblemAreaGoal
from ipt.termination.end_circle import GONE, EndCirclePlace
from ipt.termination.models import ProgressReview
from ipt.widgets import DateInput


@dataclass(frozen=True)
class GoalRow:
    goal: ProblemAreaGoal
    review: forms.BoundField
    note: forms.BoundField


class ProgressReviewForm(typed.ModelForm):
    """The review itself, plus a rating and a note for each contract goal.

    IPT: progress is reviewed against the baseline measure and the goals agreed in the
    contract; when the patient has not improved, other or additional treatment is offered.
    """

    class Meta:
        model = ProgressReview
        fields = [
            "reviewed_on",
            "what_helped",
            "patient_view",
            "further_treatment",
            "parent_involvement",
        ]
        widgets = {
            "parent_involvement": forms.Textarea(attrs={"rows": 3}),
            "reviewed_on": DateInput(),
            "what_helped": forms.Textarea(attrs={"rows": 4}),
            "patient_view": forms.Textarea(attrs={"rows": 3}),
            "further_treatment": forms.Textarea(attrs={"rows": 3}),
        }
        labels = {
            "reviewed_on": "Reviewed with the patient on",
            "what_helped": "What the patient did that helped",
            "patient_view": "How the patient sees the change",
            "further_treatment": "Alternative or additional treatment, or referral",
            "parent_involvement": "The parent's or carer's part in the review",
        }
        help_texts = {
            "parent_involvement": "IPT-A: who joined the review, how they see the change, and "
            "what they will keep doing to support the adolescent.",
        }
        error_messages = {
            "what_helped": {
                "required": "Ask what the patient did that helped, and write it down in their words."
            },
        }

    def __init__(self, *args, course, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.course = course
        self.areas = areas  # [(ProblemArea, [ProblemAreaGoal, ...]), ...]
        self.initial.setdefault("reviewed_on", timezone.localdate())
        if course.variant != Variant.ADOLESCENT:
            del self.fields["parent_involvement"]
        for _area, goals in areas:
            for goal in goals:
                self.fields[f"goal_{goal.pk}_review"] = forms.ChoiceField(
                    # No full stop: the error summary follows the label with a colon.
                    label=goal.text.rstrip("."),
                    choices=ProblemAreaGoal.Review.choices,
                    widget=forms.RadioSelect,
                    initial=goal.review or None,
                    error_messages={
                        "required": "Review this goal: achieved, partly achieved or not achieved."
                    },
                )
                self.fields[f"goal_{goal.pk}_note"] = forms.CharField(
                    label="Note on this goal",
                    required=False,
                    initial=goal.review_note,
                    widget=forms.Textarea(attrs={"rows": 2}),
                    help_text="What has changed, and what is still open.",
                )
        further = self.fields["further_treatment"]
        if course.improved is False:
            # IPT: if not improved, offer alternative or additional treatment.
            further.required = True
            further.error_messages["required"] = (
                "The patient has not improved on the PHQ-9: record the alternative or additional "
                "treatment offered, or the referral."
            )
            further.help_text = (
                "Required: the PHQ-9 shows neither a response nor a reliable improvement. "
                "Consider medication, another psychological treatment, a referral, or a "
                "continuation or maintenance contract."
            )
        elif course.improved is None:
            further.help_text = (
                "There are not yet two PHQ-9 scores to compare: record a PHQ-9 now, so the "
                "change can be measured. Required if the patient has not improved."
            )
        else:
            further.help_text = (
                "The patient has improved. Note any continuation or maintenance sessions agreed."
            )

    def clean_reviewed_on(self):
        reviewed_on = self.cleaned_data["reviewed_on"]
        if reviewed_on > timezone.localdate():
            raise forms.ValidationError("Record the review once it has taken place.")
        if reviewed_on < self.course.start_date:
            raise forms.ValidationError("The review cannot come before the course started.")
        return reviewed_on

    def goal_groups(self):
        """[(ProblemArea, [GoalRow, ...]), ...] for the template, in contract order."""
        return [
            (
                area,
                [
                    GoalRow(goal, self[f"goal_{goal.pk}_review"], self[f"goal_{goal.pk}_note"])
                    for goal in goals
                ],
            )
            for area, goals in self.areas
        ]

    def save_goals(self):
        goals = [goal for _area, goals in self.areas for goal in goals]
        for goal in goals:
            goal.review = self.cleaned_data[f"goal_{goal.pk}_review"]
            goal.review_note = self.cleaned_data[f"goal_{goal.pk}_note"]
        ProblemAreaGoal.objects.bulk_update(goals, ["review", "review_note"])


def areas_with_goals(course) -> list[tuple[ProblemArea, list[ProblemAreaGoal]]]:
    return [(area, list(area.goals.all())) for area in course.problem_areas.all()]


@dataclass(frozen=True)
class PlaceRow:
    place: EndCirclePlace
    field: forms.BoundField


class ClosenessAtEndForm(typed.Form):
    """The ring each person is in now, at the end of therapy, or that they are no longer in
    the circle; the circle starts as a copy of the one at intake."""

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.places = places
        for place in places:
            if place.is_new:
                gone = (GONE, "Take out of the circle")
                help_text = "New since intake."
            else:
                gone = (GONE, "No longer in the circle")
                help_text = f"At intake: {place.person.get_closeness_display().lower()}."
            self.fields[place.key] = forms.TypedChoiceField(
                label=place.label,
                choices=[*Closeness.choices, gone],
                coerce=int,
                widget=forms.RadioSelect,
                # Until the therapist moves them, everyone stands where they were at intake.
                initial=place.closeness if place.in_circle else GONE,
                help_text=help_text,
                error_messages={"required": "Choose how close this person is now."},
            )

    def rows(self):
        return [PlaceRow(p, self[p.key]) for p in self.places]

    def save(self, course):
        EndCirclePlace.save_rings(course, self.cleaned_data)


class NewInCircleForm(typed.Form):
    """Someone who has come into the patient's life during therapy."""

    name = forms.CharField(
        label="Name",
        max_length=120,
        error_messages={"required": "Give the person's name: a first name is enough."},
    )
    relationship = forms.CharField(
        label="Relationship",
        max_length=120,
        help_text="e.g. new friend, colleague, group member",
        error_messages={"required": "Say who they are to the patient."},
    )
    closeness = forms.TypedChoiceField(
        label="How close are they?",
        choices=Closeness.choices,
        coerce=int,
        widget=forms.RadioSelect,
        initial=Closeness.CLOSE,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.auto_id = "new-in-circle-%s"

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_relationship(self):
        return " ".join(self.cleaned_data["relationship"].split())

    def save(self, course):
        return EndCirclePlace.add_new(course, **self.cleaned_data)
