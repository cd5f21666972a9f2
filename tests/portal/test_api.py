"""Tenant API: membership checked on every call (404 outsiders, 403 low roles, 401/403 anonymous)."""

import pytest

from portal.accounts.models import Invitation
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


def test_me_returns_the_caller_and_their_access(tenant_a, customer_admin_a):
    response = client_for(customer_admin_a, tenant_a).get("/api/v1/me")
    assert response.status_code == 200
    assert response.json() == {
        "email": customer_admin_a.email,
        "full_name": customer_admin_a.full_name,
        "tenant": "alpha",
        "access": "customer_admin",
    }


@pytest.mark.parametrize("path", ["/api/v1/me", "/api/v1/members"])
def test_read_endpoints_trio(tenant_a, member_a, member_b, path):
    assert client_for(member_a, tenant_a).get(path).status_code == 200
    assert client_for(member_b, tenant_a).get(path).status_code == 404
    assert client_for(None, tenant_a).get(path).status_code == 403  # session API: no WWW-Authenticate


def test_members_lists_only_this_tenant(tenant_a, member_a, member_b):
    emails = {m["email"] for m in client_for(member_a, tenant_a).get("/api/v1/members").json()}
    assert member_a.email in emails
    assert member_b.email not in emails


def test_invitations_trio(tenant_a, customer_admin_a, member_a, customer_admin_b):
    body = {"email": "api@alpha.example", "role": "customer_member"}
    assert client_for(customer_admin_b, tenant_a).post("/api/v1/invitations", body).status_code == 404
    assert client_for(member_a, tenant_a).post("/api/v1/invitations", body).status_code == 403
    assert not Invitation.objects.filter(email="api@alpha.example").exists()
    response = client_for(customer_admin_a, tenant_a).post("/api/v1/invitations", body, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["email"] == "api@alpha.example"
    assert Invitation.objects.filter(tenant=tenant_a, email="api@alpha.example").exists()


def test_invitations_say_what_was_wrong(tenant_a, customer_admin_a, member_a):
    client = client_for(customer_admin_a, tenant_a)
    response = client.post("/api/v1/invitations", {"email": "nope", "role": "boss"}, content_type="application/json")
    assert response.status_code == 400
    # Problem details (RFC 9457): the per-field messages are under "errors".
    assert set(response.json()["errors"]) == {"email", "role"}
    response = client.post(
        "/api/v1/invitations", {"email": member_a.email, "role": "customer_member"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "already a member" in str(response.json())


def test_the_api_refuses_csrf_less_writes_from_a_browser_session(tenant_a, customer_admin_a):
    client = client_for(customer_admin_a, tenant_a)
    client.handler.enforce_csrf_checks = True
    response = client.post("/api/v1/invitations", {"email": "c@alpha.example", "role": "customer_member"})
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_the_api_does_not_exist_on_the_public_host(admin_user):
    assert client_for(admin_user).get("/api/v1/me").status_code == 404


def test_the_openapi_schema_is_served(tenant_a):
    response = client_for(None, tenant_a).get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/invitations" in response.content
