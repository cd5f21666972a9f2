"""Knowledge base on a tenant host, under /kb/."""

from django.urls import path

from . import views

app_name = "kb"

urlpatterns = [
    path("", views.kb_index, name="index"),
    path("search/", views.search, name="search"),
    path("categories/<slug:slug>/", views.category_detail, name="category_detail"),
    path("articles/<slug:slug>/", views.article_detail, name="article_detail"),
    path("articles/<slug:slug>/feedback/", views.article_feedback, name="article_feedback"),
    path("articles/<slug:slug>/confirm/", views.article_confirm, name="article_confirm"),
    path("pages/", views.page_manage, name="page_manage"),
    path("pages/new/", views.page_create, name="page_create"),
    path("pages/<slug:slug>/", views.page_detail, name="page_detail"),
    path("pages/<slug:slug>/edit/", views.page_edit, name="page_edit"),
    path("pages/<slug:slug>/history/", views.page_history, name="page_history"),
    path("pages/<slug:slug>/feedback/", views.page_feedback, name="page_feedback"),
    path("pages/<slug:slug>/confirm/", views.page_confirm, name="page_confirm"),
]
