"""Keep the template schema migrated whenever the public schema is."""

from django.dispatch import receiver
from django_tenants.signals import schema_migrated
from django_tenants.utils import get_creation_fakes_migrations, get_public_schema_name

from .template_schema import tenant_template_sync


@receiver(schema_migrated, dispatch_uid="tenancy_template_sync_after_public")
def sync_template_after_public(sender, schema_name, **kwargs):
    # migrate_schemas runs public first; the template only needs public (tenant tables refer to
    # users there), so this runs before the tenants and `make run`, deploys and the test database
    # all leave it current. Provisioning checks again in case a run skipped public (--tenant).
    if schema_name == get_public_schema_name() and get_creation_fakes_migrations():
        tenant_template_sync()
