"""Knowledge-base API on a tenant host, under /api/v1/kb/."""

from django.urls import path

from . import api

app_name = "kb_api"

urlpatterns = [
    path("articles", api.ArticleListApi.as_view(), name="article_list"),
    path("articles/<slug:slug>", api.ArticleDetailApi.as_view(), name="article_detail"),
    path("pages", api.PageListApi.as_view(), name="page_list"),
    path("pages/<slug:slug>", api.PageDetailApi.as_view(), name="page_detail"),
    path("search", api.SearchApi.as_view(), name="search"),
]
