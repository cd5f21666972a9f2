"""The customer's site on their own subdomain: home and team."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from portal import fragments
from portal.accounts.access import Access
from portal.accounts.decorators import tenant_access_required
from portal.accounts.forms import InviteForm, TenantLocaleForm
from portal.accounts.middleware import request_language
from portal.accounts.models import Invitation, Membership, MembershipRole
from portal.accounts.services import invitation_create, invitation_revoke, membership_remove
from portal.tenancy.branding import DEFAULT_ACCENT, accent_soft
from portal.tenancy.services import tenant_brand_set, tenant_locale_update, tenant_logo_set

from .forms import BrandingForm, LogoForm


@tenant_access_required(Access.MEMBER)
def home(request):
    tenant = request.tenant
    # Other apps' cards (onboarding progress, the latest review), named in settings: the core imports neither.
    panels = (import_string(path)(request) for path in settings.KEEL_CUSTOMER_HOME_PANELS)
    member_count, my_role, names_version = _home_facts(tenant, request.user)
    # The CSM card shows the CSM's name and e-mail only: kept under the CSM, the users' names'
    # version (moved by any change to a name or an e-mail) and the language.
    csm_card = fragments.cached_fragment(
        "home-csm",
        (tenant.pk, tenant.csm_id, names_version, translation.get_language()),
        lambda: render_to_string("customer/_home_csm.html", {"tenant": tenant}),
    )
    context = {
        "tenant": tenant,
        "home_panels": [panel for panel in panels if panel],
        "member_count": member_count,
        "my_role": MembershipRole(my_role).label if my_role else None,
        "csm_card": fragments.with_csrf(csm_card, request),
    }
    return render(request, "customer/home.html", context)


def _home_facts(tenant, user) -> tuple[int, str | None, int]:
    """Return the tenant's member count, the viewer's role there (None for staff without a
    membership) and the users' names' version (accounts migration 0006), in one query."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM accounts_membership WHERE tenant_id = %s),"
            " (SELECT role FROM accounts_membership WHERE tenant_id = %s AND user_id = %s),"
            " (SELECT version FROM public.keel_user_names_version WHERE id = 1)",
            [tenant.pk, tenant.pk, user.pk],
        )
        member_count, role, names_version = cursor.fetchone()
    return member_count, role, names_version


@tenant_access_required(Access.MEMBER)
def baseline(request):
    """The customer layout and navigation with no content: what every signed-in page costs at least.

    It passes the same middleware, session, user, membership and suspension checks as any page
    (it is no probe: anonymous visitors are sent to log in, outsiders get 404), and renders the
    shared layout only. ``bench/load.py`` measures every hot page against it in the same run.
    """
    return render(request, "customer/baseline.html")


@tenant_access_required(Access.MEMBER)
def team(request):
    tenant = request.tenant
    can_manage = request.tenant_access >= Access.CUSTOMER_ADMIN
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied(gettext("Only customer admins may invite teammates."))
        if form.is_valid():
            try:
                invitation_create(tenant=tenant, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(
                    request, gettext("Invitation sent to %(value)s.") % {"value": form.cleaned_data["email"]}
                )
                return redirect("customer:team")
    context = {
        "tenant": tenant,
        "memberships": Membership.objects.filter(tenant=tenant).select_related("user"),
        "invitations": Invitation.objects.filter(tenant=tenant).pending().select_related("invited_by")
        if can_manage
        else [],
        "form": form,
        "can_manage": can_manage,
    }
    return render(request, "customer/team.html", context, status=400 if form.errors else 200)


@require_POST
@tenant_access_required(Access.CUSTOMER_ADMIN)
def membership_remove_view(request, pk: int):
    membership = get_object_or_404(Membership.objects.select_related("user", "tenant"), pk=pk, tenant=request.tenant)
    try:
        membership_remove(membership=membership, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, gettext("%(email)s no longer has access.") % {"email": membership.user.email})
    return redirect("customer:team")


@require_POST
@tenant_access_required(Access.CUSTOMER_ADMIN)
def invitation_revoke_view(request, pk: int):
    invitation = get_object_or_404(Invitation, pk=pk, tenant=request.tenant)
    invitation_revoke(invitation=invitation, actor=request.user)
    messages.success(request, gettext("Invitation for %(email)s revoked.") % {"email": invitation.email})
    return redirect("customer:team")


@tenant_access_required(Access.CUSTOMER_ADMIN)
def tenant_settings(request):
    """The organisation's default language and time zone, set by its admin."""
    tenant = request.tenant
    form = TenantLocaleForm(request.POST or None, initial={"language": tenant.language, "time_zone": tenant.time_zone})
    if request.method == "POST" and form.is_valid():
        try:
            tenant_locale_update(tenant=tenant, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            with translation.override(request_language(request)):
                messages.success(request, gettext("The organisation's language and time zone are saved."))
            return redirect("customer:settings")
    return render(
        request, "customer/settings.html", {"form": form, "tenant": tenant}, status=400 if form.errors else 200
    )


@tenant_access_required(Access.CUSTOMER_ADMIN)
def branding(request):
    """The customer admin's accent colour and logo for the portal and the QBR outputs."""
    tenant = request.tenant
    posted = request.POST.get("form", "accent") if request.method == "POST" else None
    form = BrandingForm(
        request.POST if posted == "accent" else None, initial={"accent": tenant.brand_accent or DEFAULT_ACCENT}
    )
    logo_form = LogoForm(request.POST if posted == "logo" else None, request.FILES if posted == "logo" else None)
    if posted == "accent" and form.is_valid():
        accent = "" if form.cleaned_data["reset"] else form.cleaned_data["accent"]
        try:
            tenant_brand_set(tenant=tenant, actor=request.user, accent=accent)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, gettext("Branding saved.") if accent else gettext("Keel's colours restored."))
            return redirect("customer:branding")
    if posted == "logo" and logo_form.is_valid():
        upload = None if logo_form.cleaned_data["remove"] else logo_form.cleaned_data["logo"]
        if upload is None and not logo_form.cleaned_data["remove"]:
            logo_form.add_error("logo", gettext("Choose a file, or tick “Remove the logo”."))
        else:
            try:
                tenant_logo_set(tenant=tenant, actor=request.user, upload=upload)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    logo_form.add_error(field if field in logo_form.fields else None, errors)
            else:
                messages.success(request, gettext("Logo saved.") if upload else gettext("Logo removed."))
                return redirect("customer:branding")
    context = {"tenant": tenant, "form": form, "logo_form": logo_form, "default_accent": DEFAULT_ACCENT}
    return render(request, "customer/branding.html", context, status=400 if form.errors or logo_form.errors else 200)


@tenant_access_required(Access.MEMBER)
def branding_logo(request):
    """The tenant's logo (a PNG Keel re-encoded), for the portal's side navigation."""
    if not request.tenant.brand_logo:
        raise Http404(gettext("No logo."))
    with request.tenant.brand_logo.open("rb") as logo:
        response = HttpResponse(logo.read(), content_type="image/png")
    response["Cache-Control"] = "private, max-age=3600"
    return response


@tenant_access_required(Access.MEMBER)
def branding_css(request):
    """The tenant's accent as CSS custom properties (a stylesheet: the CSP allows no inline styles)."""
    accent = request.tenant.brand_accent or DEFAULT_ACCENT
    css = f":root {{ --accent: {accent}; --accent-soft: {accent_soft(accent)}; }}\n"
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "private, max-age=3600"
    return response
