"""The scoring drill's world, built in its own database through ``manage.py shell``.

``build`` provisions the drill's tenants once; ``reset`` removes every health score and
snapshot, as on a morning before the nightly run, and makes sure each tenant has its rollup
state row (the row the drill locks to hold the worker mid-fan-out).
"""

from metrics.models import HealthScore
from metrics.portfolio.models import HealthSnapshot
from metrics.services.rollups import usage_rollup_refresh
from portal.accounts.access import SYSTEM
from portal.tenancy.models import Tenant
from portal.tenancy.services import public_tenant_ensure, tenant_provision

SLUGS = tuple(f"score{n}" for n in range(1, 9))


def build() -> None:
    public_tenant_ensure()
    for slug in SLUGS:
        if not Tenant.objects.filter(slug=slug).exists():
            tenant_provision(actor=SYSTEM, name=f"{slug.title()} Ltd", slug=slug)


def reset() -> None:
    HealthSnapshot.objects.all().delete()
    for tenant in Tenant.objects.filter(slug__in=SLUGS):
        with tenant:
            HealthScore.objects.all().delete()
            usage_rollup_refresh()
