"""Console pages on public tables: the portfolio, the KPI board, the health scorecard, its predictiveness."""

import hashlib
import json
from collections.abc import Hashable
from datetime import date

from defusedcsv import csv  # cells a spreadsheet would run as formulas are quoted
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from metrics.retention.forms import PeriodForm
from metrics.retention.selectors import account_list, retention_period_get
from metrics.versions import customer_versions, ledger_version
from portal import fragments
from portal.accounts.decorators import staff_required
from portal.db_routers import replica_reads
from portal.tenancy.models import Tier

from .forms import PortfolioFilterForm, PredictiveForm, ScorecardNoteForm, ScorecardTierForm
from .kpis import DEFINITIONS, kpi_board_get
from .predictive import MIN_CHURNS
from .selectors import (
    green_share_get,
    portfolio_row_list,
    score_predictiveness_get,
    scorecard_list,
    scorecard_preview_get,
    scorecard_rules_list,
)
from .services import scorecard_publish

# The per-tenant health page is served by the metrics app; the portfolio links to it by name.
HEALTH_URL_NAME = "metrics_console:tenant_health"


@staff_required()
@replica_reads  # a report: health snapshots change nightly and on "recompute"
def portfolio(request):
    form = PortfolioFilterForm(request.GET)
    valid = form.is_valid()
    body = fragments.cached_fragment(
        "health.portfolio", _portfolio_parts(request), lambda: _portfolio_body(request, form)
    )
    # A template's output, safe as rendered.
    return render(request, "health/portfolio.html", {"body": mark_safe(body)}, status=200 if valid else 400)  # noqa: S308


def _portfolio_parts(request) -> tuple[Hashable, ...]:
    """Every input of the portfolio's content, read (from the replica, like the data) before the data.

    The viewer (what they see: their customers, the "my accounts" box), the whole query string
    (filters, sort, the churn period and any error they cause), the language, zone and today
    (dates, the default churn period), every customer the viewer sees with its account version
    (its row, CSM, snapshot), the people's names' version (CSM names) and the ledger's (churn).
    """
    user = request.user
    return (
        user.pk,
        user.staff_role,
        user.is_keel_admin,
        tuple(sorted(request.GET.lists())),
        *fragments.viewer_parts(),
        *customer_versions(user),
        *ledger_version(),
    )


def _portfolio_body(request, form: PortfolioFilterForm) -> str:
    if form.is_valid():
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
    return render_to_string("health/_portfolio_body.html", context, request=request)


@staff_required()
@replica_reads  # a report over the ledger and the snapshots
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
@replica_reads  # a report over the ledger and the score history
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


def _fingerprint(forms_by_tier: dict[str, ScorecardTierForm]) -> str:
    values = {tier: form.cleaned_data for tier, form in forms_by_tier.items()}
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()[:16]


@staff_required(admin_only=True)
def scorecard(request):
    """The health scorecard: per tier weights, targets and bands; preview the band changes, then save."""
    versions = scorecard_rules_list()
    current_version = max((v for v in versions if v is not None), default=None)
    current = versions[current_version]
    data = request.POST if request.method == "POST" else None
    tier_forms = {
        tier: ScorecardTierForm(data, prefix=tier, initial=ScorecardTierForm.initial_from(current[tier]))
        for tier in Tier.values
    }
    note_form = ScorecardNoteForm(data)
    preview = None
    status = 200
    if data is not None:
        valid = all(form.is_valid() for form in tier_forms.values()) and note_form.is_valid()
        if valid:
            proposed = {tier: form.rules() for tier, form in tier_forms.items()}
            fingerprint = _fingerprint(tier_forms)
            note = note_form.cleaned_data["note"].strip()
            saving = "save" in data
            if saving and note_form.cleaned_data["previewed"] != fingerprint:
                messages.warning(
                    request, gettext("The values changed after the preview: check this preview, then save.")
                )
            elif saving and note:
                card = scorecard_publish(rules=proposed, note=note, actor=request.user)
                messages.success(
                    request,
                    gettext("Scorecard version %(version)s saved; scores use it from the next run.")
                    % {"version": card.version},
                )
                return redirect("health:scorecard")
            preview = scorecard_preview_get(viewer=request.user, proposed=proposed)
            # The preview shown is of these values: a save from here saves them.
            note_form = ScorecardNoteForm({"note": note, "previewed": fingerprint})
            note_form.is_valid()
            if saving and not note and note_form.cleaned_data["previewed"] == data.get("previewed"):
                note_form.add_error("note", gettext("Say why the scorecard changes: it is kept with the version."))
                status = 400
        else:
            status = 400
    # One row per rule, one column per tier, so the tiers read side by side.
    first = next(iter(tier_forms.values()))
    grid = [
        (first[name].label, first[name].help_text, [(Tier(t).label, form[name]) for t, form in tier_forms.items()])
        for name in first.fields
    ]
    context = {
        "tier_forms": [(Tier(tier).label, form) for tier, form in tier_forms.items()],
        "grid": grid,
        "note_form": note_form,
        "preview": preview,
        "current_version": current_version,
        "versions": scorecard_list(),
    }
    return render(request, "health/scorecard.html", context, status=status)
