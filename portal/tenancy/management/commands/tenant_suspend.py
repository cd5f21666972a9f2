from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.accounts.access import SYSTEM
from portal.tenancy.models import Tenant
from portal.tenancy.services import tenant_resume, tenant_suspend


class Command(BaseCommand):
    help = "Suspend a tenant (read-only, no customer logins), or resume it with --resume."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--reason", default="", help="Required when suspending.")
        parser.add_argument("--resume", action="store_true", help="Make the tenant active again.")

    def handle(self, *args, **opts):
        tenant = Tenant.objects.customers().filter(slug=opts["slug"]).first()
        if tenant is None:
            raise CommandError(f"No tenant with slug {opts['slug']!r}.")
        try:
            if opts["resume"]:
                tenant_resume(tenant=tenant, actor=SYSTEM)
            else:
                tenant_suspend(tenant=tenant, actor=SYSTEM, reason=opts["reason"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(f"{tenant.slug}: {tenant.get_status_display()}"))
