"""Every route on a tenant host, found from the URL resolver, refuses outsiders.

New routes join the matrix by existing (tests/support/routes.py): nothing here lists them by hand.
"""

import re

import pytest

from tests.support.clients import client_for
from tests.support.routes import PUBLIC_ROUTES, TENANT_ROUTES

# Reachable without a session (log in, also by e-mail, reset a password, accept an invitation, use a
# console handoff pass, the API's own
# 401/403, its schema and docs).
ANONYMOUS = re.compile(r"^/(login|logout|password-reset|reset|invite|handoff|api)/")


@pytest.mark.pure
def test_the_matrix_found_the_routes():
    assert "/onboarding/tasks/1/complete/" in TENANT_ROUTES
    assert "/api/v1/me" in TENANT_ROUTES
    assert "/console/tenants/alpha/" in PUBLIC_ROUTES


@pytest.mark.parametrize("path", TENANT_ROUTES)
def test_another_tenants_user_gets_404_everywhere(tenant_a, member_b, path):
    client = client_for(member_b, tenant_a)
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        assert response.status_code == 404, f"{method.upper()} {path}: {response.status_code}"


@pytest.mark.parametrize("path", TENANT_ROUTES)
def test_an_unassigned_csm_gets_404_everywhere(tenant_a, csm_b, path):
    client = client_for(csm_b, tenant_a)
    for method in ("get", "post"):
        assert getattr(client, method)(path).status_code == 404, f"{method.upper()} {path}"


@pytest.mark.parametrize("path", [p for p in TENANT_ROUTES if not ANONYMOUS.match(p)])
def test_anonymous_visitors_are_sent_to_login(tenant_a, path):
    client = client_for(None, tenant_a)
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        assert response.status_code == 302, f"{method.upper()} {path}"
        assert response["Location"].startswith("/login/")


@pytest.mark.parametrize("path", [p for p in TENANT_ROUTES if p.startswith("/api/v1/")])
def test_anonymous_api_calls_are_refused(tenant_a, path):
    client = client_for(None, tenant_a)
    for method in ("get", "post"):
        assert getattr(client, method)(path).status_code in (401, 403, 405), f"{method.upper()} {path}"


@pytest.mark.parametrize("path", [p for p in PUBLIC_ROUTES if p.startswith("/console/tenants/alpha")])
def test_console_routes_of_a_tenant_are_hidden_from_other_csms_and_closed_to_customers(tenant_a, csm_b, member_a, path):
    for method in ("get", "post"):
        # 405 (GET on a POST-only action) depends on the route alone, not on the tenant.
        allowed = (403, 404, 405) if method == "get" else (403, 404)
        assert getattr(client_for(csm_b), method)(path).status_code in allowed, f"CSM {method} {path}"
        assert getattr(client_for(member_a), method)(path).status_code == 403, f"customer {method} {path}"
