"""The vendor console on the public domain: tenant list, provisioning, lifecycle."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from portal.accounts.access import tenant_for_staff_or_404, tenants_visible_to
from portal.accounts.decorators import staff_required
from portal.accounts.forms import InviteForm
from portal.accounts.models import Membership
from portal.accounts.services import invitation_create
from portal.http import csp_allow_form_action
from portal.tenancy.exports import tenant_export
from portal.tenancy.models import LifecycleStage, Tier
from portal.tenancy.services import tenant_delete, tenant_provision, tenant_recent_export, tenant_resume, tenant_suspend

from .forms import TenantCreateForm, TenantDeleteForm, TenantSuspendForm


def root(request):
    """Send staff to the console and customers to their tenant(s)."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if request.user.is_vendor_staff:
        return redirect(settings.KEEL_CONSOLE_HOME)
    memberships = Membership.objects.filter(user=request.user).select_related("tenant")
    return render(request, "console/your_accounts.html", {"memberships": memberships})


@staff_required()
def tenant_list(request):
    tenants = tenants_visible_to(request.user).select_related("csm")
    tier = request.GET.get("tier", "")
    stage = request.GET.get("stage", "")
    if tier in Tier.values:
        tenants = tenants.filter(tier=tier)
    if stage in LifecycleStage.values:
        tenants = tenants.filter(lifecycle_stage=stage)
    if request.GET.get("mine") == "1":
        tenants = tenants.filter(csm=request.user)
    sort = request.GET.get("sort", "name")
    if sort.lstrip("-") in {"name", "tier", "renewal_date", "lifecycle_stage", "arr"}:
        tenants = tenants.order_by(sort, "name")
    context = {
        "tenants": tenants,
        "tiers": Tier.choices,
        "stages": LifecycleStage.choices,
        "filters": {"tier": tier, "stage": stage, "mine": request.GET.get("mine") == "1", "sort": sort},
    }
    return render(request, "console/tenant_list.html", context)


@staff_required(admin_only=True)
def tenant_create(request):
    form = TenantCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = tenant_provision(actor=request.user, **{**data, "tier": data["tier"] or None})
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                gettext("%(name)s is ready (%(seconds)s s).")
                % {"name": result.tenant.name, "seconds": format(result.seconds, ".2f")},
            )
            if result.invitation_token:
                request.session["keel_last_invite_link"] = result.tenant.absolute_url(
                    f"/invite/{result.invitation_token}/"
                )
            return redirect("console:tenant_detail", slug=result.tenant.slug)
    return render(request, "console/tenant_create.html", {"form": form}, status=400 if form.errors else 200)


@staff_required()
def tenant_detail(request, slug: str):
    tenant = tenant_for_staff_or_404(request.user, slug)
    context = {
        "tenant": tenant,
        "memberships": Membership.objects.filter(tenant=tenant).select_related("user"),
        "invitations": tenant.invitations.pending(),
        "exports": tenant.exports.all()[:10],
        "recent_export": tenant_recent_export(tenant),
        "invite_form": InviteForm(),
        "suspend_form": TenantSuspendForm(),
        "delete_form": TenantDeleteForm(),
        "invite_link": request.session.pop("keel_last_invite_link", None),
        "domains": tenant.domains.all(),
    }
    # "Open the customer's site" posts here and is redirected to the customer's host.
    return csp_allow_form_action(render(request, "console/tenant_detail.html", context), tenant.absolute_url())


@staff_required()
@require_POST
def tenant_invite(request, slug: str):
    tenant = tenant_for_staff_or_404(request.user, slug)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            _, token = invitation_create(tenant=tenant, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            request.session["keel_last_invite_link"] = tenant.absolute_url(f"/invite/{token}/")
            messages.success(request, gettext("Invitation sent to %(value)s.") % {"value": form.cleaned_data["email"]})
    else:
        messages.error(request, gettext("Enter a valid e-mail address and role."))
    return redirect("console:tenant_detail", slug=tenant.slug)


@staff_required(admin_only=True)
@require_POST
def tenant_suspend_view(request, slug: str):
    tenant = tenant_for_staff_or_404(request.user, slug)
    form = TenantSuspendForm(request.POST)
    if form.is_valid():
        tenant_suspend(tenant=tenant, actor=request.user, reason=form.cleaned_data["reason"])
        messages.success(
            request, gettext("%(name)s is suspended: read-only, no customer logins.") % {"name": tenant.name}
        )
    else:
        messages.error(request, gettext("Say why the tenant is suspended."))
    return redirect("console:tenant_detail", slug=tenant.slug)


@staff_required(admin_only=True)
@require_POST
def tenant_resume_view(request, slug: str):
    tenant = tenant_resume(tenant=tenant_for_staff_or_404(request.user, slug), actor=request.user)
    messages.success(request, gettext("%(name)s is active again.") % {"name": tenant.name})
    return redirect("console:tenant_detail", slug=tenant.slug)


@staff_required(admin_only=True)
@require_POST
def tenant_export_view(request, slug: str):
    tenant = tenant_for_staff_or_404(request.user, slug)
    export = tenant_export(tenant=tenant, actor=request.user)
    messages.success(
        request,
        gettext("Export written: %(row_count)s rows, %(size_bytes)s bytes.")
        % {"row_count": export.row_count, "size_bytes": format(export.size_bytes, ",")},
    )
    return redirect("console:tenant_detail", slug=tenant.slug)


@staff_required(admin_only=True)
def tenant_export_download(request, slug: str, pk: int):
    tenant = tenant_for_staff_or_404(request.user, slug)
    export = get_object_or_404(tenant.exports, pk=pk)
    path = settings.KEEL_EXPORT_ROOT / export.path
    if not path.is_file():
        raise Http404("The archive file is no longer on disk.")
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


@staff_required(admin_only=True)
@require_POST
def tenant_delete_view(request, slug: str):
    tenant = tenant_for_staff_or_404(request.user, slug)
    form = TenantDeleteForm(request.POST)
    confirm = form.data.get("confirm", "")
    try:
        tenant_delete(tenant=tenant, actor=request.user, confirm=confirm)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("console:tenant_detail", slug=slug)
    messages.success(request, gettext("%(slug)s was deleted. Its export remains in the archive.") % {"slug": slug})
    return redirect("console:tenant_list")
