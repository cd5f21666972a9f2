from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal.accounts.access import SYSTEM
from portal.accounts.models import User
from portal.tenancy.models import Tier
from portal.tenancy.services import tenant_provision


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (use YYYY-MM-DD).") from None


def _decimal(value: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        raise CommandError(f"{value!r} is not a number.") from None


class Command(BaseCommand):
    help = "Provision a tenant: schema, domain <slug>.<KEEL_BASE_DOMAIN>, first customer-admin invitation."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="Lowercase letters, digits, hyphens; becomes the subdomain.")
        parser.add_argument("--name", required=True, help="The customer's display name.")
        parser.add_argument("--arr", type=_decimal, default=Decimal(0), help="Annual recurring revenue.")
        parser.add_argument("--tier", choices=Tier.values, help="Override the tier derived from ARR.")
        parser.add_argument("--contract-start", type=_date, help="YYYY-MM-DD")
        parser.add_argument("--renewal-date", type=_date, help="YYYY-MM-DD")
        parser.add_argument("--csm", metavar="EMAIL", help="E-mail of the assigned CSM.")
        parser.add_argument("--admin-email", metavar="EMAIL", help="Invite this person as customer admin.")

    def handle(self, *args, **opts):
        csm = None
        if opts["csm"]:
            csm = User.objects.filter(email=opts["csm"].lower()).first()
            if csm is None:
                raise CommandError(f"No user {opts['csm']}.")
        self.stdout.write(f"Provisioning {opts['slug']} …")
        try:
            result = tenant_provision(
                actor=SYSTEM,
                name=opts["name"],
                slug=opts["slug"],
                arr=opts["arr"],
                tier=opts["tier"],
                contract_start=opts["contract_start"],
                renewal_date=opts["renewal_date"],
                csm=csm,
                admin_email=opts["admin_email"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        tenant = result.tenant
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {tenant.name} ({tenant.get_tier_display()}) at {tenant.absolute_url()} "
                f"in {result.seconds:.2f} s (schema {tenant.schema_name})."
            )
        )
        if result.invitation_token and result.invitation is not None:  # a token comes with its invitation
            link = tenant.absolute_url(f"/invite/{result.invitation_token}/")
            self.stdout.write(f"Invitation for {result.invitation.email}: {link}")
