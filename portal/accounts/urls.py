from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views

app_name = "accounts"

# Signing in, out and resetting a password: on the console and on every tenant host.
sign_in_urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("account/", views.preferences_view, name="preferences"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path("reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(extra_context={"login_url": reverse_lazy("accounts:login")}),
        name="password_reset_complete",
    ),
]

# Invitations belong to a tenant, so their link only exists on tenant hosts.
urlpatterns = [
    *sign_in_urlpatterns,
    path("invite/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
]
