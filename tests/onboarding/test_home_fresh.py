"""The customer home's onboarding cards and CSM card are cached, and never stale.

As tests/onboarding/test_checklist_fresh.py for the board: each test loads the home, checks
that a second load comes from the cache, changes one thing a card shows and loads it again
with the same session: the change shows at once. The reading card names knowledge-base pages:
the cards are kept under the knowledge base's version too (kb migration 0002).
"""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from onboarding.models import Task
from portal.accounts.models import MembershipRole, User
from portal.kb.models import Article
from portal.kb.selectors import kb_ref
from portal.tenancy.models import Tenant, Tier
from tests.support import fragments
from tests.support.clients import client_for
from tests.support.factories import ArticleFactory, MembershipFactory

pytestmark = pytest.mark.django_db

CARDS, CSM = "onboarding/_home_cards.html", "customer/_home_csm.html"


def _load(client):
    return fragments.load(client, "/")


def _rendered(response, template) -> bool:
    return fragments.rendered(response, template)


def _warm(client) -> str:
    return fragments.warm(client, "/", CARDS, CSM)


def _card(html: str, title_id: str) -> str:
    return html.split(f'id="{title_id}"')[1].split("</section>")[0]


def test_the_second_load_is_cached_and_runs_few_queries(tenant_a, member_a, plan, django_assert_max_num_queries):
    client = client_for(member_a, tenant_a)
    _load(client)
    # The request's 5, the layout's NPS check, the checklist with its versions, the latest
    # review, and the member count, role and names' version.
    with django_assert_max_num_queries(9):
        assert not _rendered(_load(client), CARDS)


def test_a_completed_task_shows_at_once(tenant_a, member_a, plan):
    client = client_for(member_a, tenant_a)
    assert "0% done — 0 of 4 tasks" in _warm(client)
    assert client.post(f"/onboarding/tasks/{plan['first'].pk}/complete/").status_code == 302
    html = _load(client).text
    assert "25% done — 1 of 4 tasks" in html
    assert "Second Step" in _card(html, "home-next")  # unlocked: now one of my next steps


def test_a_retitled_task_and_the_assignees_new_name_show_at_once(tenant_a, member_a, plan):
    client = client_for(member_a, tenant_a)
    _warm(client)
    with tenant_a:
        Task.objects.filter(pk=plan["first"].pk).update(title="Renamed step")
    assert "Renamed step" in _card(_load(client).text, "home-next")


def test_the_tenants_day_passing_shows_overdue_at_once(tenant_a, member_a, plan):
    """Due dates are the tenant's days: its midnight moves "Overdue", whatever the viewer's zone."""
    with tenant_a:
        Task.objects.filter(pk=plan["first"].pk).update(due_date=date(2026, 3, 10))
    User.objects.filter(pk=member_a.pk).update(time_zone="UTC")
    Tenant.objects.filter(pk=tenant_a.pk).update(time_zone="Asia/Shanghai")
    client = client_for(member_a, tenant_a)
    # 15:58 UTC on the 10th is 23:58 in Shanghai; four minutes later it is the 11th there, and
    # still the 10th for the viewer.
    with time_machine.travel(datetime(2026, 3, 10, 15, 58, tzinfo=UTC), tick=False) as clock:
        assert "Overdue" not in _card(_warm(client), "home-due")
        clock.shift(timedelta(minutes=4))
        assert "Overdue" in _card(_load(client).text, "home-due")


def test_a_new_tenant_time_zone_shows_at_once(tenant_a, member_a, plan):
    with tenant_a:
        Task.objects.filter(pk=plan["first"].pk).update(due_date=date(2026, 3, 10))
    User.objects.filter(pk=member_a.pk).update(time_zone="UTC")
    client = client_for(member_a, tenant_a)
    with time_machine.travel(datetime(2026, 3, 10, 20, 0, tzinfo=UTC), tick=False):
        assert "Overdue" not in _card(_warm(client), "home-due")
        Tenant.objects.filter(pk=tenant_a.pk).update(time_zone="Asia/Shanghai")  # already the 11th there
        assert "Overdue" in _card(_load(client).text, "home-due")


def test_the_language_shows_at_once(tenant_a, member_a, plan):
    client = client_for(member_a, tenant_a)
    assert "My next steps" in _warm(client)
    User.objects.filter(pk=member_a.pk).update(language="zh-hans")
    html = _load(client).text
    assert "My next steps" not in html and "Your CSM" not in html


def test_the_csms_new_name_and_e_mail_and_removal_show_at_once(tenant_a, member_a, plan, csm_a):
    client = client_for(member_a, tenant_a)
    assert csm_a.full_name in _card(_warm(client), "csm-title")
    User.objects.filter(pk=csm_a.pk).update(full_name="Casey New", email="casey.new@vendor.example")
    card = _card(_load(client).text, "csm-title")
    assert "Casey New" in card and "casey.new@vendor.example" in card
    Tenant.objects.filter(pk=tenant_a.pk).update(csm=None)
    assert "Not assigned yet." in _card(_load(client).text, "csm-title")


def test_a_new_member_and_a_new_role_show_at_once(tenant_a, member_a, plan):
    client = client_for(member_a, tenant_a)
    html = _warm(client)
    count = int(re.search(r">(\d+) members?<", _card(html, "account-title")).group(1))
    MembershipFactory(tenant=tenant_a, role=MembershipRole.CUSTOMER_MEMBER)
    assert f">{count + 1} members<" in _card(_load(client).text, "account-title")
    member_a.memberships.filter(tenant=tenant_a).update(role=MembershipRole.CUSTOMER_ADMIN)
    assert "<dd>Customer admin</dd>" in _card(_load(client).text, "account-title")


def test_the_reading_for_the_phase_shows_changes_at_once(tenant_a, member_a, plan):
    article = ArticleFactory(title="Rollback plan")
    with tenant_a:
        Task.objects.filter(pk=plan["first"].pk).update(read_confirm_ref=kb_ref(article=article))
    client = client_for(member_a, tenant_a)
    assert "Rollback plan" in _card(_warm(client), "home-reading")
    Article.objects.filter(pk=article.pk).update(title="Rolling back")  # the checklist did not change
    reading = _card(_load(client).text, "home-reading")
    assert "Rolling back" in reading and "Rollback plan" not in reading and "Reading for this phase" in reading
    Article.objects.filter(pk=article.pk).update(status="draft")  # unpublished: no longer this phase's reading
    assert "Rolling back" not in _load(client).text


def test_the_knowledge_bases_latest_articles_show_at_once(tenant_a, member_a, plan):
    client = client_for(member_a, tenant_a)
    _warm(client)
    ArticleFactory(title="Brand-new article", published_at=datetime(2099, 1, 1, tzinfo=UTC))
    assert "Brand-new article" in _card(_load(client).text, "home-reading")
    other_tiers = [tier for tier in Tier.values if tier != tenant_a.tier]
    Article.objects.filter(title="Brand-new article").update(visibility="tiers", tiers=other_tiers)
    assert "Brand-new article" not in _load(client).text
