from django.urls import path

from . import views

app_name = "customer"

urlpatterns = [
    path("", views.home, name="home"),
    path("team/", views.team, name="team"),
    path("settings/", views.tenant_settings, name="settings"),
    path("team/members/<int:pk>/remove/", views.membership_remove_view, name="membership_remove"),
    path("team/invitations/<int:pk>/revoke/", views.invitation_revoke_view, name="invitation_revoke"),
]
