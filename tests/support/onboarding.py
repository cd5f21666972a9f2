"""Onboarding and stall test helpers: the stall clock and rules, and updates that skip the services."""

from datetime import UTC, datetime

from django.utils import timezone

from onboarding.models import Task, TaskStatus
from portal.tenancy.models import Tenant

# A Monday morning; every stall test starts here and moves the clock itself.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RULES = {
    "strategic": {"idle_days": 3, "overdue_days": 1, "escalate_after_hours": 24},
    "key": {"idle_days": 5, "overdue_days": 2, "escalate_after_hours": 48},
    "standard": {"idle_days": 7, "overdue_days": 3, "escalate_after_hours": 72},
}


def set_tier(tenant: Tenant, tier: str) -> None:
    Tenant.objects.filter(pk=tenant.pk).update(tier=tier)
    tenant.refresh_from_db()


def complete(task: Task, when=None) -> None:
    """Mark ``task`` done at ``when`` (now by default) without the service's access rules."""
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.DONE, completed_at=when or timezone.now())
