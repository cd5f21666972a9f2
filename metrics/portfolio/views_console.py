"""Console pages on public tables: the CSM portfolio, the leadership KPI board and whether the score predicts churn."""

from datetime import date

from defusedcsv import csv  # cells a spreadsheet would run as formulas are quoted
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from metrics.retention.forms import PeriodForm
from metrics.retention.selectors import account_list, retention_period_get
from portal.accounts.decorators import staff_required

from .forms import PortfolioFilterForm, PredictiveForm
from .kpis import DEFINITIONS, kpi_board_get
from .predictive import MIN_CHURNS
from .selectors import green_share_get, portfolio_row_list, score_predictiveness_get

# The per-tenant health page is served by the metrics app; the portfolio links to it by name.
HEALTH_URL_NAME = "metrics_console:tenant_health"


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
    rows = portfolio_row_list(
        viewer=request.user,
        tier=filters["tier"],
        band=filters["band"],
        mine=filters["mine"],
        sort=filters["sort"] or "score",
    )
    # % green describes the portfolio, not the filtered view: ?band=green must not make it 100 %.
    unfiltered = (
        rows
        if not (filters["band"] or filters["tier"])
        else portfolio_row_list(viewer=request.user, mine=filters["mine"])
    )
    green, scored, green_pct = green_share_get(unfiltered)
    # One reverse for the page, not one per row.
    prefix = reverse(HEALTH_URL_NAME, kwargs={"slug": "SLUG"}).split("SLUG")[0]
    context = {
        "form": form,
        "rows": rows,
        "health_url_prefix": prefix,
        "green": green,
        "scored": scored,
        "green_pct": green_pct,
        "churn": retention_period_get(viewer=request.user, start=filters["churn_from"], end=filters["churn_to"]),
    }
    return render(request, "health/portfolio.html", context, status=200 if valid else 400)


@staff_required()
def kpis(request):
    """Seed 002's KPI table for leadership: definitions, targets, four quarters, drill-down, CSV."""
    form = PeriodForm(request.GET)
    start, end = form.period()
    board = kpi_board_get(viewer=request.user, start=start, end=end, today=timezone.localdate())
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="kpis-{start}-{end}.csv"'
        writer = csv.writer(response)
        quarters = [q.label for q in board.quarters]
        writer.writerow(
            ["kpi", "label", "period_start", "period_end", "value", "target", "status", "detail", *quarters]
        )
        for row in board.rows:
            shown = dict((q, s) for q, _, s in row.quarters)
            writer.writerow(
                [row.key, row.label, start, end, row.value, row.target, row.status, row.detail]
                + [shown.get(q, "") for q in quarters]
            )
        return response
    drill = request.GET.get("kpi", "")
    context = {
        "form": form,
        "board": board,
        "drill": drill if drill in DEFINITIONS else "",
        "here": "kpis",
        "health_url_prefix": reverse(HEALTH_URL_NAME, kwargs={"slug": "SLUG"}).split("SLUG")[0],
    }
    return render(request, "health/kpis.html", context, status=200 if form.is_valid() else 400)


@staff_required()
def predictive(request):
    """Is the health score predictive? Churn per starting band and the AUC of the score N days before."""
    form = PredictiveForm(request.GET)
    start, end = form.period()
    report = score_predictiveness_get(viewer=request.user, start=start, end=end, lead_days=form.lead())
    names = account_list(viewer=request.user).filter(pk__in=report.accounts).order_by("name")
    # The lost first, in the order they left; then the kept by name.
    customers = sorted(
        ((account, *report.accounts[account.pk]) for account in names),
        key=lambda row: (row[1] is None, row[1] or date.min),
    )
    context = {"form": form, "report": report, "customers": customers, "min_churns": MIN_CHURNS}
    return render(request, "health/predictive.html", context, status=200 if form.is_valid() else 400)
