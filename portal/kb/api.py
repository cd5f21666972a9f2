"""Knowledge-base API (read-only): the same selectors as the pages, so the same visibility."""

from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from portal.api.base import TenantAPIView

from . import selectors, services
from .models import Category
from .search import QUERY_MAX_LENGTH, search_query_normalise


class _DocumentSummary(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    title = serializers.CharField()
    tags = serializers.ListField(child=serializers.CharField())
    updated_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="KbArticleSummary")
class ArticleSummarySerializer(_DocumentSummary):
    category = serializers.CharField(source="category.name")


@extend_schema_serializer(component_name="KbArticle")
class ArticleSerializer(ArticleSummarySerializer):
    body_html = serializers.CharField(help_text=gettext_lazy("Sanitised HTML, safe to insert as is."))
    body_markdown = serializers.CharField()
    published_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="KbPageSummary")
class PageSummarySerializer(_DocumentSummary):
    status = serializers.CharField()


@extend_schema_serializer(component_name="KbPage")
class PageSerializer(PageSummarySerializer):
    body_html = serializers.CharField(help_text=gettext_lazy("Sanitised HTML, safe to insert as is."))
    body_markdown = serializers.CharField()
    published_at = serializers.DateTimeField(allow_null=True)


_TAG = OpenApiParameter("tag", str, description="Only pages with this tag.")


class ArticleListApi(TenantAPIView):
    @extend_schema(
        parameters=[_TAG, OpenApiParameter("category", str, description="Category slug.")],
        responses=ArticleSummarySerializer(many=True),
        operation_id="kb_articles_list",
    )
    def get(self, request):
        category = None
        if slug := request.query_params.get("category"):
            category = Category.objects.filter(slug=slug).first()
            if category is None:
                raise NotFound(gettext("No category %(slug)s.") % {"slug": repr(slug)})
        tag = request.query_params.get("tag", "").strip().lower()
        articles = selectors.article_list(tenant=request.tenant, category=category, tag=tag)
        return Response(ArticleSummarySerializer(articles, many=True).data)


class ArticleDetailApi(TenantAPIView):
    @extend_schema(responses=ArticleSerializer, operation_id="kb_articles_get")
    def get(self, request, slug: str):
        article = selectors.article_get(tenant=request.tenant, slug=slug)
        if article is None:
            raise NotFound(gettext("No such article."))
        return Response(ArticleSerializer(article).data)


class PageListApi(TenantAPIView):
    @extend_schema(parameters=[_TAG], responses=PageSummarySerializer(many=True), operation_id="kb_pages_list")
    def get(self, request):
        tag = request.query_params.get("tag", "").strip().lower()
        pages = selectors.page_list(access=request.tenant_access, tag=tag)
        return Response(PageSummarySerializer(pages, many=True).data)


class PageDetailApi(TenantAPIView):
    @extend_schema(responses=PageSerializer, operation_id="kb_pages_get")
    def get(self, request, slug: str):
        page = selectors.page_get(access=request.tenant_access, slug=slug)
        if page is None:
            raise NotFound(gettext("No such page."))
        return Response(PageSerializer(page).data)


class SearchApi(TenantAPIView):
    @extend_schema_serializer(component_name="KbSearchHit")
    class OutputSerializer(serializers.Serializer):
        kind = serializers.ChoiceField(choices=["article", "page"])
        slug = serializers.SlugField()
        title = serializers.CharField()
        section = serializers.CharField()
        url = serializers.CharField()
        snippet_html = serializers.CharField(help_text=gettext_lazy("Escaped text; only <mark> tags are markup."))
        score = serializers.FloatField()

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q", str, required=True, description=f"What to look for (at most {QUERY_MAX_LENGTH} characters)."
            )
        ],
        responses=OutputSerializer(many=True),
        operation_id="kb_search",
    )
    def get(self, request):
        raw = (request.query_params.get("q") or "").strip()
        if len(raw) > QUERY_MAX_LENGTH:
            raise ValidationError(
                {"q": [f"A search is at most {QUERY_MAX_LENGTH} characters; this one has {len(raw):,}."]}
            )
        query = search_query_normalise(raw)
        if not query:
            raise ValidationError({"q": [gettext("Say what to search for (query parameter q).")]})
        hits = services.search_run(tenant=request.tenant, access=request.tenant_access, query=query)
        return Response(self.OutputSerializer(hits, many=True).data)
