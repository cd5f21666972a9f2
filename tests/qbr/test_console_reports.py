"""QBRs drafted, edited and published from the console, in the customer's schema, no second sign-in."""

from django.utils import timezone

from metrics.qbr.models import Report, ReportStatus
from metrics.qbr.services import quarter_bounds
from portal.audit.models import AuditEvent
from portal.tenancy.models import Tenant
from tests.support.clients import client_for
from tests.support.factories import ReportFactory


def test_a_csm_drafts_edits_and_publishes_and_the_customer_sees_it(tenant_a, csm_a, member_a):
    console = client_for(csm_a)
    assert console.get("/console/tenants/alpha/reviews/").status_code == 200
    created = console.post("/console/tenants/alpha/reviews/", {"day": timezone.localdate()})
    assert created.status_code == 302
    with tenant_a:
        report = Report.objects.get(period_start=quarter_bounds(timezone.localdate())[0])
    url = f"/console/tenants/alpha/reviews/{report.pk}/"
    assert created["Location"] == url
    customer = client_for(member_a, tenant_a)
    assert customer.get(f"/reviews/{report.pk}/").status_code == 404  # a draft stays hidden
    assert console.get(url).status_code == 200
    saved = console.post(url, {"summary": "Quarter of **steady** adoption.", "risks": "", "recommendations": ""})
    assert saved.status_code == 302
    assert console.post(url + "publish/").status_code == 302
    with tenant_a:
        report.refresh_from_db()
    assert report.status == ReportStatus.PUBLISHED
    assert report.published_by == csm_a
    assert Tenant.objects.get(pk=tenant_a.pk).last_qbr_published_at is not None
    assert AuditEvent.objects.filter(action="qbr.published", tenant=tenant_a).exists()
    shown = customer.get(f"/reviews/{report.pk}/")
    assert shown.status_code == 200
    assert "<strong>steady</strong>" in shown.text


def test_a_published_qbr_is_frozen_on_the_console_too(tenant_a, csm_a):
    with tenant_a:
        report = ReportFactory()
    console = client_for(csm_a)
    url = f"/console/tenants/alpha/reviews/{report.pk}/"
    console.post(url + "publish/")
    response = console.post(url, {"summary": "changed"})
    assert response.status_code == 400
    assert "frozen" in response.text
    again = console.post(url + "publish/", follow=True)
    assert "published already" in again.text


def test_a_second_draft_for_the_same_quarter_is_refused_with_a_reason(tenant_a, csm_a):
    console = client_for(csm_a)
    console.post("/console/tenants/alpha/reviews/", {"day": timezone.localdate()})
    response = console.post("/console/tenants/alpha/reviews/", {"day": timezone.localdate()})
    assert response.status_code == 400
    assert "exists already" in response.text


def test_reviews_of_a_customer_the_csm_does_not_own_are_hidden(tenant_a, tenant_b, csm_b, member_a):
    with tenant_a:
        report = ReportFactory()
    assert client_for(csm_b).get("/console/tenants/alpha/reviews/").status_code == 404
    assert client_for(csm_b).post(f"/console/tenants/alpha/reviews/{report.pk}/publish/").status_code == 404
    assert client_for(member_a).get("/console/tenants/alpha/reviews/").status_code == 403
    with tenant_a:
        assert Report.objects.get(pk=report.pk).status == ReportStatus.DRAFT


def test_an_unknown_review_is_404(tenant_a, csm_a):
    assert client_for(csm_a).get("/console/tenants/alpha/reviews/999999/").status_code == 404
