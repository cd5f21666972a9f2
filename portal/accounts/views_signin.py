"""Signing in without a password, the staff second factor, the handoff pass, and sessions.

Pages on every host unless a view says otherwise (``tenant_only``).
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timesince import timeuntil
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from .access import Access
from .decorators import tenant_access_required
from .forms import (
    MfaSetupForm,
    MfaTokenForm,
    SignInCodeForm,
    SignInCodeRequestForm,
    SignInPolicyForm,
    SsoConfigForm,
    _current_tenant,
)
from .mfa import (
    mfa_enrolled,
    mfa_recovery_codes_left,
    mfa_recovery_codes_regenerate,
    mfa_required_for,
    mfa_setup_confirm,
    mfa_setup_start,
    mfa_verify,
)
from .models import MembershipRole
from .signin import (
    SESSION_ROW_KEY,
    TooManyRequests,
    handoff_redeem,
    sign_in_code_rate_check,
    sign_in_code_redeem,
    sign_in_code_request,
    sign_in_failed_record,
    sign_in_link_get,
    sign_in_link_redeem,
    sign_in_policy_get,
    sign_in_policy_update,
    tenant_sessions_end,
    user_session_end,
    user_session_list,
    user_sign_in,
)
from .sso import CALLBACK_PATH, SsoError, sso_begin, sso_complete, sso_config_get, sso_config_update
from .sso import SESSION_FLOWS_KEY as SSO_FLOWS_KEY

PENDING_EMAIL_KEY = "keel_signin_email"
PENDING_NEXT_KEY = "keel_signin_next"


def safe_next(request, candidate: str | None, default: str = "/") -> str:
    """Return ``candidate`` when it stays on this host (no scheme, no other host), else ``default``."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _tenant_or_404(request):
    tenant = _current_tenant(request)
    if tenant is None:
        raise Http404("Only on a customer's host.")
    return tenant


# --- e-mailed link or code ------------------------------------------------------------------------
@require_POST
def sign_in_code_request_view(request):
    tenant = _tenant_or_404(request)
    form = SignInCodeRequestForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/sign_in_code_request.html", {"form": form}, status=400)
    email = form.cleaned_data["email"].strip().lower()
    try:
        sign_in_code_rate_check(request, email)
    except TooManyRequests as exc:
        now = timezone.now()
        form.add_error(
            None,
            gettext("Too many sign-in e-mails for this address or from this network. Try again in %(wait)s.")
            % {"wait": timeuntil(now + timedelta(seconds=exc.retry_after), now)},
        )
        response = render(request, "accounts/sign_in_code_request.html", {"form": form}, status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    sign_in_code_request(tenant=tenant, email=email)
    request.session[PENDING_EMAIL_KEY] = email
    request.session[PENDING_NEXT_KEY] = safe_next(request, request.POST.get("next"))
    return redirect("accounts:sign_in_code")


def sign_in_code_view(request):
    """Enter the 6-digit code. The same page follows every request, whoever the address belongs to."""
    tenant = _tenant_or_404(request)
    email = request.session.get(PENDING_EMAIL_KEY)
    if not email:
        return redirect("accounts:login")
    form = SignInCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = sign_in_code_redeem(tenant=tenant, email=email, code=form.cleaned_data["code"])
        if user is not None:
            destination = request.session.pop(PENDING_NEXT_KEY, None) or "/"
            request.session.pop(PENDING_EMAIL_KEY, None)
            user_sign_in(request, user, method="email_code")
            return redirect(safe_next(request, destination))
        sign_in_failed_record(request, email=email, method="email_code", reason="wrong or expired code")
        form.add_error("code", gettext("That code is wrong or has expired. Check the e-mail or ask for a new code."))
    return render(
        request, "accounts/sign_in_code.html", {"form": form, "email": email}, status=400 if form.errors else 200
    )


def sign_in_link_view(request, token: str):
    """Show a button that uses the link: mail scanners that fetch links must not use it up."""
    tenant = _tenant_or_404(request)
    if request.method == "POST":
        try:
            user = sign_in_link_redeem(tenant=tenant, raw_link=token)
        except ValidationError:
            sign_in_failed_record(request, email="", method="email_link", reason="used, expired or other host")
            return render(request, "accounts/sign_in_link_invalid.html", status=404)
        user_sign_in(request, user, method="email_link")
        return redirect(safe_next(request, request.POST.get("next")))
    row = sign_in_link_get(tenant=tenant, raw_link=token)
    if row is None:
        return render(request, "accounts/sign_in_link_invalid.html", status=404)
    return render(request, "accounts/sign_in_link.html", {"email": row.email, "tenant": tenant})


# --- handoff from the console ---------------------------------------------------------------------
def handoff_view(request, token: str):
    _tenant_or_404(request)
    try:
        handoff_redeem(request=request, token=token)
    except ValidationError as exc:
        return render(request, "accounts/handoff_invalid.html", {"reason": exc.messages[0]}, status=400)
    return redirect(safe_next(request, request.GET.get("next")))


# --- staff second factor --------------------------------------------------------------------------
@login_required
def mfa_verify_view(request):
    user = request.user
    if not mfa_enrolled(user):
        return redirect("accounts:mfa_setup")
    form = MfaTokenForm(request.POST or None)
    destination = safe_next(request, request.POST.get("next") or request.GET.get("next"))
    if request.method == "POST" and form.is_valid():
        if mfa_verify(request=request, user=user, token=form.cleaned_data["token"]):
            left = mfa_recovery_codes_left(user)
            if left < 3:
                messages.warning(
                    request,
                    ngettext(
                        "%(left)s recovery code left: make new ones under Your sessions.",
                        "%(left)s recovery codes left: make new ones under Your sessions.",
                        left,
                    )
                    % {"left": left},
                )
            return redirect(destination)
        form.add_error("token", gettext("That code is not right. Try the current code, or a recovery code."))
    return render(
        request, "accounts/mfa_verify.html", {"form": form, "next": destination}, status=400 if form.errors else 200
    )


@login_required
def mfa_setup_view(request):
    user = request.user
    if not user.is_vendor_staff:
        raise PermissionDenied(gettext("Only vendor staff use an authenticator app here."))
    if mfa_enrolled(user) and not request.session.get("keel_mfa_device"):
        return redirect("accounts:mfa_verify")  # replacing an app needs the current one first
    device = mfa_setup_start(user=user)
    form = MfaSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = mfa_setup_confirm(request=request, user=user, token=form.cleaned_data["token"])
        except ValidationError as exc:
            form.add_error("token", exc.message_dict["token"])
        else:
            return render(request, "accounts/mfa_recovery_codes.html", {"codes": codes})
    return render(
        request,
        "accounts/mfa_setup.html",
        {"form": form, "secret": _b32(device.bin_key), "qr_svg": _qr_svg(device.config_url)},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def mfa_recovery_codes_view(request):
    if not request.session.get("keel_mfa_device"):
        return redirect("accounts:mfa_verify")
    try:
        codes = mfa_recovery_codes_regenerate(user=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("accounts:sessions")
    return render(request, "accounts/mfa_recovery_codes.html", {"codes": codes})


def _b32(key: bytes) -> str:
    from base64 import b32encode

    raw = b32encode(key).decode()
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def _qr_svg(data: str) -> str:
    import io

    import segno

    out = io.BytesIO()
    segno.make(data, error="m").save(out, kind="svg", scale=4, xmldecl=False, svgns=True, title="Set-up QR code")
    return out.getvalue().decode()


# --- sessions -------------------------------------------------------------------------------------
@login_required
def sessions_view(request):
    user = request.user
    context = {
        "sessions": user_session_list(viewer=user),
        "current_id": request.session.get(SESSION_ROW_KEY),
        "mfa_required": mfa_required_for(user),
        "mfa_enrolled": mfa_enrolled(user) if user.is_vendor_staff else False,
        "recovery_left": mfa_recovery_codes_left(user) if user.is_vendor_staff else 0,
    }
    return render(request, "accounts/sessions.html", context)


@login_required
@require_POST
def session_end_view(request, pk: int):
    session = get_object_or_404(user_session_list(viewer=request.user), pk=pk)
    user_session_end(session=session, actor=request.user)
    if session.pk == request.session.get(SESSION_ROW_KEY):
        return redirect("accounts:login")
    messages.success(request, gettext("Signed out of %(host)s.") % {"host": session.host})
    return redirect("accounts:sessions")


# --- the tenant admin's sign-in settings ----------------------------------------------------------
@tenant_access_required(Access.CUSTOMER_ADMIN)
def sign_in_settings_view(request):
    tenant = _tenant_or_404(request)
    policy = sign_in_policy_get(tenant=tenant)
    form = SignInPolicyForm(request.POST or None, initial={"methods": policy.methods})
    if request.method == "POST" and form.is_valid():
        sign_in_policy_update(tenant=tenant, methods=form.cleaned_data["methods"], actor=request.user)
        messages.success(request, gettext("Sign-in settings saved."))
        return redirect("accounts:sign_in_settings")
    return render(
        request, "accounts/sign_in_settings.html", {"form": form, "tenant": tenant}, status=400 if form.errors else 200
    )


@tenant_access_required(Access.CUSTOMER_ADMIN)
@require_POST
def tenant_sign_out_all_view(request):
    tenant = _tenant_or_404(request)
    ended = tenant_sessions_end(
        tenant=tenant, actor=request.user, keep_session_key=request.session.session_key or "", reason="customer admin"
    )
    messages.success(
        request,
        ngettext(
            "Signed out %(ended)s session of %(name)s's people.",
            "Signed out %(ended)s sessions of %(name)s's people.",
            ended,
        )
        % {"ended": ended, "name": tenant.name},
    )
    return redirect("accounts:sign_in_settings")


# --- single sign-on (OpenID Connect) --------------------------------------------------------------
@require_POST
def sso_start_view(request):
    """Send the browser to the tenant's identity provider. POST with a CSRF token: a third-party
    page cannot start a sign-in in someone's browser."""
    tenant = _tenant_or_404(request)
    try:
        url = sso_begin(request=request, tenant=tenant, next_url=safe_next(request, request.POST.get("next")))
    except SsoError as exc:
        sign_in_failed_record(request, email="", method="sso", reason=exc.reason)
        return render(request, "accounts/sso_failed.html", {"reason": str(exc)}, status=400)
    return redirect(url)


def sso_callback_view(request):
    tenant = _tenant_or_404(request)
    if request.GET.get("error"):
        sign_in_failed_record(request, email="", method="sso", reason=f"provider: {request.GET['error'][:100]}")
        request.session.pop(SSO_FLOWS_KEY, None)
        return render(
            request, "accounts/sso_failed.html", {"reason": "Your identity provider did not sign you in."}, status=400
        )
    try:
        user, destination = sso_complete(
            request=request, tenant=tenant, state=request.GET.get("state", ""), code=request.GET.get("code", "")
        )
    except SsoError as exc:
        sign_in_failed_record(request, email="", method="sso", reason=exc.reason)
        return render(request, "accounts/sso_failed.html", {"reason": str(exc)}, status=400)
    user_sign_in(request, user, method="sso")
    return redirect(safe_next(request, destination))


@tenant_access_required(Access.CUSTOMER_ADMIN)
def sso_settings_view(request):
    tenant = _tenant_or_404(request)
    config = sso_config_get(tenant=tenant)
    initial = (
        {
            "enabled": config.enabled,
            "issuer": config.issuer,
            "client_id": config.client_id,
            "allowed_domains": config.allowed_domains.replace(",", ", "),
            "jit_provisioning": config.jit_provisioning,
            "default_role": config.default_role,
            "sso_required": config.sso_required,
        }
        if config
        else {"enabled": True, "default_role": MembershipRole.CUSTOMER_MEMBER}
    )
    form = SsoConfigForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            sso_config_update(tenant=tenant, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, gettext("Single sign-on settings saved."))
            return redirect("accounts:sso_settings")
    context = {
        "form": form,
        "tenant": tenant,
        "config": config,
        "redirect_uri": tenant.absolute_url(CALLBACK_PATH),
    }
    return render(request, "accounts/sso_settings.html", context, status=400 if form.errors else 200)
