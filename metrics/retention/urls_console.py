from django.urls import path

from . import views_console as views

app_name = "retention_console"

urlpatterns = [
    path("retention/", views.retention, name="retention"),
    path("tenants/<slug:slug>/retention/", views.ledger, name="ledger"),
    path("tenants/<slug:slug>/retention/<int:pk>/reverse/", views.event_reverse, name="event_reverse"),
    path("tenants/<slug:slug>/retention/kickoff/", views.kickoff_set, name="kickoff_set"),
]
