import pytest

from portal.tenancy.models import Tenant


@pytest.fixture
def shanghai_a(tenant_a):
    """alpha, speaking Chinese on Shanghai time (restored by the test's rollback)."""
    Tenant.objects.filter(pk=tenant_a.pk).update(language="zh-hans", time_zone="Asia/Shanghai")
    tenant_a.refresh_from_db()
    return tenant_a
