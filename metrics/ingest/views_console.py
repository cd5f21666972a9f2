"""Console pages for a tenant's API keys."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from portal.accounts.access import tenant_for_staff_or_404
from portal.accounts.decorators import staff_required

from .forms import ApiKeyForm
from .services import api_key_create, api_key_revoke


@staff_required()
def api_keys(request, slug: str):
    tenant = tenant_for_staff_or_404(request.user, slug)
    form = ApiKeyForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        created = api_key_create(tenant=tenant, name=form.cleaned_data["name"], actor=request.user)
        form = ApiKeyForm()
    context = {"tenant": tenant, "form": form, "created": created, "keys": tenant.api_keys.select_related("created_by")}
    # The raw key is shown in this response only (never stored, never put in the session).
    status = 201 if created else (400 if form.errors else 200)
    return render(request, "ingest/api_keys.html", context, status=status)


@staff_required()
@require_POST
def api_key_revoke_view(request, slug: str, pk: int):
    tenant = tenant_for_staff_or_404(request.user, slug)
    key = get_object_or_404(tenant.api_keys, pk=pk)
    api_key_revoke(key=key, actor=request.user)
    messages.success(
        request,
        gettext("Key %(name)s (%(prefix)s…) is revoked; requests with it are refused.")
        % {"name": key.name, "prefix": key.prefix},
    )
    return redirect("ingest_console:api_keys", slug=tenant.slug)
