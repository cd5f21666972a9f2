"""Writes to the knowledge base: articles, tenant pages, feedback, read confirmations, search misses.

Every save renders the markdown (portal.kb.rendering), refreshes the search vector, and writes
a revision row (who, when, which fields) and an audit row. Tenant-page services must run with
the connection on that tenant's schema; they check it rather than write to the wrong one.
"""

from collections.abc import Iterable
from typing import Any

from django.contrib.postgres.search import SearchVector
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import F, Func, Value
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import get_language, gettext

from portal import fragments
from portal.accounts.access import (
    Access,
    AccessDenied,
    Actor,
    actor_user,
    require_role,
    require_staff,
    require_tenant_schema,
    tenants_visible_to,
)
from portal.accounts.models import User
from portal.actions import actions_run
from portal.audit.services import audit_record
from portal.kb.tenant.models import Page, PageFeedback, PageReadConfirmation, PageRevision
from portal.tenancy.models import Tenant, Tier

from .models import (
    Article,
    ArticleFeedback,
    ArticleReadConfirmation,
    ArticleRevision,
    Category,
    DocumentStatus,
    SearchMiss,
    Visibility,
)
from .rendering import markdown_render, plain_text
from .search import SEARCH_CONFIG, SearchHit, kb_search, kb_version, search_query_normalise

MAX_TAGS = 10
MAX_TAG_LENGTH = 40
# What an edit may change; saves of existing rows write only these (search_vector is refreshed apart).
_DOCUMENT_FIELDS = ["title", "slug", "tags", "body_markdown", "body_html", "body_text", "status", "published_at"]
_ARTICLE_FIELDS = [*_DOCUMENT_FIELDS, "updated_at", "category", "visibility", "tiers", "updated_by"]
_PAGE_FIELDS = [*_DOCUMENT_FIELDS, "updated_at", "updated_by", "updated_by_email"]


# --- shared helpers ------------------------------------------------------------------------
def tags_parse(raw: str | Iterable[str]) -> list[str]:
    """Return clean tags from "a, b" or a list: lower case, trimmed, unique, in order."""
    items = raw.split(",") if isinstance(raw, str) else list(raw)
    tags: list[str] = []
    for item in items:
        tag = " ".join(str(item).split()).lower()
        if tag and tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise ValidationError({"tags": gettext("Use at most %(MAX_TAGS)s tags.") % {"MAX_TAGS": MAX_TAGS}})
    if any(len(tag) > MAX_TAG_LENGTH for tag in tags):
        raise ValidationError(
            {"tags": gettext("Keep each tag under %(value)s characters.") % {"value": MAX_TAG_LENGTH + 1}}
        )
    return tags


def _unique_slug(model: type[Article] | type[Page], wanted: str, title: str, exclude_pk: int | None) -> str:
    taken = model.objects.exclude(pk=exclude_pk) if exclude_pk else model.objects.all()
    if wanted:
        slug = slugify(wanted)[:80]
        if not slug:
            raise ValidationError({"slug": gettext("Use letters, digits, hyphens or underscores.")})
        if taken.filter(slug=slug).exists():
            raise ValidationError(
                {"slug": gettext("The address '%(slug)s' is already used by another page.") % {"slug": slug}}
            )
        return slug
    base = slugify(title)[:70] or "page"
    slug, n = base, 2
    while taken.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _apply_document(
    doc: Article | Page, *, title: str, slug: str, tags: str | Iterable[str], body_markdown: str, status: str
) -> None:
    """Validate and set the common fields of ``doc``, rendering its body."""
    title = " ".join((title or "").split())
    if not title:
        raise ValidationError({"title": gettext("A title is required.")})
    if len(title) > 200:
        raise ValidationError({"title": gettext("Keep the title under 200 characters.")})
    if status not in DocumentStatus.values:
        raise ValidationError({"status": gettext("Unknown status %(status)s.") % {"status": repr(status)}})
    doc.slug = _unique_slug(type(doc), slug or (doc.slug if doc.pk else ""), title, doc.pk)
    doc.title = title
    doc.tags = tags_parse(tags)
    doc.body_markdown = body_markdown or ""
    doc.body_html = markdown_render(doc.body_markdown)
    doc.body_text = plain_text(doc.body_html)
    if status != doc.status or doc.pk is None:
        doc.published_at = timezone.now() if status == DocumentStatus.PUBLISHED else None
    doc.status = status
    doc.updated_at = timezone.now()


def _search_vector_refresh(model: type[Article] | type[Page], pk: int) -> None:
    tags = Func(F("tags"), Value(" "), function="array_to_string", output_field=models.TextField())
    model.objects.filter(pk=pk).update(
        search_vector=SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector(tags, weight="B", config=SEARCH_CONFIG)
        + SearchVector("body_text", weight="C", config=SEARCH_CONFIG)
    )


def _changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [name for name in after if before.get(name) != after[name]]


# --- categories ----------------------------------------------------------------------------
@transaction.atomic
def category_create(*, actor: Actor, name: str, description: str = "", position: int = 100) -> Category:
    require_staff(actor, message="Only CSMs and admins write knowledge-base articles.")
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": gettext("A name is required.")})
    if Category.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": gettext("A category called '%(name)s' already exists.") % {"name": name}})
    slug = slugify(name)[:100] or "category"
    if Category.objects.filter(slug=slug).exists():
        raise ValidationError(
            {"name": gettext("A category with the address '%(slug)s' already exists.") % {"slug": slug}}
        )
    category = Category.objects.create(name=name, slug=slug, description=description.strip(), position=position)
    audit_record(actor=actor, action="kb.category.created", target=category, name=name)
    return category


# --- global articles -----------------------------------------------------------------------
def _article_state(article: Article) -> dict[str, Any]:
    return {
        "title": article.title,
        "slug": article.slug,
        "category": article.category.name,
        "tags": list(article.tags),
        "body_markdown": article.body_markdown,
        "status": article.status,
        "visibility": article.visibility,
        "tiers": sorted(article.tiers),
        "tenants": sorted(article.tenants.values_list("slug", flat=True)) if article.pk else [],
    }


def _article_audience(
    *, actor: Actor, visibility: str, tiers: Iterable[str] | None, tenants: Iterable[Tenant] | None
) -> tuple[list[str], list[Tenant]]:
    if visibility not in Visibility.values:
        raise ValidationError(
            {"visibility": gettext("Unknown visibility %(visibility)s.") % {"visibility": repr(visibility)}}
        )
    tiers, tenants = sorted(set(tiers or [])), list(tenants or [])
    if visibility != Visibility.TIERS:
        tiers = []
    elif not tiers:
        raise ValidationError({"tiers": gettext("Choose at least one tier.")})
    elif unknown := [t for t in tiers if t not in Tier.values]:
        raise ValidationError({"tiers": gettext("Unknown tier(s): %(join)s.") % {"join": ", ".join(unknown)}})
    if visibility != Visibility.TENANTS:
        tenants = []
    elif not tenants:
        raise ValidationError({"tenants": gettext("Choose at least one customer.")})
    else:
        allowed = set(tenants_visible_to(actor).values_list("pk", flat=True))
        if foreign := [t.slug for t in tenants if t.pk not in allowed]:
            raise ValidationError(
                {
                    "tenants": gettext("You may not name these customers: %(join)s.")
                    % {"join": ", ".join(sorted(foreign))}
                }
            )
    return tiers, tenants


def _article_save(
    article: Article, *, actor: Actor, note: str, before: dict[str, Any], tenants: list[Tenant]
) -> Article:
    article.save(update_fields=None if article._state.adding else _ARTICLE_FIELDS)
    article.tenants.set(tenants)
    _search_vector_refresh(Article, article.pk)
    after = _article_state(article)
    changed = _changed(before, after)
    number = (article.revisions.aggregate(n=models.Max("number"))["n"] or 0) + 1
    ArticleRevision.objects.create(
        article=article,
        number=number,
        title=article.title,
        tags=article.tags,
        body_markdown=article.body_markdown,
        status=article.status,
        category_name=article.category.name,
        visibility=article.visibility,
        tiers=article.tiers,
        tenant_slugs=after["tenants"],
        changed_fields=changed,
        note=(note or "").strip()[:300],
        changed_by=actor_user(actor),
        changed_by_email=actor.email,
    )
    action = "kb.article.created" if number == 1 else "kb.article.updated"
    audit_record(actor=actor, action=action, target=article, revision=number, changed=changed)
    return article


@transaction.atomic
def article_create(
    *,
    actor: Actor,
    title: str,
    category: Category,
    body_markdown: str = "",
    tags: str | Iterable[str] = (),
    status: str = DocumentStatus.DRAFT,
    visibility: str = Visibility.ALL,
    tiers: Iterable[str] = (),
    tenants: Iterable[Tenant] = (),
    slug: str = "",
    note: str = "",
) -> Article:
    """Write a new global article (revision 1)."""
    require_staff(actor, message="Only CSMs and admins write knowledge-base articles.")
    if category is None:
        raise ValidationError({"category": gettext("Choose a category.")})
    article = Article(category=category, created_by=actor_user(actor), updated_by=actor_user(actor))
    _apply_document(article, title=title, slug=slug, tags=tags, body_markdown=body_markdown, status=status)
    article.tiers, chosen = _article_audience(actor=actor, visibility=visibility, tiers=tiers, tenants=tenants)
    article.visibility = visibility
    return _article_save(article, actor=actor, note=note, before={}, tenants=chosen)


@transaction.atomic
def article_update(
    *,
    article: Article,
    actor: Actor,
    title: str,
    category: Category,
    body_markdown: str,
    tags: str | Iterable[str],
    status: str,
    visibility: str,
    tiers: Iterable[str] = (),
    tenants: Iterable[Tenant] = (),
    slug: str = "",
    note: str = "",
) -> Article:
    """Change an article; write a revision naming the fields that changed (none changed: no-op)."""
    require_staff(actor, message="Only CSMs and admins write knowledge-base articles.")
    if not Article.objects.visible_to_staff(actor).filter(pk=article.pk).exists():
        raise AccessDenied(gettext("This article names customers outside your portfolio."))
    article = Article.objects.select_for_update().select_related("category").get(pk=article.pk)
    before = _article_state(article)
    if category is None:
        raise ValidationError({"category": gettext("Choose a category.")})
    article.category = category
    _apply_document(article, title=title, slug=slug, tags=tags, body_markdown=body_markdown, status=status)
    article.tiers, chosen = _article_audience(actor=actor, visibility=visibility, tiers=tiers, tenants=tenants)
    article.visibility = visibility
    proposed = {**_article_state(article), "tenants": sorted(t.slug for t in chosen)}
    if not _changed(before, proposed):
        return Article.objects.get(pk=article.pk)
    article.updated_by = actor_user(actor)  # a person: SYSTEM sees no article to update
    return _article_save(article, actor=actor, note=note, before=before, tenants=chosen)


# --- tenant pages --------------------------------------------------------------------------
def _page_state(page: Page) -> dict[str, Any]:
    return {
        "title": page.title,
        "slug": page.slug,
        "tags": list(page.tags),
        "body_markdown": page.body_markdown,
        "status": page.status,
    }


def _page_save(page: Page, *, tenant: Tenant, actor: Actor, note: str, changed: list[str]) -> Page:
    page.updated_by, page.updated_by_email = actor, actor.email
    page.save(update_fields=None if page._state.adding else _PAGE_FIELDS)
    _search_vector_refresh(Page, page.pk)
    number = (page.revisions.aggregate(n=models.Max("number"))["n"] or 0) + 1
    PageRevision.objects.create(
        page=page,
        number=number,
        title=page.title,
        tags=page.tags,
        body_markdown=page.body_markdown,
        status=page.status,
        changed_fields=changed,
        note=(note or "").strip()[:300],
        changed_by=actor_user(actor),
        changed_by_email=actor.email,
    )
    action = "kb.page.created" if number == 1 else "kb.page.updated"
    audit_record(actor=actor, action=action, tenant=tenant, target=page, revision=number, changed=changed)
    return page


@transaction.atomic
def page_create(
    *,
    tenant: Tenant,
    actor: Actor,
    title: str,
    body_markdown: str = "",
    tags: str | Iterable[str] = (),
    status: str = DocumentStatus.DRAFT,
    slug: str = "",
    note: str = "",
) -> Page:
    """Write a page only ``tenant``'s people see (CSM of the tenant or admin)."""
    require_role(actor, Access.CSM, tenant)
    require_tenant_schema(tenant)
    page = Page(created_by=actor_user(actor))
    _apply_document(page, title=title, slug=slug, tags=tags, body_markdown=body_markdown, status=status)
    return _page_save(page, tenant=tenant, actor=actor, note=note, changed=list(_page_state(page)))


@transaction.atomic
def page_update(
    *,
    tenant: Tenant,
    page: Page,
    actor: Actor,
    title: str,
    body_markdown: str,
    tags: str | Iterable[str],
    status: str,
    slug: str = "",
    note: str = "",
) -> Page:
    require_role(actor, Access.CSM, tenant)
    require_tenant_schema(tenant)
    page = Page.objects.select_for_update().get(pk=page.pk)
    before = _page_state(page)
    _apply_document(page, title=title, slug=slug, tags=tags, body_markdown=body_markdown, status=status)
    changed = _changed(before, _page_state(page))
    if not changed:
        return Page.objects.get(pk=page.pk)
    return _page_save(page, tenant=tenant, actor=actor, note=note, changed=changed)


# --- "was this helpful?" -------------------------------------------------------------------
@transaction.atomic
def article_feedback_record(*, tenant: Tenant, user: User, article: Article, helpful: bool) -> ArticleFeedback:
    """Record (or change) ``user``'s answer on an article their tenant may read."""
    require_role(user, Access.MEMBER, tenant)
    if not Article.objects.visible_to_tenant(tenant).filter(pk=article.pk).exists():
        raise ValidationError(gettext("This article is not available on this account."))
    now = timezone.now()
    feedback, _ = ArticleFeedback.objects.update_or_create(
        article=article, tenant=tenant, user=user, defaults={"helpful": bool(helpful), "updated_at": now}
    )
    return feedback


@transaction.atomic
def page_feedback_record(*, tenant: Tenant, user: User, page: Page, helpful: bool) -> PageFeedback:
    require_role(user, Access.MEMBER, tenant)
    require_tenant_schema(tenant)
    if not page.is_published:
        raise ValidationError(gettext("Feedback is for published pages."))
    feedback, _ = PageFeedback.objects.update_or_create(
        page=page, user=user, defaults={"helpful": bool(helpful), "updated_at": timezone.now()}
    )
    return feedback


# --- "read and confirm" (onboarding hook) ---------------------------------------------------
@transaction.atomic
def article_read_confirm(
    *, tenant: Tenant, user: User, article_id: int | None = None, page_id: int | None = None
) -> ArticleReadConfirmation | PageReadConfirmation:
    """Record that ``user`` read and confirmed a global article or a tenant page. Idempotent.

    Only what the user can read may be confirmed (a published article visible to ``tenant``,
    or a published page of ``tenant``). The first confirmation runs the ``KEEL_ON_KB_READ_CONFIRMED``
    actions (onboarding completes its "read and confirm" steps) in this transaction, with ``ref``
    as ``kb_ref`` makes it: if one fails, the confirmation is not recorded either.
    """
    if (article_id is None) == (page_id is None):
        raise ValueError("Give exactly one of article_id or page_id.")
    require_role(user, Access.MEMBER, tenant)
    confirmation: ArticleReadConfirmation | PageReadConfirmation
    if article_id is not None:
        if not Article.objects.visible_to_tenant(tenant).filter(pk=article_id).exists():
            raise ValidationError(gettext("This article is not available on this account."))
        confirmation, created = ArticleReadConfirmation.objects.get_or_create(
            article_id=article_id, tenant=tenant, user=user
        )
        ref = f"article:{article_id}"
    elif page_id is not None:  # always: exactly one of the two was given
        require_tenant_schema(tenant)
        if not Page.objects.filter(pk=page_id, status=DocumentStatus.PUBLISHED).exists():
            raise ValidationError(gettext("This page is not available on this account."))
        confirmation, created = PageReadConfirmation.objects.get_or_create(page_id=page_id, user=user)
        ref = f"page:{page_id}"
    if created:
        actions_run("KEEL_ON_KB_READ_CONFIRMED", tenant=tenant, user=user, ref=ref)
    return confirmation


# --- search --------------------------------------------------------------------------------
def search_miss_record(*, tenant: Tenant, query: str) -> SearchMiss | None:
    """Count one search on ``tenant`` that found nothing; return the row (None for a blank query).

    One upsert statement: a popular query that finds nothing is counted by many customers at
    once, and a read-then-update would take five round trips and queue on the row's lock.
    """
    text = search_query_normalise(query)
    if not text or tenant is None or tenant.is_public:
        return None
    table = connection.ops.quote_name(SearchMiss._meta.db_table)
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} AS miss (tenant_id, query, count, first_searched_at, last_searched_at)"  # noqa: S608
            " VALUES (%s, %s, 1, %s, %s) ON CONFLICT (tenant_id, query)"
            " DO UPDATE SET count = miss.count + 1, last_searched_at = EXCLUDED.last_searched_at"
            " RETURNING id, count, first_searched_at",
            [tenant.pk, text, now, now],
        )
        pk, count, first_searched_at = cursor.fetchone()
    return SearchMiss(
        pk=pk, tenant=tenant, query=text, count=count, first_searched_at=first_searched_at, last_searched_at=now
    )


def search_run(*, tenant: Tenant, access: Access | None, query: str, limit: int = 20) -> list[SearchHit]:
    """Search for a person on ``tenant``; a customer's search that finds nothing is recorded.

    Staff searches are not recorded: "what customers could not find" is about customers.
    """
    # Kept under every input of the search: the knowledge base's version (read first, so results
    # are never older than the version they are kept under), the tenant (its pages' schema, its
    # name in their section, its tier and id for the articles it may see), the reader's access
    # (drafts), the query and the language.
    parts = (
        kb_version(),
        tenant.pk,
        tenant.schema_name,
        tenant.name,
        tenant.tier,
        None if access is None else int(access),
        query,
        limit,
        get_language(),
    )
    found = fragments.cached_fragment(
        "kb-search", parts, lambda: kb_search(tenant=tenant, access=access, query=query, limit=limit)
    )
    hits = list(found)
    if not hits and access is not None and access < Access.CSM:
        search_miss_record(tenant=tenant, query=query)
    return hits
