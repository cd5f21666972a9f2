from django.contrib import admin

from .models import Article, Category, SearchMiss


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    """Read-only: articles are written in the console, which renders, sanitises and versions them."""

    list_display = ["title", "category", "status", "visibility", "updated_at"]
    list_filter = ["status", "visibility", "category"]
    search_fields = ["title", "slug"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(SearchMiss)
class SearchMissAdmin(admin.ModelAdmin):
    list_display = ["query", "tenant", "count", "last_searched_at"]
    search_fields = ["query"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
