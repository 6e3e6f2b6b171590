"""The patient's own questionnaire before a session: a one-time link, its audit, its rate limit.

Patients have no accounts. The therapist makes a link for one planned session (or one
maintenance follow-up still due, after the course); the patient
opens it on their phone and answers the PHQ-9 (and the GAD-7 when asked), one question at a
time. Only the SHA-256 of the token is stored, so the address exists only in what the
therapist was shown, copied or sent. The answers given so far are kept on the link's row (never
in the browser), and are scored and recorded through ``MeasureResponse.record`` when the
patient sends them: the course's stored watch follows, risk banner included.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ipt.accounts.triggers import append_only
from ipt.course.models import TransitionRefused
from ipt.measures import instruments
from ipt.measures.models import MeasureResponse
from ipt.termination.models import MAINTENANCE_PHASES, FollowUp
from sessions_app.models import Session


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


class LinkUnavailable(Exception):
    """Used, expired, revoked or unknown: the patient is told nothing more than that."""


@dataclass(frozen=True)
class Step:
    """One question of the patient's page."""

    key: str  # "phq9.1" .. "phq9.9", "difficulty", "gad7.1" .. "gad7.7"
    instrument: instruments.Instrument
    text: str
    choices: tuple[tuple[int, str], ...]


def _item_steps(instrument):
    return [
        Step(f"{instrument.code}.{item.number}", instrument, item.text, item.choices)
        for item in instrument.items
    ]


@dataclass(frozen=True)
class TargetQuestionnaires:
    open: "QuestionnaireLink | None"  # waiting (or expired, not yet replaced)
    from_patient: "QuestionnaireLink | None"  # its PHQ-9 is the session's
    separate: list  # completed, but the room's PHQ-9 is the session's
    gad7s: list
    can_create: bool


class LinkQuerySet(models.QuerySet):
    def open(self):
        """Neither completed nor revoked (an expired one is still open, and replaced)."""
        return self.filter(completed_at__isnull=True, revoked_at__isnull=True)

    def live(self, now=None):
        return self.open().filter(expires_at__gt=now or timezone.now())


class QuestionnaireLink(models.Model):
    # What the answers are for: a planned session, or a maintenance follow-up (exactly one).
    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, null=True, blank=True, related_name="questionnaire_links"
    )
    followup = models.ForeignKey(
        FollowUp,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="questionnaire_links",
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    with_gad7 = models.BooleanField("with the GAD-7", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The answers given so far, by step key; emptied when they are recorded as measures.
    answers = models.JSONField(default=dict, blank=True)
    phq9 = models.ForeignKey(
        MeasureResponse, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    gad7 = models.ForeignKey(
        MeasureResponse, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = LinkQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # With the session's row locked on every change, one link at a time per session.
            models.UniqueConstraint(
                fields=["session"],
                condition=Q(completed_at__isnull=True, revoked_at__isnull=True),
                name="one_open_questionnaire_link_per_session",
            ),
            models.UniqueConstraint(
                fields=["followup"],
                condition=Q(completed_at__isnull=True, revoked_at__isnull=True),
                name="one_open_questionnaire_link_per_followup",
            ),
            models.CheckConstraint(
                condition=Q(session__isnull=False, followup__isnull=True)
                | Q(session__isnull=True, followup__isnull=False),
                name="questionnaire_link_for_a_session_or_a_followup",
            ),
            models.CheckConstraint(
                condition=Q(completed_at__isnull=True) | Q(revoked_at__isnull=True),
                name="questionnaire_link_completed_or_revoked",
            ),
        ]

    def __str__(self):
        return f"Questionnaire link for {self.target}"

    @property
    def target(self):
        """The session or the follow-up the answers are for."""
        return self.session if self.session_id else self.followup

    @property
    def course(self):
        return self.session.course if self.session_id else self.followup.maintenance.course

    def target_url(self):
        """The page the therapist sees the answers on."""
        if self.session_id:
            return self.session.get_absolute_url()
        return reverse("course:followup", args=[self.course.pk, self.followup_id])

    @staticmethod
    def _lock(target):
        """The target's row, locked: every change of its PHQ-9 locks it first."""
        return type(target).objects.select_for_update(of=("self",)).get(pk=target.pk)

    @staticmethod
    def _field(target):
        return "session" if isinstance(target, Session) else "followup"

    # --- state --------------------------------------------------------------------------------
    @property
    def is_open(self):
        return self.completed_at is None and self.revoked_at is None

    @property
    def is_expired(self):
        return self.is_open and self.expires_at <= timezone.now()

    @property
    def is_live(self):
        return self.is_open and not self.is_expired

    @property
    def status(self):
        if self.completed_at:
            return "completed"
        if self.revoked_at:
            return "revoked"
        return "expired" if self.is_expired else "waiting"

    @property
    def is_the_sessions_phq9(self):
        """Whether its PHQ-9 is the one of its session (or follow-up)."""
        return self.phq9_id is not None and self.phq9_id == self.target.phq9_id

    @classmethod
    def on_page(cls, target):
        """What the mood check of a session (or a follow-up's page) shows of its links (one
        query)."""
        field = cls._field(target)
        links = list(
            cls.objects.filter(**{field: target}).select_related("phq9", "gad7").order_by("-pk")
        )
        for link in links:
            setattr(link, field, target)
        done = [link for link in links if link.completed_at]
        return TargetQuestionnaires(
            open=next((link for link in links if link.is_open), None),
            from_patient=next((link for link in done if link.is_the_sessions_phq9), None),
            separate=[link for link in done if not link.is_the_sessions_phq9],
            gad7s=[link for link in done if link.gad7_id],
            can_create=not cls.creation_blockers(target),
        )

    # --- the therapist's side: guard -> lock -> change -> record ------------------------------
    @classmethod
    def create_for(cls, target, *, by, with_gad7=False, address=None):
        """A new link for a planned session or a follow-up still due; returns ``(link,
        token)``. The token is shown once: only its hash is kept. An earlier open link of the
        same session or follow-up stops working."""
        field = cls._field(target)
        with transaction.atomic():
            locked = cls._lock(target)
            if reasons := cls.creation_blockers(locked):
                raise TransitionRefused(reasons)
            now = timezone.now()
            for old in cls.objects.open().filter(**{field: locked}):
                old._revoke(by=by, address=address, now=now, note="replaced by a new link")
            token = secrets.token_urlsafe(32)
            link = cls.objects.create(
                **{field: locked},
                token_hash=hash_token(token),
                with_gad7=with_gad7,
                created_by=by,
                created_at=now,
                expires_at=now + timedelta(hours=settings.QUESTIONNAIRE_LINK_HOURS),
            )
            QuestionnaireEvent.record(link, QuestionnaireEvent.Kind.CREATED, address, by=by)
        return link, token

    @staticmethod
    def creation_blockers(target):
        if isinstance(target, FollowUp):
            if target.maintenance.course.phase not in MAINTENANCE_PHASES:
                return ["This course's maintenance has ended."]
            if target.status != FollowUp.Status.DUE:
                return ["A questionnaire link is made for a follow-up still to come."]
            if target.phq9_id is not None:
                return ["A PHQ-9 is already recorded at this follow-up."]
            return []
        session = target
        if not session.course.is_active:
            return ["This course is closed."]
        if session.status != Session.Status.PLANNED or session.is_finalised:
            return ["A questionnaire link is made for a session still to come."]
        if session.phq9_id is not None:
            return ["A PHQ-9 is already recorded for this session."]
        return []

    def revoke(self, *, by, address=None):
        with transaction.atomic():
            self._lock(self.target)
            locked = type(self).objects.select_for_update().get(pk=self.pk)
            if not locked.is_open:
                raise TransitionRefused(["This link is no longer open."])
            locked._revoke(by=by, address=address, now=timezone.now())
        self.refresh_from_db()

    def _revoke(self, *, by, address, now, note=""):
        self.revoked_at, self.revoked_by, self.answers = now, by, {}
        self.save(update_fields=["revoked_at", "revoked_by", "answers"])
        QuestionnaireEvent.record(self, QuestionnaireEvent.Kind.REVOKED, address, by=by, note=note)

    def record_sent(self, *, by, address=None):
        QuestionnaireEvent.record(
            self, QuestionnaireEvent.Kind.SENT, address, by=by, note="emailed to the patient"
        )

    def token_matches(self, token):
        return secrets.compare_digest(hash_token(token or ""), self.token_hash)

    # --- the patient's side -------------------------------------------------------------------
    @classmethod
    def live_for_token(cls, token):
        """The live link this token opens; ``LinkUnavailable`` for any other token."""
        link = (
            cls.objects.live()
            .select_related("session__course__patient", "followup__maintenance__course__patient")
            .filter(token_hash=hash_token(token))
            .first()
        )
        if link is None:
            raise LinkUnavailable
        return link

    def steps(self):
        """The questions in order. The PHQ-9's tenth (how difficult) is asked only when an
        item was above 0, as its wording says ("If you checked off any problems")."""
        steps = _item_steps(instruments.PHQ9)
        if any(self.answers.get(s.key, 0) > 0 for s in steps):
            phq9 = instruments.PHQ9
            steps.append(
                Step("difficulty", phq9, phq9.difficulty_question, phq9.difficulty_choices)
            )
        if self.with_gad7:
            steps += _item_steps(instruments.GAD7)
        return steps

    def first_unanswered(self):
        steps = self.steps()
        return next((i for i, s in enumerate(steps) if s.key not in self.answers), len(steps))

    def opened(self, address):
        """Audit the first open, and an open from another address (a forwarded link)."""
        last = self.events.filter(kind=QuestionnaireEvent.Kind.OPENED).order_by("-at").first()
        if last is None or last.ip_address != address:
            with transaction.atomic():
                type(self).objects.filter(pk=self.pk, opened_at__isnull=True).update(
                    opened_at=timezone.now()
                )
                QuestionnaireEvent.record(self, QuestionnaireEvent.Kind.OPENED, address)

    def answer(self, key, value):
        """Keep one answer (a step may be answered again, going back). Refused when the link
        stopped being live meanwhile."""
        step = next((s for s in self.steps() if s.key == key), None)
        if step is None or value not in dict(step.choices):
            raise ValueError("Choose one of the answers.")
        with transaction.atomic():
            locked = type(self).objects.select_for_update().get(pk=self.pk)
            if not locked.is_live:
                raise LinkUnavailable
            locked.answers[key] = value
            locked.save(update_fields=["answers"])
        self.answers = locked.answers
        return self.steps().index(step)

    def _scores(self, code):
        return [
            self.answers[f"{code}.{item.number}"] for item in instruments.get_instrument(code).items
        ]

    def complete(self, *, address=None, today=None):
        """Score and record the answers. The session's (or follow-up's) row is locked first (as
        for every change of its PHQ-9), then the link's, and both are read again: a double
        submission records once, a link revoked meanwhile records nothing.

        The patient's PHQ-9 becomes the session's (or the follow-up's), unless one was recorded
        in the room meanwhile: that one stays, and the patient's is kept as a measure of its
        own, dated the day it was answered.
        """
        today = today or timezone.localdate()
        with transaction.atomic():
            target = self._lock(self.target)
            locked = type(self).objects.select_for_update().get(pk=self.pk)
            if not locked.is_live:
                raise LinkUnavailable
            if locked.first_unanswered() < len(locked.steps()):
                raise ValueError("Some questions are still to be answered.")
            course, by = self.course, locked.created_by
            locked.phq9 = MeasureResponse.record(
                course, "phq9", locked._scores("phq9"), taken_on=today, by=by,
                difficulty=locked.answers.get("difficulty"), refresh_watch=False,
            )  # fmt: skip
            if locked.with_gad7:
                locked.gad7 = MeasureResponse.record(
                    course, "gad7", locked._scores("gad7"), taken_on=today, by=by,
                    refresh_watch=False,
                )  # fmt: skip
            if isinstance(target, FollowUp):
                if target.phq9_id is None and target.status == FollowUp.Status.DUE:
                    target.phq9 = locked.phq9
                    target.save(update_fields=["phq9"])
            elif target.phq9_id is None and not target.is_finalised:
                target.phq9 = locked.phq9
                target.save(update_fields=["phq9", "updated_at"])
            locked.completed_at, locked.answers = timezone.now(), {}
            locked.save(update_fields=["phq9", "gad7", "completed_at", "answers"])
            QuestionnaireEvent.record(locked, QuestionnaireEvent.Kind.COMPLETED, address)
            course.refresh_watch()
        return locked


class QuestionnaireEvent(models.Model):
    """Created, sent, opened, completed, revoked: each with its time and address."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        SENT = "sent", "Sent"
        OPENED = "opened", "Opened"
        COMPLETED = "completed", "Completed"
        REVOKED = "revoked", "Revoked"

    link = models.ForeignKey(QuestionnaireLink, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    at = models.DateTimeField(default=timezone.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # Who, when a member of staff did it; empty when it was the patient.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        triggers = append_only("Questionnaire events")

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"

    @classmethod
    def record(cls, link, kind, address, *, by=None, note=""):
        return cls.objects.create(link=link, kind=kind, ip_address=address, by=by, note=note)


class RateCounter(models.Model):
    """Requests to the patient's pages per key (an address, a token) per time window."""

    key = models.CharField(max_length=100)
    bucket = models.BigIntegerField()  # the window: seconds since the epoch // window length
    hits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "bucket"], name="rate_counter_key_bucket")
        ]

    def __str__(self):
        return f"{self.key}: {self.hits}"

    @classmethod
    def hit(cls, key, seconds, *, count=True):
        """The requests for ``key`` in this window, this one included (``count=False``: only
        read). One statement, so concurrent requests never lose a count."""
        bucket = int(timezone.now().timestamp()) // seconds
        table = cls._meta.db_table
        with connection.cursor() as cursor:
            if not count:
                cursor.execute(
                    f"SELECT hits FROM {table} WHERE key = %s AND bucket = %s", [key, bucket]
                )
                row = cursor.fetchone()
                return row[0] if row else 0
            cursor.execute(
                f"INSERT INTO {table} (key, bucket, hits) VALUES (%s, %s, 1) ON CONFLICT "
                f"(key, bucket) DO UPDATE SET hits = {table}.hits + 1 RETURNING hits",
                [key, bucket],
            )
            hits = cursor.fetchone()[0]
            if hits == 1:  # a new window for this key: forget the old ones
                cursor.execute(f"DELETE FROM {table} WHERE key = %s AND bucket < %s", [key, bucket])
        return hits
