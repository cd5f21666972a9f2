from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.accounts.access import SYSTEM
from portal.accounts.sso import sso_break_glass_open
from portal.tenancy.models import Tenant


class Command(BaseCommand):
    help = (
        "Break glass for a tenant that requires single sign-on: its customer admins may sign in with a "
        "password for --minutes (their identity provider is down or misconfigured). Audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--minutes", type=int, default=60)

    def handle(self, *args, **opts):
        tenant = Tenant.objects.customers().filter(slug=opts["slug"]).first()
        if tenant is None:
            raise CommandError(f"No tenant with slug {opts['slug']!r}.")
        try:
            config = sso_break_glass_open(tenant=tenant, actor=SYSTEM, minutes=opts["minutes"])
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{tenant.slug}: customer admins may use passwords until {config.break_glass_until:%H:%M} UTC"
            )
        )
