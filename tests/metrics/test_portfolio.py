"""/console/portfolio/: public tables only, constant queries, filters, % green, churn for a period."""

from datetime import date, timedelta

import pytest

from metrics.portfolio.selectors import portfolio_row_list
from portal.tenancy.models import Tenant
from tests.support.clients import client_for
from tests.support.factories import HealthSnapshotFactory, TenantFactory

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
    # host → tenant, session, user, the portfolio rows, the period's ledger events, the nav's
    # unread-notification count, plus django-tenants' SET search_path before the host lookup and
    # again after it selects the (public) schema (TENANT_LIMIT_SET_CALLS), and the versions the
    # content is cached under (the customers' with the names', the ledger's): 10 whatever the
    # number of tenants; 8 when the content comes from the cache.
    with django_assert_num_queries(10):
        response = client.get(URL)
    assert len(response.context["rows"]) >= count
    with django_assert_num_queries(8):
        again = client.get(URL).text

    def content(html: str) -> str:  # the cached part: the heading to the table's end
        return html[html.index("<h1>") : html.index("</table>")]

    assert content(again) == content(response.text)


def test_the_tenant_admin_refuses_a_churned_stage_without_a_churn_event(tenant_a):
    from portal.tenancy.admin import TenantAdminForm

    data = {f: getattr(tenant_a, f) for f in ("name", "slug", "tier", "arr", "status")}
    form = TenantAdminForm(data={**data, "lifecycle_stage": "churned"}, instance=tenant_a)
    assert not form.is_valid()
    assert "retention ledger" in str(form.errors["lifecycle_stage"])


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
