"""Import a CSV of usage events, support tickets or seats into one tenant."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import tenant_context

from metrics.services.imports import KINDS, csv_import
from portal.accounts.access import SYSTEM
from portal.tenancy.models import Tenant


class Command(BaseCommand):
    help = "Import a CSV file (events, tickets or seats) into a tenant; invalid rows are listed by line."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The tenant's slug.")
        parser.add_argument("kind", choices=list(KINDS))
        parser.add_argument("path", type=Path, help="CSV file, UTF-8, header row first.")

    def handle(self, *args, **opts):
        tenant = Tenant.objects.customers().filter(slug=opts["slug"]).first()
        if tenant is None:
            raise CommandError(f"No tenant {opts['slug']!r}.")
        try:
            data = opts["path"].open("rb")
        except OSError as exc:
            raise CommandError(f"Cannot read {opts['path']}: {exc.strerror}.") from None
        try:
            with data, tenant_context(tenant):
                result = csv_import(tenant=tenant, kind=opts["kind"], data=data, actor=SYSTEM)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        for rejection in result.rejected:
            reasons = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in rejection["errors"].items())
            self.stderr.write(f"line {rejection['line']}: {reasons}")
        summary = f"{result.accepted} stored, {result.duplicates} already there, {len(result.rejected)} rejected."
        if result.accepted or result.duplicates:
            self.stdout.write(self.style.SUCCESS(f"{tenant.slug} {opts['kind']}: {summary}"))
        else:
            raise CommandError(f"Nothing imported: {summary}")
