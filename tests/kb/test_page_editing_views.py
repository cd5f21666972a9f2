"""CSMs and admins write this tenant's private pages on the tenant host. Trio: the tenant's CSM
works; another tenant's CSM or member is 404; a customer admin (lower role) is 403."""

import pytest
from django_tenants.utils import schema_context

from portal.audit.models import AuditEvent
from portal.kb.models import DocumentStatus
from portal.kb.tenant.models import Page
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(make_page, tenant_a, csm_a):
    return make_page(tenant_a, "Environment runbook", "Prod: `alpha-1`.", actor=csm_a)


def _form(**overrides):
    data = {"title": "VPN access", "slug": "", "tags": "vpn, access", "body_markdown": "Use **WireGuard**."}
    return {**data, "status": DocumentStatus.PUBLISHED, "note": "", **overrides}


@pytest.mark.parametrize("path", ["/kb/pages/", "/kb/pages/new/", "edit", "history"])
def test_editing_pages_trio(page, tenant_a, csm_a, csm_b, admin_user, customer_admin_a, member_b, path):
    path = {"edit": f"/kb/pages/{page.slug}/edit/", "history": f"/kb/pages/{page.slug}/history/"}.get(path, path)
    assert client_for(csm_a, tenant_a).get(path).status_code == 200
    assert client_for(admin_user, tenant_a).get(path).status_code == 200
    assert client_for(csm_b, tenant_a).get(path).status_code == 404
    assert client_for(member_b, tenant_a).get(path).status_code == 404
    assert client_for(customer_admin_a, tenant_a).get(path).status_code == 403


def test_a_csm_writes_a_page(tenant_a, csm_a, member_a):
    response = client_for(csm_a, tenant_a).post("/kb/pages/new/", _form())
    assert response.status_code == 302
    assert response["Location"] == "/kb/pages/vpn-access/"
    with schema_context(tenant_a.schema_name):
        page = Page.objects.get(slug="vpn-access")
        assert page.tags == ["vpn", "access"]
        assert page.body_html == "<p>Use <strong>WireGuard</strong>.</p>\n"
        assert page.revisions.get().changed_by_email == csm_a.email
    assert AuditEvent.objects.filter(action="kb.page.created", tenant=tenant_a, actor=csm_a).exists()
    assert "WireGuard" in client_for(member_a, tenant_a).get("/kb/pages/vpn-access/").text


def test_a_customer_admin_may_not_write_a_page(tenant_a, customer_admin_a):
    assert client_for(customer_admin_a, tenant_a).post("/kb/pages/new/", _form()).status_code == 403
    with schema_context(tenant_a.schema_name):
        assert not Page.objects.exists()


def test_another_tenants_csm_may_not_edit(page, tenant_a, csm_b):
    response = client_for(csm_b, tenant_a).post(f"/kb/pages/{page.slug}/edit/", _form(title="Hijacked"))
    assert response.status_code == 404
    with schema_context(tenant_a.schema_name):
        assert Page.objects.get(pk=page.pk).title == "Environment runbook"


def test_a_bad_page_form_says_what_was_wrong(page, tenant_a, csm_a):
    client = client_for(csm_a, tenant_a)
    response = client.post("/kb/pages/new/", _form(title=""))
    assert response.status_code == 400
    assert "This field is required." in response.text
    response = client.post("/kb/pages/new/", _form(slug=page.slug))
    assert response.status_code == 400
    assert "already used by another page" in response.text


def test_editing_records_who_changed_what(page, tenant_a, csm_a, admin_user):
    client = client_for(admin_user, tenant_a)
    response = client.post(
        f"/kb/pages/{page.slug}/edit/",
        _form(title="Environment runbook", slug=page.slug, tags="", body_markdown="Prod: `alpha-2`.", note="New host"),
    )
    assert response.status_code == 302
    history = client.get(f"/kb/pages/{page.slug}/history/").text
    assert "r2" in history
    assert admin_user.email in history
    assert "body_markdown" in history
    assert "New host" in history
    with schema_context(tenant_a.schema_name):
        latest = Page.objects.get(pk=page.pk).revisions.first()
    assert (latest.number, latest.changed_fields) == (2, ["body_markdown"])
    assert "<code>alpha-2</code>" in client.get(f"/kb/pages/{page.slug}/").text


def test_the_manage_list_shows_feedback_counts(page, tenant_a, csm_a, member_a, customer_admin_a):
    client_for(member_a, tenant_a).post(f"/kb/pages/{page.slug}/feedback/", {"helpful": "yes"})
    client_for(customer_admin_a, tenant_a).post(f"/kb/pages/{page.slug}/feedback/", {"helpful": "no"})
    text = client_for(csm_a, tenant_a).get("/kb/pages/").text
    assert "<td>Published</td><td>1</td><td>1</td>" in text


def test_form_fields_are_labelled(tenant_a, csm_a):
    text = client_for(csm_a, tenant_a).get("/kb/pages/new/").text
    for field in ("title", "slug", "tags", "body_markdown", "status", "note"):
        assert f'<label for="id_{field}">' in text
