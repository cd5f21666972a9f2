"""The customer's site on their own subdomain: home and team."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from portal.accounts.access import Access
from portal.accounts.decorators import tenant_access_required
from portal.accounts.forms import InviteForm, TenantLocaleForm
from portal.accounts.middleware import request_language
from portal.accounts.models import Invitation, Membership
from portal.accounts.services import invitation_create, invitation_revoke, membership_remove
from portal.tenancy.services import tenant_locale_update


@tenant_access_required(Access.MEMBER)
def home(request):
    tenant = request.tenant
    context = {
        "tenant": tenant,
        "member_count": Membership.objects.filter(tenant=tenant).count(),
        "my_membership": Membership.objects.filter(tenant=tenant, user=request.user).first(),
    }
    return render(request, "customer/home.html", context)


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
