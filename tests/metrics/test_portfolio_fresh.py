"""The portfolio's content is kept (metrics/portfolio/views_console.py), and never stale.

Each test loads the page, checks that a second load took the content from the cache, changes one
thing it shows (through the ORM or a queryset update, as a nightly job or an admin would), and
loads again with the same session: the change shows at once.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from metrics.portfolio.models import HealthSnapshot
from metrics.retention.models import EventKind
from metrics.retention.services import retention_event_record
from portal.accounts.models import User
from portal.tenancy.models import Tenant
from tests.support import fragments
from tests.support.clients import client_for
from tests.support.factories import CsmFactory, HealthSnapshotFactory

pytestmark = pytest.mark.django_db

URL = "/console/portfolio/"
BODY = "health/_portfolio_body.html"


@pytest.fixture
def scored(tenant_a, tenant_b):
    day = timezone.localdate() - timedelta(days=1)
    HealthSnapshotFactory(tenant=tenant_a, day=day, score=81, band="green", score_week_ago=80)
    HealthSnapshotFactory(tenant=tenant_b, day=day, score=42, band="red", score_week_ago=44)
    return tenant_a, tenant_b


def test_a_new_score_shows_at_once(scored, admin_user):
    client = client_for(admin_user)
    assert ">81<" in fragments.warm(client, URL, BODY)
    HealthSnapshot.objects.filter(tenant=scored[0]).update(score=55, band="yellow")  # as the nightly run
    assert ">55<" in fragments.load(client, URL).text


def test_a_renamed_or_retiered_customer_shows_at_once(scored, admin_user):
    client = client_for(admin_user)
    fragments.warm(client, URL, BODY)
    Tenant.objects.filter(pk=scored[0].pk).update(name="Alpha Renamed")
    assert "Alpha Renamed" in fragments.load(client, URL).text
    fragments.warm(client, f"{URL}?tier=strategic", BODY)
    Tenant.objects.filter(pk=scored[1].pk).update(tier="strategic")
    assert scored[1].name in fragments.load(client, f"{URL}?tier=strategic").text


def test_a_csms_new_name_and_a_new_customer_for_them_show_at_once(scored, csm_a):
    client = client_for(csm_a)
    page = fragments.warm(client, URL, BODY)
    assert scored[0].name in page and scored[1].name not in page
    Tenant.objects.filter(pk=scored[1].pk).update(csm=csm_a)  # assigned by an admin
    assert scored[1].name in fragments.load(client, URL).text
    User.objects.filter(pk=csm_a.pk).update(full_name="Renamed Csm")
    assert "Renamed Csm" in fragments.load(client, URL).text


def test_a_churn_in_the_ledger_shows_in_the_churn_figure_at_once(scored, admin_user):
    client = client_for(admin_user)
    start = timezone.localdate() - timedelta(days=400)  # customers before the default year
    for tenant in scored:
        retention_event_record(
            tenant=tenant, kind=EventKind.CONTRACT_START, occurred_on=start, actor=admin_user, arr=Decimal(1000)
        )
    before = fragments.warm(client, URL, BODY)
    assert "(0 lost of 2 active at the start)" in before
    retention_event_record(
        tenant=scored[1],
        kind=EventKind.CHURN,
        occurred_on=timezone.localdate() - timedelta(days=30),
        actor=admin_user,
        reason="budget",
    )
    after = fragments.load(client, URL)
    assert "(1 lost of 2 active at the start)" in after.text


def test_each_viewer_and_language_gets_its_own_content(scored, admin_user, csm_a):
    fragments.warm(client_for(admin_user), URL, BODY)
    mine = fragments.load(client_for(csm_a), URL)
    assert fragments.rendered(mine, BODY), "a CSM was served an admin's portfolio"
    assert scored[1].name not in mine.text
    admin_user.language = "zh-hans"
    admin_user.save(update_fields=["language"])
    assert "客户组合健康度" in fragments.load(client_for(admin_user), URL).text


def test_another_admin_sees_a_new_customer_at_once(scored, admin_user):
    client = client_for(admin_user)
    fragments.warm(client, URL, BODY)
    newcomer = Tenant.objects.create(name="Newcomer Ltd", slug="newcomer", schema_name="newcomer", csm=CsmFactory())
    try:
        assert "Newcomer Ltd" in fragments.load(client, URL).text
    finally:
        Tenant.objects.filter(pk=newcomer.pk).delete()
