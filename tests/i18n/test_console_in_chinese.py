"""The console in zh-Hans in the states a crawl does not reach: empty lists, a live CTA and stall,
and every console form posted invalid. The console's part of each page (its sidebar and its main
content; the shared layout around them is the crawl's to check) shows no English sentence; the
fixture tenant's name is data, allowed."""

import re

import pytest

from portal.accounts.models import User
from tests.support.clients import client_for
from tests.support.english import english_in
from tests.support.factories import CategoryFactory, CtaFactory, StallEpisodeFactory


@pytest.fixture
def chinese_admin(admin_user, shanghai_a, csm_a):
    User.objects.filter(pk__in=[admin_user.pk, csm_a.pk]).update(language="zh-hans", full_name="")
    admin_user.refresh_from_db()
    return admin_user


CONSOLE_PARTS = re.compile(r'<nav class="sidenav".*?</nav>|<main id="main".*?</main>', re.DOTALL)


def _data() -> list[str]:
    """The tenants' names and their checklists' task titles: data, in the tenant's own words."""
    from onboarding.models import Task
    from portal.tenancy.models import Tenant

    data = []
    for tenant in Tenant.objects.exclude(schema_name="public"):
        data.append(tenant.name)
        with tenant:
            data.extend(Task.objects.values_list("title", flat=True))
    return data


def _english(response, tenant) -> list[str]:
    assert response["Content-Language"] == "zh-hans", response.get("Content-Language")
    parts = CONSOLE_PARTS.findall(response.content.decode())
    assert len(parts) == 2, "the page lost its console sidebar or its main content"
    return english_in("".join(parts), allowed=_data())


@pytest.mark.parametrize(
    "url",
    [
        "/console/?stage=churned",  # no tenant matches
        "/console/book/",
        "/console/portfolio/?tier=strategic&band=red",
        "/console/portfolio/?churn_from=2026-12-01&churn_to=2026-01-01",  # a period ending before it starts
        "/console/kpis/?start=2026-11-01",  # one date of a custom period only
        "/console/kpis/?kpi=renewal",
        "/console/kpis/?kpi=grr",
        "/console/kpis/predictive/?lead_days=0",
        "/console/retention/?start=2026-12-01&end=2026-01-01",
        "/console/scorecard/",
        "/console/reviews/",
        "/console/stalls/",
        "/console/stalls/?show=ended",
        "/console/notifications/dead-letters/",
        "/console/cockpit/effectiveness/",
        "/console/kb/?status=archived",
        "/console/kb/not-found/",
        "/console/kb/categories/",
        "/console/tenants/alpha/",
        "/console/tenants/alpha/account/",
        "/console/tenants/alpha/health/",
        "/console/tenants/alpha/features/",
        "/console/tenants/alpha/import/",
        "/console/tenants/alpha/api-keys/",
        "/console/tenants/alpha/retention/",
        "/console/tenants/alpha/reviews/",
    ],
)
def test_a_console_page_in_its_empty_or_refused_state_is_chinese(chinese_admin, shanghai_a, csm_a, url):
    StallEpisodeFactory(
        tenant=shanghai_a, checklist_name="上线清单", blocking_task_title="部署代理", blocking_task_side="customer"
    )
    CategoryFactory(name="部署")
    response = client_for(chinese_admin, None).get(url)
    assert response.status_code in {200, 400}, (url, response.status_code)
    assert _english(response, shanghai_a) == []


def test_a_cta_page_is_chinese(chinese_admin, shanghai_a, csm_a):
    cta = CtaFactory(tenant=shanghai_a, owner=csm_a, reason="7 天内健康分下降 12 分（70 → 58）。")
    client = client_for(chinese_admin, None)
    for url in ("/console/book/", f"/console/tenants/alpha/ctas/{cta.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert _english(response, shanghai_a) == [], url
    # Closed without an outcome: the form comes back with its error, in Chinese.
    response = client.post(f"/console/tenants/alpha/ctas/{cta.pk}/close/", {"note": ""})
    assert response.status_code == 400
    assert _english(response, shanghai_a) == []


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/console/tenants/new/", {"name": "", "slug": "X!"}),
        ("/console/kb/new/", {"title": ""}),
        ("/console/kb/categories/", {"name": ""}),
        ("/console/tenants/alpha/api-keys/", {"name": ""}),
        ("/console/tenants/alpha/features/", {"key": "", "name": ""}),
        ("/console/tenants/alpha/import/", {"kind": "events"}),
        ("/console/tenants/alpha/retention/", {"kind": "churn", "occurred_on": "2099-01-01"}),
        ("/console/tenants/alpha/reviews/", {"day": "not a day"}),
        ("/console/scorecard/", {"strategic-weight_usage": "90", "preview": "1"}),
    ],
)
def test_a_console_form_posted_invalid_answers_in_chinese(chinese_admin, shanghai_a, csm_a, url, data):
    CategoryFactory(name="部署")  # the article form needs one to show
    response = client_for(chinese_admin, None).post(url, data)
    assert response.status_code == 400, (url, response.status_code)
    html = response.content.decode()
    assert 'role="alert"' in html or "has-error" in html, url
    assert _english(response, shanghai_a) == []
