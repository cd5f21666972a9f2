"""URLs on a tenant's host (<slug>.<domain>)."""

from django.urls import include, path

from portal.accounts.urls import tenant_urlpatterns as invitation_urls
from portal.accounts.urls import urlpatterns as account_urls

urlpatterns = [
    path("", include((account_urls + invitation_urls, "accounts"))),
    path("api/", include("portal.api.urls")),
    path("api/", include("metrics.api.urls")),
    path("", include("portal.customer.urls")),
    path("", include("metrics.urls_customer")),
]
