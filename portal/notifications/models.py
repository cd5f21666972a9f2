"""The notification outbox and each person's delivery preferences. Public schema.

PostgreSQL is the source of truth: a row is written in the same transaction as the
decision to notify, and a worker delivers it. Redis only carries "go and look at row N".
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from .chat import ChatKind

if TYPE_CHECKING:
    from portal.accounts.models import User


class Channel(models.TextChoices):
    EMAIL = "email", gettext_lazy("E-mail")
    IN_APP = "in_app", gettext_lazy("In-app")
    WEBHOOK = "webhook", gettext_lazy("Webhook")


class Status(models.TextChoices):
    PENDING = "pending", gettext_lazy("Pending")
    # An attempt is under way (or its worker died: see Notification.claim_id).
    SENDING = "sending", gettext_lazy("Sending")
    SENT = "sent", gettext_lazy("Sent")
    # Waiting for the recipient's daily digest instead of going out on its own.
    HELD = "held", gettext_lazy("Held for digest")
    DIGESTED = "digested", gettext_lazy("Sent in a digest")
    DEAD = "dead", gettext_lazy("Dead letter")


class NotificationQuerySet(models.QuerySet["Notification"]):
    def inbox(self, user: User) -> Self:
        """Return the in-app notifications delivered to ``user``, newest first."""
        return self.filter(recipient=user, channel=Channel.IN_APP, status=Status.SENT).order_by("-created_at", "-id")

    def dead_letters_visible_to(self, user: User) -> Self:
        """Return the dead letters a staff user may see: all for admins; their accounts' or their own for CSMs."""
        dead = self.filter(status=Status.DEAD)
        if user.is_keel_admin:
            return dead
        if user.is_csm:
            return dead.filter(models.Q(tenant__csm=user) | models.Q(recipient=user))
        return dead.none()


class Notification(models.Model):
    """One message to one recipient over one channel; delivered at most once in effect."""

    # Unique per (decision, recipient, channel): writing the same decision twice adds nothing.
    dedupe_key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=40)
    # What the message is about (e.g. "stall:12"), so a page can show who was told.
    topic = models.CharField(max_length=100, blank=True, db_index=True)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )
    # E-mail address or webhook URL, copied when the row is written so delivery needs nothing else.
    address = models.CharField(max_length=500, blank=True)
    tenant = models.ForeignKey(
        "tenancy.Tenant", on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )
    subject = models.CharField(max_length=300)
    body = models.TextField()
    link = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Identifies the latest attempt; only that attempt may record the outcome.
    claim_id = models.UUIDField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="digested")
    # The recipient's language when the row was written: the chat card's own words follow it.
    language = models.CharField(max_length=10, blank=True, default="", db_default="")
    # Webhook rows: which chat tool's format and signature (empty: Slack-compatible), and the
    # robot's signing secret (Feishu, DingTalk), copied like the address so delivery needs nothing else.
    chat_kind = models.CharField(max_length=10, choices=ChatKind.choices, blank=True, default="", db_default="")
    chat_secret = models.CharField(max_length=200, blank=True, default="", db_default="")
    created_at = models.DateTimeField(default=timezone.now)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notification_due"),
            models.Index(fields=["recipient", "channel", "status"], name="notification_inbox"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False), name="notification_sent_has_time"
            ),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} to {self.address or self.recipient_id}: {self.subject}"

    @property
    def message_id(self) -> str:
        """Return the e-mail Message-ID: the same for every attempt, so receivers can drop a resend."""
        digest = hashlib.sha256(self.dedupe_key.encode()).hexdigest()[:40]
        return f"<{digest}@notifications.{settings.KEEL_BASE_DOMAIN}>"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class NotificationPreference(models.Model):
    """How one person wants to be told. A missing row means the defaults."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_pref")
    digest = models.BooleanField(
        default=False, help_text=gettext_lazy("One e-mail a day summarising alerts, instead of one e-mail per alert.")
    )
    webhook_url = models.URLField(
        gettext_lazy("Webhook URL"),
        max_length=500,
        blank=True,
        help_text=gettext_lazy(
            "Optional: a Slack incoming webhook, Feishu/Lark custom bot, DingTalk robot or WeCom group robot "
            "that also receives your alerts."
        ),
    )
    webhook_kind = models.CharField(
        gettext_lazy("Chat tool"),
        max_length=10,
        choices=ChatKind.choices,
        default=ChatKind.SLACK,
        db_default=ChatKind.SLACK.value,
    )
    webhook_secret = models.CharField(
        gettext_lazy("Signing secret"),
        max_length=200,
        blank=True,
        default="",
        db_default="",
        help_text=gettext_lazy("Feishu and DingTalk robots with signature verification on: the robot's secret."),
    )
    task_reminders = models.BooleanField(
        default=True, help_text=gettext_lazy("E-mail me when an onboarding task assigned to me is overdue.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Notification preferences of {self.user}"
