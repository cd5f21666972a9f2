"""Outcomes promised at sale and the quarterly reviews that report on them. Tenant schema."""

from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from portal.accounts.fields import user_ref


class Direction(models.TextChoices):
    UP = "up", gettext_lazy("Higher is better")
    DOWN = "down", gettext_lazy("Lower is better")


class Outcome(models.Model):
    """One objective of the success plan, e.g. "mean time to respond < 30 min"."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=20, blank=True, help_text=gettext_lazy('e.g. "min", "%".'))
    direction = models.CharField(max_length=4, choices=Direction.choices, default=Direction.UP)
    baseline = models.DecimalField(max_digits=14, decimal_places=2)
    target = models.DecimalField(max_digits=14, decimal_places=2)
    current_value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    # Blank: measured by hand. Otherwise the metric that feeds current_value nightly:
    # "nps", "active_users", "open_critical_tickets" or "adoption:<feature key>" (in %).
    metric = models.CharField(max_length=100, blank=True)
    due_date = models.DateField(null=True, blank=True)
    evidence = models.TextField(blank=True, help_text=gettext_lazy("How the value was measured."))
    signed_off_by = user_ref()
    signed_off_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self):
        return self.title

    @property
    def achieved(self) -> bool:
        if self.current_value is None:
            return False
        if self.direction == Direction.UP:
            return self.current_value >= self.target
        return self.current_value <= self.target

    @property
    def progress_percent(self) -> int | None:
        """Return how far from baseline to target the current value is, 0–100."""
        if self.current_value is None or self.target == self.baseline:
            return None
        share = (self.current_value - self.baseline) / (self.target - self.baseline)
        return int(max(Decimal(0), min(Decimal(1), share)) * 100)


class OutcomeValue(models.Model):
    """The history of an outcome's measured value."""

    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="values")
    value = models.DecimalField(max_digits=14, decimal_places=2)
    note = models.CharField(max_length=300, blank=True)
    recorded_by = user_ref()
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "id"]

    def __str__(self):
        return f"{self.outcome}: {self.value}"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Draft")
    PUBLISHED = "published", gettext_lazy("Published")


class Report(models.Model):
    """A quarterly business review. Drafts show live figures; publishing freezes them."""

    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT)
    summary = models.TextField(blank=True, help_text=gettext_lazy("Markdown."))
    risks = models.TextField(blank=True, help_text=gettext_lazy("Markdown."))
    recommendations = models.TextField(blank=True, help_text=gettext_lazy("Markdown."))
    next_goals = models.TextField(gettext_lazy("Next quarter's goals"), blank=True, help_text=gettext_lazy("Markdown."))
    # Frozen at publication: the figures and the rendered narrative, never recomputed.
    snapshot = models.JSONField(null=True, blank=True, editable=False)
    created_by = user_ref()
    created_at = models.DateTimeField(default=timezone.now)
    published_by = user_ref()
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["period_start"], name="qbr_one_report_per_period"),
            models.CheckConstraint(condition=models.Q(period_end__gt=models.F("period_start")), name="qbr_period"),
            models.CheckConstraint(
                condition=models.Q(status="draft") | models.Q(snapshot__isnull=False, published_at__isnull=False),
                name="qbr_published_is_frozen",
            ),
        ]

    def __str__(self):
        return f"QBR {self.label}"

    @property
    def label(self) -> str:
        quarter = (self.period_start.month - 1) // 3 + 1
        return f"{self.period_start.year} Q{quarter}"

    @property
    def is_published(self) -> bool:
        return self.status == ReportStatus.PUBLISHED
