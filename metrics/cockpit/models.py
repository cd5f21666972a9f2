"""Calls to action (CTAs) and the rule settings that raise them. Public schema: the console's
queue lists them across tenants without visiting tenant schemas."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from portal.accounts.access import tenants_visible_to
from portal.tenancy.models import Tenant

from .reasons import reason_text

if TYPE_CHECKING:
    from portal.accounts.access import Actor


class Rule(models.TextChoices):
    HEALTH_DROP = "health_drop", gettext_lazy("Health entered red or dropped")
    ONBOARDING_STALL = "onboarding_stall", gettext_lazy("Onboarding stalled")
    RENEWAL_AT_RISK = "renewal_at_risk", gettext_lazy("Renewal at risk")
    QBR_DUE = "qbr_due", gettext_lazy("QBR due")
    NPS_DETRACTOR = "nps_detractor", gettext_lazy("NPS detractor follow-up")
    ADOPTION_LOW = "adoption_low", gettext_lazy("Core-feature adoption below target")
    ZOMBIE = "zombie", gettext_lazy("Zombie box: seats unused")
    MILESTONE_OVERDUE = "milestone_overdue", gettext_lazy("Onboarding milestone overdue")
    EXPANSION = "expansion", gettext_lazy("Expansion signal")


class Priority(models.IntegerChoices):
    URGENT = 1, gettext_lazy("Urgent")
    HIGH = 2, gettext_lazy("High")
    NORMAL = 3, gettext_lazy("Normal")
    LOW = 4, gettext_lazy("Low")


class CtaStatus(models.TextChoices):
    OPEN = "open", gettext_lazy("Open")
    SNOOZED = "snoozed", gettext_lazy("Snoozed")
    CLOSED = "closed", gettext_lazy("Closed")


class Outcome(models.TextChoices):
    RESOLVED = "resolved", gettext_lazy("Resolved")
    NOT_RESOLVED = "not_resolved", gettext_lazy("Not resolved")
    RISK_ACCEPTED = "risk_accepted", gettext_lazy("Risk accepted")
    # Set by Keel only, when the rule no longer holds: never offered in the close form.
    CLEARED = "cleared", gettext_lazy("Condition cleared")


HUMAN_OUTCOMES = [(v, label) for v, label in Outcome.choices if v != Outcome.CLEARED]


class RuleSetting(models.Model):
    """One rule's thresholds and playbook, edited by admins in the console.

    A rule without a row runs with the defaults in ``settings.KEEL_CTA_RULES``.
    """

    rule = models.CharField(max_length=30, choices=Rule.choices, unique=True)
    enabled = models.BooleanField(default=True)
    thresholds = models.JSONField(default=dict, blank=True)
    cooldown_days = models.PositiveSmallIntegerField(
        default=14,
        help_text=gettext_lazy("Days after a CTA closes before the same rule may open another for that customer."),
    )
    playbook = models.TextField(blank=True, help_text=gettext_lazy("The CTA's checklist: one step per line."))
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["rule"]

    def __str__(self):
        return f"Settings of {self.rule}"

    @property
    def steps(self) -> list[str]:
        return [line.strip() for line in self.playbook.splitlines() if line.strip()]


class CtaQuerySet(models.QuerySet["Cta"]):
    def live(self) -> Self:
        """Return the CTAs not closed (open or snoozed): the ones the constraint allows one of."""
        return self.exclude(status=CtaStatus.CLOSED)

    def visible_to(self, user: Actor) -> Self:
        return self.filter(tenant__in=tenants_visible_to(user))


class Cta(models.Model):
    """A call to action: what a rule found about one customer, and what the CSM did about it."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="ctas")
    rule = models.CharField(max_length=30, choices=Rule.choices)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    due = models.DateField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="ctas"
    )
    # Why, in English (the API, the audit log); reason_args hold its kind and figures, from which
    # pages show it in the reader's language (reasons.py, reason_text).
    reason = models.CharField(max_length=500)
    reason_args = models.JSONField(default=dict, blank=True, db_default={}, editable=False)
    # The figures the rule decided on, and links to where they can be checked.
    figures = models.JSONField(default=dict, blank=True)
    evidence = models.JSONField(default=list, blank=True)
    # The rule's playbook copied at opening: [{"text": ..., "done": bool}].
    steps = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=CtaStatus.choices, default=CtaStatus.OPEN)
    snoozed_until = models.DateField(null=True, blank=True)
    snooze_reason = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    note = models.TextField(blank=True)
    # The health score when the CTA opened: the baseline of the effectiveness report.
    health_at_open = models.PositiveSmallIntegerField(null=True, blank=True)
    # The first score scored 30 or more days after opening, and its day (the report's outcome side).
    health_after_30 = models.PositiveSmallIntegerField(null=True, blank=True)
    health_after_30_on = models.DateField(null=True, blank=True)
    opened_at = models.DateTimeField(default=timezone.now)
    # A fingerprint of the facts, thresholds and day the rule last decided this CTA on: while
    # they are unchanged, evaluation skips it (selectors.rule_work_list). Empty: decide again.
    basis = models.CharField(max_length=64, blank=True, default="", db_default="", editable=False)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = CtaQuerySet.as_manager()

    class Meta:
        ordering = ["priority", "due", "id"]
        constraints = [
            # Two evaluations at once (two beats, a retry) can never open a second CTA.
            models.UniqueConstraint(
                fields=["tenant", "rule"],
                condition=~models.Q(status="closed"),
                name="cta_one_live_per_tenant_rule",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="closed") | models.Q(closed_at__isnull=False) & ~models.Q(outcome=""),
                name="cta_closed_has_outcome",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="snoozed") | models.Q(snoozed_until__isnull=False),
                name="cta_snoozed_has_until",
            ),
        ]
        indexes = [
            models.Index(fields=["owner", "status"], name="cta_owner_status"),
            # Every evaluation looks for CTAs 30 days old without their later score: closed ones
            # pile up, so the search reads only the CTAs still waiting.
            models.Index(
                fields=["opened_at"], condition=models.Q(health_after_30_on__isnull=True), name="cta_awaiting_after_30"
            ),
        ]

    def __str__(self):
        return f"{self.get_rule_display()} for tenant {self.tenant_id} ({self.status})"

    @property
    def topic(self) -> str:
        return f"cta:{self.pk}"

    @property
    def is_closed(self) -> bool:
        return self.status == CtaStatus.CLOSED

    def is_overdue(self, today: date | None = None) -> bool:
        return not self.is_closed and self.due < (today or timezone.localdate())

    def steps_done(self) -> int:
        return sum(1 for step in self.steps if step.get("done"))

    @property
    def reason_text(self) -> str:
        """Why, in the active language (the stored English sentence for CTAs older than reason_args)."""
        return reason_text(self.reason, self.reason_args)

    def figure_items(self) -> list[tuple[str, Any]]:
        return sorted(self.figures.items())


class AccountNote(models.Model):
    """A CSM's note on a customer, shown in the account 360's timeline. Staff only."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="account_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    body = models.TextField(max_length=4000)
    # Colleagues named with @ in the body, told when the note was written.
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"Note on tenant {self.tenant_id} by {self.author_id}"


class AccountFacts(models.Model):
    """What the rules need from one tenant's schema, copied to public by a per-tenant task.

    Rules then run over every customer in one set-based pass without visiting schemas.
    """

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, primary_key=True, related_name="account_facts")
    computed_at = models.DateTimeField(default=timezone.now)
    # Go-live: the first time a checklist reached its first-value milestone.
    go_live_on = models.DateField(null=True, blank=True)
    onboarding_done = models.PositiveIntegerField(default=0, help_text=gettext_lazy("Checklist tasks done."))
    onboarding_total = models.PositiveIntegerField(default=0, help_text=gettext_lazy("Checklist tasks in all."))
    seats = models.PositiveIntegerField(null=True, blank=True, help_text=gettext_lazy("The latest seat count."))
    active_users_14d = models.PositiveIntegerField(
        default=0, help_text=gettext_lazy("Distinct users active in the last 14 days.")
    )
    active_users_28d = models.PositiveIntegerField(
        default=0, help_text=gettext_lazy("Distinct users active in the last 28 days.")
    )
    # [{"key", "name", "rate" (0-1 or null)}] of every core feature over the last 28 days.
    core_adoption = models.JSONField(default=list, blank=True)
    detractor_id = models.IntegerField(null=True, blank=True)
    detractor_score = models.PositiveSmallIntegerField(null=True, blank=True)
    detractor_comment = models.TextField(blank=True)
    detractor_on = models.DateField(null=True, blank=True)
    milestone_id = models.IntegerField(null=True, blank=True)
    milestone_title = models.CharField(max_length=200, blank=True)
    milestone_due = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "account facts"

    def __str__(self):
        return f"Facts of tenant {self.tenant_id} at {self.computed_at:%Y-%m-%d %H:%M}"

    @property
    def onboarding_percent(self) -> int | None:
        """Return the share of checklist tasks done, rounded (None without a checklist)."""
        if not self.onboarding_total:
            return None
        return round(self.onboarding_done / self.onboarding_total * 100)
