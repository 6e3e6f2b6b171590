"""What a clinician types, as it will be stored: the one rule for text, numbers and dates.

Every form of the project is built on ``Form`` or ``ModelForm`` below, and autosave uses
``clean_typed_text``: so a text that cannot be stored, or a date no record can hold, is
refused beside its field with the reason, the typed text still there, and never reaches the
database as a server error. Nothing clinical lives here (patients/ imports it too).
"""

from datetime import datetime, timedelta

from django import forms
from django.core import validators
from django.utils import timezone

# The longest text a note may hold (about 25 printed pages): far beyond any session's notes,
# short enough that no page, chart or PDF struggles with it.
MAX_NOTE_LENGTH = 50_000

# Dates a record of a living patient's treatment can hold.
EARLIEST_YEAR = 1900
# How far ahead a plan (a session, a review, a booster, a follow-up) may be dated.
PLAN_HORIZON = timedelta(days=2 * 366)

# The range of a PostgreSQL integer: a larger number is a typing slip, never a count.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1


class UnsaveableText(ValueError):
    """A value that can never be saved as typed (too long for its field): retrying won't help."""


def too_long_message(length, limit):
    return (
        f"This text is {length:,} characters long and the field holds {limit:,}: "
        "shorten it and it will be saved."
    )


def without_nul(value):
    """NUL characters, which PostgreSQL cannot store and no keyboard types, are dropped."""
    return value.replace("\x00", "")


def clean_typed_text(field, value):
    """Text as it will be stored in a model field: NUL dropped; too long refused with the
    reason."""
    value = without_nul(value)
    limit = field.max_length or MAX_NOTE_LENGTH
    if len(value) > limit:
        message = too_long_message(len(value), limit)
        raise UnsaveableText(message[0].lower() + message[1:])
    return value


class TextFits(validators.MaxLengthValidator):
    """A field's length, refused in the words autosave uses."""

    def __call__(self, value):
        if isinstance(value, str) and len(value) > self.limit_value:
            raise forms.ValidationError(
                too_long_message(len(value), self.limit_value), code="max_length"
            )


def _day(value):
    return value.date() if isinstance(value, datetime) else value


class PlausibleDate:
    """A date a treatment record can hold: not before 1900 nor the patient's birth, not after
    today, or for a plan (``plan=True``) not more than two years ahead.

    ``born`` is called when the value is checked (the form learns its patient late).
    """

    def __init__(self, *, plan=False, born=lambda: None):
        self.plan = plan
        self.born = born

    def __call__(self, value):
        day = _day(value)
        today = timezone.localdate()
        born = self.born()
        if day.year < EARLIEST_YEAR:
            raise forms.ValidationError(
                f"Check the year: {day.year} is before {EARLIEST_YEAR}.", code="too_early"
            )
        if born and day < born:
            raise forms.ValidationError(
                f"That is before the patient was born ({born:%-d %B %Y}).", code="before_birth"
            )
        if self.plan and day > today + PLAN_HORIZON:
            raise forms.ValidationError(
                "That is more than two years ahead: check the year.", code="too_late"
            )
        if not self.plan and day > today:
            raise forms.ValidationError(
                "That date is in the future: give today or an earlier date.", code="future"
            )


class TypedInput:
    """Every field of a form holds to the rule above.

    - NUL characters are dropped from whatever is submitted;
    - every text has a length (its column's, or ``MAX_NOTE_LENGTH`` for a text column), refused
      with its length and the limit;
    - every whole number stays within a database integer;
    - every date is plausible (``PlausibleDate``): the names in ``plan_dates`` are plans, those
      in ``unchecked_dates`` are left to the form itself.
    """

    plan_dates: tuple[str, ...] = ()
    unchecked_dates: tuple[str, ...] = ()

    def full_clean(self):
        # Here rather than in __init__: forms add fields in their own __init__, after ours.
        if self.is_bound:
            self.data = _without_nul(self.data)
        for field in self.fields.values():
            _harden(field)
        super().full_clean()
        # Dates last, so that a form's own words for a date ("the date of birth cannot be in
        # the future") come first and this is the net under every date it does not check.
        for name, field in self.fields.items():
            value = getattr(self, "cleaned_data", {}).get(name)
            if (
                isinstance(field, (forms.DateField, forms.DateTimeField))
                and name not in self.unchecked_dates
                and value is not None
            ):
                try:
                    PlausibleDate(plan=name in self.plan_dates, born=self.patient_born)(value)
                except forms.ValidationError as error:
                    self.add_error(name, error)

    def patient_born(self):
        """The patient's date of birth, where the form knows its course or patient."""
        course = getattr(self, "course", None)
        instance = getattr(self, "instance", None)
        if course is None and instance is not None:
            try:
                course = getattr(instance, "course", None)
            except Exception:  # an unsaved row without its course yet
                course = None
        patient = getattr(course, "patient", None)
        return getattr(patient, "date_of_birth", None)


def _harden(field):
    if getattr(field, "typed_input", False):
        return
    field.typed_input = True
    if isinstance(field, forms.CharField) and not isinstance(
        field, (forms.UUIDField, forms.JSONField)
    ):
        limit = field.max_length or MAX_NOTE_LENGTH
        field.max_length = limit
        field.validators = [
            v for v in field.validators if not isinstance(v, validators.MaxLengthValidator)
        ] + [TextFits(limit)]
    if isinstance(field, forms.IntegerField):
        if field.max_value is None or field.max_value > INT_MAX:
            field.validators.append(validators.MaxValueValidator(INT_MAX))
        if field.min_value is None or field.min_value < INT_MIN:
            field.validators.append(validators.MinValueValidator(INT_MIN))


def _without_nul(data):
    if not any("\x00" in str(v) for v in _values(data)):
        return data
    if hasattr(data, "setlist"):
        copy = data.copy()
        for key, values in data.lists():
            copy.setlist(key, [without_nul(v) if isinstance(v, str) else v for v in values])
        return copy
    return {
        key: without_nul(v)
        if isinstance(v, str)
        else [without_nul(x) if isinstance(x, str) else x for x in v]
        if isinstance(v, (list, tuple))
        else v
        for key, v in data.items()
    }


def _values(data):
    if hasattr(data, "lists"):
        return [v for _key, values in data.lists() for v in values]
    return [x for v in data.values() for x in (v if isinstance(v, (list, tuple)) else [v])]


class Form(TypedInput, forms.Form):
    pass


class ModelForm(TypedInput, forms.ModelForm):
    pass
