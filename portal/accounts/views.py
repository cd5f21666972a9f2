"""Log in, log out, reset a password, accept an invitation. Work on every host."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone, translation
from django.utils.timesince import timeuntil
from django.utils.translation import gettext
from django_ratelimit.core import is_ratelimited

from portal.http import csp_allow_form_action
from portal.settings.env import rate_window_seconds

from .client_ip import client_ip
from .forms import (
    EmailAuthenticationForm,
    InvitationAcceptForm,
    PreferencesForm,
    SignInCodeRequestForm,
    TenantPasswordResetForm,
    _current_tenant,
)
from .middleware import request_language
from .models import User
from .services import invitation_accept, invitation_get_open, user_preferences_update
from .signin import session_signed_out, sign_in_failed_record, sign_in_policy_get, user_sign_in
from .sso import sso_config_get, sso_form_target


class LoginView(auth_views.LoginView):
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user_sign_in(self.request, form.get_user(), method="password")
        return redirect(self.get_success_url())

    def form_invalid(self, form):
        email = str(form.data.get("username", ""))
        sign_in_failed_record(self.request, email=email, method="password", reason="refused")
        return super().form_invalid(form)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        tenant = _current_tenant(self.request)
        policy = sign_in_policy_get(tenant=tenant) if tenant is not None else None
        sso = sso_config_get(tenant=tenant) if tenant is not None else None
        context["sso"] = sso if sso is not None and sso.enabled else None
        sso_required = sso is not None and sso.enabled and sso.sso_required
        context["passwordless"] = policy is not None and policy.allows_passwordless and not sso_required
        context["code_form"] = SignInCodeRequestForm()
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        sso = context.get("sso")
        if sso is not None:
            csp_allow_form_action(response, sso_form_target(sso))
        return response


class LogoutView(auth_views.LogoutView):
    def post(self, request, *args, **kwargs):
        # Before Django flushes the session: its row names the sessions it handed off.
        session_signed_out(request)
        return super().post(request, *args, **kwargs)


class PasswordResetView(auth_views.PasswordResetView):
    form_class = TenantPasswordResetForm
    success_url = reverse_lazy("accounts:password_reset_done")
    email_template_name = "registration/password_reset_email.txt"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "tenant": _current_tenant(self.request)}

    def post(self, request, *args, **kwargs):
        email = request.POST.get("email", "").strip().lower()
        limits = [
            ("password-reset:email", lambda group, req: email, settings.KEEL_PASSWORD_RESET_RATE_PER_EMAIL),
            ("password-reset:client", lambda group, req: client_ip(req), settings.KEEL_PASSWORD_RESET_RATE_PER_CLIENT),
        ]
        # Both counters count every request (no short circuit), so neither can be reset by the other.
        limited = [is_ratelimited(request, group=g, key=k, rate=r, method="POST", increment=True) for g, k, r in limits]
        if any(limited):
            return self._too_many()
        return super().post(request, *args, **kwargs)

    def _too_many(self):
        wait = max(
            rate_window_seconds(settings.KEEL_PASSWORD_RESET_RATE_PER_EMAIL),
            rate_window_seconds(settings.KEEL_PASSWORD_RESET_RATE_PER_CLIENT),
        )
        now = timezone.now()
        form = self.get_form()
        form.add_error(
            None,
            gettext("Too many reset requests for this address or from this network. Try again in %(wait)s.")
            % {"wait": timeuntil(now + timedelta(seconds=wait), now)},
        )
        response = self.render_to_response(self.get_context_data(form=form), status=429)
        response["Retry-After"] = str(wait)  # at most this long: the counting window may be older
        return response


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
            user_sign_in(request, user, method="invitation")
            messages.success(request, gettext("Welcome to %(name)s.") % {"name": invitation.tenant.name})
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


@login_required
def preferences_view(request):
    """The signed-in person's language and time zone (console and tenant hosts)."""
    tenant = _current_tenant(request)
    user = request.user
    form = PreferencesForm(
        request.POST or None,
        on_tenant=tenant is not None,
        initial={"language": user.language, "time_zone": user.time_zone},
    )
    if request.method == "POST" and form.is_valid():
        try:
            user_preferences_update(user=user, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            _add_errors(form, exc)
        else:
            # The message is rendered on the next page, in the language just chosen.
            with translation.override(request_language(request)):
                messages.success(request, gettext("Your language and time zone are saved."))
            return redirect("accounts:preferences")
    base = "customer/base.html" if tenant is not None else "console/base.html"
    context = {
        "form": form,
        "base_template": base,
        "tenant": tenant,
        "now": timezone.now(),
        "effective_zone": timezone.get_current_timezone_name(),
    }
    return render(request, "accounts/preferences.html", context, status=400 if form.errors else 200)
