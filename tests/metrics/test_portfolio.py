"""/console/portfolio/: public tables only, constant queries, filters, % green, churn for a period."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from metrics.portfolio.models import ChurnEvent
from metrics.portfolio.selectors import churn_get, portfolio_row_list
from metrics.portfolio.services import tenant_churn_record
from portal.accounts.access import SYSTEM, AccessDenied
from portal.audit.models import AuditEvent
from portal.tenancy.models import Tenant
from tests.support.clients import client_for
from tests.support.factories import ChurnEventFactory, HealthSnapshotFactory, TenantFactory

pytestmark = pytest.mark.django_db
URL = "/console/portfolio/"
TODAY = date(2026, 11, 20)


def test_it_lists_score_band_trend_tier_renewal_ttv_and_nps(tenant_a, admin_user):
    Tenant.objects.filter(pk=tenant_a.pk).update(tier="strategic", renewal_date=date(2027, 3, 1))
    HealthSnapshotFactory(tenant=tenant_a, day=TODAY, score=64, score_week_ago=71, nps=40, ttv_days=12.5)
    response = client_for(admin_user).get(URL)
    assert response.status_code == 200
    row = next(r for r in response.context["rows"] if r.slug == "alpha")
    assert (row.score, row.band, row.change, row.trend, row.tier) == (64, "yellow", -7, "down", "strategic")
    assert (row.renewal_date, row.ttv_days, row.nps) == (date(2027, 3, 1), 12.5, 40)
    html = response.text
    assert "/console/tenants/alpha/health/" in html
    assert "↓" in html
    assert "-7" in html
    assert "12.5 d" in html
    assert "2027-03-01" in html


def test_unscored_tenants_show_as_no_data(tenant_a, tenant_b, admin_user):
    rows = {r.slug: r for r in portfolio_row_list(viewer=admin_user)}
    assert rows["beta"].score is None
    assert rows["beta"].band == "unknown"


def test_csms_see_only_their_accounts_and_outsiders_are_refused(tenant_a, tenant_b, csm_a, member_a):
    HealthSnapshotFactory(tenant=tenant_a, day=TODAY, score=80)
    HealthSnapshotFactory(tenant=tenant_b, day=TODAY, score=20)
    response = client_for(csm_a).get(URL)
    assert response.status_code == 200
    assert [r.slug for r in response.context["rows"]] == ["alpha"]
    assert client_for(member_a).get(URL).status_code == 403
    assert client_for().get(URL).status_code == 302


def test_filters_and_sorts(tenant_a, tenant_b, admin_user):
    HealthSnapshotFactory(tenant=tenant_a, day=TODAY, score=80, score_week_ago=70)
    HealthSnapshotFactory(tenant=tenant_b, day=TODAY, score=30, score_week_ago=50)
    client = client_for(admin_user)
    slugs = lambda q: [r.slug for r in client.get(URL + q).context["rows"] if r.slug in ("alpha", "beta")]  # noqa: E731
    assert slugs("?band=red") == ["beta"]
    assert slugs("?band=green") == ["alpha"]
    assert slugs("?sort=-score") == ["alpha", "beta"]
    assert slugs("?sort=score") == ["beta", "alpha"]
    assert slugs("?sort=change") == ["beta", "alpha"]  # biggest drop first
    Tenant.objects.filter(pk=tenant_b.pk).update(tier="key")
    assert slugs("?tier=key") == ["beta"]


def test_bad_filter_values_are_a_400_that_says_why(admin_user):
    response = client_for(admin_user).get(URL + "?band=purple&churn_from=2026-12-01&churn_to=2026-01-01")
    assert response.status_code == 400
    assert "Select a valid choice" in response.text


def test_the_green_share_counts_scored_customers_only(admin_user, tenant_a):
    tenants = TenantFactory.create_batch(5)
    for tenant, score in zip(tenants, [90, 75, 71, 50, 10], strict=True):
        HealthSnapshotFactory(tenant=tenant, day=TODAY, score=score)
    TenantFactory.create_batch(2)  # not scored yet: not in the share
    churned = TenantFactory(lifecycle_stage="churned")
    HealthSnapshotFactory(tenant=churned, day=TODAY, score=95)  # a lost customer does not count as green
    response = client_for(admin_user).get(URL)
    assert (response.context["green"], response.context["scored"]) == (3, 5)
    assert response.context["green_pct"] == pytest.approx(60)
    assert "60 % (3 of 5 scored" in response.text


@pytest.mark.parametrize("count", [3, 30])
def test_the_page_runs_a_constant_number_of_queries(admin_user, count, django_assert_num_queries):
    for tenant in TenantFactory.create_batch(count, csm=admin_user):
        HealthSnapshotFactory(tenant=tenant, day=TODAY, score=55, score_week_ago=50, nps=10, ttv_days=3.0)
    client = client_for(admin_user)
    # host → tenant, session, user, the portfolio rows, churn lost, churn at start, the nav's
    # unread-notification count, plus django-tenants' SET search_path before the host lookup and
    # again after it selects the (public) schema (TENANT_LIMIT_SET_CALLS): 9 whatever the number
    # of tenants.
    with django_assert_num_queries(9):
        response = client.get(URL)
    assert len(response.context["rows"]) >= count


def test_churn_is_lost_in_period_over_customers_at_its_start(admin_user):
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    old = TenantFactory.create_batch(10, contract_start=date(2025, 6, 1))
    TenantFactory.create_batch(3, contract_start=date(2026, 3, 1))  # joined during the period
    ChurnEventFactory(tenant=old[0], customer_since=date(2025, 6, 1), churned_on=date(2026, 4, 1))
    ChurnEventFactory(tenant=old[1], customer_since=date(2025, 6, 1), churned_on=date(2025, 12, 1))
    # A tenant deleted after churning in the period still counts (for admins).
    ChurnEventFactory(tenant=None, tenant_slug="gone", customer_since=date(2024, 1, 1), churned_on=date(2026, 5, 1))
    churn = churn_get(viewer=admin_user, start=start, end=end)
    # at start: 10 old − 1 churned before the period + 1 deleted = 10 (session tenants are newer)
    assert (churn.lost, churn.at_start) == (2, 10)
    assert churn.rate == pytest.approx(20.0)


def test_recording_churn_records_the_day_and_moves_the_stage(tenant_a):
    today = timezone.localdate()
    tenant_churn_record(tenant=tenant_a, churned_on=today, actor=SYSTEM)
    tenant_churn_record(tenant=tenant_a, churned_on=today, actor=SYSTEM)  # recording again is not a second churn
    event = ChurnEvent.objects.get(tenant=tenant_a)
    assert event.churned_on == today
    assert event.customer_since == timezone.localdate(tenant_a.created_at)
    assert ChurnEvent.objects.count() == 1
    tenant_a.refresh_from_db()
    assert tenant_a.lifecycle_stage == "churned"
    assert AuditEvent.objects.filter(action="tenant.churned", tenant=tenant_a).count() == 1


def test_churn_can_be_backdated_but_not_future_dated(tenant_a):
    event = tenant_churn_record(tenant=tenant_a, churned_on=date(2026, 1, 15), actor=SYSTEM)
    assert event.churned_on == date(2026, 1, 15)
    with pytest.raises(ValidationError):
        tenant_churn_record(tenant=tenant_a, churned_on=timezone.localdate() + timedelta(days=1), actor=SYSTEM)


def test_only_the_accounts_csm_or_an_admin_records_churn(tenant_a, csm_b):
    with pytest.raises(AccessDenied):
        tenant_churn_record(tenant=tenant_a, churned_on=timezone.localdate(), actor=csm_b)
    assert not ChurnEvent.objects.exists()


def test_the_tenant_admin_refuses_a_churned_stage_without_a_churn_event(tenant_a):
    from portal.tenancy.admin import TenantAdminForm

    data = {f: getattr(tenant_a, f) for f in ("name", "slug", "tier", "arr", "status")}
    form = TenantAdminForm(data={**data, "lifecycle_stage": "churned"}, instance=tenant_a)
    assert not form.is_valid()
    assert "Churn events" in str(form.errors["lifecycle_stage"])


def test_the_portfolio_is_in_the_console_nav(admin_user):
    assert 'href="/console/portfolio/"' in client_for(admin_user).get("/console/").text


def test_churn_defaults_to_the_last_year(admin_user):
    churn = client_for(admin_user).get(URL).context["churn"]
    assert churn.end - churn.start == timedelta(days=365)


def test_names_are_escaped_in_the_rows_built_in_python(admin_user):
    tenant = TenantFactory()
    Tenant.objects.filter(pk=tenant.pk).update(name='<script>alert("x")</script> & Co')
    HealthSnapshotFactory(tenant=tenant, day=TODAY, score=50)
    html = client_for(admin_user).get(URL).text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co" in html
