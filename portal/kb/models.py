"""Global knowledge-base articles and what tenants do with them. Public schema.

Tenant-private pages live in the tenant schema (``portal.kb.tenant``); the abstract bases here
are shared by both so an article and a page render, search and version the same way.

The visibility rule for global articles lives in exactly one place,
``ArticleQuerySet.visible_to_tenant``; every customer-facing list, search, page and API
endpoint goes through it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from portal.accounts.models import User
from portal.tenancy.models import Tier

if TYPE_CHECKING:
    from portal.accounts.access import Actor, Viewer
    from portal.tenancy.models import Tenant


def tier_labels(tiers: list[str]) -> list[str]:
    """Return the tiers' names in the active language (a key Keel no longer knows stays as it is)."""
    return [str(Tier(tier).label) if tier in Tier.values else tier for tier in tiers]


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Draft")
    PUBLISHED = "published", gettext_lazy("Published")


class Visibility(models.TextChoices):
    ALL = "all", gettext_lazy("All customers")
    TIERS = "tiers", gettext_lazy("Customers of chosen tiers")
    TENANTS = "tenants", gettext_lazy("Named customers")


class Document(models.Model):
    """What an article and a tenant page have in common: markdown in, safe HTML out."""

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)
    tags = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    body_markdown = models.TextField(gettext_lazy("body (markdown)"), blank=True)
    # Derived on save by portal.kb.rendering; never written from user input directly.
    body_html = models.TextField(blank=True, editable=False)
    body_text = models.TextField(blank=True, editable=False)
    status = models.CharField(max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Title (A), tags (B) and body (C), kept current by the services.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        abstract = True
        ordering = ["title"]
        indexes = [
            GinIndex(fields=["search_vector"], name="%(app_label)s_%(class)s_fts"),
            GinIndex(fields=["title"], name="%(app_label)s_%(class)s_title_trgm", opclasses=["gin_trgm_ops"]),
        ]

    def __str__(self):
        return self.title

    @property
    def is_published(self) -> bool:
        return self.status == DocumentStatus.PUBLISHED


class RevisionBase(models.Model):
    """One saved state of a document, with who saved it and which fields changed."""

    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    tags = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    body_markdown = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=DocumentStatus.choices)
    changed_fields = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    note = models.CharField(max_length=300, blank=True)
    # Text copy: the history stays readable after the user is gone.
    changed_by_email = models.EmailField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-number"]

    def __str__(self):
        return f"{self.title} r{self.number}"


class Category(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    description = models.CharField(max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=100, help_text=gettext_lazy("Lower comes first."))

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self):
        return self.name


class ArticleQuerySet(models.QuerySet["Article"]):
    def published(self) -> Self:
        return self.filter(status=DocumentStatus.PUBLISHED)

    def visible_to_tenant(self, tenant: Tenant | None) -> Self:
        """Return the published articles ``tenant``'s people may read. The one visibility rule."""
        if tenant is None or tenant.is_public:
            return self.none()
        named = Article.tenants.through.objects.filter(article=OuterRef("pk"), tenant=tenant)
        return self.published().filter(
            Q(visibility=Visibility.ALL)
            | Q(visibility=Visibility.TIERS, tiers__contains=[tenant.tier])
            | Q(Exists(named), visibility=Visibility.TENANTS)
        )

    def visible_to_staff(self, user: Actor | Viewer) -> Self:
        """Return the articles a staff user may see and edit in the console.

        Admins see all. A CSM sees every article except those naming a customer outside
        their portfolio (the console never shows a CSM another CSM's accounts).
        """
        if not getattr(user, "is_authenticated", False) or not isinstance(user, User):
            return self.none()  # anonymous visitors and SYSTEM (whose is_authenticated is False)
        if user.is_keel_admin:
            return self.all()
        if user.is_csm:
            foreign = Article.tenants.through.objects.filter(article=OuterRef("pk")).exclude(tenant__csm=user)
            return self.exclude(Exists(foreign))
        return self.none()


class Article(Document):
    """A vendor-written article, shown to all, some tiers or named customers."""

    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="articles")
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.ALL)
    tiers = ArrayField(models.CharField(max_length=20, choices=Tier.choices), default=list, blank=True)
    tenants = models.ManyToManyField("tenancy.Tenant", blank=True, related_name="kb_articles")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = ArticleQuerySet.as_manager()

    class Meta(Document.Meta):
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="kb_article_unique_slug"),
            # Tiers are named exactly when the article is shown by tier.
            models.CheckConstraint(
                condition=Q(visibility=Visibility.TIERS, tiers__len__gt=0) | (~Q(visibility="tiers") & Q(tiers=[])),
                name="kb_article_tiers_match_visibility",
            ),
        ]

    @property
    def tier_labels(self) -> list[str]:
        return tier_labels(self.tiers)


class ArticleRevision(RevisionBase):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    category_name = models.CharField(max_length=100)
    visibility = models.CharField(max_length=10, choices=Visibility.choices)
    tiers = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    tenant_slugs = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta(RevisionBase.Meta):
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_articlerevision_unique_number"),
        ]

    @property
    def tier_labels(self) -> list[str]:
        return tier_labels(self.tiers)


class ArticleFeedback(models.Model):
    """One person's "was this helpful?" answer on an article, as a member of one tenant."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="feedback")
    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    helpful = models.BooleanField()
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "tenant", "user"], name="kb_articlefeedback_one_per_user"),
        ]

    def __str__(self):
        return f"{self.user_id} on {self.article_id}: {'yes' if self.helpful else 'no'}"


class ArticleReadConfirmation(models.Model):
    """A person confirmed, on one tenant, that they read an article (an onboarding step)."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="read_confirmations")
    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    confirmed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "tenant", "user"], name="kb_articleread_one_per_user"),
        ]

    def __str__(self):
        return f"{self.user_id} read {self.article_id}"


class SearchMiss(models.Model):
    """A search a customer ran on their tenant that found nothing ("what customers could not find").

    Public schema so the console can list them across tenants without visiting each schema.
    """

    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.CASCADE, related_name="kb_search_misses")
    query = models.CharField(max_length=200)
    count = models.PositiveIntegerField(default=1)
    first_searched_at = models.DateTimeField(default=timezone.now)
    last_searched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-count", "-last_searched_at"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "query"], name="kb_searchmiss_one_per_query"),
        ]

    def __str__(self):
        return f"{self.query!r} on {self.tenant_id} ×{self.count}"
