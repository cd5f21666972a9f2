"""Copy every tenant's daily health scores into the public history the predictiveness report reads."""

from django.core.management.base import BaseCommand, CommandError

from metrics.services.health import health_history_backfill
from portal.tenancy.models import Tenant


class Command(BaseCommand):
    help = (
        "Copy each tenant's daily health scores (its schema's HealthScore rows) into the public history "
        "(health.HealthScoreDay). Run once after upgrading; safe to re-run."
    )

    def add_arguments(self, parser):
        parser.add_argument("slugs", nargs="*", help="Only these tenants (default: every customer).")

    def handle(self, *args, **opts):
        tenants = Tenant.objects.customers().order_by("slug")
        if opts["slugs"]:
            tenants = tenants.filter(slug__in=opts["slugs"])
            missing = set(opts["slugs"]) - set(tenants.values_list("slug", flat=True))
            if missing:
                raise CommandError(f"No tenant {', '.join(sorted(missing))}.")
        total = 0
        for tenant in tenants:
            copied = health_history_backfill(tenant=tenant)
            total += copied
            self.stdout.write(f"{tenant.slug}: {copied} day{'s' if copied != 1 else ''}")
        self.stdout.write(self.style.SUCCESS(f"{total} scored days copied."))
