from django.contrib.postgres.indexes import BrinIndex
from django.db import models
from django.utils import timezone


class UsageEvent(models.Model):
    """One use of a feature by one of the customer's users, as the vendor's product reported it.

    Written in bulk by COPY (metrics.services.ingest), never row by row.
    """

    feature = models.ForeignKey("metrics.Feature", on_delete=models.PROTECT, related_name="+")
    # The customer's own user reference (an id or e-mail in their product), not a Keel user.
    user_ref = models.CharField(max_length=200)
    occurred_at = models.DateTimeField()
    quantity = models.PositiveIntegerField(default=1)
    # Given by the sender, or derived from the event's content: the same key is stored once.
    idempotency_key = models.CharField(max_length=200, unique=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # Events arrive roughly in time order: BRIN indexes cost next to nothing to maintain
        # on the ingest path and still narrow rollup scans to the right blocks.
        indexes = [
            BrinIndex(fields=["occurred_at"], name="usageevent_occurred_brin"),
            BrinIndex(fields=["received_at"], name="usageevent_received_brin"),
        ]

    def __str__(self):
        return f"{self.user_ref} used feature {self.feature_id} at {self.occurred_at:%Y-%m-%d %H:%M}"


class DailyUsage(models.Model):
    """Events of one user on one feature on one (UTC) day. Rebuilt from events; never edited."""

    day = models.DateField()
    feature = models.ForeignKey("metrics.Feature", on_delete=models.CASCADE, related_name="+")
    user_ref = models.CharField(max_length=200)
    events = models.PositiveIntegerField()
    quantity = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "feature", "user_ref"], name="dailyusage_one_per_day_feature_user"),
        ]

    def __str__(self):
        return f"{self.day} {self.user_ref} feature {self.feature_id}: {self.events}"


class RollupState(models.Model):
    """Singleton: events received before ``covered_until`` are already in the daily rollup."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    covered_until = models.DateTimeField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="rollupstate_singleton")]

    def __str__(self):
        return f"rollup covers events received before {self.covered_until}"


class SeatCount(models.Model):
    """Licensed seats on a day (from the vendor's billing, by API or CSV)."""

    day = models.DateField(unique=True)
    seats = models.PositiveIntegerField()
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day"]

    def __str__(self):
        return f"{self.seats} seats on {self.day}"
