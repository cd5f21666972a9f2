"""Answers to signed-in people and API callers: Cache-Control: private, no-store; Vary: Cookie."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from metrics.qbr.services import report_create
from onboarding.models import Evidence
from portal.tenancy.exports import tenant_export
from tests.security.crawl import crawl, routes
from tests.support.clients import client_for, key_client
from tests.support.factories import ApiKeyFactory

pytestmark = pytest.mark.django_db


def assert_private(response, label: str) -> None:
    assert response["Cache-Control"] == "private, no-store", f"{label}: {response.get('Cache-Control')}"
    assert "Cookie" in response.get("Vary", ""), f"{label}: Vary {response.get('Vary')}"


def _every_page(client, urlconf: str) -> set[str]:
    _, pages = crawl(client, ["/" + r for r in routes(urlconf) if "<" not in r])
    return pages


@pytest.mark.parametrize(("who", "urlconf"), [("csm", "portal.urls_tenant"), ("admin", "portal.urls_public")])
def test_every_page_a_signed_in_person_sees_is_private(tenant_a, csm_a, admin_user, who, urlconf):
    client = client_for(csm_a, tenant_a) if who == "csm" else client_for(admin_user)
    pages = _every_page(client, urlconf)
    assert len(pages) > 10
    for page in sorted(pages):
        assert_private(client.get(page), page)


def test_api_answers_are_private_for_keys_and_sessions_errors_included(tenant_a, member_a):
    key = key_client(tenant_a, ApiKeyFactory(tenant=tenant_a).secret)
    session = client_for(member_a, tenant_a)
    for label, response in [
        ("key features", key.get("/api/v1/features")),
        ("key 405", key.get("/api/v1/events")),
        ("key unknown path", key.get("/api/v1/nope")),
        ("session me", session.get("/api/v1/me")),
        ("anonymous me", client_for(None, tenant_a).get("/api/v1/me")),
    ]:
        assert_private(response, label)


def test_downloads_are_private(tenant_a, member_a, csm_a, admin_user, plan):  # noqa: F811
    client = client_for(member_a, tenant_a)
    client.post(f"/onboarding/tasks/{plan['proof'].pk}/evidence/", {"file": SimpleUploadedFile("a.txt", b"proof")})
    with tenant_a:
        evidence = Evidence.objects.get(task=plan["proof"])
        report = report_create(actor=csm_a, day=date(2026, 11, 23))
    assert_private(client.get(f"/onboarding/evidence/{evidence.pk}/"), "evidence")
    assert_private(client_for(csm_a, tenant_a).get(f"/reviews/{report.pk}/csv/"), "review CSV")
    export = tenant_export(tenant=tenant_a, actor=admin_user)
    assert_private(client_for(admin_user).get(f"/console/tenants/alpha/exports/{export.pk}/"), "export")
