"""Search the pages one person may see: the global articles visible to their tenant and that
tenant's own pages. PostgreSQL full-text search ranks; trigram word similarity on titles
forgives typos.

XSS trap: ``ts_headline`` copies the document's text into the snippet verbatim, so an article
that *talks about* ``<script>`` would inject it if the snippet were marked safe. The snippet is
built with private-use sentinel characters around the hits, HTML-escaped as a whole, and only
then are the sentinels turned into ``<mark>`` tags (``snippet_html``).

Chinese: PostgreSQL's parser does not segment Chinese (a run of Han characters is one token),
so a Chinese word inside a sentence is never found by full-text search. A query holding Han
characters is matched by overlapping character bigrams instead: every bigram of the query must
occur in the title or the text ("部署探针" → 部署, 署探, 探针). Chosen over a segmenter (jieba)
because it needs no dictionary and no second index: product names and new terms a dictionary
lacks are found too. Measured on a small Chinese corpus (tests/kb/test_search_chinese.py, 8
articles, 10 queries): recall 0.00 with the default parser, 1.00 with bigrams, at a precision of
0.95 (升级 "upgrade" also finds 升级处置 "escalate": two words sharing a bigram). The scan is
sequential (``LIKE``): fine for a knowledge base of thousands of pages; a pg_trgm GIN index on
``body_text`` would serve it beyond that.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import add, and_

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank, TrigramWordSimilarity
from django.db import connection
from django.db.models import Case, F, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest, StrIndex, Substr
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


# The knowledge base's version (kb migration 0002): moved by database triggers in the same
# statement as any change to an article, its category, the customers it is shown to, or any
# tenant's pages. What is cached from the knowledge base is kept under it.
KB_VERSION_SQL = "SELECT version FROM public.keel_kb_version WHERE id = 1"


def kb_version() -> int:
    """Return the knowledge base's version (one query)."""
    with connection.cursor() as cursor:
        cursor.execute(KB_VERSION_SQL)
        return cursor.fetchone()[0]


def kb_version_sql() -> RawSQL:
    """The knowledge base's version as an expression, to read it in another query."""
    return RawSQL(KB_VERSION_SQL, ())  # noqa: S611 (a constant, no parameter)


def search_query_normalise(raw: str | None) -> str:
    """Return the query as searched and logged: trimmed, spaces collapsed, lower case, bounded."""
    text = _SPACES.sub(" ", strip_highlight_marks(raw or "")).strip().lower()
    return text[:QUERY_MAX_LENGTH].strip()


def snippet_html(headline: str) -> SafeString:
    """Return a headline as HTML: everything escaped except the highlight marks."""
    escaped = escape(headline)
    return mark_safe(escaped.replace(HIGHLIGHT_START, "<mark>").replace(HIGHLIGHT_STOP, "</mark>"))  # noqa: S308


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
SNIPPET_CHARS = 90


def han_bigrams(text: str) -> list[str]:
    """Return the overlapping character bigrams of each run of Han characters (a lone one as is)."""
    grams: list[str] = []
    for run in _HAN.findall(text):
        for gram in [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]:
            if gram not in grams:
                grams.append(gram)
    return grams


def _han_snippet(body: str, grams: list[str]) -> str:
    """Return ``body`` (already cut around the first hit) with every bigram hit between sentinels."""
    pattern = re.compile("|".join(re.escape(g) for g in sorted(grams, key=len, reverse=True)))
    return pattern.sub(lambda m: f"{HIGHLIGHT_START}{m.group(0)}{HIGHLIGHT_STOP}", body)


def _ranked_han(qs: QuerySet, text: str, grams: list[str], limit: int) -> QuerySet:
    matches = reduce(and_, (Q(title__contains=g) | Q(body_text__contains=g) for g in grams))
    rest = _HAN.sub(" ", text).strip()
    if rest:  # Latin words next to the Chinese ones are searched as usual
        matches &= Q(search_vector=SearchQuery(rest, search_type="websearch", config=SEARCH_CONFIG))
    in_title = reduce(add, (Case(When(title__contains=g, then=Value(1.0)), default=Value(0.0)) for g in grams))
    first = StrIndex("body_text", Value(grams[0]))
    return (
        qs.filter(matches)
        .annotate(
            score=(in_title / len(grams) + Value(0.5)),
            headline=Substr("body_text", Greatest(first - 30, 1), SNIPPET_CHARS),
        )
        .order_by("-score", "title")[:limit]
    )


def _ranked(qs: QuerySet, text: str, limit: int) -> QuerySet:
    grams = han_bigrams(text)
    if grams:
        return _ranked_han(qs, text, grams, limit)
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
    grams = han_bigrams(text)
    hits = [_hit("article", a, a.category.name, grams) for a in articles]
    hits += [_hit("page", p, f"{tenant.name}'s pages", grams) for p in pages]
    hits.sort(key=lambda hit: (-hit.score, hit.title.lower()))
    return hits[:limit]


def _hit(kind: str, doc, section: str, grams: list[str]) -> SearchHit:
    headline = doc.headline or ""
    if grams:
        headline = _han_snippet(headline, grams)
    return SearchHit(
        kind=kind,
        id=doc.pk,
        slug=doc.slug,
        title=doc.title,
        section=section,
        snippet_html=snippet_html(headline),
        score=float(doc.score),
        updated_at=doc.updated_at,
    )
