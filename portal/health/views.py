"""Console pages on public tables: the CSM portfolio and each tenant's API keys."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from portal.accounts.decorators import staff_required
from portal.tenancy.models import Tenant

from .forms import ApiKeyForm, PortfolioFilterForm
from .rendering import portfolio_rows_html
from .selectors import churn_for_period, green_share, portfolio_rows
from .services import api_key_create, api_key_revoke

# The per-tenant health page is served by the metrics app; the portfolio links to it by name.
HEALTH_URL_NAME = "metrics_console:tenant_health"


def _visible_tenant(request, slug: str) -> Tenant:
    return get_object_or_404(Tenant.objects.visible_to(request.user), slug=slug)


@staff_required()
def portfolio(request):
    form = PortfolioFilterForm(request.GET)
    valid = form.is_valid()
    if valid:
        filters = form.cleaned_data
    else:  # show the defaults next to the errors rather than nothing
        defaults = PortfolioFilterForm({})
        defaults.is_valid()
        filters = defaults.cleaned_data
    rows = portfolio_rows(
        user=request.user,
        tier=filters["tier"],
        band=filters["band"],
        mine=filters["mine"],
        sort=filters["sort"] or "score",
    )
    green, scored, green_pct = green_share(rows)
    # One reverse for the page, not one per row.
    prefix = reverse(HEALTH_URL_NAME, kwargs={"slug": "SLUG"}).split("SLUG")[0]
    context = {
        "form": form,
        "rows": rows,
        "rows_html": portfolio_rows_html(rows, health_url_prefix=prefix),
        "green": green,
        "scored": scored,
        "green_pct": green_pct,
        "churn": churn_for_period(user=request.user, start=filters["churn_from"], end=filters["churn_to"]),
    }
    return render(request, "health/portfolio.html", context, status=200 if valid else 400)


@staff_required()
def api_keys(request, slug: str):
    tenant = _visible_tenant(request, slug)
    form = ApiKeyForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        created = api_key_create(tenant=tenant, name=form.cleaned_data["name"], actor=request.user)
        form = ApiKeyForm()
    context = {"tenant": tenant, "form": form, "created": created, "keys": tenant.api_keys.select_related("created_by")}
    # The raw key is shown in this response only (never stored, never put in the session).
    status = 201 if created else (400 if form.errors else 200)
    return render(request, "health/api_keys.html", context, status=status)


@staff_required()
@require_POST
def api_key_revoke_view(request, slug: str, pk: int):
    tenant = _visible_tenant(request, slug)
    key = get_object_or_404(tenant.api_keys, pk=pk)
    api_key_revoke(key=key, actor=request.user)
    messages.success(request, f"Key {key.name} ({key.prefix}…) is revoked; requests with it are refused.")
    return redirect("health:api_keys", slug=tenant.slug)
