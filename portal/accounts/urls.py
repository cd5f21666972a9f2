from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views, views_console, views_signin

app_name = "accounts"

# Signing in, out and resetting a password, the second factor and sessions: on the console and on
# every tenant host.
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
    path("mfa/", views_signin.mfa_verify_view, name="mfa_verify"),
    path("mfa/setup/", views_signin.mfa_setup_view, name="mfa_setup"),
    path("mfa/recovery-codes/", views_signin.mfa_recovery_codes_view, name="mfa_recovery_codes"),
    path("account/sessions/", views_signin.sessions_view, name="sessions"),
    path("account/sessions/<int:pk>/end/", views_signin.session_end_view, name="session_end"),
]

# Invitations, e-mailed sign-in links and handoffs belong to a tenant: only on tenant hosts.
urlpatterns = [
    *sign_in_urlpatterns,
    path("login/sso/", views_signin.sso_start_view, name="sso_start"),
    path("login/sso/callback/", views_signin.sso_callback_view, name="sso_callback"),
    path("account/sso/", views_signin.sso_settings_view, name="sso_settings"),
    path("login/email/", views_signin.sign_in_code_request_view, name="sign_in_code_request"),
    path("login/email/code/", views_signin.sign_in_code_view, name="sign_in_code"),
    path("login/email/<str:token>/", views_signin.sign_in_link_view, name="sign_in_link"),
    path("handoff/<str:token>/", views_signin.handoff_view, name="handoff"),
    path("account/sign-in/", views_signin.sign_in_settings_view, name="sign_in_settings"),
    path("account/sign-in/sign-out-everyone/", views_signin.tenant_sign_out_all_view, name="tenant_sign_out_all"),
    path("invite/<str:token>/", views.invitation_accept_view, name="invitation_accept"),
]

# The console's part.
console_urlpatterns = [
    *sign_in_urlpatterns,
    path("console/tenants/<slug:slug>/open/", views_console.tenant_open_view, name="tenant_open"),
    path("console/staff/", views_console.staff_list_view, name="staff_list"),
    path("console/staff/<int:pk>/reset-mfa/", views_console.staff_mfa_reset_view, name="staff_mfa_reset"),
]
