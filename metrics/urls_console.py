"""Console URLs of the metrics app (public host), included under /console/ by the project."""

from django.urls import path

from . import views_console as views

app_name = "metrics_console"

urlpatterns = [
    path("tenants/<slug:slug>/health/", views.tenant_health, name="tenant_health"),
    path("tenants/<slug:slug>/health/recompute/", views.tenant_health_recompute, name="tenant_health_recompute"),
    path("tenants/<slug:slug>/features/", views.features, name="features"),
    path("tenants/<slug:slug>/features/<int:pk>/core/", views.feature_core_toggle, name="feature_core_toggle"),
    path("tenants/<slug:slug>/import/", views.csv_upload, name="csv_import"),
]
