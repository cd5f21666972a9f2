"""Nightly refresh of metric-bound outcomes, one task per tenant."""

from celery import shared_task

from portal.tasks import TenantScopedTask
from portal.tenancy.tasks import fan_out

from .services import outcomes_sync_bound


@shared_task(base=TenantScopedTask, name="qbr.outcomes_sync_task")
def outcomes_sync_task() -> int:
    return outcomes_sync_bound()


@shared_task(name="qbr.outcomes_sync_all_task")
def outcomes_sync_all_task() -> int:
    return fan_out(outcomes_sync_task)
