"""The treatment contract: signed by patient and therapist, never edited once signed."""

from datetime import time

import pgtrigger
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from ipt.accounts.history import tracked
from ipt.accounts.triggers import Refuse
from ipt.course.models import TransitionRefused, TreatmentCourse
from ipt.course.variants import Variant
from ipt.dates import shift
from ipt.initial.signed_pdf import SignedContractPdf

DEFAULT_MISSED_SESSION_POLICY = (
    "If you cannot come, please let us know at least 24 hours before. A missed session still "
    "counts as one of the sessions we have agreed, and we will use the next session to think "
    "together about what got in the way. If two sessions in a row are missed, your therapist "
    "will contact you to talk about whether to go on."
)
DEFAULT_CONFIDENTIALITY = (
    "What you say in sessions stays between you and the clinic team. Your therapist discusses "
    "their work with a clinical supervisor. We would share information without your agreement "
    "only if we were seriously worried about your safety or someone else's."
)
DEFAULT_CRISIS_PLAN = (
    "Therapy sessions are not an emergency service. If you feel unable to keep yourself safe, "
    "call 999 or go to your nearest A&E. You can also call your GP, NHS 111 (option 2 for "
    "mental health) or Samaritans on 116 123 at any time, day or night."
)

WEEKDAYS = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


def parent_signature_required(course):
    """IPT-A: the clinic asks a parent or carer to sign an adolescent's contract too
    (``IPTA_PARENT_SIGNS_CONTRACT``)."""
    return course.variant == Variant.ADOLESCENT and settings.IPTA_PARENT_SIGNS_CONTRACT


SIGNED_CANNOT_CHANGE = (
    "Version {version} is signed and can no longer be changed. To change its terms, amend it: "
    "the amendment is a new version for you and the patient to sign."
)


@tracked("course__patient")
class TreatmentContract(models.Model):
    course = models.ForeignKey(TreatmentCourse, on_delete=models.CASCADE, related_name="contracts")
    version = models.PositiveSmallIntegerField(default=1)
    previous = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="amended_by"
    )
    amendment_reason = models.TextField("reason for the amendment", blank=True)

    focal_areas = models.TextField("focal problem area(s)")
    goals = models.TextField("goals", help_text="One goal per line.")
    number_of_sessions = models.PositiveSmallIntegerField("number of sessions")
    weekday = models.PositiveSmallIntegerField("day of the week", choices=WEEKDAYS)
    session_time = models.TimeField("time")
    session_minutes = models.PositiveSmallIntegerField("session length (minutes)")
    start_date = models.DateField("start date")
    expected_end_date = models.DateField("expected end date")
    missed_session_policy = models.TextField(
        "missed sessions", default=DEFAULT_MISSED_SESSION_POLICY
    )
    sick_role = models.TextField("the sick role")
    time_limit = models.TextField(
        "a time-limited treatment",
        default="IPT is a time-limited treatment. We will meet for the number of sessions agreed "
        "here and review progress together as the end approaches.",
    )
    confidentiality = models.TextField("confidentiality", default=DEFAULT_CONFIDENTIALITY)
    crisis_plan = models.TextField("in a crisis", default=DEFAULT_CRISIS_PLAN)

    patient_signed_name = models.CharField("patient's name as signed", max_length=200, blank=True)
    patient_signed_on = models.DateField("patient signed on", null=True, blank=True)
    therapist_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    therapist_signed_on = models.DateField("therapist signed on", null=True, blank=True)
    # IPT-A: the parent or carer who signed beside the adolescent, as they signed.
    parent_signed_name = models.CharField(
        "parent's or carer's name as signed", max_length=200, blank=True
    )
    parent_signed_relationship = models.CharField(
        "relationship of the parent or carer who signed", max_length=120, blank=True
    )
    parent_signed_on = models.DateField("parent or carer signed on", null=True, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["version"]
        constraints = [
            models.UniqueConstraint(fields=["course", "version"], name="contract_version_unique"),
            models.CheckConstraint(
                condition=models.Q(signed_at__isnull=True)
                | (
                    ~models.Q(patient_signed_name="")
                    & models.Q(patient_signed_on__isnull=False)
                    & models.Q(therapist_signed_by__isnull=False)
                    & models.Q(therapist_signed_on__isnull=False)
                ),
                name="signed_contract_has_both_signatures",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(parent_signed_name="") & models.Q(parent_signed_on__isnull=True)
                )
                | (~models.Q(parent_signed_name="") & models.Q(parent_signed_on__isnull=False)),
                name="parent_signature_named_and_dated",
            ),
            models.CheckConstraint(
                condition=models.Q(expected_end_date__gte=models.F("start_date")),
                name="contract_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=models.Q(version=1, previous__isnull=True)
                | models.Q(version__gt=1, previous__isnull=False),
                name="amendment_references_previous_version",
            ),
        ]
        # A signed contract is what patient and therapist agreed: never changed (amend it).
        triggers = [
            Refuse(
                name="signed_contract_immutable",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__signed_at__isnull=False),
                message="A signed treatment contract cannot be changed; amend it instead.",
            )
        ]

    def __str__(self):
        return f"Treatment contract v{self.version}"

    @property
    def is_signed(self):
        return self.signed_at is not None

    @property
    def parent_signs(self):
        """Whether this version has a parent's or carer's signature line (IPT-A): a signed
        version if a parent signed it, a draft when the clinic asks for one."""
        if self.is_signed:
            return bool(self.parent_signed_name)
        return parent_signature_required(self.course)

    @property
    def document_reference(self):
        """Printed on the signed document and shown beside its SHA-256 in the record."""
        return f"TC-{self.pk}-v{self.version}"

    @property
    def goal_lines(self):
        return [line.strip() for line in self.goals.splitlines() if line.strip()]

    @classmethod
    def draft_for(cls, course, *, weekday=None, session_time=None):
        """A first version filled from the course: its areas, goals, length and sick role."""
        areas = list(course.problem_areas.all())
        sick_role = course._one("sick_role")
        start = course.start_date
        sick_role_text = (
            "Depression is an illness, not a failing. While you recover you are excused from: "
            f"{sick_role.excused.strip()} You commit to: {sick_role.commitments.strip()}"
            if sick_role
            else "Depression is an illness, not a failing: while you recover, some duties are "
            "set aside and your job is to work at getting better."
        )
        return cls(
            course=course,
            version=1,
            focal_areas="\n".join(a.detail for a in areas),
            goals="\n".join(g.text for a in areas for g in a.goals.all()),
            number_of_sessions=course.planned_sessions,
            weekday=start.weekday() if weekday is None else weekday,
            session_time=session_time or time(10, 0),
            session_minutes=course.session_minutes,
            start_date=start,
            expected_end_date=shift(start, weeks=course.planned_sessions - 1),
            sick_role=sick_role_text,
        )

    @classmethod
    def latest_locked(cls, course):
        """Lock the course, then read its newest contract version afresh (or None).

        Every change to a contract starts here, inside a transaction: a draft signed a moment
        ago in another tab is then seen, and refused with a message, instead of reaching the
        database trigger that keeps signed versions unchanged.
        """
        TreatmentCourse.objects.select_for_update().only("pk").get(pk=course.pk)
        latest = course.contracts.order_by("-version").first()
        if latest is not None:
            latest.course = course
        return latest

    @classmethod
    def start_draft(cls, course):
        """Draft version 1 from the course; refused if a contract exists already."""
        with transaction.atomic():
            if cls.latest_locked(course) is not None:
                raise TransitionRefused(["The contract is already drafted: it is shown here."])
            draft = cls.draft_for(course)
            draft.save()
        return draft

    def refresh_from_problem_areas(self):
        """Copy the focal areas and goals in again from the problem areas (a draft only).

        Returns False when there is no problem area to copy from, leaving the draft as it was.
        """
        if self.is_signed:
            raise TransitionRefused([SIGNED_CANNOT_CHANGE.format(version=self.version)])
        fresh = TreatmentContract.draft_for(self.course)
        if not fresh.focal_areas:
            return False
        self.focal_areas, self.goals = fresh.focal_areas, fresh.goals
        self.save(update_fields=["focal_areas", "goals"])
        return True

    def parent_sign_blockers(self, parent, parent_date):
        """IPT-A, where the clinic asks for it: the parent or carer who signs is one of the
        course's, with their consent recorded, and the day they signed is given."""
        if not parent_signature_required(self.course):
            return []
        if parent is None or parent.course_id != self.course_id:
            return [
                "This clinic asks a parent or carer to sign an adolescent's contract: choose "
                "who signs (add them under Parents and carers if they are not listed)."
            ]
        reasons = []
        if not parent.consent_recorded:
            reasons.append(f"Record {parent.name}'s consent before they sign the contract.")
        if parent_date is None:
            reasons.append("Give the date the parent or carer signed.")
        return reasons

    def sign_blockers(self, patient_name, parent=None, parent_date=None):
        reasons = self.parent_sign_blockers(parent, parent_date)
        if self.is_signed:
            reasons.append("This contract is already signed; amend it to change anything.")
        suitability = self.course._one("suitability")
        if suitability is None or not suitability.cleared:
            reasons.append(
                "The suitability screen must be passed, or a reasoned override recorded, before "
                "the contract is signed."
            )
        if not patient_name.strip():
            reasons.append("The patient's typed name is needed as their signature.")
        if self.changes_session_count:
            reasons += self.course.session_count_blockers(self.number_of_sessions)
        return reasons

    @property
    def changes_session_count(self):
        """An amendment that renegotiates the number of sessions (IPT: within the variant's
        range, agreed by both): signing it changes the course's count."""
        return self.version > 1 and self.number_of_sessions != self.course.planned_sessions

    def sign(
        self, *, patient_name, patient_date, therapist, therapist_date, parent=None,
        parent_date=None,
    ):  # fmt: skip
        """Guard, lock, re-check, change: of two signatures at once (two tabs, a double click)
        the second waits for the first, finds the contract signed and is refused.

        The signed document is rendered and stored in the same transaction (a failed render
        leaves the signature in place: see ``ipt/initial/signed_pdf.py``)."""
        if reasons := self.sign_blockers(patient_name, parent, parent_date):
            raise TransitionRefused(reasons)
        with transaction.atomic():
            locked = type(self).objects.select_for_update().get(pk=self.pk)
            if parent is not None:
                parent = type(parent).objects.filter(pk=parent.pk).first()
            if reasons := locked.sign_blockers(patient_name, parent, parent_date):
                raise TransitionRefused(reasons)
            if parent is not None and parent_signature_required(self.course):
                self.parent_signed_name = parent.name
                self.parent_signed_relationship = parent.relationship
                self.parent_signed_on = parent_date
            self.patient_signed_name = patient_name.strip()
            self.patient_signed_on = patient_date
            self.therapist_signed_by = therapist
            self.therapist_signed_on = therapist_date
            self.signed_at = timezone.now()
            self.save()
            if self.changes_session_count:
                self.course.change_planned_sessions(self.number_of_sessions)
            self.course.refresh_watch()
            SignedContractPdf.store_at_signing(self)

    def amend(self, *, reason):
        """A new, unsigned version that starts from this one's terms."""
        if not self.is_signed:
            raise TransitionRefused(["Only a signed contract is amended; edit this draft instead."])
        if not reason.strip():
            raise TransitionRefused(["Say why the contract is being amended."])
        with transaction.atomic():
            new = TreatmentContract.objects.get(pk=self.pk)
            new.pk = None
            new.version = self.version + 1
            new.previous = self
            new.amendment_reason = reason.strip()
            new.patient_signed_name = ""
            new.patient_signed_on = new.therapist_signed_on = new.signed_at = None
            new.therapist_signed_by = None
            new.parent_signed_name = new.parent_signed_relationship = ""
            new.parent_signed_on = None
            new._state.adding = True
            new.save()
            self.course.refresh_watch()
        return new
