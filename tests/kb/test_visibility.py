"""The Bar: no global article reaches a tenant it is not meant for, in lists, search, direct
URLs or the API, and customers never see drafts. Each hidden case has its positive control
(the intended tenant does see it) so the test cannot pass by showing nothing to anyone."""

import pytest

from portal.kb.models import Article, ArticleFeedback, ArticleReadConfirmation, DocumentStatus, Visibility
from portal.tenancy.models import Tenant, Tier
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db

WORD = "zanzibar"  # in every title, body and tag, so every surface would show the article


@pytest.fixture
def beta_is_strategic(tenant_a, tenant_b):
    Tenant.objects.filter(pk=tenant_b.pk).update(tier=Tier.STRATEGIC)
    tenant_b.refresh_from_db()
    assert tenant_a.tier == Tier.STANDARD
    return tenant_b


@pytest.fixture
def hidden_from_alpha(make_article, beta_is_strategic, tenant_b):
    """Three articles beta may or may not read, none of which alpha may read."""
    return {
        "tier": make_article(
            f"{WORD} strategic runbook",
            f"{WORD} body",
            tags=[WORD],
            visibility=Visibility.TIERS,
            tiers=[Tier.STRATEGIC],
        ),
        "named": make_article(
            f"{WORD} beta special", f"{WORD} body", tags=[WORD], visibility=Visibility.TENANTS, tenants=[tenant_b]
        ),
        "draft": make_article(f"{WORD} draft notes", f"{WORD} body", tags=[WORD], status=DocumentStatus.DRAFT),
    }


def _surfaces(client, category) -> dict[str, str]:
    """Return the text of every listing surface as seen by ``client``."""
    return {
        "index": client.get("/kb/").text,
        "tag": client.get(f"/kb/?tag={WORD}").text,
        "category": client.get(f"/kb/categories/{category.slug}/").text,
        "search": client.get(f"/kb/search/?q={WORD}").text,
        "api_list": client.get("/api/v1/kb/articles").text,
        "api_tag": client.get(f"/api/v1/kb/articles?tag={WORD}").text,
        "api_search": client.get(f"/api/v1/kb/search?q={WORD}").text,
    }


@pytest.mark.parametrize("case", ["tier", "named", "draft"])
def test_a_restricted_article_never_reaches_another_tenant(
    hidden_from_alpha, tenant_a, member_a, csm_a, admin_user, category, case
):
    article = hidden_from_alpha[case]
    for user in (member_a, csm_a, admin_user):  # staff on alpha's host see what alpha sees
        client = client_for(user, tenant_a)
        for surface, text in _surfaces(client, category).items():
            assert article.title not in text, f"{case} article leaked into {surface} for {user}"
        assert client.get(f"/kb/articles/{article.slug}/").status_code == 404
        assert client.get(f"/api/v1/kb/articles/{article.slug}").status_code == 404
        assert client.post(f"/kb/articles/{article.slug}/feedback/", {"helpful": "yes"}).status_code == 404
        assert client.post(f"/kb/articles/{article.slug}/confirm/").status_code == 404
    assert not ArticleFeedback.objects.filter(article=article).exists()
    assert not ArticleReadConfirmation.objects.filter(article=article).exists()


@pytest.mark.parametrize("case", ["tier", "named"])
def test_the_intended_tenant_sees_the_restricted_article_everywhere(
    hidden_from_alpha, tenant_b, member_b, category, case
):
    article = hidden_from_alpha[case]
    client = client_for(member_b, tenant_b)
    for surface, text in _surfaces(client, category).items():
        if surface == "index":
            continue  # the index lists categories; the category page lists their articles
        assert article.title in text, f"{case} article missing from {surface}"
    assert client.get(f"/kb/articles/{article.slug}/").status_code == 200
    assert client.get(f"/api/v1/kb/articles/{article.slug}").status_code == 200


def test_drafts_are_invisible_to_every_customer_until_published(hidden_from_alpha, tenant_b, member_b, kb_author):
    from portal.kb.services import article_update

    draft = hidden_from_alpha["draft"]
    client = client_for(member_b, tenant_b)
    assert client.get(f"/kb/articles/{draft.slug}/").status_code == 404
    assert draft.title not in client.get(f"/kb/search/?q={WORD}").text
    article_update(
        article=draft,
        actor=kb_author,
        title=draft.title,
        category=draft.category,
        body_markdown=draft.body_markdown,
        tags=draft.tags,
        status=DocumentStatus.PUBLISHED,
        visibility=Visibility.ALL,
    )
    assert client.get(f"/kb/articles/{draft.slug}/").status_code == 200


def test_the_visibility_rule_itself(make_article, tenant_a, tenant_b, beta_is_strategic):
    everyone = make_article("For everyone")
    tiered = make_article("Strategic only", visibility=Visibility.TIERS, tiers=[Tier.STRATEGIC, Tier.KEY])
    named = make_article("Alpha only", visibility=Visibility.TENANTS, tenants=[tenant_a])
    draft = make_article("Draft", status=DocumentStatus.DRAFT)
    seen_by = {t.slug: set(Article.objects.visible_to_tenant(t)) for t in (tenant_a, tenant_b)}
    assert seen_by["alpha"] == {everyone, named}
    assert seen_by["beta"] == {everyone, tiered}
    assert draft not in seen_by["alpha"] | seen_by["beta"]
    assert not Article.objects.visible_to_tenant(None).exists()
    assert not Article.objects.visible_to_tenant(Tenant.objects.get(schema_name="public")).exists()


def test_an_article_named_for_several_tenants_is_listed_once(make_article, tenant_a, tenant_b):
    article = make_article("Shared", visibility=Visibility.TENANTS, tenants=[tenant_a, tenant_b])
    assert list(Article.objects.visible_to_tenant(tenant_a)) == [article]


def test_a_tier_change_takes_effect_at_once(make_article, tenant_a, member_a):
    article = make_article("Key customers", visibility=Visibility.TIERS, tiers=[Tier.KEY])
    client = client_for(member_a, tenant_a)
    assert client.get(f"/kb/articles/{article.slug}/").status_code == 404
    Tenant.objects.filter(pk=tenant_a.pk).update(tier=Tier.KEY)
    assert client.get(f"/kb/articles/{article.slug}/").status_code == 200


def test_an_article_named_only_for_a_deleted_tenant_is_visible_to_nobody(make_article, tenant_a, tenant_b):
    article = make_article("Was for beta", visibility=Visibility.TENANTS, tenants=[tenant_b])
    Article.tenants.through.objects.filter(article=article).delete()  # what deleting beta cascades to
    assert not Article.objects.visible_to_tenant(tenant_a).filter(pk=article.pk).exists()
