from django.urls import path

from . import api as views

app_name = "metrics_api"

urlpatterns = [
    path("v1/events", views.EventIngestApi.as_view(), name="events"),
    path("v1/tickets", views.TicketUpsertApi.as_view(), name="tickets"),
    path("v1/seats", views.SeatUpsertApi.as_view(), name="seats"),
    path("v1/features", views.FeatureListApi.as_view(), name="features"),
]
