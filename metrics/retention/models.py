"""The retention ledger: one account per customer, dated events, corrections by reversing entries."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy


class EventKind(models.TextChoices):
    CONTRACT_START = "contract_start", gettext_lazy("Contract start")
    RENEWAL = "renewal", gettext_lazy("Renewal")
    EXPANSION = "expansion", gettext_lazy("Expansion")
    CONTRACTION = "contraction", gettext_lazy("Contraction")
    CHURN = "churn", gettext_lazy("Churn")
    WIN_BACK = "win_back", gettext_lazy("Win-back")


# Events that make the customer a customer again (or for the first time) and those that end it.
STARTS = (EventKind.CONTRACT_START, EventKind.WIN_BACK)
# Events that set the ARR (a churn sets it to 0).
SETS_ARR = (EventKind.CONTRACT_START, EventKind.RENEWAL, EventKind.EXPANSION, EventKind.CONTRACTION, EventKind.WIN_BACK)


class ChurnReason(models.TextChoices):
    VALUE_NOT_REALISED = "value", gettext_lazy("Value not realised")
    PRODUCT_FIT = "product_fit", gettext_lazy("Product fit or missing capability")
    PRICE = "price", gettext_lazy("Price or budget")
    COMPETITOR = "competitor", gettext_lazy("Moved to a competitor")
    SUPPORT = "support", gettext_lazy("Support or service experience")
    BUSINESS_CHANGE = "business_change", gettext_lazy("Acquired, merged or closed")
    OTHER = "other", gettext_lazy("Other")


class Account(models.Model):
    """A customer as the ledger knows it; outlives its tenant (then a tombstone: slug, name, history)."""

    tenant = models.OneToOneField(
        "tenancy.Tenant", on_delete=models.SET_NULL, null=True, blank=True, related_name="retention_account"
    )
    # Copied from the tenant, so the history still says whose it was after the tenant is deleted.
    slug = models.SlugField(max_length=40, db_index=True)
    name = models.CharField(max_length=200)
    # The start of time to value; empty = the contract start (docs/kpis.md, "Time to value").
    kickoff_on = models.DateField("kickoff", null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name if self.tenant_id else f"{self.name} (deleted)"

    @property
    def is_tombstone(self) -> bool:
        return self.tenant_id is None


class Event(models.Model):
    """A dated fact about an account. Never edited: a mistake is cancelled by a reversing entry."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    occurred_on = models.DateField(
        help_text=gettext_lazy("The day it took effect (may be in the past, never in the future).")
    )
    arr = models.DecimalField(
        "ARR after the event",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=gettext_lazy("Empty for a churn."),
    )
    term_end = models.DateField(
        null=True,
        blank=True,
        help_text=gettext_lazy("Contract starts, renewals and win-backs: the day the next renewal is due."),
    )
    reason = models.CharField(max_length=20, choices=ChurnReason.choices, blank=True)
    note = models.TextField(blank=True)
    # Set on a reversing entry: the event it cancels (which then counts as if it never happened).
    reverses = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["occurred_on", "recorded_at", "pk"]
        indexes = [models.Index(fields=["occurred_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(arr__isnull=True) | models.Q(arr__gte=0), name="retention_event_arr_not_negative"
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="churn") | models.Q(reverses__isnull=False) | ~models.Q(reason=""),
                name="retention_churn_has_reason",
            ),
        ]

    def __str__(self):
        prefix = "Reversal of " if self.reverses_id else ""
        return f"{prefix}{self.get_kind_display()} on {self.occurred_on}"
