"""Thin Celery adapters. Per-tenant tasks run in the schema they were sent from."""

from datetime import date

from celery import shared_task

from portal.tasks import TenantScopedTask
from portal.tenancy.db import connection
from portal.tenancy.models import Tenant
from portal.tenancy.tasks import fan_out

from .selectors import last_complete_day
from .services.health import health_score_compute
from .services.rollups import usage_rollup_refresh


@shared_task(base=TenantScopedTask, name="metrics.usage_rollup_task")
def usage_rollup_task() -> dict:
    """Fold newly received events into the current tenant's daily rollup."""
    days = usage_rollup_refresh()
    return {"schema": connection.schema_name, "days": [d.isoformat() for d in days]}


@shared_task(name="metrics.usage_rollup_all_task")
def usage_rollup_all_task() -> int:
    return fan_out(usage_rollup_task)


@shared_task(base=TenantScopedTask, name="metrics.health_score_task")
def health_score_task(*, day: str | None = None) -> dict:
    """Bring the rollup up to date, then score the current tenant for ``day`` (default: yesterday, the last
    complete day; the 03:00 run once scored 27 days and 3 hours as if they were 28 days)."""
    # Read the row: connection.tenant may be a schema-only stand-in without the tier.
    tenant = Tenant.objects.filter(schema_name=connection.schema_name).first()
    if tenant is None:
        return {"schema": connection.schema_name, "skipped": "tenant is gone"}
    usage_rollup_refresh()
    scored = health_score_compute(tenant=tenant, day=date.fromisoformat(day) if day else last_complete_day())
    return {"schema": connection.schema_name, "day": scored.day.isoformat(), "score": scored.score}


@shared_task(name="metrics.health_score_all_task")
def health_score_all_task() -> int:
    return fan_out(health_score_task)
