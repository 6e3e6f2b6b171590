"""The interpersonal inventory (one form per person) and the timeline of life events."""

from django import forms
from django.utils import timezone

from ipt import typed
from ipt.initial.models import InventoryPerson, LifeEvent
from ipt.widgets import DateInput

# The questions, in the order a therapist asks them; the form and the card both follow it.
QUESTIONS = [
    "what_like",
    "time_together",
    "can_discuss",
    "cannot_discuss",
    "feelings",
    "patient_expects",
    "they_expect",
    "expectations_met",
    "satisfying",
    "unsatisfying",
    "conflicts",
    "conflicts_resolve",
    "knows_about_depression",
    "would_change",
]


class PersonForm(typed.ModelForm):
    """One significant person, asked about as in the IPT inventory (IPT-REFERENCE.md, step 3).

    Only name, relationship and closeness are required: the rest is often filled in over the
    first sessions as the patient talks about each relationship.
    """

    QUESTIONS = QUESTIONS

    class Meta:
        model = InventoryPerson
        fields = ["name", "relationship", "closeness", "deceased", *QUESTIONS]
        labels = {
            "closeness": "How close is this person?",
            "deceased": "Has died",
            "what_like": "What are they like?",
            "time_together": "Time together and shared activities",
            "can_discuss": "What can be talked about with them?",
            "cannot_discuss": "What cannot be talked about?",
            "feelings": "How does the patient feel when they are together?",
            "patient_expects": "What does the patient expect of them?",
            "they_expect": "What do they expect of the patient?",
            "expectations_met": "Are these expectations met?",
            "satisfying": "What is satisfying about the relationship?",
            "unsatisfying": "What is unsatisfying about it?",
            "conflicts": "Conflicts or disappointments",
            "conflicts_resolve": "Do the conflicts get resolved?",
            "knows_about_depression": "Do they know about the depression?",
            "would_change": "What would the patient like to change in this relationship?",
        }
        help_texts = {
            "closeness": "Where the patient places them in the closeness circle.",
            "deceased": "Still part of the inventory: losses often matter most.",
            "patient_expects": "What the patient hopes for or counts on from this person.",
            "they_expect": "As the patient understands it.",
            "expectations_met": (
                "Each side's, as the patient sees it. Expectations that are not met, or not "
                "shared, are often where a role dispute lies."
            ),
        }
        widgets = {
            "closeness": forms.RadioSelect,
            "conflicts_resolve": forms.RadioSelect,
            "knows_about_depression": forms.RadioSelect,
            "expectations_met": forms.RadioSelect,
            **{
                name: forms.Textarea(attrs={"rows": 2})
                for name in [
                    "what_like",
                    "time_together",
                    "can_discuss",
                    "cannot_discuss",
                    "feelings",
                    "patient_expects",
                    "they_expect",
                    "satisfying",
                    "unsatisfying",
                    "conflicts",
                    "would_change",
                ]
            },
        }

    def __init__(self, *args, focus=False, **kwargs):
        super().__init__(*args, **kwargs)
        # Blank choices render as a "---------" radio option: offer an explicit "not asked yet".
        for name in ("conflicts_resolve", "knows_about_depression", "expectations_met"):
            self.fields[name].choices = [("", "Not asked yet"), *self.fields[name].choices[1:]]
        # Ids must stay unique when several forms (add, and edits in place) share the page.
        if self.instance.pk:
            self.auto_id = f"person-{self.instance.pk}-%s"
        else:
            self.auto_id = "new-person-%s"
        self.fields["name"].widget.attrs["autocomplete"] = "off"
        if focus:  # htmx moves the cursor here when the form is swapped in
            self.fields["name"].widget.attrs["autofocus"] = True
        self.fields["name"].error_messages["required"] = (
            "Give the person's name: a first name or a nickname is enough."
        )
        self.fields["relationship"].error_messages["required"] = (
            "Say who they are to the patient, e.g. wife, manager, friend."
        )

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_relationship(self):
        return " ".join(self.cleaned_data["relationship"].split())

    def question_fields(self):
        return [self[name] for name in self.QUESTIONS]


class LifeEventForm(typed.ModelForm):
    """A life event or a change in the symptoms, for the timeline (IPT-REFERENCE.md, step 4)."""

    class Meta:
        model = LifeEvent
        fields = ["happened_on", "description", "kind", "person"]
        widgets = {"happened_on": DateInput()}
        labels = {"happened_on": "When", "person": "Person involved (optional)"}
        help_texts = {
            "happened_on": "The month is often enough: pick any day in it.",
            "person": "Someone from the interpersonal inventory.",
        }

    def __init__(self, *args, course, focus=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.course = course
        if focus:  # htmx moves the cursor here when the form is swapped in
            self.fields["happened_on"].widget.attrs["autofocus"] = True
        person = self.fields["person"]
        # Only this course's people; a forged id from another course fails validation.
        person.queryset = course.inventory.all()
        person.empty_label = "No one in particular"
        person.error_messages["invalid_choice"] = (
            "Choose someone from this patient's interpersonal inventory."
        )
        self.fields["kind"].choices = [
            ("", "Choose…"),
            ("Life events", [(k.value, k.label) for k in LifeEvent.Kind if not _symptom(k)]),
            ("The depression", [(k.value, k.label) for k in LifeEvent.Kind if _symptom(k)]),
        ]
        for name, message in [
            (
                "happened_on",
                "Give the date: the first of the month is fine if the day is not known.",
            ),
            ("description", "Say in a few words what happened."),
            ("kind", "Choose what kind of event this was."),
        ]:
            self.fields[name].error_messages["required"] = message
        if self.instance.pk:
            self.auto_id = f"event-{self.instance.pk}-%s"
        else:
            self.auto_id = "new-event-%s"

    def clean_happened_on(self):
        day = self.cleaned_data["happened_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(
                "That date is in the future: give today or an earlier date."
            )
        return day


def _symptom(kind):
    return kind.value.startswith("symptom_")
