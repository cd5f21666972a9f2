"""URLs on a tenant's host (<slug>.<domain>). Wiring: knows every app."""

from django.urls import include, path

from portal.probes import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include("portal.accounts.urls")),
    path("api/v1/kb/", include("portal.kb.urls_api")),
    path("api/", include("portal.api.urls_api")),
    path("api/v1/", include("onboarding.urls_api")),
    path("api/v1/", include("metrics.cockpit.urls_api")),
    path("onboarding/", include("onboarding.urls")),
    path("", include("metrics.qbr.urls")),
    path("kb/", include("portal.kb.urls")),
    path("notifications/", include("portal.notifications.urls")),
    path("api/", include("metrics.ingest.urls_api")),
    path("", include("portal.customer.urls")),
    path("", include("metrics.urls")),
]
