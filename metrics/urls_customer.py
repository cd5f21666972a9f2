"""Customer URLs of the metrics app (tenant hosts)."""

from django.urls import path

from .views import customer

app_name = "metrics"

urlpatterns = [
    path("usage/", customer.usage, name="usage"),
    path("nps/", customer.nps_answer_view, name="nps_answer"),
    path("nps/dismiss/", customer.nps_dismiss_view, name="nps_dismiss"),
]
