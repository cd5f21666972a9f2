"""Cross-tenant reads for the console. Public tables only: a constant number of queries."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q

from metrics.kpi import format_nps, format_ttv, share_percent
from portal.accounts.access import tenants_visible_to
from portal.accounts.models import User
from portal.tenancy.models import LifecycleStage, Tier

from .models import Band

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

    # Display strings: the table renders 1,000 rows, and a template filter per cell costs more
    # than the rest of the page.
    @property
    def score_shown(self) -> str:
        return "—" if self.score is None else str(self.score)

    @property
    def change_shown(self) -> str:
        return "" if self.change is None else f"{self.change:+d}"

    @property
    def renewal_shown(self) -> str:
        return self.renewal_date.isoformat() if self.renewal_date else "—"

    @property
    def ttv_shown(self) -> str:
        return format_ttv(self.ttv_days)

    @property
    def csm_shown(self) -> str:
        return self.csm or "—"

    @property
    def nps_shown(self) -> str:
        return format_nps(self.nps)

    @property
    def tier_label(self) -> str:
        return str(Tier(self.tier).label) if self.tier in Tier.values else self.tier

    @property
    def band_label(self) -> str:
        return str(Band(self.band).label) if self.band in Band.values else self.band

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
