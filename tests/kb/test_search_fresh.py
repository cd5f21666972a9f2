"""KB search results are cached under the knowledge base's version (kb migration 0002), and
never stale.

Each test searches, checks that a second search came from the cache (the search itself is not
run again), changes one thing the results show (through a service, a queryset update or a bare
insert: the version moves in the database whoever writes), and searches again with the same
session: the change shows at once.
"""

import pytest
from django.db import connection, transaction
from django_tenants.utils import schema_context

from portal.kb import services
from portal.kb.models import Article, Category, DocumentStatus, SearchMiss, Visibility
from portal.kb.search import kb_version
from portal.kb.tenant.models import Page
from portal.tenancy.models import Tenant, Tier
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def searches(monkeypatch):
    """Count the searches really run (not answered from the cache)."""
    calls = []
    real = services.kb_search

    def spy(**kwargs):
        calls.append(kwargs["query"])
        return real(**kwargs)

    monkeypatch.setattr(services, "kb_search", spy)
    return calls


def _search(client, q="rollback") -> str:
    response = client.get("/kb/search/", {"q": q})
    assert response.status_code == 200
    return response.text


def _warm(client, searches, q="rollback") -> str:
    _search(client, q)
    before = len(searches)
    html = _search(client, q)
    assert len(searches) == before, "the second search ran again: nothing is cached"
    return html


def test_the_second_search_is_cached_and_runs_fewer_queries(
    tenant_a, member_a, make_article, searches, django_assert_max_num_queries
):
    make_article("Rollback plan", "How to go back.")
    client = client_for(member_a, tenant_a)
    _search(client)
    # The request's 5, the layout's NPS check and the knowledge base's version: no search.
    with django_assert_max_num_queries(7):
        assert "Rollback plan</a>" in _search(client)
    assert searches == ["rollback"]


def test_a_renamed_unpublished_and_new_article_show_at_once(tenant_a, member_a, make_article, kb_author, searches):
    article = make_article("Rollback plan", "How to go back.")
    client = client_for(member_a, tenant_a)
    assert "Rollback plan</a>" in _warm(client, searches)
    services.article_update(
        article=article,
        actor=kb_author,
        title="Rollback runbook",
        category=article.category,
        body_markdown=article.body_markdown,
        tags=article.tags,
        status=article.status,
        visibility=article.visibility,
    )
    assert "Rollback runbook</a>" in _search(client)
    Article.objects.filter(pk=article.pk).update(status=DocumentStatus.DRAFT)
    assert "Rollback runbook</a>" not in _search(client)
    make_article("Rollback drills", "Practise going back.")
    assert "Rollback drills</a>" in _search(client)


def test_an_article_shown_to_other_tiers_or_customers_goes_at_once(
    tenant_a, tenant_b, member_a, make_article, searches
):
    article = make_article("Rollback plan", "How to go back.")
    client = client_for(member_a, tenant_a)
    assert "Rollback plan</a>" in _warm(client, searches)
    other_tiers = [tier for tier in Tier.values if tier != tenant_a.tier]
    Article.objects.filter(pk=article.pk).update(visibility=Visibility.TIERS, tiers=other_tiers)
    assert "Rollback plan</a>" not in _search(client)
    Article.objects.filter(pk=article.pk).update(visibility=Visibility.TENANTS, tiers=[])
    article.tenants.add(tenant_b)
    assert "Rollback plan</a>" not in _search(client)
    article.tenants.add(tenant_a)  # a bare insert into the link table
    assert "Rollback plan</a>" in _search(client)
    article.tenants.remove(tenant_a)
    assert "Rollback plan</a>" not in _search(client)


def test_the_tenants_new_tier_shows_at_once(tenant_a, member_a, make_article, searches):
    make_article("Rollback plan", "How to go back.", visibility=Visibility.TIERS, tiers=["strategic"])
    Tenant.objects.filter(pk=tenant_a.pk).update(tier=Tier.STANDARD)
    client = client_for(member_a, tenant_a)
    assert "Rollback plan</a>" not in _warm(client, searches)
    Tenant.objects.filter(pk=tenant_a.pk).update(tier=Tier.STRATEGIC)
    assert "Rollback plan</a>" in _search(client)


def test_a_renamed_category_shows_at_once(tenant_a, member_a, make_article, category, searches):
    make_article("Rollback plan", "How to go back.")
    client = client_for(member_a, tenant_a)
    assert "Deployment" in _warm(client, searches)
    Category.objects.filter(pk=category.pk).update(name="Releases")
    html = _search(client)
    assert "Releases" in html and '<p class="muted">Deployment</p>' not in html


def test_a_tenant_page_added_changed_and_deleted_shows_at_once(tenant_a, member_a, make_page, searches):
    client = client_for(member_a, tenant_a)
    assert "Our rollback plan</a>" not in _warm(client, searches)
    page = make_page(tenant_a, "Our rollback plan", "Call the on-call first.")
    assert "Our rollback plan</a>" in _search(client)
    with schema_context(tenant_a.schema_name):
        Page.objects.filter(pk=page.pk).update(title="Our rollback runbook")
    assert "Our rollback runbook</a>" in _search(client)
    with schema_context(tenant_a.schema_name):
        Page.objects.filter(pk=page.pk).delete()
    assert "Our rollback runbook</a>" not in _search(client)


def test_the_tenants_new_name_shows_at_once_in_its_pages_section(tenant_a, member_a, make_page, searches):
    make_page(tenant_a, "Our rollback plan", "Call the on-call first.")
    client = client_for(member_a, tenant_a)
    assert f"{tenant_a.name}&#x27;s pages" in _warm(client, searches)
    Tenant.objects.filter(pk=tenant_a.pk).update(name="Alpha Renamed")
    assert "Alpha Renamed&#x27;s pages" in _search(client)


def test_drafts_are_cached_per_access_level(tenant_a, member_a, csm_a, make_page, searches):
    make_page(tenant_a, "Draft rollback plan", "Not yet.", status=DocumentStatus.DRAFT)
    assert "Draft rollback plan</a>" in _warm(client_for(csm_a, tenant_a), searches)
    assert "Draft rollback plan</a>" not in _search(client_for(member_a, tenant_a))


def test_a_search_that_finds_nothing_is_recorded_each_time_even_from_the_cache(tenant_a, member_a, searches):
    client = client_for(member_a, tenant_a)
    _warm(client, searches, q="kerberos")
    assert SearchMiss.objects.get(tenant=tenant_a, query="kerberos").count == 2


def test_another_tenant_never_gets_these_results(tenant_a, tenant_b, member_a, make_page, searches):
    from portal.accounts.models import MembershipRole
    from tests.support.factories import MembershipFactory

    make_page(tenant_a, "Alpha rollback plan", "Ours.")
    assert "Alpha rollback plan</a>" in _warm(client_for(member_a, tenant_a), searches)
    member_b = MembershipFactory(tenant=tenant_b, role=MembershipRole.CUSTOMER_MEMBER).user
    assert "Alpha rollback plan</a>" not in _search(client_for(member_b, tenant_b))


def _kb_writes(tenant, category):
    other = Tenant.objects.exclude(pk=tenant.pk).first()
    article = Article.objects.create(title="T", slug="t-article", category=category, status="published")
    article.tenants.add(other)
    with schema_context(tenant.schema_name):
        page = Page.objects.create(title="P", slug="p-page", status="published")

    def page_update():
        with schema_context(tenant.schema_name):
            Page.objects.filter(pk=page.pk).update(title="P2")

    def page_delete():
        with schema_context(tenant.schema_name):
            Page.objects.filter(pk=page.pk).delete()

    return [
        lambda: Article.objects.filter(pk=article.pk).update(title="T2"),
        lambda: Article.objects.create(title="U", slug="u-article", category=category),
        lambda: article.tenants.add(tenant),
        lambda: article.tenants.clear(),
        lambda: Category.objects.filter(pk=category.pk).update(name="Renamed"),
        lambda: Article.objects.filter(pk=article.pk).delete(),
        page_update,
        page_delete,
    ]


@pytest.mark.parametrize("index", range(8))
def test_every_write_on_the_knowledge_base_moves_its_version(tenant_a, category, index):
    write = _kb_writes(tenant_a, category)[index]
    before = kb_version()
    write()
    assert kb_version() > before


def test_a_rolled_back_kb_version_is_never_handed_out_again(category):
    before = kb_version()
    rolled_back = []

    def change_and_fail():
        with transaction.atomic():
            Category.objects.filter(pk=category.pk).update(name="Renamed")
            rolled_back.append(kb_version())
            raise RuntimeError

    with pytest.raises(RuntimeError):
        change_and_fail()
    assert kb_version() == before
    Category.objects.filter(pk=category.pk).update(name="Renamed again")
    assert kb_version() not in (before, *rolled_back)


def test_the_page_trigger_is_in_every_tenant_schema(tenant_a, tenant_b):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE t.tgname = 'keel_kb_version' AND c.relname = 'kb_tenant_page'"
        )
        schemas = {row[0] for row in cursor.fetchall()}
    assert {tenant_a.schema_name, tenant_b.schema_name} <= schemas
