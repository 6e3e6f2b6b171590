"""The short record of a parent session (IPT-A)."""

import uuid

from django import forms

from ipt import typed
from ipt.widgets import DateInput
from sessions_app.parentsessions import ParentSession


class ParentSessionForm(typed.ModelForm):
    # A token per form shown: the same form sent twice records the parent session once.
    submission = forms.UUIDField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ParentSession
        fields = [
            "parent",
            "kind",
            "held_on",
            "others_present",
            "focus",
            "focus_detail",
            "notes",
            "agreed_actions",
        ]
        widgets = {
            "held_on": DateInput(),
            "kind": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 5}),
            "agreed_actions": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "others_present": "e.g. the other parent, a social worker.",
            "agreed_actions": "What the parent or carer, the adolescent or you will do, and by when.",
        }

    def __init__(self, *args, course, **kwargs):
        self.course = course
        super().__init__(*args, **kwargs)
        # IPT-A: only a parent whose consent and the adolescent's assent are recorded attends.
        self.fields["parent"].queryset = course.parents.may_attend()
        self.fields["parent"].empty_label = None
        self.fields["kind"].choices = ParentSession.Kind.choices
        self.initial.setdefault("submission", uuid.uuid4())
