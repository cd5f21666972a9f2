"""URLs on a tenant's host (<slug>.<domain>)."""

from django.urls import include, path

from portal.accounts.urls import tenant_urlpatterns as invitation_urls
from portal.accounts.urls import urlpatterns as account_urls
from portal.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", include((account_urls + invitation_urls, "accounts"))),
    path("api/", include("portal.api.urls")),
    path("api/v1/", include("onboarding.api_urls")),
    path("onboarding/", include("onboarding.urls")),
    path("", include("metrics.qbr.urls")),
    path("", include("portal.customer.urls")),
]
