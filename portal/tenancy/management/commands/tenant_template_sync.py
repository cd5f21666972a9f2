from django.core.management.base import BaseCommand

from portal.tenancy.template_schema import (
    template_schema_name,
    tenant_template_missing_migrations,
    tenant_template_sync,
)


class Command(BaseCommand):
    help = "Create the template schema new tenants are cloned from, and apply pending migrations to it."

    def handle(self, *args, **opts):
        behind = tenant_template_missing_migrations()
        tenant_template_sync(verbosity=max(opts["verbosity"] - 1, 0))
        state = f"caught up on {len(behind)} app(s)" if behind else "already current"
        self.stdout.write(self.style.SUCCESS(f"Template schema {template_schema_name()!r} {state}."))
