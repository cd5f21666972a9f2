"""URLs on the public domain: the vendor console and the Django admin."""

from django.contrib import admin
from django.urls import include, path

from metrics.qbr.urls import console_urlpatterns as qbr_console_urls
from portal.console import views as console_views
from portal.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("", console_views.root, name="root"),
    path("", include("portal.accounts.urls")),
    path("console/", include("portal.console.urls")),
    path("console/", include((qbr_console_urls, "qbr_console"))),
    path("admin/", admin.site.urls),
]
