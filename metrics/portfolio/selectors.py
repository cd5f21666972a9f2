"""Cross-tenant reads for the console. Public tables only: a constant number of queries."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy

from metrics.kpi import format_nps, format_ttv, share_percent
from metrics.retention.selectors import retention_facts_get
from metrics.scoring import band_for
from metrics.sql import table
from portal.accounts.access import Actor, tenants_visible_to
from portal.accounts.models import User
from portal.tenancy.models import LifecycleStage, Tier

from .models import Band, HealthScoreDay, Scorecard, ScorecardTier
from .predictive import STALE_AFTER_DAYS, Report, predictive_report, reference_days
from .scorecard import Rules, rescore, rules_from_settings

# A weekly change smaller than this is shown as steady.
STEADY_POINTS = 3
SORTS = {
    "score": gettext_lazy("Score (lowest first)"),
    "-score": gettext_lazy("Score (highest first)"),
    "change": gettext_lazy("Change (biggest drop first)"),
    "name": gettext_lazy("Name"),
    "renewal_date": gettext_lazy("Renewal date"),
    "tier": gettext_lazy("Tier"),
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


def score_predictiveness_get(*, viewer: Actor, start: date, end: date, lead_days: int) -> Report:
    """Return churn per band and the score's ROC AUC ``lead_days`` before churn over what ``viewer``
    sees (docs/kpis.md, "Is the score predictive?"): the ledger and the public history, 2 queries."""
    accounts = retention_facts_get(viewer=viewer)
    days = reference_days(accounts, start=start, end=end, lead_days=lead_days)
    wanted = [(account_id, start - timedelta(days=1)) for account_id in days]
    wanted += [(account_id, reference) for account_id, (_, reference) in days.items()]
    return predictive_report(accounts, _history_around(wanted), start=start, end=end, lead_days=lead_days)


# The rows that can be "the score on day D" for each (account, D) asked for: one index range scan
# per pair instead of every day of every account over the whole period. Only the table name is
# interpolated (from the model); every value is a parameter.
_HISTORY_SQL = f"""
SELECT h.account_id, h.day, h.score, h.band
  FROM unnest(%(accounts)s::bigint[], %(days)s::date[]) AS want(account_id, day)
  JOIN {table(HealthScoreDay)} h
    ON h.account_id = want.account_id AND h.day <= want.day AND h.day >= want.day - %(stale)s
 WHERE h.score IS NOT NULL
"""  # noqa: S608


def _history_around(wanted: list[tuple[int, date]]) -> dict[int, list[tuple[date, int | None, str]]]:
    history: dict[int, list[tuple[date, int | None, str]]] = {}
    if not wanted:
        return history
    params: dict[str, Any] = {
        "accounts": [a for a, _ in wanted],
        "days": [d for _, d in wanted],
        "stale": STALE_AFTER_DAYS,
    }
    with connection.cursor() as cursor:
        cursor.execute(_HISTORY_SQL, params)
        for account_id, day, score, band in cursor.fetchall():
            history.setdefault(account_id, []).append((day, score, band))
    return history


# --- the health scorecard (docs/kpis.md, "Health scorecard") --------------------------------------
def scorecard_list() -> QuerySet[Scorecard]:
    """Return every scorecard version, newest first, with its tiers and author (2 queries)."""
    return Scorecard.objects.select_related("created_by").prefetch_related("tiers")


def _tier_rules(row: ScorecardTier, version: int) -> Rules:
    return Rules(
        version=version,
        weights=row.weights,
        stickiness_target=row.stickiness_target,
        adoption_target=row.adoption_target,
        green_from=row.green_from,
        yellow_from=row.yellow_from,
    )


def scorecard_rules_list() -> dict[int | None, dict[str, Rules]]:
    """Return version → tier → rules for every version, and None → the settings' (2 queries)."""
    rules: dict[int | None, dict[str, Rules]] = {
        None: {tier: rules_from_settings(settings.KEEL_HEALTH, tier) for tier in Tier.values}
    }
    for card in scorecard_list():
        rules[card.version] = {row.tier: _tier_rules(row, card.version) for row in card.tiers.all()}
    return rules


def scorecard_rules_get(*, tier: str, version: int | None = None) -> Rules:
    """Return ``tier``'s rules in scorecard ``version`` (default: the current one); the settings' when
    there is no such version (scores from before the first version)."""
    rows = ScorecardTier.objects.filter(tier=tier).select_related("scorecard")
    if version is not None:
        rows = rows.filter(scorecard__version=version)
    row = rows.order_by("-scorecard__version").first()
    return _tier_rules(row, row.scorecard.version) if row else rules_from_settings(settings.KEEL_HEALTH, tier)


@dataclass(frozen=True, slots=True)
class BandChange:
    slug: str
    name: str
    tier: str
    score: int | None
    band: str
    new_score: int | None
    new_band: str

    @property
    def tier_label(self) -> str:
        return str(Tier(self.tier).label) if self.tier in Tier.values else self.tier


@dataclass
class ScorecardPreview:
    """What a proposed scorecard would do to today's scores, against the current scorecard."""

    scored: dict[str, int]  # tier → customers with a score
    changes: list[BandChange]

    @property
    def changed(self) -> int:
        return sum(1 for c in self.changes if c.band != c.new_band)

    def changed_in(self, tier: str) -> int:
        return sum(1 for c in self.changes if c.tier == tier and c.band != c.new_band)

    def by_tier(self) -> list[tuple[str, int, int]]:
        """Return (tier label, customers scored, customers changing band) per tier."""
        return [(str(Tier(tier).label), count, self.changed_in(tier)) for tier, count in self.scored.items()]


def scorecard_preview_get(*, viewer: Actor, proposed: Mapping[str, Rules]) -> ScorecardPreview:
    """Return how the latest score of every customer ``viewer`` sees would move under ``proposed``
    (tier → rules), re-weighting the components stored in the public snapshots (3 queries)."""
    versions = scorecard_rules_list()
    current = versions[max((v for v in versions if v is not None), default=None)]
    rows = (
        tenants_visible_to(viewer)
        .filter(health_snapshot__score__isnull=False)
        .exclude(lifecycle_stage=LifecycleStage.CHURNED)
        .order_by("name")
        .values_list("slug", "name", "tier", "health_snapshot__components", "health_snapshot__core_adoption")
    )
    scored: dict[str, int] = dict.fromkeys(Tier.values, 0)
    changes = []
    for slug, name, tier, components, core_adoption in rows:
        if tier not in proposed:
            continue
        scored[tier] += 1
        now, then = current[tier], proposed[tier]
        score = rescore(components, core_adoption=core_adoption, old=now, new=now)
        new_score = rescore(components, core_adoption=core_adoption, old=now, new=then)
        band, new_band = band_for(score, now.bands), band_for(new_score, then.bands)
        if (score, band) != (new_score, new_band):
            changes.append(BandChange(slug, name, tier, score, band, new_score, new_band))
    return ScorecardPreview(scored=scored, changes=changes)
