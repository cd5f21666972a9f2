"""Reads of the knowledge base. Customer-facing reads all start from
``Article.objects.visible_to_tenant`` (global) or ``Page.objects.visible_to`` (tenant)."""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.db.models import Count, Model, Prefetch, Q, QuerySet
from django_tenants.utils import schema_context

from portal.accounts.access import Access, Actor, Viewer, tenants_visible_to
from portal.accounts.models import User
from portal.kb.tenant.models import Page, PageFeedback, PageReadConfirmation
from portal.tenancy.db import connection
from portal.tenancy.models import Tenant

from .models import Article, ArticleFeedback, ArticleReadConfirmation, Category, SearchMiss

REF_KINDS = ("article", "page")
# Lists never show bodies: do not haul them out of the database.
_HEAVY = ("body_markdown", "body_html", "body_text", "search_vector")


# --- customer side -------------------------------------------------------------------------
def article_list(*, tenant: Tenant, category: Category | None = None, tag: str = "") -> QuerySet[Article]:
    """Return the articles ``tenant`` may read, optionally in one category or with one tag."""
    qs = Article.objects.visible_to_tenant(tenant).select_related("category").defer(*_HEAVY)
    if category is not None:
        qs = qs.filter(category=category)
    if tag:
        qs = qs.filter(tags__contains=[tag])
    return qs.order_by("category__position", "category__name", "title")


def article_get(*, tenant: Tenant, slug: str) -> Article | None:
    """Return the article with ``slug`` if ``tenant`` may read it, else None (callers 404)."""
    return Article.objects.visible_to_tenant(tenant).select_related("category").filter(slug=slug).first()


def category_get(*, tenant: Tenant, slug: str) -> Category | None:
    """Return the category if ``tenant`` may read at least one article in it (else None: 404)."""
    visible = Article.objects.visible_to_tenant(tenant).values("category")
    return Category.objects.filter(slug=slug, pk__in=visible).first()


def category_list_for_tenant(*, tenant: Tenant) -> list[Category]:
    """Return the categories with at least one article ``tenant`` may read, each with ``visible``."""
    visible = Article.objects.visible_to_tenant(tenant).defer(*_HEAVY).order_by("title")
    categories = Category.objects.filter(pk__in=visible.values("category")).prefetch_related(
        Prefetch("articles", queryset=visible, to_attr="visible")
    )
    return list(categories)


def page_list(*, access: Access | None, tag: str = "") -> QuerySet[Page]:
    """Return the current tenant's pages someone with ``access`` may read."""
    qs = Page.objects.visible_to(access).defer(*_HEAVY)
    if tag:
        qs = qs.filter(tags__contains=[tag])
    return qs.order_by("title")


def page_get(*, access: Access | None, slug: str) -> Page | None:
    return Page.objects.visible_to(access).filter(slug=slug).first()


def feedback_get(
    *, tenant: Tenant, user: User, article: Article | None = None, page: Page | None = None
) -> bool | None:
    """Return the user's answer to "was this helpful?" (True/False), or None if not given."""
    qs: QuerySet[ArticleFeedback] | QuerySet[PageFeedback]
    if article is not None:
        qs = ArticleFeedback.objects.filter(article=article, tenant=tenant, user=user)
    else:
        qs = PageFeedback.objects.filter(page=page, user=user)
    return qs.values_list("helpful", flat=True).first()


# --- "read and confirm" (the onboarding checklist's hook) ----------------------------------
def kb_ref(*, article: Article | None = None, page: Page | None = None) -> str:
    """Return the reference a checklist task stores for a page: ``article:<id>`` or ``page:<id>``."""
    if article is not None and page is None:
        return f"article:{article.pk}"
    if page is not None and article is None:
        return f"page:{page.pk}"
    raise ValueError("Give exactly one of article or page.")


def kb_ref_parse(ref: str) -> tuple[str, int]:
    """Return (kind, id) of a reference made by ``kb_ref``; ValueError when malformed."""
    kind, _, raw_id = (ref or "").partition(":")
    if kind not in REF_KINDS or not raw_id.isdigit():
        raise ValueError(f"Not a knowledge-base reference: {ref!r} (expected 'article:<id>' or 'page:<id>').")
    return kind, int(raw_id)


def kb_read_confirmed(user: Actor | Viewer, ref: str, *, tenant: Tenant | None = None) -> bool:
    """Return whether ``user`` confirmed reading the page ``ref`` on ``tenant``.

    ``tenant`` defaults to the tenant whose schema the connection is on (a checklist runs
    there). A global article confirmed on one tenant does not count on another.
    """
    kind, pk = kb_ref_parse(ref)
    if tenant is None:
        tenant = Tenant.objects.filter(schema_name=connection.schema_name).first()
    if tenant is None or tenant.is_public or not getattr(user, "is_authenticated", False):
        return False
    if not isinstance(user, User):  # only people confirm reading (SYSTEM is not authenticated)
        return False
    if kind == "article":
        return ArticleReadConfirmation.objects.filter(tenant=tenant, user=user, article_id=pk).exists()
    with schema_context(tenant.schema_name):
        return PageReadConfirmation.objects.filter(user=user, page_id=pk).exists()


def read_confirmed_at(
    *, tenant: Tenant, user: User, article: Article | None = None, page: Page | None = None
) -> datetime | None:
    """Return when ``user`` confirmed reading, or None."""
    qs: QuerySet[ArticleReadConfirmation] | QuerySet[PageReadConfirmation]
    if article is not None:
        qs = ArticleReadConfirmation.objects.filter(article=article, tenant=tenant, user=user)
    else:
        qs = PageReadConfirmation.objects.filter(page=page, user=user)
    return qs.values_list("confirmed_at", flat=True).first()


# --- staff side ----------------------------------------------------------------------------
def _with_feedback_counts[M: Model](qs: QuerySet[M]) -> QuerySet[Any, M]:
    return qs.annotate(
        helpful_yes=Count("feedback", filter=Q(feedback__helpful=True), distinct=True),
        helpful_no=Count("feedback", filter=Q(feedback__helpful=False), distinct=True),
    )


def article_list_for_staff(*, viewer: User, status: str = "", category: Category | None = None) -> QuerySet[Article]:
    """Return the console's article list with "was this helpful?" counts."""
    qs = Article.objects.visible_to_staff(viewer).select_related("category", "updated_by").defer(*_HEAVY)
    if status:
        qs = qs.filter(status=status)
    if category is not None:
        qs = qs.filter(category=category)
    return _with_feedback_counts(qs).order_by("category__position", "category__name", "title")


def article_get_for_staff(*, viewer: User, pk: int) -> Article | None:
    qs = Article.objects.visible_to_staff(viewer).select_related("category", "created_by", "updated_by")
    return _with_feedback_counts(qs).filter(pk=pk).prefetch_related("tenants").first()


def article_feedback_list(*, article: Article, viewer: User) -> list[Mapping[str, object]]:
    """Return yes/no counts per tenant the staff viewer may see, busiest first."""
    return list(
        ArticleFeedback.objects.filter(article=article, tenant__in=tenants_visible_to(viewer))
        .values("tenant__name")
        .annotate(yes=Count("pk", filter=Q(helpful=True)), no=Count("pk", filter=Q(helpful=False)))
        .order_by("-yes", "tenant__name")
    )


def page_list_for_staff() -> QuerySet[Page]:
    """Return every page of the current tenant with feedback counts (CSM view)."""
    return _with_feedback_counts(Page.objects.defer(*_HEAVY)).order_by("title")


def search_miss_list(*, viewer: User, tenant: Tenant | None = None) -> QuerySet[SearchMiss]:
    """Return "what customers could not find" on the tenants ``viewer`` may see in the console."""
    qs = SearchMiss.objects.filter(tenant__in=tenants_visible_to(viewer)).select_related("tenant")
    if tenant is not None:
        qs = qs.filter(tenant=tenant)
    return qs.order_by("-count", "-last_searched_at")
