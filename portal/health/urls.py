from django.urls import path

from . import views

app_name = "health"

urlpatterns = [
    path("portfolio/", views.portfolio, name="portfolio"),
    path("tenants/<slug:slug>/api-keys/", views.api_keys, name="api_keys"),
    path("tenants/<slug:slug>/api-keys/<int:pk>/revoke/", views.api_key_revoke_view, name="api_key_revoke"),
]
