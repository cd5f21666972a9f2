"""Tenant housekeeping tasks. Fan-out tasks run in public and send one task per tenant."""

from celery import shared_task
from django.utils import timezone

from portal.tasks import TenantScopedTask
from portal.tenancy.db import connection

from .models import Tenant, TenantStatus


def ready_tenants():
    """Return the tenants cross-tenant jobs fan out to."""
    return Tenant.objects.customers().filter(ready=True, status=TenantStatus.ACTIVE)


def fan_out(task) -> int:
    """Send ``task`` once per ready tenant, each pinned to that tenant's schema."""
    sent = 0
    for tenant in ready_tenants().only("pk", "schema_name"):
        with tenant:  # the task records the active schema when it is sent
            task.delay()
        sent += 1
    return sent


@shared_task(base=TenantScopedTask, name="tenancy.tenant_storage_measure_task")
def tenant_storage_measure_task() -> dict:
    """Record how many bytes the current tenant's tables and indexes use."""
    schema = connection.schema_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s AND c.relkind = 'r'",
            [schema],
        )
        (size,) = cursor.fetchone()
    Tenant.objects.filter(schema_name=schema).update(storage_bytes=size, storage_measured_at=timezone.now())
    return {"schema": schema, "bytes": int(size)}


@shared_task(name="tenancy.tenant_storage_measure_all_task")
def tenant_storage_measure_all_task() -> int:
    return fan_out(tenant_storage_measure_task)
