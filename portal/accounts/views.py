"""Log in, log out, reset a password, accept an invitation. Work on every host."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from .forms import EmailAuthenticationForm, InvitationAcceptForm, TenantPasswordResetForm, _current_tenant
from .models import User
from .services import invitation_accept, invitation_get_open


class LoginView(auth_views.LoginView):
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class PasswordResetView(auth_views.PasswordResetView):
    form_class = TenantPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")
    email_template_name = "registration/password_reset_email.txt"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "tenant": _current_tenant(self.request)}


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password_reset_complete")


def invitation_accept_view(request, token: str):
    tenant = _current_tenant(request)
    invitation = invitation_get_open(tenant=tenant, raw_token=token) if tenant else None
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    existing = User.objects.filter(email=invitation.email).first()
    has_account = existing is not None and existing.has_usable_password()
    form = InvitationAcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = invitation_accept(
                invitation=invitation,
                password=form.cleaned_data["password"],
                full_name=form.cleaned_data["full_name"],
            )
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, f"Welcome to {tenant.name}.")
            return redirect("customer:home")
    return render(
        request,
        "accounts/invitation_accept.html",
        {"form": form, "invitation": invitation, "has_account": has_account},
        status=400 if form.errors else 200,
    )


def _add_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error("password", exc)
