"""Vendor console on the public host: staff only; CSMs see their accounts; admins act."""

import pytest

from portal.tenancy.models import Tenant, TenantStatus
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_login():
    response = client_for().get("/console/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_a_customer_gets_403_on_the_console_and_a_pointer_to_their_portal(tenant_a, member_a):
    client = client_for(member_a)
    assert client.get("/console/").status_code == 403
    response = client.get("/")
    assert response.status_code == 200
    assert "http://alpha.localhost:8000/" in response.text


def test_an_admin_sees_every_tenant_with_its_facts(tenant_a, tenant_b, admin_user, csm_a):
    response = client_for(admin_user).get("/console/")
    assert response.status_code == 200
    assert "Alpha Corp" in response.text
    assert "Beta Corp" in response.text
    assert str(csm_a) in response.text
    assert "Keel console" not in response.text  # the public tenant is not a customer


def test_a_csm_sees_only_assigned_tenants(tenant_a, tenant_b, csm_a):
    response = client_for(csm_a).get("/console/")
    assert "Alpha Corp" in response.text
    assert "Beta Corp" not in response.text


def test_the_list_filters_by_tier(tenant_a, tenant_b, admin_user):
    Tenant.objects.filter(pk=tenant_a.pk).update(tier="strategic")
    response = client_for(admin_user).get("/console/?tier=strategic")
    assert "Alpha Corp" in response.text
    assert "Beta Corp" not in response.text


def test_the_list_runs_a_constant_number_of_queries(
    tenant_a, tenant_b, admin_user, csm_a, csm_b, django_assert_max_num_queries
):
    client = client_for(admin_user)
    # 8 for the page, 2 for the unread-notifications badge (its count and django-tenants' search_path).
    with django_assert_max_num_queries(10):
        client.get("/console/")


def test_tenant_detail_trio(tenant_a, admin_user, csm_a, csm_b, member_a):
    url = "/console/tenants/alpha/"
    assert client_for(admin_user).get(url).status_code == 200
    assert client_for(csm_a).get(url).status_code == 200
    assert client_for(csm_b).get(url).status_code == 404  # not their account: existence hidden
    assert client_for(member_a).get(url).status_code == 403


def test_a_csm_invites_into_their_account(tenant_a, csm_a, csm_b):
    response = client_for(csm_a).post(
        "/console/tenants/alpha/invite/", {"email": "n@a.example", "role": "customer_admin"}
    )
    assert response.status_code == 302
    assert tenant_a.invitations.filter(email="n@a.example").exists()
    response = client_for(csm_b).post(
        "/console/tenants/alpha/invite/", {"email": "m@a.example", "role": "customer_admin"}
    )
    assert response.status_code == 404
    assert not tenant_a.invitations.filter(email="m@a.example").exists()


def test_an_admin_creates_a_tenant_from_the_console(admin_user, csm_a):
    client = client_for(admin_user)
    response = client.post(
        "/console/tenants/new/",
        {
            "name": "Kappa",
            "slug": "kappa",
            "arr": "60000",
            "tier": "",
            "csm": csm_a.pk,
            "admin_email": "k@kappa.example",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/console/tenants/kappa/"
    kappa = Tenant.objects.get(slug="kappa")
    assert kappa.tier == "key"
    assert kappa.csm == csm_a
    assert kappa.ready
    assert "http://kappa.localhost:8000/invite/" in client.get("/console/tenants/kappa/").text
    assert "http://kappa.localhost:8000/invite/" not in client.get("/console/tenants/kappa/").text  # shown once


def test_the_create_form_reports_every_problem(admin_user):
    response = client_for(admin_user).post("/console/tenants/new/", {"name": "", "slug": "admin", "arr": "-1"})
    assert response.status_code == 400
    assert "This field is required" in response.text
    assert "greater than or equal to 0" in response.text


def test_the_create_form_reports_service_errors_on_the_field(admin_user):
    response = client_for(admin_user).post("/console/tenants/new/", {"name": "A", "slug": "alpha", "arr": "0"})
    assert response.status_code == 400
    assert "already exists" in response.text


@pytest.mark.parametrize(
    "path",
    [
        "/console/tenants/new/",
        "/console/tenants/alpha/suspend/",
        "/console/tenants/alpha/resume/",
        "/console/tenants/alpha/export/",
        "/console/tenants/alpha/delete/",
    ],
)
def test_lifecycle_actions_are_admin_only(tenant_a, csm_a, path):
    response = client_for(csm_a).post(path, {"reason": "x", "confirm": "alpha"})
    assert response.status_code == 403
    tenant_a.refresh_from_db()
    assert tenant_a.status == TenantStatus.ACTIVE


def test_an_admin_suspends_and_resumes_from_the_console(tenant_a, admin_user):
    client = client_for(admin_user)
    client.post("/console/tenants/alpha/suspend/", {"reason": "Unpaid invoice"})
    tenant_a.refresh_from_db()
    assert tenant_a.is_suspended
    assert tenant_a.suspension_reason == "Unpaid invoice"
    client.post("/console/tenants/alpha/resume/")
    tenant_a.refresh_from_db()
    assert not tenant_a.is_suspended
