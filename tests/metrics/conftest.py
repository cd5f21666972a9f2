"""Helpers for metrics tests: catalog rows and API keys in the session tenants."""

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from metrics.ingest.models import ApiKey
from metrics.models import Feature
from tests.conftest import host_of


@pytest.fixture
def features_a(tenant_a):
    """alpha's catalog: two core features and one extra."""
    with schema_context(tenant_a.schema_name):
        return {
            f.key: f
            for f in Feature.objects.bulk_create(
                [
                    Feature(key="alerts.triage", name="Alert triage", is_core=True),
                    Feature(key="reports", name="Reports", is_core=True),
                    Feature(key="export", name="Export", is_core=False),
                ]
            )
        }


def make_key(tenant, name="telemetry") -> str:
    raw, key_hash = ApiKey.new_secret()
    ApiKey.objects.create(tenant=tenant, name=name, prefix=raw[:12], key_hash=key_hash)
    return raw


@pytest.fixture
def key_a(tenant_a) -> str:
    return make_key(tenant_a)


@pytest.fixture
def key_b(tenant_b) -> str:
    return make_key(tenant_b)


def key_client(tenant, raw: str, *, header: str = "bearer") -> Client:
    """Return a client on ``tenant``'s host that sends ``raw`` as its API key."""
    if header == "bearer":
        return Client(HTTP_HOST=host_of(tenant), HTTP_AUTHORIZATION=f"Bearer {raw}")
    return Client(HTTP_HOST=host_of(tenant), HTTP_X_API_KEY=raw)
