from django.urls import path

from . import api

app_name = "cockpit_api"

urlpatterns = [
    path("ctas", api.CtaListApi.as_view(), name="ctas"),
    path("ctas/<int:pk>", api.CtaDetailApi.as_view(), name="cta"),
    path("ctas/<int:pk>/close", api.CtaCloseApi.as_view(), name="cta_close"),
    path("ctas/<int:pk>/snooze", api.CtaSnoozeApi.as_view(), name="cta_snooze"),
]
