from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from portal.accounts.access import SYSTEM
from portal.tenancy.exports import tenant_export
from portal.tenancy.models import Tenant


class Command(BaseCommand):
    help = "Write a complete JSON + CSV archive (zip) of one tenant under KEEL_EXPORT_ROOT."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The tenant to export.")

    def handle(self, *args, **opts):
        tenant = Tenant.objects.customers().filter(slug=opts["slug"]).first()
        if tenant is None:
            raise CommandError(f"No tenant with slug {opts['slug']!r}.")

        def progress(label: str, rows: int) -> None:
            self.stdout.write(f"  {label:<32} {rows:>8} rows")

        self.stdout.write(f"Exporting {tenant.name} …")
        export = tenant_export(tenant=tenant, actor=SYSTEM, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {settings.KEEL_EXPORT_ROOT / export.path}: {export.row_count} rows, "
                f"{export.size_bytes:,} bytes, sha256 {export.sha256}"
            )
        )
