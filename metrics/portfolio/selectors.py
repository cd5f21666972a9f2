"""Cross-tenant reads for the console. Public tables only: a constant number of queries."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Coalesce, TruncDate

from metrics.kpi import churn_rate, share_percent
from portal.accounts.access import tenants_visible_to
from portal.accounts.models import User
from portal.tenancy.models import LifecycleStage, Tier

from .models import Band, ChurnEvent

# A weekly change smaller than this is shown as steady.
STEADY_POINTS = 3
SORTS = {
    "score": "Score (lowest first)",
    "-score": "Score (highest first)",
    "change": "Change (biggest drop first)",
    "name": "Name",
    "renewal_date": "Renewal date",
    "tier": "Tier",
}
_FIELDS = (
    "slug",
    "name",
    "tier",
    "renewal_date",
    "lifecycle_stage",
    "csm__full_name",
    "csm__email",
    "health_snapshot__score",
    "health_snapshot__band",
    "health_snapshot__score_week_ago",
    "health_snapshot__ttv_days",
    "health_snapshot__nps",
    "health_snapshot__day",
)


@dataclass(frozen=True, slots=True)
class PortfolioRow:
    slug: str
    name: str
    tier: str
    renewal_date: date | None
    churned: bool
    csm: str
    score: int | None
    band: str
    change: int | None
    ttv_days: float | None
    nps: int | None
    scored_on: date | None

    @property
    def tier_label(self) -> str:
        return str(Tier(self.tier).label) if self.tier in Tier.values else self.tier

    @property
    def trend_arrow(self) -> str:
        return {"up": "↑", "down": "↓", "steady": "→"}.get(self.trend, "")

    @property
    def trend(self) -> str:
        """Return up, down or steady (or '' without last week's score)."""
        if self.change is None:
            return ""
        if self.change >= STEADY_POINTS:
            return "up"
        return "down" if self.change <= -STEADY_POINTS else "steady"


def _row(values: tuple[Any, ...]) -> PortfolioRow:
    (slug, name, tier, renewal, stage, csm_name, csm_email, score, band, week_ago, ttv, nps, day) = values
    return PortfolioRow(
        slug=slug,
        name=name,
        tier=tier,
        renewal_date=renewal,
        churned=stage == LifecycleStage.CHURNED,
        csm=csm_name or csm_email or "",
        score=score,
        band=band or Band.UNKNOWN,
        change=None if score is None or week_ago is None else score - week_ago,
        ttv_days=ttv,
        nps=nps,
        scored_on=day,
    )


def _sort_key(sort: str) -> Callable[[PortfolioRow], Any]:
    missing_last = 1_000
    return {
        "score": lambda r: (r.score if r.score is not None else missing_last, r.name),
        "-score": lambda r: (-(r.score if r.score is not None else -missing_last), r.name),
        "change": lambda r: (r.change if r.change is not None else missing_last, r.name),
        "renewal_date": lambda r: (r.renewal_date or date.max, r.name),
        "tier": lambda r: (Tier.rank(r.tier), r.name),
    }.get(sort, lambda r: r.name.lower())


def portfolio_row_list(
    *, viewer: User, tier: str = "", band: str = "", mine: bool = False, sort: str = "score"
) -> list[PortfolioRow]:
    """Return the tenants ``viewer`` may see with their latest health, filtered and sorted (1 query)."""
    tenants = tenants_visible_to(viewer)
    if tier:
        tenants = tenants.filter(tier=tier)
    if mine:
        tenants = tenants.filter(csm=viewer)
    if band == Band.UNKNOWN:
        tenants = tenants.filter(Q(health_snapshot__isnull=True) | Q(health_snapshot__band=Band.UNKNOWN))
    elif band:
        tenants = tenants.filter(health_snapshot__band=band)
    rows = [_row(values) for values in tenants.values_list(*_FIELDS)]
    rows.sort(key=_sort_key(sort))
    return rows


def green_share_get(rows: list[PortfolioRow]) -> tuple[int, int, float | None]:
    """Return (green, scored, % green) over the rows' customers that are still customers."""
    scored = [r for r in rows if not r.churned and r.band != Band.UNKNOWN]
    green = sum(1 for r in scored if r.band == Band.GREEN)
    return green, len(scored), share_percent(part=green, whole=len(scored))


@dataclass(frozen=True)
class Churn:
    start: date
    end: date
    lost: int
    at_start: int

    @property
    def rate(self) -> float | None:
        return churn_rate(lost=self.lost, at_start=self.at_start)


def churn_get(*, viewer: User, start: date, end: date) -> Churn:
    """Return customers lost in [start, end] and customers at ``start`` among those ``viewer`` sees (2 queries).

    A customer counts at the start if it became one (contract start, else creation) on or
    before ``start`` and had not churned before it. Deleted tenants keep their churn record,
    so admins still see them counted.
    """
    visible = tenants_visible_to(viewer)
    churned_before = ChurnEvent.objects.filter(tenant=OuterRef("pk"), churned_on__lt=start)
    at_start = (
        visible.annotate(since=Coalesce("contract_start", TruncDate("created_at")))
        .filter(since__lte=start)
        .exclude(Exists(churned_before))
        .exclude(Q(lifecycle_stage=LifecycleStage.CHURNED) & ~Exists(ChurnEvent.objects.filter(tenant=OuterRef("pk"))))
    )
    events = ChurnEvent.objects.filter(churned_on__gte=start, churned_on__lte=end)
    deleted = Q(tenant__isnull=True) if viewer.is_keel_admin else Q(pk__in=[])
    counts = events.filter(Q(tenant__in=visible) | deleted).aggregate(
        lost=Count("tenant_slug", distinct=True),
        deleted_at_start=Count("tenant_slug", distinct=True, filter=Q(tenant__isnull=True, customer_since__lte=start)),
    )
    return Churn(start=start, end=end, lost=counts["lost"], at_start=at_start.count() + counts["deleted_at_start"])
