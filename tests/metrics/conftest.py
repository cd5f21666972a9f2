"""Metrics fixtures: catalog rows and API keys in the session tenants."""

import pytest
from django_tenants.utils import schema_context

from tests.support.factories import ApiKeyFactory, FeatureFactory


@pytest.fixture
def features_a(tenant_a):
    """alpha's catalog: two core features and one extra."""
    with schema_context(tenant_a.schema_name):
        return {
            f.key: f
            for f in (
                FeatureFactory(key="alerts.triage", name="Alert triage", is_core=True),
                FeatureFactory(key="reports", name="Reports", is_core=True),
                FeatureFactory(key="export", name="Export", is_core=False),
            )
        }


@pytest.fixture
def key_a(tenant_a) -> str:
    return ApiKeyFactory(tenant=tenant_a).secret


@pytest.fixture
def key_b(tenant_b) -> str:
    return ApiKeyFactory(tenant=tenant_b).secret
