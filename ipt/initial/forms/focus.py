"""Sick role, problem areas and the interpersonal formulation."""

from django import forms
from django.utils import timezone

from ipt import typed
from ipt.course.models import Variant
from ipt.initial.models import Formulation, InventoryPerson, ProblemArea, ProblemAreaGoal, SickRole
from ipt.widgets import DateInput

Area = ProblemArea.Area


class SickRoleForm(typed.ModelForm):
    class Meta:
        model = SickRole
        fields = ["given_on", "excused", "commitments", "limited", "notes"]
        widgets = {
            "given_on": DateInput(),
            "excused": forms.Textarea(attrs={"rows": 3}),
            "commitments": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }
        labels = {"limited": "Limited sick role"}
        error_messages = {
            "excused": {"required": "Say what the patient may set aside while they recover."},
            "commitments": {"required": "Say what the patient will do to work at recovery."},
        }

    def __init__(self, *args, course, **kwargs):
        super().__init__(*args, **kwargs)
        self.course = course
        self.initial.setdefault("given_on", timezone.localdate())
        if course.variant == Variant.ADOLESCENT:
            # IPT-A: adolescents keep going to school, so only some duties are eased.
            if self.instance.pk is None:
                self.initial.setdefault("limited", True)
            self.fields["limited"].help_text = (
                "IPT-A: the adolescent keeps going to school and doing most of their usual "
                "activities; only some duties are eased while they recover."
            )
        else:
            self.fields[
                "limited"
            ].help_text = "Usually for adolescents (IPT-A): only some duties are eased."
        self.fields["notes"].help_text = "For the record only: not printed on the handout."

    def clean_given_on(self):
        given_on = self.cleaned_data["given_on"]
        if given_on > timezone.localdate():
            raise forms.ValidationError("Record the sick role once it has been given.")
        return given_on


class GoalsField(forms.CharField):
    """One goal per line; cleans to a list of non-empty lines."""

    widget = forms.Textarea(attrs={"rows": 4})
    max_goal_length = ProblemAreaGoal._meta.get_field("text").max_length

    def prepare_value(self, value):
        if isinstance(value, (list, tuple)):
            return "\n".join(value)
        return value

    def clean(self, value):
        text = super().clean(value)
        goals = [line.strip() for line in (text or "").splitlines() if line.strip()]
        if not goals:
            raise forms.ValidationError("Agree at least one goal for this problem area.")
        if any(len(goal) > self.max_goal_length for goal in goals):
            raise forms.ValidationError(
                f"Keep each goal to one line of at most {self.max_goal_length} characters."
            )
        return goals


class ProblemAreaForm(typed.ModelForm):
    """One problem area; only the fields of its kind are kept, the others are cleared.

    The area itself is chosen before the form is shown (``area``) and cannot change on edit:
    the person, stage and roles only make sense for one kind of area.
    """

    # Which optional details belong to which area (the rest are cleared on save).
    FIELDS_FOR = {
        Area.GRIEF: ["person", "date_of_death"],
        Area.ROLE_DISPUTE: ["person", "dispute_stage"],
        Area.ROLE_TRANSITION: ["from_role", "to_role"],
        Area.INTERPERSONAL_DEFICITS: [],
    }
    DETAIL_FIELDS = ["person", "date_of_death", "dispute_stage", "from_role", "to_role"]
    REQUIRED_FOR = {
        Area.GRIEF: {"person": "Grief needs the person who died."},
        Area.ROLE_DISPUTE: {
            "person": "A role dispute is with someone: choose who.",
            "dispute_stage": "Choose renegotiation, impasse or dissolution: the stage decides "
            "the plan of work.",
        },
        Area.ROLE_TRANSITION: {
            "from_role": "Name the role the patient is leaving.",
            "to_role": "Name the role the patient is moving into.",
        },
    }

    goals = GoalsField(
        label="Goals",
        help_text="One goal per line. They start from the IPT goals for this area: "
        "make them the patient's own.",
        error_messages={"required": "Agree at least one goal for this problem area."},
    )

    class Meta:
        model = ProblemArea
        fields = [
            "area",
            "person",
            "date_of_death",
            "dispute_stage",
            "from_role",
            "to_role",
            "rationale",
        ]
        widgets = {
            "area": forms.HiddenInput,
            "date_of_death": DateInput(),
            "dispute_stage": forms.RadioSelect,
            "rationale": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "from_role": "The old role, e.g. warehouse manager, wife, living at home.",
            "to_role": "The new role, e.g. job seeker, divorced mother, student away from home.",
        }
        error_messages = {
            "rationale": {
                "required": "Say how this area links to the onset or course of the depression."
            },
        }

    def __init__(self, *args, course, area, **kwargs):
        super().__init__(*args, **kwargs)
        self.course = course
        self.area = Area(self.instance.area if self.instance.pk else area)
        self.instance.area = self.area
        self.initial["area"] = self.area
        self.fields["area"].disabled = True  # chosen in the step before; fixed on edit
        # Each area requires its own details, and only those (the rest are cleared in clean).
        for name in self.DETAIL_FIELDS:
            self.fields[name].required = False
        for name, message in self.REQUIRED_FOR.get(self.area, {}).items():
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = message

        # Only people from this course's inventory; anything else is a form error.
        people = InventoryPerson.objects.filter(course=course)
        person = self.fields["person"]
        if self.area == Area.GRIEF:
            person.queryset = people.filter(deceased=True)
            person.label = "Who died"
            person.help_text = "Someone in the interpersonal inventory marked as having died."
            person.error_messages["invalid_choice"] = (
                "Choose the person who died from this patient's interpersonal inventory."
            )
        else:
            person.queryset = people
            person.label = "With whom"
            person.help_text = "The significant person the dispute is with."
            person.error_messages["invalid_choice"] = (
                "Choose someone from this patient's interpersonal inventory."
            )
        person.empty_label = "Choose a person"
        self.fields["dispute_stage"].choices = ProblemArea.DisputeStage.choices
        self.fields["dispute_stage"].help_text = (
            "Renegotiation: both still talking and trying to change things. "
            "Impasse: the talking has stopped, resentment simmers. "
            "Dissolution: the relationship is past repair and ending."
        )

        if self.instance.pk:
            self.initial.setdefault("goals", [g.text for g in self.instance.goals.all()])
        else:
            self.initial.setdefault("goals", ProblemArea.DEFAULT_GOALS[self.area])

    @property
    def detail_fields(self):
        """The bound fields shown for this area, in order."""
        return [self[name] for name in self.FIELDS_FOR[self.area]]

    def clean_date_of_death(self):
        died = self.cleaned_data.get("date_of_death")
        if died and died > timezone.localdate():
            raise forms.ValidationError("The date of death cannot be in the future.")
        return died

    def clean(self):
        cleaned = super().clean()
        area = self.area
        others = ProblemArea.objects.filter(course=self.course)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
        others = list(others)
        # IPT: the work keeps one focus, at most two.
        if any(other.area == area for other in others):
            raise forms.ValidationError(
                f"{area.label} is already a problem area of this course: edit it instead."
            )
        if len(others) >= ProblemArea.MAX_PER_COURSE:
            raise forms.ValidationError(
                "IPT focuses on one problem area, at most two: remove one before adding another."
            )

        # Clear what does not belong to this area, so the record (and the database
        # constraints) never hold a dispute stage on a grief, a date of death on a dispute...
        keep = self.FIELDS_FOR[area]
        for name in self.DETAIL_FIELDS:
            if name not in keep:
                cleaned[name] = self.fields[name].to_python(None)
                self.errors.pop(name, None)
        from_role = cleaned["from_role"] = (cleaned.get("from_role") or "").strip()
        to_role = cleaned["to_role"] = (cleaned.get("to_role") or "").strip()
        person = cleaned.get("person")

        if area == Area.ROLE_DISPUTE and person and person.deceased:
            self.add_error(
                "person",
                f"{person.name} has died: unresolved conflict with someone who has died "
                "is worked on as grief.",
            )
        if (
            area == Area.ROLE_TRANSITION
            and from_role
            and from_role.casefold() == to_role.casefold()
        ):
            self.add_error("to_role", "A transition moves from one role to a different one.")
        return cleaned

    def save(self, commit=True):
        problem_area = super().save(commit=False)
        problem_area.course = self.course
        problem_area.area = self.area
        if commit:
            problem_area.save()
            problem_area.set_goals(self.cleaned_data["goals"])
        return problem_area


class FormulationForm(typed.ModelForm):
    class Meta:
        model = Formulation
        fields = ["text", "shared_on"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 9}),
            "shared_on": DateInput(),
        }
        labels = {"text": "Interpersonal formulation"}
        help_texts = {
            "text": "A few sentences, in words the patient would use, linking the depression "
            "to the problem area. Read it together and adjust it until it fits.",
            "shared_on": "Leave empty until you have gone through it with the patient.",
        }
        error_messages = {
            "text": {"required": "Write the formulation, or start from the draft."},
        }

    def clean_shared_on(self):
        shared_on = self.cleaned_data.get("shared_on")
        if shared_on and shared_on > timezone.localdate():
            raise forms.ValidationError("Record the date once it has been shared.")
        return shared_on
