from django.urls import path

from . import views_console as views

app_name = "console"

urlpatterns = [
    path("", views.tenant_list, name="tenant_list"),
    path("tenants/new/", views.tenant_create, name="tenant_create"),
    path("tenants/<slug:slug>/", views.tenant_detail, name="tenant_detail"),
    path("tenants/<slug:slug>/invite/", views.tenant_invite, name="tenant_invite"),
    path("tenants/<slug:slug>/suspend/", views.tenant_suspend_view, name="tenant_suspend"),
    path("tenants/<slug:slug>/resume/", views.tenant_resume_view, name="tenant_resume"),
    path("tenants/<slug:slug>/export/", views.tenant_export_view, name="tenant_export"),
    path("tenants/<slug:slug>/exports/<int:pk>/", views.tenant_export_download, name="tenant_export_download"),
    path("tenants/<slug:slug>/delete/", views.tenant_delete_view, name="tenant_delete"),
]
