from django.urls import path

from . import views

app_name = "customer"

urlpatterns = [
    path("", views.home, name="home"),
    path("baseline/", views.baseline, name="baseline"),
    path("team/", views.team, name="team"),
    path("settings/", views.tenant_settings, name="settings"),
    path("settings/branding/", views.branding, name="branding"),
    path("branding.css", views.branding_css, name="branding_css"),
    path("branding/logo.png", views.branding_logo, name="branding_logo"),
    path("team/members/<int:pk>/remove/", views.membership_remove_view, name="membership_remove"),
    path("team/invitations/<int:pk>/revoke/", views.invitation_revoke_view, name="invitation_revoke"),
]
