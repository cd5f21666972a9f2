"""URLs on the public domain: the vendor console and the Django admin. Wiring: knows every app."""

from django.contrib import admin
from django.urls import include, path

from portal.console import views_console as console_views
from portal.probes import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", console_views.root, name="root"),
    path("", include("portal.accounts.urls_console")),
    path("console/kb/", include("portal.kb.urls_console")),
    path("console/notifications/", include("portal.notifications.urls_console")),
    path("console/stalls/", include("onboarding.stalls.urls_console")),
    path("console/", include("portal.console.urls_console")),
    path("console/", include("metrics.qbr.urls_console")),
    path("console/", include("metrics.cockpit.urls_console")),
    path("console/", include("metrics.portfolio.urls_console")),
    path("console/", include("metrics.ingest.urls_console")),
    path("console/", include("metrics.retention.urls_console")),
    path("console/", include("metrics.urls_console")),
    path("admin/", admin.site.urls),
]
