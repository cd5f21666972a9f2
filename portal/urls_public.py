"""URLs on the public domain: the vendor console and the Django admin."""

from django.contrib import admin
from django.urls import include, path

from metrics.qbr.urls import console_urlpatterns as qbr_console_urls
from portal.console import views as console_views
from portal.probes import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", console_views.root, name="root"),
    path("", include("portal.accounts.urls")),
    path("console/kb/", include("portal.kb.urls_console")),
    path("console/notifications/", include("portal.notifications.urls")),
    path("console/stalls/", include("onboarding.stalls.urls")),
    path("console/", include("portal.console.urls")),
    path("console/", include((qbr_console_urls, "qbr_console"))),
    path("console/", include("metrics.portfolio.urls_console")),
    path("console/", include("metrics.ingest.urls_console")),
    path("console/", include("metrics.urls_console")),
    path("admin/", admin.site.urls),
]
