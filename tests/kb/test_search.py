"""Search: ranking, typo tolerance, safe snippets, own-tenant pages only, zero-result log."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from portal.accounts.access import Access
from portal.kb.models import DocumentStatus, SearchMiss
from portal.kb.search import kb_search, snippet_html
from portal.kb.services import search_miss_record, search_run
from tests.support.clients import client_for


def _search(tenant, query, access=Access.MEMBER):
    with schema_context(tenant.schema_name):
        return kb_search(tenant=tenant, access=access, query=query)


def test_a_title_match_ranks_above_a_body_match(make_article, tenant_a):
    body_only = make_article("Agent installation", "After install, configure the firewall rules for the agent.")
    in_title = make_article("Firewall rules", "Which ports to open.")
    hits = _search(tenant_a, "firewall")
    assert [h.id for h in hits] == [in_title.pk, body_only.pk]
    assert hits[0].score > hits[1].score


def test_a_typo_still_finds_the_article(make_article, tenant_a):
    article = make_article("Rollback plan", "How to go back to the previous version.")
    make_article("Monitoring", "Dashboards and alerts.")
    assert [h.id for h in _search(tenant_a, "rollbak")] == [article.pk]
    assert [h.id for h in _search(tenant_a, "rolback plan")] == [article.pk]


def test_stemming_matches_other_forms_of_a_word(make_article, tenant_a):
    article = make_article("Agents", "The agent deploys itself on every host.")
    assert [h.id for h in _search(tenant_a, "deploying")] == [article.pk]


def test_tags_are_searched(make_article, tenant_a):
    article = make_article("Single sign-on", "Configure your identity provider.", tags=["okta"])
    assert [h.id for h in _search(tenant_a, "okta")] == [article.pk]


def test_snippets_highlight_hits_and_escape_everything_else(make_article, tenant_a):
    # ts_headline drops well-formed tags itself but copies malformed ones verbatim: the trap.
    make_article("Widgets", 'Try "><svg/onload=alert(1)> & <b>bold</b> in your widget deploy notes.')
    [hit] = _search(tenant_a, "deploy")
    assert "<mark>deploy</mark>" in hit.snippet_html
    assert "onload=alert(1)&gt; &amp;" in hit.snippet_html
    without_marks = hit.snippet_html.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in without_marks
    assert ">" not in without_marks


@pytest.mark.pure
def test_snippet_html_only_ever_adds_mark_tags():
    assert snippet_html('<img src=x onerror="alert(1)">\ue000hit\ue001') == (
        "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;<mark>hit</mark>"
    )


def test_the_search_page_escapes_the_query_and_the_snippets(make_article, tenant_a, member_a):
    make_article("Widgets", 'Never "><svg/onload=alert(1)> on a widget.')
    client = client_for(member_a, tenant_a)
    text = client.get("/kb/search/", {"q": "widget"}).text
    assert "<mark>widget</mark>" in text
    assert "<svg/onload" not in text
    assert "onload=alert(1)&gt;" in text
    text = client.get("/kb/search/", {"q": "<script>x</script>"}).text
    assert "<script>x</script>" not in text
    assert "&lt;script&gt;x&lt;/script&gt;" in text


def test_search_includes_this_tenants_pages_and_no_other_tenants(make_page, make_article, tenant_a, tenant_b):
    alpha_page = make_page(tenant_a, "Alpha VPN runbook", "Connect to the VPN first.")
    beta_page = make_page(tenant_b, "Beta VPN runbook", "Connect to the VPN first.")
    article = make_article("VPN overview", "Why a VPN.")
    alpha_hits = {(h.kind, h.id) for h in _search(tenant_a, "vpn")}
    assert alpha_hits == {("page", alpha_page.pk), ("article", article.pk)}
    beta_hits = {(h.kind, h.id) for h in _search(tenant_b, "vpn")}
    assert beta_hits == {("page", beta_page.pk), ("article", article.pk)}


def test_draft_pages_are_found_by_the_csm_only(make_page, tenant_a):
    page = make_page(tenant_a, "Cutover checklist", "Draft steps.", status=DocumentStatus.DRAFT)
    assert _search(tenant_a, "cutover", access=Access.MEMBER) == []
    assert [h.id for h in _search(tenant_a, "cutover", access=Access.CSM)] == [page.pk]


def test_an_edit_is_searchable_at_once(make_article, kb_author, tenant_a):
    from portal.kb.services import article_update

    article = make_article("Proxy settings", "Set the proxy.")
    article_update(
        article=article,
        actor=kb_author,
        title="Proxy settings",
        category=article.category,
        body_markdown="Set the proxy and the certificate bundle.",
        tags=["tls"],
        status=article.status,
        visibility=article.visibility,
    )
    assert [h.id for h in _search(tenant_a, "bundle")] == [article.pk]
    assert [h.id for h in _search(tenant_a, "tls")] == [article.pk]


def test_a_blank_or_stopword_query_finds_nothing_without_error(make_article, tenant_a):
    make_article("The article", "The body.")
    assert _search(tenant_a, "   ") == []
    assert _search(tenant_a, "the") == []


def test_a_search_reads_headlines_not_whole_bodies(make_article, make_page, tenant_a):
    make_article("Firewall rules", "Which ports to open for the firewall.")
    make_page(tenant_a, "Acme firewall notes", "Our firewall exceptions.")
    with CaptureQueriesContext(connection) as queries:
        hits = _search(tenant_a, "firewall")
    assert {h.title for h in hits} == {"Firewall rules", "Acme firewall notes"}
    assert all("<mark>" in h.snippet_html for h in hits)
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert len(selects) == 2
    for sql in selects:  # body_text and search_vector are read in the database (headline, rank)
        assert '"body_markdown"' not in sql and '"body_html"' not in sql, sql


# --- zero-result log -----------------------------------------------------------------------
def _run(tenant, query, access=Access.MEMBER):
    with schema_context(tenant.schema_name):
        return search_run(tenant=tenant, access=access, query=query)


def test_a_customer_search_that_finds_nothing_is_counted_per_tenant(tenant_a, tenant_b):
    _run(tenant_a, "SAML  Certificate")
    _run(tenant_a, "saml certificate")
    _run(tenant_b, "saml certificate")
    counts = {(m.tenant.slug, m.query): m.count for m in SearchMiss.objects.select_related("tenant")}
    assert counts == {("alpha", "saml certificate"): 2, ("beta", "saml certificate"): 1}


def test_a_repeated_miss_keeps_its_first_time_and_moves_its_last(tenant_a):
    first = search_miss_record(tenant=tenant_a, query="Kerberos")
    again = search_miss_record(tenant=tenant_a, query="kerberos ")
    stored = SearchMiss.objects.get()
    assert (again.pk, again.count, again.query) == (first.pk, 2, "kerberos") == (stored.pk, stored.count, stored.query)
    assert stored.first_searched_at == first.first_searched_at == again.first_searched_at
    assert stored.last_searched_at == again.last_searched_at > first.last_searched_at


def test_searches_that_find_something_blank_ones_and_staff_searches_are_not_logged(make_article, tenant_a):
    make_article("SAML certificate rotation")
    _run(tenant_a, "saml certificate")
    _run(tenant_a, "   ")
    _run(tenant_a, "kerberos", access=Access.CSM)
    _run(tenant_a, "kerberos", access=Access.ADMIN)
    assert not SearchMiss.objects.exists()
    _run(tenant_a, "kerberos", access=Access.CUSTOMER_ADMIN)
    assert SearchMiss.objects.get().query == "kerberos"


def test_a_search_for_a_hidden_article_is_a_miss_not_a_hint(make_article, tenant_a, tenant_b, member_a):
    from portal.kb.models import Visibility

    make_article("Beta-only kerberos guide", visibility=Visibility.TENANTS, tenants=[tenant_b])
    response = client_for(member_a, tenant_a).get("/kb/search/", {"q": "kerberos"})
    assert "0 results" in response.text
    assert "Beta-only" not in response.text
    assert SearchMiss.objects.get(tenant=tenant_a).query == "kerberos"
