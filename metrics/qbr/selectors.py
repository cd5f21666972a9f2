"""Reads of QBRs: who sees which, and the figures a page shows."""

from collections.abc import Iterable
from datetime import date, datetime, tzinfo
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from metrics.charts import Line, line_chart
from portal.accounts.access import Access
from portal.kb.rendering import markdown_render
from portal.tenancy.clock import tenant_zone
from portal.tenancy.models import Tenant

from .figures import report_figures
from .models import Report, ReportStatus
from .services import NARRATIVE_FIELDS


def report_list(*, access: Access) -> QuerySet[Report]:
    """Customers see published QBRs only; vendor staff see drafts too."""
    qs = Report.objects.all()
    return qs if access >= Access.CSM else qs.filter(status=ReportStatus.PUBLISHED)


def report_content_get(report: Report) -> dict[str, Any]:
    """Return the figures, charts and narrative HTML: frozen when published, live for a draft.

    Charts are drawn from the figures alone, so a published report's charts are frozen too.
    """
    if report.is_published:
        snapshot = report.snapshot  # a published report has its snapshot
        figures, narrative = snapshot["figures"], snapshot["narrative_html"]  # type: ignore[index]
    else:
        figures = report_figures(period_start=report.period_start, period_end=report.period_end)
        narrative = {field: markdown_render(getattr(report, field)) for field in NARRATIVE_FIELDS}
    return {"figures": figures, "narrative_html": narrative, "charts": _charts(figures)}


def _series(pairs: Iterable[tuple[str, float | None]]) -> list[tuple[date, float | None]]:
    return [(date.fromisoformat(day), value) for day, value in pairs]


def _charts(figures: dict[str, Any]) -> dict[str, Line]:
    charts: dict[str, Line] = {}
    health = figures.get("health") or {}
    bands = health.get("bands") or settings.KEEL_HEALTH["bands"]  # reports made before scorecards
    if health.get("available"):
        charts["health"] = line_chart(
            _series(health["series"]),
            title=gettext("Health score"),
            top=100,
            guides=(
                (bands["green"], "guide-green", gettext("green from %(score)s") % {"score": bands["green"]}),
                (bands["yellow"], "guide-red", gettext("red below %(score)s") % {"score": bands["yellow"]}),
            ),
        )
    usage = figures.get("usage") or {}
    if usage.get("series"):
        charts["usage"] = line_chart(_series(usage["series"]), title=gettext("Daily active users"))
    return charts


def qbr_due_date_get(tenant: Tenant, today: date | None = None) -> date:
    """Return when the tenant's next QBR is due under its tier's cadence."""
    return qbr_due_date_for(
        tier=tenant.tier,
        last_published_at=tenant.last_qbr_published_at,
        contract_start=tenant.contract_start,
        created_at=tenant.created_at,
        zone=tenant_zone(tenant),
    )


def qbr_due_date_for(
    *,
    tier: str,
    last_published_at: datetime | None,
    contract_start: date | None,
    created_at: datetime,
    zone: tzinfo | None = None,
) -> date:
    """Return the QBR due date from a tenant's fields (for set-based reads that skip model instances).

    Days are the tenant's (``zone``, its time zone; the current zone when not given).
    """
    months = settings.KEEL_QBR_CADENCE_MONTHS.get(tier, 12)
    if last_published_at:
        anchor = timezone.localdate(last_published_at, zone)
    else:
        anchor = contract_start or timezone.localdate(created_at, zone)
    due: date = anchor + relativedelta(months=months)  # relativedelta is untyped
    return due


def qbr_schedule_list(tenants: Iterable[Tenant], today: date | None = None) -> list[dict[str, Any]]:
    """Return each tenant with its QBR due date and state (overdue / due soon / scheduled)."""
    today = today or timezone.localdate()
    rows = []
    for tenant in tenants:
        due = qbr_due_date_get(tenant)
        state = "overdue" if due < today else "due soon" if (due - today).days <= 30 else "scheduled"
        days = (due - today).days
        rows.append({"tenant": tenant, "due": due, "state": state, "days": days, "days_late": -days})
    return sorted(rows, key=lambda r: r["due"])
