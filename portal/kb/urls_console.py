"""Knowledge-base editing in the vendor console (public host), under /console/kb/."""

from django.urls import path

from . import views_console as views

app_name = "kb_console"

urlpatterns = [
    path("", views.article_list, name="article_list"),
    path("new/", views.article_create, name="article_create"),
    path("categories/", views.category_list, name="category_list"),
    path("not-found/", views.search_misses, name="search_misses"),
    path("<int:pk>/", views.article_detail, name="article_detail"),
    path("<int:pk>/edit/", views.article_edit, name="article_edit"),
    path("<int:pk>/revisions/<int:number>/", views.revision_detail, name="revision_detail"),
]
