"""Issue #15's defects, reproduced through the pages and selectors that showed them (database)."""

from datetime import date

import pytest

from metrics.retention.selectors import retention_period_get
from portal.tenancy.models import Tenant
from tests.support.clients import client_for
from tests.support.factories import HealthSnapshotFactory, RetentionAccountFactory, RetentionEventFactory, TenantFactory

pytestmark = pytest.mark.django_db
START, END = date(2026, 1, 1), date(2026, 3, 31)


def _customer(*, since: date, churned: date | None = None):
    tenant = TenantFactory()
    account = RetentionAccountFactory(tenant=tenant)
    RetentionEventFactory(account=account, occurred_on=since)
    if churned:
        RetentionEventFactory(account=account, kind="churn", occurred_on=churned)
    return tenant


def test_deleting_tenants_never_changes_a_past_periods_figures(admin_user):
    # Four old customers, one lost in the quarter; then every other tenant is deleted. Once
    # this read "4 lost of 4" (100 %): deleted, never-churned customers left the denominator.
    kept = [_customer(since=date(2025, 1, 1)) for _ in range(3)]
    _customer(since=date(2025, 1, 1), churned=date(2026, 2, 1))
    before = retention_period_get(viewer=admin_user, start=START, end=END)
    Tenant.objects.filter(pk__in=[t.pk for t in kept]).delete()
    after = retention_period_get(viewer=admin_user, start=START, end=END)
    assert (len(before.lost), len(before.at_start)) == (1, 4)
    assert (len(after.lost), len(after.at_start), after.churn_rate) == (1, 4, 25.0)


def test_the_portfolio_churn_leaves_out_customers_new_in_the_period(admin_user):
    _customer(since=date(2025, 6, 1), churned=date(2026, 2, 1))
    _customer(since=date(2025, 6, 1))
    _customer(since=date(2026, 1, 15), churned=date(2026, 3, 1))  # joined and left inside
    churn = client_for(admin_user).get("/console/portfolio/?churn_from=2026-01-01&churn_to=2026-03-31").context["churn"]
    assert (len(churn.lost), len(churn.at_start)) == (1, 2)


def test_the_portfolio_shows_the_annualised_rate_beside_the_target(admin_user):
    _customer(since=date(2025, 6, 1), churned=date(2026, 2, 1))
    for _ in range(49):
        _customer(since=date(2025, 6, 1))
    page = client_for(admin_user).get("/console/portfolio/?churn_from=2026-01-01&churn_to=2026-03-31").text
    # 1 of 50 in 90 days = 2.0 %; a year at that pace: 1 − 0.98^(365.25/90) = 7.9 %
    assert "2.0 % (1 lost of 50 active at the start); 7.9 % a year annualised" in page


def test_the_green_share_does_not_follow_the_band_filter(admin_user):
    for score in (90, 80, 30, 20):
        HealthSnapshotFactory(tenant=TenantFactory(), score=score)
    response = client_for(admin_user).get("/console/portfolio/?band=green")
    assert {r.band for r in response.context["rows"]} == {"green"}
    assert (response.context["green"], response.context["scored"]) == (2, 4)
    assert "50 % (2 of 4 scored" in response.text


def test_onboarding_is_measured_against_its_plan(tenant_a):
    from datetime import UTC, datetime, timedelta

    from onboarding.selectors import checklist_plan_progress_get
    from tests.support.factories import ChecklistFactory, TaskFactory

    day = date(2026, 11, 20)
    done_at = datetime(2026, 11, 10, 12, tzinfo=UTC)
    with tenant_a:
        checklist = ChecklistFactory()
        # Day 0: 13 tasks, none due yet: nothing is behind, the component is missing, not 0 (red).
        for n in range(13):
            TaskFactory(checklist=checklist, due_date=day + timedelta(days=n + 1))
        assert checklist_plan_progress_get(day=day) is None
        # Two due by the day, one done; one done after the day does not count yet.
        TaskFactory(checklist=checklist, due_date=day, status="done", completed_at=done_at)
        TaskFactory(checklist=checklist, due_date=day - timedelta(days=3))
        TaskFactory(checklist=checklist, due_date=day, status="done", completed_at=done_at + timedelta(days=30))
        assert checklist_plan_progress_get(day=day) == (1, 3)


def test_the_health_page_and_the_score_count_the_same_tickets(tenant_a, csm_a):
    from datetime import UTC, datetime, timedelta

    from django.utils import timezone

    from metrics.models import SupportTicket
    from metrics.services.health import health_score_compute

    today = timezone.localdate()
    with tenant_a:
        yesterday_noon = datetime.combine(today - timedelta(days=1), datetime.min.time(), tzinfo=UTC) + timedelta(
            hours=12
        )
        SupportTicket.objects.create(external_id="T1", severity="critical", status="open", opened_at=yesterday_noon)
        # opened today: not in the last complete day, neither in the score nor on the page
        SupportTicket.objects.create(external_id="T2", severity="critical", status="open", opened_at=timezone.now())
        scored = health_score_compute(tenant=tenant_a, day=today - timedelta(days=1))
    detail = {c["key"]: c["detail"] for c in scored.components}["support"]
    assert detail.startswith("1 open critical, 0 open high, 1 opened")
    tickets = client_for(csm_a).get(f"/console/tenants/{tenant_a.slug}/health/").context["tickets"]
    assert (tickets["opened"], tickets["open_critical"]) == (1, 1)
