"""Console pages on public tables: the CSM portfolio and each tenant's API keys."""

from django.shortcuts import render
from django.urls import reverse

from portal.accounts.decorators import staff_required
from portal.db_routers import replica_reads

from .forms import PortfolioFilterForm
from .selectors import churn_get, green_share_get, portfolio_row_list

# The per-tenant health page is served by the metrics app; the portfolio links to it by name.
HEALTH_URL_NAME = "metrics_console:tenant_health"


@staff_required()
@replica_reads  # a report: health snapshots change nightly and on "recompute"
def portfolio(request):
    form = PortfolioFilterForm(request.GET)
    valid = form.is_valid()
    if valid:
        filters = form.cleaned_data
    else:  # show the defaults next to the errors rather than nothing
        defaults = PortfolioFilterForm({})
        defaults.is_valid()
        filters = defaults.cleaned_data
    rows = portfolio_row_list(
        viewer=request.user,
        tier=filters["tier"],
        band=filters["band"],
        mine=filters["mine"],
        sort=filters["sort"] or "score",
    )
    green, scored, green_pct = green_share_get(rows)
    # One reverse for the page, not one per row.
    prefix = reverse(HEALTH_URL_NAME, kwargs={"slug": "SLUG"}).split("SLUG")[0]
    context = {
        "form": form,
        "rows": rows,
        "health_url_prefix": prefix,
        "green": green,
        "scored": scored,
        "green_pct": green_pct,
        "churn": churn_get(viewer=request.user, start=filters["churn_from"], end=filters["churn_to"]),
    }
    return render(request, "health/portfolio.html", context, status=200 if valid else 400)
