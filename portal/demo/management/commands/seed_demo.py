"""Seed a demo: console, an admin, two CSMs, three customers of different tiers with users.

Idempotent: running it again changes nothing that exists and fills in what is missing.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

from portal.accounts.models import Membership, MembershipRole, StaffRole, User
from portal.demo.chinese import seed_chinese_demo
from portal.demo.metrics import seed_metrics
from portal.demo.onboarding import seed_checklist
from portal.demo.qbr import seed_success_plan
from portal.tenancy.models import LifecycleStage, Tenant
from portal.tenancy.services import public_tenant_ensure, tenant_provision

DEMO_DOMAIN = "example.com"


@dataclass(frozen=True)
class DemoTenant:
    slug: str
    name: str
    arr: int
    stage: str
    csm: str
    contract_start: date
    renewal_date: date
    people: tuple[tuple[str, str, MembershipRole], ...]  # (local part, full name, role)
    onboarding_days_ago: int = 30
    onboarding_done: float = 0.3
    idle_days: int = 0  # days since the last completed task (a stalled onboarding)


STAFF = [
    ("admin", "Alex Admin", StaffRole.ADMIN),
    ("ada.csm", "Ada Lovelace", StaffRole.CSM),
    ("ben.csm", "Ben Okafor", StaffRole.CSM),
]

TENANTS = [
    DemoTenant(
        "acme",
        "Acme Security",
        420_000,
        LifecycleStage.ONBOARDING,
        "ada.csm",
        date(2026, 9, 1),
        date(2027, 8, 31),
        (
            ("ciso", "Carla Ruiz", MembershipRole.CUSTOMER_ADMIN),
            ("soc.lead", "Dev Patel", MembershipRole.CUSTOMER_MEMBER),
            ("analyst", "Eve Martin", MembershipRole.CUSTOMER_MEMBER),
        ),
        onboarding_days_ago=20,
        onboarding_done=0.35,
    ),
    DemoTenant(
        "globex",
        "Globex Bank",
        120_000,
        LifecycleStage.ADOPTION,
        "ada.csm",
        date(2026, 3, 15),
        date(2027, 3, 14),
        (
            ("it.director", "Frank Zhou", MembershipRole.CUSTOMER_ADMIN),
            ("secops", "Grace Kim", MembershipRole.CUSTOMER_MEMBER),
        ),
        onboarding_days_ago=120,
        onboarding_done=0.95,
    ),
    DemoTenant(
        "initech",
        "Initech Health",
        30_000,
        LifecycleStage.RENEWAL,
        "ben.csm",
        date(2025, 12, 1),
        date(2026, 11, 30),
        (("cto", "Hana Sato", MembershipRole.CUSTOMER_ADMIN), ("ops", "Ivan Petrov", MembershipRole.CUSTOMER_MEMBER)),
        onboarding_days_ago=75,
        onboarding_done=0.5,
        idle_days=30,
    ),
]


class Command(BaseCommand):
    help = "Create (or complete) the demo data: staff, three tenants of different tiers, customer users."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=None,
            help="Password for every demo user (default: $KEEL_DEMO_PASSWORD or 'keel-demo-2026').",
        )

    def handle(self, *args, **opts):
        import os

        password = opts["password"] or os.environ.get("KEEL_DEMO_PASSWORD", "keel-demo-2026")
        steps = 1 + len(STAFF) + len(TENANTS) + 1
        created: list[object] = []
        with tqdm(total=steps, desc="Seeding demo", unit="step", disable=opts["verbosity"] == 0) as bar:
            public_tenant_ensure()
            bar.update()
            staff = {}
            for local, name, role in STAFF:
                staff[local] = self._user(f"{local}@{DEMO_DOMAIN}", name, password, staff_role=role, created=created)
                bar.update()
            for spec in TENANTS:
                bar.set_postfix_str(spec.slug)
                self._tenant(spec, staff, password, created)
                bar.update()
            bar.set_postfix_str("huaan")
            chinese = seed_chinese_demo(
                admin=staff["admin"], password=password, created=created, demo_domain=DEMO_DOMAIN
            )
            bar.update()
        self._report(password, created)
        self.stdout.write(f"\n{chinese.tenant.name} (zh-Hans, Asia/Shanghai)  {chinese.tenant.absolute_url()}")
        for user in [chinese.csm, *chinese.people]:
            self.stdout.write(f"  {user.full_name:<16} {user.email}")

    def _user(self, email, name, password, *, created, staff_role=StaffRole.NONE):
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email=email, password=password, full_name=name, staff_role=staff_role)
            if staff_role == StaffRole.ADMIN:
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
            created.append(email)
        return user

    def _tenant(self, spec: DemoTenant, staff, password, created):
        tenant = Tenant.objects.filter(slug=spec.slug).first()
        if tenant is None:
            tenant = tenant_provision(
                actor=staff["admin"],
                name=spec.name,
                slug=spec.slug,
                arr=Decimal(spec.arr),
                contract_start=spec.contract_start,
                renewal_date=spec.renewal_date,
                csm=staff[spec.csm],
            ).tenant
            Tenant.objects.filter(pk=tenant.pk).update(lifecycle_stage=spec.stage)
            created.append(spec.slug)
        with transaction.atomic():
            people = []
            for local, name, role in spec.people:
                user = self._user(f"{local}@{spec.slug}.{DEMO_DOMAIN}", name, password, created=created)
                Membership.objects.get_or_create(user=user, tenant=tenant, defaults={"role": role})
                people.append(user)
            seed_checklist(
                tenant=tenant,
                customer_admin=people[0],
                csm=staff[spec.csm],
                started_days_ago=spec.onboarding_days_ago,
                done_fraction=spec.onboarding_done,
                idle_days=spec.idle_days,
            )
            seed_metrics(tenant=tenant)
            seed_success_plan(
                tenant=tenant,
                csm=staff[spec.csm],
                publish_review=spec.onboarding_done > 0.9,
                progress=spec.onboarding_done,
            )

    def _report(self, password, created):
        port = f":{settings.KEEL_PORT}" if settings.KEEL_PORT not in ("80", "443", "") else ""
        base = f"{settings.KEEL_SCHEME}://{settings.KEEL_BASE_DOMAIN}{port}/"
        out = self.stdout
        out.write(self.style.SUCCESS(f"Demo ready ({len(created)} new objects). Password for everyone: {password}"))
        out.write(f"\nConsole  {base}")
        for local, _, role in STAFF:
            out.write(f"  {role.label:<16} {local}@{DEMO_DOMAIN}")
        for spec in Tenant.objects.customers().filter(slug__in=[t.slug for t in TENANTS]):
            demo = next(t for t in TENANTS if t.slug == spec.slug)
            out.write(f"\n{spec.name} ({spec.get_tier_display()})  {spec.absolute_url()}")
            for local, _, member_role in demo.people:
                out.write(f"  {member_role.label:<16} {local}@{spec.slug}.{DEMO_DOMAIN}")
        out.write(f"\nDjango admin {base}admin/")
