"""The template schema new tenants are cloned from (django-tenants TENANT_BASE_SCHEMA).

Migrating a fresh schema renders every migration's model state, which costs about 1.5 s a
tenant; cloning an already migrated schema costs a few hundred milliseconds. The trap is a
stale template: django-tenants fakes every migration after the clone, so a template one
migration behind would yield tenants that record a migration they never ran. Provisioning
therefore checks the template first and migrates it when it is behind (`tenant_template_ensure`).

Clones copy structure only (``Tenant.clone_mode = "NODATA"``): no row of the template ever
reaches a tenant, so a tenant-app data migration would not either. Per-tenant starting rows
belong in a ``tenant_provisioned`` receiver (as the onboarding checklist does), not in a
migration.
"""

import functools

from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django_tenants.utils import get_public_schema_name, quote_schema_name, schema_exists

# Any constant works: it only keeps two processes from creating the template at once.
_ADVISORY_LOCK_KEY = 0x4B45454C


def template_schema_name() -> str:
    return settings.TENANT_BASE_SCHEMA


@functools.cache
def _leaf_migrations() -> frozenset[tuple[str, str]]:
    # Read from disk once per process: the code (and so its migrations) cannot change under it.
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())


def tenant_template_missing_migrations() -> set[tuple[str, str]]:
    """Return the latest migrations of each app that the template has not recorded (all when absent)."""
    leaves = set(_leaf_migrations())
    table = f"{quote_schema_name(template_schema_name())}.django_migrations"
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [table])
        if cursor.fetchone()[0] is None:
            return leaves
        cursor.execute(f"SELECT app, name FROM {table}")  # noqa: S608 (a quoted name from settings)
        return leaves - set(cursor.fetchall())


@transaction.atomic
def tenant_template_sync(*, verbosity: int = 0) -> None:
    """Create the template schema if it is missing and apply every tenant migration to it."""
    schema = template_schema_name()
    if schema == get_public_schema_name() or schema.startswith("t_"):
        # t_ is the tenants' prefix (services.schema_name_for): a template there could be a tenant.
        raise ValueError(f"TENANT_BASE_SCHEMA {schema!r} must not be public or look like a tenant's schema.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
        if not schema_exists(schema):
            cursor.execute(f"CREATE SCHEMA {quote_schema_name(schema)}")
    call_command("migrate_schemas", tenant=True, schema_name=schema, interactive=False, verbosity=verbosity)
    connection.set_schema_to_public()


def tenant_template_ensure() -> None:
    """Bring the template up to date if it is missing or behind; cheap (one query) when it is not."""
    if tenant_template_missing_migrations():
        tenant_template_sync()
