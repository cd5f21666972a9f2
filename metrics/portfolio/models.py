"""Public-schema facts about each tenant's health, for cross-tenant pages.

Celery keeps these rows current from the tenant schemas (DESIGN.md: cross-tenant views
read public tables; they never loop over schemas per request).
"""

from django.conf import settings
from django.db import models
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from portal.tenancy.models import Tier


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
    scorecard_version = models.PositiveIntegerField(
        null=True, blank=True, help_text="The scorecard version the score used (empty: scored before versions)."
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


# Version 1's note, written by Keel (stored in English, shown in the reader's language).
DEFAULTS_NOTE = gettext_noop("The defaults from the KEEL_HEALTH settings.")


class Scorecard(models.Model):
    """One version of the health scorecard: per tier, the weights, targets and band thresholds.

    Versions are never edited: saving a change makes the next version, and every score records
    the version it used. Version 1 is made from the KEEL_HEALTH settings (the defaults only).
    """

    version = models.PositiveIntegerField(unique=True)
    note = models.CharField(max_length=300, blank=True, help_text="Why it changed.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-version"]

    def __str__(self):
        return f"Scorecard v{self.version}"

    @property
    def note_shown(self) -> str:
        """The note in the reader's language when Keel wrote it; a person's note as they wrote it."""
        return gettext(DEFAULTS_NOTE) if self.note == DEFAULTS_NOTE else self.note


class ScorecardTier(models.Model):
    """A scorecard's rules for one tier. Weights are whole per cent of the score and add up to 100;
    targets are whole per cent (the usage ratio and the core-feature adoption that earn 100)."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="tiers")
    tier = models.CharField(max_length=20, choices=Tier.choices)
    weight_usage = models.PositiveSmallIntegerField("usage frequency weight")
    weight_adoption = models.PositiveSmallIntegerField("feature adoption weight")
    weight_support = models.PositiveSmallIntegerField("support tickets weight")
    weight_nps = models.PositiveSmallIntegerField("NPS weight")
    weight_onboarding = models.PositiveSmallIntegerField("onboarding progress weight")
    stickiness_target = models.PositiveSmallIntegerField(
        "usage target (%)", help_text="Average daily actives ÷ seats that earns the full usage score."
    )
    adoption_target = models.PositiveSmallIntegerField(
        "adoption target (%)", help_text="Mean core-feature adoption that earns the full adoption score."
    )
    green_from = models.PositiveSmallIntegerField("green from")
    yellow_from = models.PositiveSmallIntegerField("yellow from", help_text="Below this: red.")

    WEIGHTS = ("usage", "adoption", "support", "nps", "onboarding")

    class Meta:
        ordering = ["scorecard", "tier"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "tier"], name="scorecardtier_one_per_tier"),
            models.CheckConstraint(
                condition=Exact(
                    models.F("weight_usage")
                    + models.F("weight_adoption")
                    + models.F("weight_support")
                    + models.F("weight_nps")
                    + models.F("weight_onboarding"),
                    100,
                ),
                name="scorecardtier_weights_add_up_to_100",
            ),
            models.CheckConstraint(
                condition=models.Q(yellow_from__gt=0, yellow_from__lt=models.F("green_from"), green_from__lte=100),
                name="scorecardtier_bands_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    stickiness_target__gt=0, stickiness_target__lte=100, adoption_target__gt=0, adoption_target__lte=100
                ),
                name="scorecardtier_targets_1_100",
            ),
        ]

    def __str__(self):
        return f"v{self.scorecard.version} {self.tier}"

    @property
    def weights(self) -> dict[str, int]:
        return {key: getattr(self, f"weight_{key}") for key in self.WEIGHTS}

    @property
    def bands(self) -> dict[str, int]:
        return {"green": self.green_from, "yellow": self.yellow_from}
