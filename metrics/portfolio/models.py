"""Public-schema facts about each tenant's health, for cross-tenant pages.

Celery keeps these rows current from the tenant schemas (DESIGN.md: cross-tenant views
read public tables; they never loop over schemas per request).
"""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy


class Band(models.TextChoices):
    GREEN = "green", gettext_lazy("Green")
    YELLOW = "yellow", gettext_lazy("Yellow")
    RED = "red", gettext_lazy("Red")
    UNKNOWN = "unknown", gettext_lazy("Not enough data yet")


class HealthSnapshot(models.Model):
    """The latest health score of one tenant, with what it is made of."""

    tenant = models.OneToOneField(
        "tenancy.Tenant", on_delete=models.CASCADE, primary_key=True, related_name="health_snapshot"
    )
    day = models.DateField(help_text=gettext_lazy("The day the score describes."))
    score = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text=gettext_lazy("0-100; empty when no data at all.")
    )
    band = models.CharField(max_length=10, choices=Band.choices, default=Band.UNKNOWN)
    score_week_ago = models.PositiveSmallIntegerField(null=True, blank=True)
    components = models.JSONField(default=list, blank=True)
    drivers = models.JSONField(default=list, blank=True)
    nps = models.SmallIntegerField(null=True, blank=True)
    ttv_days = models.FloatField(gettext_lazy("TTV (days)"), null=True, blank=True)
    active_users = models.PositiveIntegerField(default=0)
    core_adoption = models.FloatField(
        null=True,
        blank=True,
        help_text=gettext_lazy("Mean adoption (0-1) of the core features over the scoring window."),
    )
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__lte=100), name="healthsnapshot_score_0_100"
            ),
        ]

    def __str__(self):
        return f"{self.tenant_id}: {self.score} ({self.band}) on {self.day}"

    @property
    def change(self) -> int | None:
        """Return the score's change over the last week, or None when either end is missing."""
        if self.score is None or self.score_week_ago is None:
            return None
        return self.score - self.score_week_ago
