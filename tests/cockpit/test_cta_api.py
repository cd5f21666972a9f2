"""The CTA API on a tenant's host: listed and updated by the customer's staff, hidden from others."""

import json
from datetime import timedelta

from django.utils import timezone

from metrics.cockpit.models import CtaStatus, Outcome, Rule
from tests.support.clients import client_for
from tests.support.factories import CsmFactory, CtaFactory


def test_a_csm_lists_the_customer_s_live_ctas(tenant_a, tenant_b, csm_a):
    live = CtaFactory(tenant=tenant_a, owner=csm_a)
    CtaFactory(
        tenant=tenant_a, rule=Rule.QBR_DUE, status=CtaStatus.CLOSED, outcome="resolved", closed_at=timezone.now()
    )
    CtaFactory(tenant=tenant_b)
    response = client_for(csm_a, tenant_a).get("/api/v1/ctas")
    assert response.status_code == 200
    body = response.json()
    assert [c["id"] for c in body] == [live.pk]
    assert body[0]["owner"] == csm_a.email
    assert body[0]["figures"] == {"score": 58, "change": -12}
    closed = client_for(csm_a, tenant_a).get("/api/v1/ctas", {"status": "closed"}).json()
    assert [c["rule"] for c in closed] == [Rule.QBR_DUE]
    assert client_for(csm_a, tenant_a).get("/api/v1/ctas", {"status": "nope"}).status_code == 400


def test_customers_are_refused_and_other_tenants_ctas_are_404(tenant_a, tenant_b, csm_a, customer_admin_a):
    assert client_for(customer_admin_a, tenant_a).get("/api/v1/ctas").status_code == 403
    other = CtaFactory(tenant=tenant_b)
    assert client_for(csm_a, tenant_a).get(f"/api/v1/ctas/{other.pk}").status_code == 404
    assert (
        client_for(csm_a, tenant_a).post(f"/api/v1/ctas/{other.pk}/close", {"outcome": "resolved"}).status_code == 404
    )


def test_closing_snoozing_and_reassigning_through_the_api(tenant_a, csm_a, admin_user):
    cta = CtaFactory(tenant=tenant_a, owner=csm_a, steps=[{"text": "Call", "done": False}])
    api = client_for(csm_a, tenant_a)
    url = f"/api/v1/ctas/{cta.pk}"
    until = (timezone.localdate() + timedelta(days=5)).isoformat()
    snoozed = api.post(url + "/snooze", {"until": until, "reason": "CISO away"})
    assert (snoozed.status_code, snoozed.json()["status"]) == (200, "snoozed")
    patched = api.patch(
        url, json.dumps({"owner": admin_user.email, "steps_done": [0]}), content_type="application/json"
    )
    assert patched.status_code == 200
    assert patched.json()["owner"] == admin_user.email
    assert patched.json()["steps"] == [{"text": "Call", "done": True}]
    unknown = api.patch(url, json.dumps({"owner": "nobody@example.com"}), content_type="application/json")
    assert unknown.status_code == 400
    refused = api.post(url + "/close", {"outcome": Outcome.NOT_RESOLVED})
    assert refused.status_code == 400
    assert refused["Content-Type"] == "application/problem+json"  # the API's one error shape
    assert refused.json()["errors"] == {"note": ["Say why: a note is required unless the CTA was resolved."]}
    assert api.post(url + "/close", {"outcome": Outcome.CLEARED}).status_code == 400
    done = api.post(url + "/close", {"outcome": Outcome.RISK_ACCEPTED, "note": "Budget frozen"})
    assert (done.status_code, done.json()["outcome"]) == (200, "risk_accepted")
    assert api.post(url + "/close", {"outcome": "resolved"}).status_code == 400


def test_the_api_is_in_the_openapi_schema(tenant_a, csm_a):
    schema = client_for(csm_a, tenant_a).get("/api/schema/", {"format": "json"}).json()
    paths = {p for p in schema["paths"] if p.startswith("/api/v1/ctas")}
    assert len(paths) == 4, paths
    assert "/api/v1/ctas" in paths


def test_a_colleague_who_cannot_see_the_customer_cannot_own_its_cta(tenant_a, csm_a):
    cta = CtaFactory(tenant=tenant_a, owner=csm_a)
    stranger = CsmFactory()
    response = client_for(csm_a, tenant_a).patch(
        f"/api/v1/ctas/{cta.pk}", json.dumps({"owner": stranger.email}), content_type="application/json"
    )
    assert response.status_code == 400
