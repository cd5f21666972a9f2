"""URLs on a tenant's host (<slug>.<domain>)."""

from django.urls import include, path

from portal.accounts.urls import tenant_urlpatterns as invitation_urls
from portal.accounts.urls import urlpatterns as account_urls
from portal.notifications.urls import tenant_urlpatterns as notification_urls
from portal.probes import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include((account_urls + invitation_urls, "accounts"))),
    path("api/v1/kb/", include("portal.kb.urls_api")),
    path("api/", include("portal.api.urls")),
    path("api/v1/", include("onboarding.api_urls")),
    path("onboarding/", include("onboarding.urls")),
    path("", include("metrics.qbr.urls")),
    path("kb/", include("portal.kb.urls")),
    path("notifications/", include((notification_urls, "notifications"))),
    path("api/", include("metrics.ingest.urls_api")),
    path("", include("portal.customer.urls")),
    path("", include("metrics.urls_customer")),
]
