"""Customer URLs of the metrics app (tenant hosts)."""

from django.urls import path

from . import views

app_name = "metrics"

urlpatterns = [
    path("usage/", views.usage, name="usage"),
    path("nps/", views.nps_answer_view, name="nps_answer"),
    path("nps/dismiss/", views.nps_dismiss_view, name="nps_dismiss"),
]
