from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy


class TicketSeverity(models.TextChoices):
    LOW = "low", gettext_lazy("Low")
    MEDIUM = "medium", gettext_lazy("Medium")
    HIGH = "high", gettext_lazy("High")
    CRITICAL = "critical", gettext_lazy("Critical")


class TicketStatus(models.TextChoices):
    OPEN = "open", gettext_lazy("Open")
    CLOSED = "closed", gettext_lazy("Closed")


class SupportTicket(models.Model):
    """A support ticket's facts, mirrored from the vendor's help desk (upserted by external id)."""

    external_id = models.CharField(max_length=100, unique=True)
    severity = models.CharField(max_length=10, choices=TicketSeverity.choices)
    status = models.CharField(max_length=10, choices=TicketStatus.choices)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-opened_at"]
        indexes = [models.Index(fields=["opened_at"], name="supportticket_opened_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True) | models.Q(closed_at__gte=models.F("opened_at")),
                name="supportticket_closed_after_opened",
            ),
        ]

    def __str__(self):
        return f"{self.external_id} ({self.severity}, {self.status})"
