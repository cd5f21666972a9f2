"""Console URLs of the metrics app (public host), included under /console/ by the project."""

from django.urls import path

from .views import console

app_name = "metrics_console"

urlpatterns = [
    path("tenants/<slug:slug>/health/", console.tenant_health, name="tenant_health"),
    path("tenants/<slug:slug>/health/recompute/", console.tenant_health_recompute, name="tenant_health_recompute"),
    path("tenants/<slug:slug>/features/", console.features, name="features"),
    path("tenants/<slug:slug>/features/<int:pk>/core/", console.feature_core_toggle, name="feature_core_toggle"),
    path("tenants/<slug:slug>/import/", console.csv_upload, name="csv_import"),
]
