"""Thin Celery adapters. Per-tenant tasks run in the schema they were sent from."""

from datetime import date, datetime, timedelta

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from portal.tasks import TenantScopedTask
from portal.tenancy.db import connection
from portal.tenancy.models import Tenant
from portal.tenancy.tasks import fan_out, ready_tenants

from .qbr.services import outcomes_sync_bound
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
    """Bring the rollup and the metric-bound outcomes up to date, then score the current tenant
    for ``day`` (default: yesterday, the last complete day; the 03:00 run once scored 27 days and
    3 hours as if they were 28 days).

    The score's public snapshot is written last, so a tenant whose run died anywhere on the way
    has no snapshot for the day and the sweep runs all of it again (each step is idempotent:
    the rollup is incremental, an outcome gets a value only when its metric moved, the score
    is an upsert on its day)."""
    # Read the row: connection.tenant may be a schema-only stand-in without the tier.
    tenant = Tenant.objects.filter(schema_name=connection.schema_name).first()
    if tenant is None:
        return {"schema": connection.schema_name, "skipped": "tenant is gone"}
    usage_rollup_refresh()
    outcomes_sync_bound()
    scored = health_score_compute(tenant=tenant, day=date.fromisoformat(day) if day else last_complete_day(tenant))
    return {"schema": connection.schema_name, "day": scored.day.isoformat(), "score": scored.score}


@shared_task(name="metrics.health_score_all_task")
def health_score_all_task() -> int:
    return fan_out(health_score_task)


def health_score_due_day(now: datetime | None = None) -> date:
    """Return the newest day every tenant should have a score for: yesterday (the last complete
    day, which the nightly run scores) once that run (KEEL_HEALTH_SCORE_HOUR) has started, the
    day before yesterday until then."""
    now = timezone.localtime(now)
    yesterday = now.date() - timedelta(days=1)
    return yesterday if now.hour >= settings.KEEL_HEALTH_SCORE_HOUR else yesterday - timedelta(days=1)


@shared_task(name="metrics.health_score_sweep_task")
def health_score_sweep_task() -> int:
    """Queue a score for each ready tenant still lacking one for the due day; return how many.

    The nightly fan-out sends one message per tenant; a worker killed mid-run or a broker that
    lost its queue leaves some tenants unscored. This frequent sweep finds them by the public
    snapshot (written after each tenant's score) and sends their task again. The score is an
    upsert on (day), so a message delivered twice still leaves one score per tenant and day.
    A tenant just sent is not sent again for two sweep periods, so a slow queue is not flooded.
    """
    day = health_score_due_day()
    hold = 2 * settings.KEEL_HEALTH_SWEEP_SECONDS
    sent = 0
    for tenant in ready_tenants().exclude(health_snapshot__day__gte=day).only("pk", "schema_name"):
        if not cache.add(f"health-sweep:{tenant.pk}:{day.isoformat()}", 1, timeout=hold):
            continue
        with tenant:  # the task records the active schema when it is sent
            health_score_task.delay(day=day.isoformat())
        sent += 1
    return sent
