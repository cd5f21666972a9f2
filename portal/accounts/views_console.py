"""Console pages about signing in: open a customer host without signing in again, staff MFA resets."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from .access import tenant_for_staff_or_404
from .decorators import staff_required
from .mfa import mfa_enrolled, mfa_reset
from .models import StaffRole, User
from .signin import handoff_create


@staff_required()
@require_POST
def tenant_open_view(request, slug: str):
    """Hand this console session off to the customer's host (a signed pass, single use, 60 s)."""
    tenant = tenant_for_staff_or_404(request.user, slug)
    try:
        token = handoff_create(request=request, tenant=tenant, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return redirect("console:tenant_detail", slug=tenant.slug)
    return redirect(tenant.absolute_url(f"/handoff/{token}/"))


@staff_required(admin_only=True)
def staff_list_view(request):
    staff = User.objects.exclude(staff_role=StaffRole.NONE).order_by("email")
    rows = [{"user": user, "enrolled": mfa_enrolled(user)} for user in staff]
    return render(request, "accounts/staff_list.html", {"rows": rows})


@staff_required(admin_only=True)
@require_POST
def staff_mfa_reset_view(request, pk: int):
    user = get_object_or_404(User.objects.exclude(staff_role=StaffRole.NONE), pk=pk)
    mfa_reset(user=user, actor=request.user)
    messages.success(
        request,
        gettext("%(email)s was signed out and sets up a new authenticator at next sign-in.") % {"email": user.email},
    )
    return redirect("accounts:staff_list")
