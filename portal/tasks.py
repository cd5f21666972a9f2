"""Task base classes shared by every app."""

from django.utils import timezone
from django_tenants.utils import get_public_schema_name
from tenant_schemas_celery.task import TenantTask

from portal.tenancy.clock import tenant_zone
from portal.tenancy.db import connection


class TenantRequiredError(RuntimeError):
    """A tenant-scoped task was sent from the public schema."""


class TenantScopedTask(TenantTask):
    """A task that must run inside one tenant's schema.

    tenant-schemas-celery switches to the schema recorded when the task was
    sent. A task sent from the public schema would otherwise run against public
    tables and, for tenant-only tables, fail late or touch the wrong rows; it is
    refused before the body runs.
    """

    abstract = True

    def __call__(self, *args, **kwargs):
        if connection.schema_name == get_public_schema_name():
            raise TenantRequiredError(f"{self.name} must be sent from a tenant schema.")
        # "Today" in the task is the tenant's (portal/tenancy/clock.py).
        with timezone.override(tenant_zone()):
            return super().__call__(*args, **kwargs)
