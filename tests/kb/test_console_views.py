"""Knowledge base in the console (public host). CSMs and admins write global articles; a CSM
never sees an article naming a customer outside their portfolio (404); customers get 403."""

import pytest

from portal.kb.models import Article, DocumentStatus, SearchMiss, Visibility
from portal.tenancy.models import Tier
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def alpha_article(make_article, tenant_a, csm_a):
    """An article for alpha only: alpha's CSM may see it, beta's may not."""
    return make_article("Alpha migration", "Steps.", visibility=Visibility.TENANTS, tenants=[tenant_a])


def _form(category, **overrides):
    data = {
        "title": "Rotate the API key",
        "category": category.pk,
        "slug": "",
        "tags": "api, security",
        "body_markdown": "Go to **Settings**.",
        "status": DocumentStatus.PUBLISHED,
        "visibility": Visibility.ALL,
        "note": "",
    }
    return {**data, **overrides}


def _paths(article):
    return [
        "/console/kb/",
        "/console/kb/new/",
        "/console/kb/categories/",
        "/console/kb/not-found/",
        f"/console/kb/{article.pk}/",
        f"/console/kb/{article.pk}/edit/",
        f"/console/kb/{article.pk}/revisions/1/",
    ]


def test_console_pages_trio(alpha_article, admin_user, csm_a, csm_b, member_a):
    for path in _paths(alpha_article):
        assert client_for(admin_user).get(path).status_code == 200, path
        assert client_for(csm_a).get(path).status_code == 200, path
        assert client_for(member_a).get(path).status_code == 403, path
        response = client_for(None).get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/login/")


def test_a_csm_does_not_see_articles_naming_another_csms_customer(alpha_article, csm_b):
    client = client_for(csm_b)
    for path in _paths(alpha_article)[4:]:
        assert client.get(path).status_code == 404, path
    assert alpha_article.title not in client.get("/console/kb/").text
    response = client.post(f"/console/kb/{alpha_article.pk}/edit/", {"title": "Hijacked"})
    assert response.status_code == 404
    assert Article.objects.get(pk=alpha_article.pk).title == "Alpha migration"


def test_the_console_is_not_on_tenant_hosts(alpha_article, tenant_a, admin_user):
    assert client_for(admin_user, tenant_a).get("/console/kb/").status_code == 404


def test_a_csm_writes_and_publishes_an_article(category, csm_a, tenant_a, member_a):
    response = client_for(csm_a).post("/console/kb/new/", _form(category))
    assert response.status_code == 302
    article = Article.objects.get(slug="rotate-the-api-key")
    assert response["Location"] == f"/console/kb/{article.pk}/"
    assert (article.created_by, article.tags, article.status) == (csm_a, ["api", "security"], "published")
    assert article.published_at is not None
    assert "Settings" in client_for(member_a, tenant_a).get("/kb/articles/rotate-the-api-key/").text


def test_the_audience_must_be_complete(category, admin_user):
    client = client_for(admin_user)
    response = client.post("/console/kb/new/", _form(category, visibility=Visibility.TIERS))
    assert response.status_code == 400
    assert "Choose at least one tier." in response.text
    response = client.post("/console/kb/new/", _form(category, visibility=Visibility.TENANTS))
    assert response.status_code == 400
    assert "Choose at least one customer." in response.text
    assert not Article.objects.exists()


def test_a_csm_may_only_name_customers_of_their_portfolio(category, csm_a, tenant_a, tenant_b):
    client = client_for(csm_a)
    response = client.post("/console/kb/new/", _form(category, visibility=Visibility.TENANTS, tenants=[tenant_b.pk]))
    assert response.status_code == 400
    assert "Select a valid choice" in response.text
    assert "Beta Corp" not in client.get("/console/kb/new/").text
    response = client.post("/console/kb/new/", _form(category, visibility=Visibility.TENANTS, tenants=[tenant_a.pk]))
    assert response.status_code == 302
    assert list(Article.objects.get().tenants.all()) == [tenant_a]


def test_editing_writes_a_revision_naming_who_changed_what(category, admin_user, csm_a, make_article):
    article = make_article("Rotate the API key", "Go to **Settings**.", tags=["api", "security"])
    form = _form(
        category,
        slug=article.slug,
        visibility=Visibility.TIERS,
        tiers=[Tier.KEY],
        status=DocumentStatus.DRAFT,
        note="Key customers only for now",
    )
    response = client_for(csm_a).post(f"/console/kb/{article.pk}/edit/", form)
    assert response.status_code == 302
    revision = article.revisions.first()
    assert revision.number == 2
    assert revision.changed_by == csm_a
    assert revision.changed_fields == ["status", "visibility", "tiers"]
    detail = client_for(admin_user).get(f"/console/kb/{article.pk}/").text
    assert "status, visibility, tiers" in detail
    assert "Key customers only for now" in detail
    assert csm_a.email in detail
    old = client_for(admin_user).get(f"/console/kb/{article.pk}/revisions/1/").text
    assert "Go to **Settings**." in old


def test_saving_without_changes_writes_no_revision(category, admin_user, make_article):
    article = make_article("Rotate the API key", "Go to **Settings**.", tags=["api", "security"])
    client_for(admin_user).post(f"/console/kb/{article.pk}/edit/", _form(category, slug=article.slug))
    assert article.revisions.count() == 1


def test_the_preview_is_the_sanitised_html(make_article, admin_user):
    article = make_article("Hostile", "<img src=x onerror=alert(1)> [x](javascript:alert(1))")
    text = client_for(admin_user).get(f"/console/kb/{article.pk}/").text
    assert "<img src=x onerror" not in text
    assert 'href="javascript:' not in text


def test_authors_see_helpful_counts(make_article, admin_user, tenant_a, member_a, customer_admin_a):
    article = make_article("Agent upgrade")
    client_for(member_a, tenant_a).post(f"/kb/articles/{article.slug}/feedback/", {"helpful": "yes"})
    client_for(customer_admin_a, tenant_a).post(f"/kb/articles/{article.slug}/feedback/", {"helpful": "yes"})
    text = client_for(admin_user).get(f"/console/kb/{article.pk}/").text
    assert "2 yes, 0 no" in text
    assert "Alpha Corp: 2 yes, 0 no" in text
    assert "<td>2</td><td>0</td>" in client_for(admin_user).get("/console/kb/").text


def test_categories_are_created_with_clear_errors(admin_user, category):
    client = client_for(admin_user)
    assert client.post("/console/kb/categories/", {"name": "Security", "position": 10}).status_code == 302
    response = client.post("/console/kb/categories/", {"name": category.name.upper(), "position": 10})
    assert response.status_code == 400
    assert "already exists" in response.text


def test_new_article_without_categories_points_to_the_category_page(admin_user):
    response = client_for(admin_user).get("/console/kb/new/", follow=True)
    assert response.redirect_chain[-1][0] == "/console/kb/categories/"
    assert "Create a category first" in response.text


def test_what_customers_could_not_find(tenant_a, tenant_b, admin_user, csm_a, csm_b):
    SearchMiss.objects.create(tenant=tenant_a, query="saml certificate", count=3)
    SearchMiss.objects.create(tenant=tenant_b, query="kerberos", count=1)
    admin_text = client_for(admin_user).get("/console/kb/not-found/").text
    assert "saml certificate" in admin_text
    assert "kerberos" in admin_text
    csm_text = client_for(csm_a).get("/console/kb/not-found/").text
    assert "saml certificate" in csm_text
    assert "kerberos" not in csm_text
    filtered = client_for(admin_user).get("/console/kb/not-found/?tenant=beta").text
    assert "kerberos" in filtered
    assert "saml certificate" not in filtered
