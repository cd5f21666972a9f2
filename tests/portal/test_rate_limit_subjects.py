"""Rate limits count their real subject: an address across every host, each API key on its own."""

import pytest
from django.conf import settings
from django.test import override_settings

from tests.support.clients import client_for, key_client
from tests.support.factories import ApiKeyFactory

pytestmark = pytest.mark.django_db


def _reset(client, email):
    return client.post("/password-reset/", {"email": email})


def test_an_address_has_one_reset_budget_across_every_host(tenant_a, tenant_b):
    email = "nobody@example.com"
    assert _reset(client_for(None, tenant_a), email).status_code == 302
    assert _reset(client_for(None, tenant_b), email).status_code == 302
    assert _reset(client_for(None), email).status_code == 302
    # The fourth request of the hour, on any host: refused.
    for host_tenant in (tenant_a, tenant_b, None):
        assert _reset(client_for(None, host_tenant), email.upper()).status_code == 429


def test_a_client_has_one_reset_budget_across_every_host(tenant_a, tenant_b, settings):
    settings.KEEL_PASSWORD_RESET_RATE_PER_CLIENT = "2/10m"
    assert _reset(client_for(None, tenant_a), "a@example.com").status_code == 302
    assert _reset(client_for(None, tenant_b), "b@example.com").status_code == 302
    assert _reset(client_for(None), "c@example.com").status_code == 429


def test_failed_logins_lock_an_account_across_hosts_and_letter_case(tenant_a, tenant_b, member_a):
    hosts = [client_for(None, tenant_a), client_for(None, tenant_b), client_for(None)]
    typed = [member_a.email, member_a.email.upper(), f"  {member_a.email.title()} "]
    # Each attempt from its own address, so only the per-account count can lock.
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        credentials = {"username": typed[attempt % 3], "password": "wrong-password"}
        hosts[attempt % 3].post("/login/", credentials, REMOTE_ADDR=f"198.51.100.{attempt + 1}")
    locked = client_for(None, tenant_a).post(
        "/login/", {"username": member_a.email, "password": "pw"}, REMOTE_ADDR="203.0.113.50"
    )
    assert locked.status_code == 429


def test_each_api_key_has_its_own_throttle_budget(tenant_a):
    rest = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"tenant_user": "2/min"}}
    with override_settings(REST_FRAMEWORK=rest):
        first = key_client(tenant_a, ApiKeyFactory(tenant=tenant_a, name="first").secret)
        assert [first.get("/api/v1/features").status_code for _ in range(3)] == [200, 200, 429]
        second = key_client(tenant_a, ApiKeyFactory(tenant=tenant_a, name="second").secret)
        assert second.get("/api/v1/features").status_code == 200
