from django.urls import path

from . import views_console as views

app_name = "qbr_console"

urlpatterns = [
    path("reviews/", views.qbr_schedule_list, name="schedule"),
    path("tenants/<slug:slug>/reviews/", views.tenant_report_list, name="tenant_reports"),
    path("tenants/<slug:slug>/reviews/<int:pk>/", views.tenant_report_detail, name="tenant_report"),
    path("tenants/<slug:slug>/reviews/<int:pk>/publish/", views.tenant_report_publish, name="tenant_report_publish"),
]
