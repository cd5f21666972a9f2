from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.accounts.access import SYSTEM
from portal.tenancy.models import Tenant
from portal.tenancy.services import tenant_delete


class Command(BaseCommand):
    help = "Delete a tenant and drop its schema. Needs a recent export (tenant_export) and --confirm SLUG."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--confirm", required=True, metavar="SLUG", help="Repeat the slug to confirm.")

    def handle(self, *args, **opts):
        tenant = Tenant.objects.customers().filter(slug=opts["slug"]).first()
        if tenant is None:
            raise CommandError(f"No tenant with slug {opts['slug']!r}.")
        try:
            tenant_delete(tenant=tenant, actor=SYSTEM, confirm=opts["confirm"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"Deleted {opts['slug']}."))
