"""Stall episodes. Public schema, so the console lists them without visiting tenant schemas.

Detection runs inside each tenant's schema and keeps a snapshot here (blocking task, open
task count, last progress) current every hour.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from portal.accounts.access import tenants_visible_to
from portal.tenancy.models import Tenant

if TYPE_CHECKING:
    from portal.accounts.access import Actor


class EndReason(models.TextChoices):
    PROGRESS = "progress", gettext_lazy("Progress resumed")
    COMPLETED = "completed", gettext_lazy("Onboarding completed")
    CLEARED = "cleared", gettext_lazy("Rule no longer holds")
    REMOVED = "removed", gettext_lazy("Checklist removed")


class EscalationLevel(models.TextChoices):
    CSM = "csm", gettext_lazy("Assigned CSM")
    ADMINS = "admins", gettext_lazy("Admins")


class StallEpisodeQuerySet(models.QuerySet["StallEpisode"]):
    def open(self) -> Self:
        return self.filter(ended_at__isnull=True)

    def visible_to(self, user: Actor) -> Self:
        """Return the episodes of the tenants ``user`` may see in the console."""
        return self.filter(tenant__in=tenants_visible_to(user))


class StallEpisode(models.Model):
    """The time during which one checklist of one tenant met the stall rule."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="stall_episodes")
    # The checklist lives in the tenant's schema: an id, not a foreign key.
    checklist_id = models.IntegerField()
    checklist_name = models.CharField(max_length=200)
    # When the rule began to hold (computed), when detection first saw it and told someone.
    stalled_since = models.DateTimeField()
    detected_at = models.DateTimeField(default=timezone.now)
    # Which parts of the rule held at the last check.
    is_idle = models.BooleanField(default=False, help_text=gettext_lazy("No task completed for the tier's idle days."))
    is_overdue = models.BooleanField(
        default=False, help_text=gettext_lazy("A task is overdue by more than the tier's limit.")
    )
    last_checked_at = models.DateTimeField(default=timezone.now)
    last_progress_at = models.DateTimeField()
    open_tasks = models.PositiveIntegerField(default=0)
    blocking_task_id = models.IntegerField(null=True, blank=True)
    blocking_task_title = models.CharField(max_length=200, blank=True)
    blocking_task_due = models.DateField(null=True, blank=True)
    blocking_task_side = models.CharField(max_length=10, blank=True)
    level = models.CharField(max_length=10, choices=EscalationLevel.choices, default=EscalationLevel.CSM)
    escalated_at = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    snoozed_at = models.DateTimeField(null=True, blank=True)
    snooze_reason = models.CharField(max_length=300, blank=True)
    snoozed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=10, choices=EndReason.choices, blank=True)

    objects = StallEpisodeQuerySet.as_manager()

    class Meta:
        ordering = ["stalled_since", "id"]
        constraints = [
            # Two detections at once (two beats, a retry) can never open a second episode.
            models.UniqueConstraint(
                fields=["tenant", "checklist_id"],
                condition=models.Q(ended_at__isnull=True),
                name="stall_one_open_episode_per_checklist",
            ),
            models.CheckConstraint(
                condition=models.Q(ended_at__isnull=True) | models.Q(ended_at__gte=models.F("detected_at")),
                name="stall_episode_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return f"{self.checklist_name} of tenant {self.tenant_id} stalled since {self.stalled_since:%Y-%m-%d}"

    @property
    def topic(self) -> str:
        """Return the outbox topic of this episode's notifications."""
        return f"stall:{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    def is_snoozed(self, now=None) -> bool:
        return self.snoozed_until is not None and self.snoozed_until > (now or timezone.now())

    def duration(self, now=None) -> timedelta:
        """Return how long the checklist has been (or was) stalled."""
        return (self.ended_at or now or timezone.now()) - self.stalled_since

    def days_overdue(self, today=None) -> int | None:
        if self.blocking_task_due is None:
            return None
        days = ((today or timezone.localdate()) - self.blocking_task_due).days
        return days if days > 0 else None
