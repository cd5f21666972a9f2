from django.urls import path

from . import views_console as views

app_name = "ingest_console"

urlpatterns = [
    path("tenants/<slug:slug>/api-keys/", views.api_keys, name="api_keys"),
    path("tenants/<slug:slug>/api-keys/<int:pk>/revoke/", views.api_key_revoke_view, name="api_key_revoke"),
]
