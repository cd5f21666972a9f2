"""Public-schema facts about each tenant's health, for cross-tenant pages.

Celery keeps these rows current from the tenant schemas (DESIGN.md: cross-tenant views
read public tables; they never loop over schemas per request).
"""

from django.db import models
from django.utils import timezone


class Band(models.TextChoices):
    GREEN = "green", "Green"
    YELLOW = "yellow", "Yellow"
    RED = "red", "Red"
    UNKNOWN = "unknown", "Not enough data yet"


class HealthSnapshot(models.Model):
    """The latest health score of one tenant, with what it is made of."""

    tenant = models.OneToOneField(
        "tenancy.Tenant", on_delete=models.CASCADE, primary_key=True, related_name="health_snapshot"
    )
    day = models.DateField(help_text="The day the score describes.")
    score = models.PositiveSmallIntegerField(null=True, blank=True, help_text="0-100; empty when no data at all.")
    band = models.CharField(max_length=10, choices=Band.choices, default=Band.UNKNOWN)
    score_week_ago = models.PositiveSmallIntegerField(null=True, blank=True)
    components = models.JSONField(default=list, blank=True)
    drivers = models.JSONField(default=list, blank=True)
    nps = models.SmallIntegerField(null=True, blank=True)
    ttv_days = models.FloatField("TTV (days)", null=True, blank=True)
    active_users = models.PositiveIntegerField(default=0)
    core_adoption = models.FloatField(
        null=True, blank=True, help_text="Mean adoption (0-1) of the core features over the scoring window."
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


class HealthScoreDay(models.Model):
    """One customer's score on one day, kept in public for the reports that look back in time.

    The tenant schemas keep the explained history (HealthScore); this copy holds only what the
    "is the score predictive?" report needs, keyed by the ledger account so it outlives the
    tenant. The scoring service writes it with the snapshot; ``health_history_backfill`` copies
    the days scored before it existed (docs/kpis.md, "Is the score predictive?").
    """

    account = models.ForeignKey("retention.Account", on_delete=models.CASCADE, related_name="health_days")
    day = models.DateField()
    score = models.PositiveSmallIntegerField(null=True, blank=True, help_text="0-100; empty: not enough data yet.")
    band = models.CharField(max_length=10, choices=Band.choices, default=Band.UNKNOWN)

    class Meta:
        ordering = ["account", "-day"]
        constraints = [
            models.UniqueConstraint(fields=["account", "day"], name="healthscoreday_one_per_account_day"),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__lte=100), name="healthscoreday_score_0_100"
            ),
        ]

    def __str__(self):
        return f"{self.account_id} on {self.day}: {self.score} ({self.band})"
