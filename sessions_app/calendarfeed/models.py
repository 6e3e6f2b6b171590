"""The therapist's private calendar feed: one secret address per therapist, revocable.

Only the SHA-256 of the token is kept, so the address is shown once, when it is made; a new
one replaces it (and the old one stops working). What the feed holds is in ``ics.py``.
"""

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarFeed(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="one_live_calendar_feed_per_user",
            )
        ]

    def __str__(self):
        return f"Calendar feed of {self.user}"

    @classmethod
    def live_for(cls, user):
        return cls.objects.filter(user=user, revoked_at__isnull=True).first()

    @classmethod
    def create_for(cls, user):
        """A new address for ``user``; returns ``(feed, token)``. The token is shown once. The
        user's row is locked first, so two clicks at once leave one live address."""
        with transaction.atomic():
            get_user_model().objects.select_for_update().get(pk=user.pk)
            now = timezone.now()
            cls.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=now)
            token = secrets.token_urlsafe(32)
            feed = cls.objects.create(user=user, token_hash=hash_token(token), created_at=now)
        return feed, token

    @classmethod
    def revoke_for(cls, user):
        """Stop the user's address working; False when there was none."""
        with transaction.atomic():
            get_user_model().objects.select_for_update().get(pk=user.pk)
            return bool(
                cls.objects.filter(user=user, revoked_at__isnull=True).update(
                    revoked_at=timezone.now()
                )
            )

    @classmethod
    def live_for_token(cls, token):
        """The live feed this token opens, or None (whatever the reason)."""
        feed = (
            cls.objects.select_related("user")
            .filter(token_hash=hash_token(token or ""), revoked_at__isnull=True)
            .first()
        )
        if feed is None or not feed.user.is_active:
            return None
        return feed

    def mark_read(self):
        type(self).objects.filter(pk=self.pk).update(last_read_at=timezone.now())
