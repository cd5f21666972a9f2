"""Knowledge base on the tenant host: browse, read, search, feedback, confirm; the isolation trio
for every page (member works; another tenant's user 404; lower role 403 where there is one)."""

import re

import pytest
from django_tenants.utils import schema_context

from portal.kb.models import ArticleFeedback, ArticleReadConfirmation, DocumentStatus
from portal.kb.tenant.models import PageFeedback, PageReadConfirmation
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(make_article):
    return make_article("Deploy the agent", "## Steps\n\n1. Download\n2. **Install**", tags=["agent"])


@pytest.fixture
def page(make_page, tenant_a):
    return make_page(tenant_a, "Alpha environment runbook", "Prod is `alpha-prod-1`.")


def _read_paths(article, page, category):
    return [
        "/kb/",
        f"/kb/?tag={article.tags[0]}",
        f"/kb/categories/{category.slug}/",
        f"/kb/articles/{article.slug}/",
        f"/kb/pages/{page.slug}/",
        "/kb/search/?q=agent",
    ]


def test_read_pages_trio(article, page, category, tenant_a, member_a, member_b):
    for path in _read_paths(article, page, category):
        assert client_for(member_a, tenant_a).get(path).status_code == 200, path
        assert client_for(member_b, tenant_a).get(path).status_code == 404, path
        response = client_for(None, tenant_a).get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/login/")


def test_the_index_lists_categories_articles_and_this_tenants_pages(article, page, tenant_a, member_a, category):
    text = client_for(member_a, tenant_a).get("/kb/").text
    assert category.name in text
    assert article.title in text
    assert page.title in text
    assert re.search(r'aria-current="page">(<svg class="icon".*?</svg>)? Knowledge base', text)  # after its icon
    assert "Write a page" not in text  # members do not edit


def test_the_index_does_not_list_another_tenants_pages(make_page, tenant_a, tenant_b, member_a):
    other = make_page(tenant_b, "Beta secret runbook")
    assert other.title not in client_for(member_a, tenant_a).get("/kb/").text


def test_the_index_runs_a_constant_number_of_queries(make_article, make_page, tenant_a, member_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(member_a, tenant_a)

    def count(n):
        for i in range(n):
            make_article(f"Article {n}-{i}")
            make_page(tenant_a, f"Page {n}-{i}")
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/kb/").status_code == 200
        return len(queries)

    # None per article or page: the same with 1 and with 7 of each. (8 queries, each preceded by
    # django-tenants' SET search_path; one is the NPS prompt's "already answered?" check.)
    first = count(1)
    assert first == count(6)
    assert first <= 16


def test_a_category_with_nothing_visible_here_is_404(tenant_a, member_a, kb_author):
    from portal.kb.services import category_create

    empty = category_create(actor=kb_author, name="Empty")
    assert client_for(member_a, tenant_a).get(f"/kb/categories/{empty.slug}/").status_code == 404


def test_an_article_page_shows_the_sanitised_body_under_a_strict_csp(make_article, tenant_a, member_a):
    hostile = make_article("Hostile", "Hi <script>alert(1)</script> [x](javascript:alert(1))")
    response = client_for(member_a, tenant_a).get(f"/kb/articles/{hostile.slug}/")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "<script>alert(1)" not in response.text
    assert 'href="javascript:' not in response.text
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "unsafe-inline" not in csp


def test_a_draft_page_is_404_for_members_and_visible_to_the_csm(make_page, tenant_a, member_a, csm_a):
    draft = make_page(tenant_a, "Cutover plan", status=DocumentStatus.DRAFT)
    assert client_for(member_a, tenant_a).get(f"/kb/pages/{draft.slug}/").status_code == 404
    assert draft.title not in client_for(member_a, tenant_a).get("/kb/").text
    response = client_for(csm_a, tenant_a).get(f"/kb/pages/{draft.slug}/")
    assert response.status_code == 200
    assert "Draft" in response.text
    assert "Was this helpful?" not in response.text  # no feedback on drafts


def test_a_page_of_another_tenant_is_404_by_its_address(make_page, tenant_a, tenant_b, member_a, admin_user):
    other = make_page(tenant_b, "Beta only runbook")
    assert client_for(member_a, tenant_a).get(f"/kb/pages/{other.slug}/").status_code == 404
    assert client_for(admin_user, tenant_a).get(f"/kb/pages/{other.slug}/").status_code == 404


# --- "was this helpful?" -------------------------------------------------------------------
def test_feedback_trio_and_changing_the_answer(article, tenant_a, member_a, member_b):
    url = f"/kb/articles/{article.slug}/feedback/"
    assert client_for(member_b, tenant_a).post(url, {"helpful": "yes"}).status_code == 404
    client = client_for(member_a, tenant_a)
    response = client.post(url, {"helpful": "yes"})
    assert response.status_code == 302
    assert response["Location"] == f"/kb/articles/{article.slug}/"
    client.post(url, {"helpful": "no"})
    feedback = ArticleFeedback.objects.get(article=article)
    assert (feedback.user, feedback.tenant, feedback.helpful) == (member_a, tenant_a, False)
    assert "You answered “no”" in client.get(f"/kb/articles/{article.slug}/").text


def test_feedback_over_htmx_returns_the_partial(article, tenant_a, member_a):
    response = client_for(member_a, tenant_a).post(
        f"/kb/articles/{article.slug}/feedback/", {"helpful": "yes"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="kb-feedback"')
    assert "Thank you for your feedback." in response.text


def test_feedback_says_what_was_wrong(article, tenant_a, member_a):
    response = client_for(member_a, tenant_a).post(f"/kb/articles/{article.slug}/feedback/", {"helpful": "maybe"})
    assert response.status_code == 400
    assert "yes" in response.text
    assert not ArticleFeedback.objects.exists()


def test_feedback_needs_post(article, tenant_a, member_a):
    assert client_for(member_a, tenant_a).get(f"/kb/articles/{article.slug}/feedback/").status_code == 405


def test_page_feedback_is_stored_in_the_tenant_schema(page, tenant_a, member_a, member_b):
    url = f"/kb/pages/{page.slug}/feedback/"
    assert client_for(member_b, tenant_a).post(url, {"helpful": "no"}).status_code == 404
    assert client_for(member_a, tenant_a).post(url, {"helpful": "yes"}).status_code == 302
    with schema_context(tenant_a.schema_name):
        assert list(PageFeedback.objects.values_list("user_id", "helpful")) == [(member_a.pk, True)]


# --- read and confirm ----------------------------------------------------------------------
def test_confirming_an_article_trio_and_idempotence(article, tenant_a, member_a, member_b):
    url = f"/kb/articles/{article.slug}/confirm/"
    assert client_for(member_b, tenant_a).post(url).status_code == 404
    client = client_for(member_a, tenant_a)
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    assert ArticleReadConfirmation.objects.filter(article=article, user=member_a, tenant=tenant_a).count() == 1
    assert "You confirmed reading this on" in client.get(f"/kb/articles/{article.slug}/").text


def test_confirming_a_page(page, tenant_a, member_a, member_b):
    url = f"/kb/pages/{page.slug}/confirm/"
    assert client_for(member_b, tenant_a).post(url).status_code == 404
    assert client_for(member_a, tenant_a).post(url).status_code == 302
    with schema_context(tenant_a.schema_name):
        assert PageReadConfirmation.objects.filter(page=page, user=member_a).count() == 1
