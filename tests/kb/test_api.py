"""Knowledge-base API: the trio on every endpoint, and the same visibility as the pages."""

import pytest

from portal.kb.models import DocumentStatus, SearchMiss
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(make_article):
    return make_article("Agent upgrade", "Upgrade **each** agent.", tags=["agent"])


@pytest.fixture
def page(make_page, tenant_a):
    return make_page(tenant_a, "Alpha agent inventory", "Twelve agents.", tags=["agent"])


def _paths(article, page):
    return [
        "/api/v1/kb/articles",
        f"/api/v1/kb/articles/{article.slug}",
        "/api/v1/kb/pages",
        f"/api/v1/kb/pages/{page.slug}",
        "/api/v1/kb/search?q=agent",
    ]


def test_every_endpoint_trio(article, page, tenant_a, member_a, member_b):
    for path in _paths(article, page):
        assert client_for(member_a, tenant_a).get(path).status_code == 200, path
        assert client_for(member_b, tenant_a).get(path).status_code == 404, path
        assert client_for(None, tenant_a).get(path).status_code == 403, path


def test_the_api_does_not_exist_on_the_public_host(article, admin_user):
    assert client_for(admin_user).get("/api/v1/kb/articles").status_code == 404


def test_the_api_is_read_only(article, tenant_a, admin_user):
    client = client_for(admin_user, tenant_a)
    assert client.post("/api/v1/kb/articles", {"title": "x"}).status_code == 405
    assert client.delete(f"/api/v1/kb/articles/{article.slug}").status_code == 405


def test_article_list_and_detail(article, category, tenant_a, member_a):
    client = client_for(member_a, tenant_a)
    [item] = client.get("/api/v1/kb/articles").json()
    assert item == {
        "id": article.pk,
        "slug": "agent-upgrade",
        "title": "Agent upgrade",
        "tags": ["agent"],
        "updated_at": item["updated_at"],
        "category": category.name,
    }
    detail = client.get(f"/api/v1/kb/articles/{article.slug}").json()
    assert detail["body_html"] == "<p>Upgrade <strong>each</strong> agent.</p>\n"
    assert detail["body_markdown"] == "Upgrade **each** agent."


def test_article_list_filters(article, make_article, tenant_a, member_a, category):
    make_article("Other", tags=["misc"])
    client = client_for(member_a, tenant_a)
    assert [a["slug"] for a in client.get("/api/v1/kb/articles?tag=agent").json()] == ["agent-upgrade"]
    assert len(client.get(f"/api/v1/kb/articles?category={category.slug}").json()) == 2
    response = client.get("/api/v1/kb/articles?category=nope")
    assert response.status_code == 404
    assert "nope" in response.json()["detail"]


def test_pages_show_drafts_to_the_csm_only(page, make_page, tenant_a, member_a, csm_a):
    draft = make_page(tenant_a, "Draft plan", status=DocumentStatus.DRAFT)
    member_slugs = {p["slug"] for p in client_for(member_a, tenant_a).get("/api/v1/kb/pages").json()}
    csm_slugs = {p["slug"] for p in client_for(csm_a, tenant_a).get("/api/v1/kb/pages").json()}
    assert member_slugs == {page.slug}
    assert csm_slugs == {page.slug, draft.slug}
    assert client_for(member_a, tenant_a).get(f"/api/v1/kb/pages/{draft.slug}").status_code == 404


def test_another_tenants_page_is_404(make_page, tenant_a, tenant_b, member_a):
    other = make_page(tenant_b, "Beta inventory")
    assert client_for(member_a, tenant_a).get(f"/api/v1/kb/pages/{other.slug}").status_code == 404
    assert client_for(member_a, tenant_a).get("/api/v1/kb/pages").json() == []


def test_search_returns_ranked_hits_with_safe_snippets(article, page, tenant_a, member_a):
    hits = client_for(member_a, tenant_a).get("/api/v1/kb/search?q=agent").json()
    assert {(h["kind"], h["slug"]) for h in hits} == {("article", article.slug), ("page", page.slug)}
    by_slug = {h["slug"]: h for h in hits}
    assert by_slug[article.slug]["url"] == f"/kb/articles/{article.slug}/"
    assert "<mark>agent</mark>" in by_slug[article.slug]["snippet_html"]


def test_search_says_what_was_wrong(tenant_a, member_a):
    client = client_for(member_a, tenant_a)
    for path in ("/api/v1/kb/search", "/api/v1/kb/search?q=%20%20"):
        response = client.get(path)
        assert response.status_code == 400
        assert "query parameter q" in response.json()["errors"]["q"][0]


def test_an_api_search_that_finds_nothing_is_logged(tenant_a, member_a):
    assert client_for(member_a, tenant_a).get("/api/v1/kb/search?q=kerberos").json() == []
    assert SearchMiss.objects.get(tenant=tenant_a).query == "kerberos"


def test_the_openapi_schema_lists_the_kb_endpoints(tenant_a):
    content = client_for(None, tenant_a).get("/api/schema/").content
    for path in (b"/api/v1/kb/articles", b"/api/v1/kb/pages/{slug}", b"/api/v1/kb/search"):
        assert path in content
