from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import api as views

app_name = "api"

urlpatterns = [
    path("v1/me", views.MeApi.as_view(), name="me"),
    path("v1/members", views.MemberListApi.as_view(), name="members"),
    path("v1/invitations", views.InvitationCreateApi.as_view(), name="invitations"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its start-up script as a file, so the page keeps the strict CSP.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
