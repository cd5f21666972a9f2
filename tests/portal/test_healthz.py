"""/healthz: the load balancers' probe answers on every known host, to anyone, and says only "ok"."""

import pytest
from django.db import OperationalError
from django.test import Client, override_settings

import portal.probes
from portal.tenancy.models import TenantStatus
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


def _assert_ok(response):
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-store" in response["Cache-Control"]
    assert "sessionid" not in response.cookies


def test_it_answers_anonymous_probes_on_the_console_and_tenant_hosts(tenant_a):
    _assert_ok(client_for(None).get("/healthz"))
    _assert_ok(client_for(None, tenant_a).get("/healthz"))


def test_it_skips_the_membership_gate_without_revealing_anything(tenant_a, member_b, csm_b):
    # Elsewhere on A's host these users get a 404; the probe has nothing of A's to hide.
    for user in (member_b, csm_b):
        response = client_for(user, tenant_a).get("/healthz")
        _assert_ok(response)
        assert tenant_a.name.encode() not in response.content


def test_it_answers_for_a_suspended_tenant(tenant_a):
    tenant_a.status = TenantStatus.SUSPENDED
    tenant_a.save(update_fields=["status"])
    _assert_ok(client_for(None, tenant_a).get("/healthz"))


def test_only_the_exact_path_is_exempt(tenant_a):
    client = client_for(None, tenant_a)
    for path in ("/healthz/", "/healthzz", "/healthz/../onboarding/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/login/")


def test_unknown_hosts_stay_unknown():
    assert Client(HTTP_HOST="nobody.localhost").get("/healthz").status_code == 404


def test_it_only_reads(tenant_a):
    assert client_for(None, tenant_a).post("/healthz").status_code == 405
    assert client_for(None, tenant_a).head("/healthz").status_code == 200


def test_it_answers_503_when_the_database_does_not(tenant_a, monkeypatch):
    class DeadConnection:
        def cursor(self):
            raise OperationalError("connection refused")

    monkeypatch.setattr(portal.probes, "connection", DeadConnection())
    response = client_for(None, tenant_a).get("/healthz")
    assert response.status_code == 503
    assert response.content == b"unavailable"


@override_settings(SECURE_SSL_REDIRECT=True)
def test_it_is_not_redirected_to_https(tenant_a):
    client = client_for(None, tenant_a)
    _assert_ok(client.get("/healthz"))
    assert client.get("/login/").status_code == 301
