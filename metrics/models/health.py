from django.db import models
from django.utils import timezone


class HealthScore(models.Model):
    """The tenant's health score for one day, with the components that explain it.

    One row per day (upserted), so re-running the nightly job changes nothing twice.
    """

    day = models.DateField(unique=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    band = models.CharField(max_length=10)
    tier = models.CharField(max_length=20)
    components = models.JSONField(default=list)
    drivers = models.JSONField(default=list)
    scorecard_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The scorecard version the score used (empty: scored before versions)."
    )
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__lte=100), name="healthscore_score_0_100"
            ),
        ]

    def __str__(self):
        return f"{self.day}: {self.score} ({self.band})"
