"""Search the pages one person may see: the global articles visible to their tenant and that
tenant's own pages. PostgreSQL full-text search ranks; trigram word similarity on titles
forgives typos.

XSS trap: ``ts_headline`` copies the document's text into the snippet verbatim, so an article
that *talks about* ``<script>`` would inject it if the snippet were marked safe. The snippet is
built with private-use sentinel characters around the hits, HTML-escaped as a whole, and only
then are the sentinels turned into ``<mark>`` tags (``snippet_html``).
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, TrigramWordSimilarity
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from portal.kb.tenant.models import Page

from .models import Article
from .rendering import HIGHLIGHT_START, HIGHLIGHT_STOP, strip_highlight_marks

SEARCH_CONFIG = "english"
QUERY_MAX_LENGTH = 200
# Below this, trigram similarity matches any title with a short word like "the" or "a".
TYPO_TOLERANCE_MIN_LENGTH = 4
_SPACES = re.compile(r"\s+")
# What a hit shows. Bodies and search vectors stay in the database: only their headline comes back.
HIT_FIELDS = ("id", "slug", "title", "updated_at")


@dataclass(frozen=True)
class SearchHit:
    kind: str  # "article" (global) or "page" (this tenant's)
    id: int
    slug: str
    title: str
    section: str  # the article's category, or "<tenant>'s pages"
    snippet_html: SafeString
    score: float
    updated_at: datetime

    @property
    def url(self) -> str:
        name = "kb:article_detail" if self.kind == "article" else "kb:page_detail"
        return reverse(name, args=[self.slug], urlconf="portal.urls_tenant")


def search_query_normalise(raw: str | None) -> str:
    """Return the query as searched and logged: trimmed, spaces collapsed, lower case, bounded."""
    text = _SPACES.sub(" ", strip_highlight_marks(raw or "")).strip().lower()
    return text[:QUERY_MAX_LENGTH].strip()


def snippet_html(headline: str) -> SafeString:
    """Return a headline as HTML: everything escaped except the highlight marks."""
    escaped = escape(headline)
    return mark_safe(escaped.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_STOP, "</mark>"))  # noqa: S308


def _ranked(qs: QuerySet, text: str, limit: int) -> QuerySet:
    query = SearchQuery(text, search_type="websearch", config=SEARCH_CONFIG)
    matches = Q(search_vector=query)
    if len(text) >= TYPO_TOLERANCE_MIN_LENGTH:
        matches |= Q(title__trigram_word_similar=text)  # a title close to the words typed (typos)
    return (
        qs.annotate(rank=SearchRank(F("search_vector"), query), similarity=TrigramWordSimilarity(text, "title"))
        .filter(matches)
        .annotate(
            score=F("rank") + F("similarity"),
            headline=SearchHeadline(
                "body_text",
                query,
                config=SEARCH_CONFIG,
                start_sel=HIGHLIGHT_START,
                stop_sel=HIGHLIGHT_STOP,
                max_words=30,
                min_words=12,
                max_fragments=2,
                fragment_delimiter=" … ",
            ),
        )
        .order_by("-score", "title")[:limit]
    )


def kb_search(*, tenant, access, query: str, limit: int = 20) -> list[SearchHit]:
    """Return the best hits for ``query`` among what ``tenant``'s person with ``access`` may read.

    Must run with the connection on ``tenant``'s schema (as every tenant-host request does):
    the tenant's pages are read from the current schema.
    """
    text = search_query_normalise(query)
    if not text or access is None:
        return []
    articles: QuerySet[Article] = Article.objects.visible_to_tenant(tenant).select_related("category")
    articles = _ranked(articles.only(*HIT_FIELDS, "category__name"), text, limit)
    pages = _ranked(Page.objects.visible_to(access).only(*HIT_FIELDS), text, limit)
    hits = [_hit("article", a, a.category.name) for a in articles]
    hits += [_hit("page", p, f"{tenant.name}'s pages") for p in pages]
    hits.sort(key=lambda hit: (-hit.score, hit.title.lower()))
    return hits[:limit]


def _hit(kind: str, doc, section: str) -> SearchHit:
    return SearchHit(
        kind=kind,
        id=doc.pk,
        slug=doc.slug,
        title=doc.title,
        section=section,
        snippet_html=snippet_html(doc.headline or ""),
        score=float(doc.score),
        updated_at=doc.updated_at,
    )
