"""Console pages about one tenant's metrics: health explained, feature catalog, CSV import.

Each page enters that one tenant's schema for its reads; cross-tenant pages never do.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST
from django_tenants.utils import tenant_context

from metrics.portfolio.models import HealthSnapshot
from metrics.portfolio.selectors import scorecard_rules_get
from onboarding import selectors as onboarding
from portal.accounts.access import tenant_for_staff_or_404
from portal.accounts.decorators import staff_required

from . import kpi, selectors
from .charts import line_chart
from .forms import CsvImportForm, FeatureForm
from .models import Feature
from .services.health import health_recompute_request
from .services.imports import csv_import
from .services.records import feature_create, feature_update


def _charts(history, active, bands) -> tuple:
    scores = {h.day: h.score for h in history}
    score = line_chart(
        [(day, scores.get(day)) for day, _ in active],  # the same 90 days; gaps where unscored
        title=gettext("Health score"),
        top=100,
        guides=(
            (bands["green"], "guide-green", gettext("green from %(score)s") % {"score": bands["green"]}),
            (bands["yellow"], "guide-red", gettext("red below %(score)s") % {"score": bands["yellow"]}),
        ),
    )
    users = line_chart(active, title=gettext("Daily active users"))
    return score, users


@staff_required()
def tenant_health(request, slug: str):
    tenant = tenant_for_staff_or_404(request.user, slug)
    # Windows end with the tenant's last complete day: today's data is still arriving (docs/kpis.md).
    today = selectors.last_complete_day(tenant)
    with tenant_context(tenant):
        history = selectors.health_score_list(day=today)
        active_series = selectors.daily_active_user_list(day=today)
        active_users, adoption = selectors.feature_adoption_list(day=today)
        context: dict[str, Any] = {
            "usage_trend": selectors.usage_trend_get(day=today),
            "tickets": selectors.ticket_facts_get(day=today),
            "nps": selectors.nps_summary_get(day=today),
            "progress": onboarding.checklist_progress_get(),
            "ttv_days": kpi.ttv_days(selectors.time_to_value_get(tenant=tenant)),
        }
    # The bands and weights of the scorecard version the latest score used (the current one without a score).
    rules = scorecard_rules_get(tier=tenant.tier, version=history[-1].scorecard_version if history else None)
    score_chart, users_chart = _charts(history, active_series, rules.bands)
    context.update(
        tenant=tenant,
        latest=history[-1] if history else None,
        snapshot=HealthSnapshot.objects.filter(tenant=tenant).first(),
        adoption=adoption,
        active_users=active_users,
        window_days=settings.KEEL_HEALTH["window_days"],
        score_chart=score_chart,
        users_chart=users_chart,
        weights=rules.weights,
        scorecard_version=rules.version,
    )
    return render(request, "metrics/tenant_health.html", context)


@staff_required()
@require_POST
def tenant_health_recompute(request, slug: str):
    tenant = tenant_for_staff_or_404(request.user, slug)
    health_recompute_request(tenant=tenant, actor=request.user)
    messages.success(
        request, gettext("A fresh health score for %(name)s is on its way; reload in a moment.") % {"name": tenant.name}
    )
    return redirect("metrics_console:tenant_health", slug=tenant.slug)


@staff_required()
def features(request, slug: str):
    tenant = tenant_for_staff_or_404(request.user, slug)
    with tenant_context(tenant):
        form = FeatureForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                feature = feature_create(tenant=tenant, actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, gettext("%(key)s is in the catalog.") % {"key": feature.key})
                return redirect("metrics_console:features", slug=tenant.slug)
        catalog = list(Feature.objects.all())
    context = {"tenant": tenant, "form": form, "features": catalog}
    return render(request, "metrics/features.html", context, status=400 if form.errors else 200)


@staff_required()
@require_POST
def feature_core_toggle(request, slug: str, pk: int):
    tenant = tenant_for_staff_or_404(request.user, slug)
    with tenant_context(tenant):
        feature = get_object_or_404(Feature, pk=pk)
        feature_update(tenant=tenant, feature=feature, is_core=not feature.is_core, actor=request.user)
    if feature.is_core:
        messages.success(request, gettext("%(key)s is now a core feature.") % {"key": feature.key})
    else:
        messages.success(request, gettext("%(key)s is no longer a core feature.") % {"key": feature.key})
    return redirect("metrics_console:features", slug=tenant.slug)


@staff_required()
def csv_upload(request, slug: str):
    tenant = tenant_for_staff_or_404(request.user, slug)
    form = CsvImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        try:
            with tenant_context(tenant):
                result = csv_import(
                    tenant=tenant,
                    kind=form.cleaned_data["kind"],
                    data=form.cleaned_data["file"],
                    actor=request.user,
                )
        except ValidationError as exc:
            form.add_error("file", exc.messages)
    status = 400 if form.errors or (result and result.http_status == 400) else 200
    return render(request, "metrics/import.html", {"tenant": tenant, "form": form, "result": result}, status=status)
