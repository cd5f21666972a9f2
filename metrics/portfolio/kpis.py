"""The leadership KPI board: seed 002's KPI table over the customers a viewer sees.

Reads public tables only, in a constant number of queries: the latest health snapshots (green
share, NPS, adoption, TTV) and the retention ledger (logo churn, GRR/NRR, renewal rate), whose
arithmetic is in metrics.retention.ledger. Every figure goes through its formatter in metrics.kpi.
"""

import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.utils.translation import gettext, gettext_lazy, ngettext

from metrics import kpi
from metrics.retention import ledger
from metrics.retention.models import Account
from metrics.retention.periods import Span, last_quarters
from metrics.retention.selectors import account_list, retention_facts_get
from portal.accounts.access import tenants_visible_to
from portal.accounts.models import User
from portal.tenancy.models import LifecycleStage, Tier

from .models import Band

DEFINITIONS = {
    "ttv": gettext_lazy(
        "Kickoff (default: contract start) to the first-value milestone, in days; median and 75th percentile "
        "of the customers that reached it."
    ),
    "adoption": gettext_lazy(
        "Mean core-feature adoption (users of a core feature ÷ active users, 28 days), averaged over "
        "customers with usage."
    ),
    "green": gettext_lazy(
        "Customers in the green band ÷ customers with a score; churned and not-enough-data customers are out."
    ),
    "logo_churn": gettext_lazy(
        "Customers lost in the period among those active at its start ÷ those active at its start, "
        "annualised: 1 − (1 − r)^(365.25 ÷ days)."
    ),
    "grr": gettext_lazy(
        "ARR at the end of the period of the customers active at its start, each capped at its start ARR, "
        "÷ their start ARR."
    ),
    "nrr": gettext_lazy(
        "ARR at the end of the period of the customers active at its start ÷ their start ARR (expansion counts)."
    ),
    "nps": gettext_lazy("Account-weighted: the mean of each customer's NPS (% promoters − % detractors, 180 days)."),
    "renewal": gettext_lazy("Contracts renewed by the end of the period ÷ contracts whose renewal fell due in it."),
}


@dataclass
class Row:
    key: str
    label: str
    value: str
    target: str
    status: str = ""  # met / near / missed / "" (no target)
    detail: str = ""
    quarters: list[tuple[str, float | None, str]] = field(default_factory=list)  # (quarter, value, shown)

    @property
    def definition(self) -> str:
        return str(DEFINITIONS[self.key])

    @property
    def bars(self) -> list[dict[str, Any]]:
        """The four quarters as bars for a small inline SVG (height 0-40; None: no bar)."""
        values = [v for _, v, _ in self.quarters if v is not None]
        top = max([*values, 1.0])
        return [
            {"x": 4 + i * 22, "height": h, "y": None if h is None else round(42 - h, 1), "label": q, "shown": s}
            for i, (q, v, s) in enumerate(self.quarters)
            for h in [None if v is None else max(1.0, round(v / top * 40, 1))]
        ]


@dataclass
class Board:
    start: date
    end: date
    rows: list[Row]
    period: ledger.Period
    customers: list[tuple]  # (tenant id, slug, name, tier, band, nps, ttv days, core adoption)
    ttv_by_tier: list[tuple[str, int, str, str]]  # (tier label, customers, median, p75)
    accounts: dict[int, Account]
    quarters: list[Span]

    @property
    def retention_rows(self) -> list[tuple[Account, bool, Any, Any]]:
        """(account, lost in the period, start ARR, end ARR) of the customers active at the start."""
        rows = [(self.accounts[i], i in self.period.lost, *self.period.arr[i]) for i in self.period.at_start]
        return sorted(rows, key=lambda r: r[0].name.lower())

    @property
    def renewal_rows(self) -> list[tuple[Account, date, bool]]:
        """(account, due on, renewed) of the renewals due in the period."""
        rows = [(self.accounts[i], due, (i, due) in self.period.renewed) for i, due in self.period.due]
        return sorted(rows, key=lambda r: (r[1], r[0].name.lower()))


def _status_at_least(value: float | None, target: float) -> str:
    return "" if value is None else ("met" if value >= target else "missed")


def _median_p75(values: list[float]) -> tuple[float | None, float | None]:
    if not values:
        return None, None
    if len(values) == 1:
        return values[0], values[0]
    return statistics.median(values), statistics.quantiles(values, n=4, method="inclusive")[2]


def _mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def _quarters(periods: list[tuple[Span, ledger.Period]], figure: Callable[[ledger.Period], float | None], fmt):
    return [(span.label, figure(p), fmt(figure(p))) for span, p in periods]


def kpi_board_get(*, viewer: User, start: date, end: date, today: date) -> Board:
    """Return the KPI table for [start, end] over the customers ``viewer`` sees (3 queries)."""
    customers = list(
        tenants_visible_to(viewer)
        .exclude(lifecycle_stage=LifecycleStage.CHURNED)
        .values_list(
            "pk",
            "slug",
            "name",
            "tier",
            "health_snapshot__band",
            "health_snapshot__nps",
            "health_snapshot__ttv_days",
            "health_snapshot__core_adoption",
        )
        .order_by("name")
    )
    facts = retention_facts_get(viewer=viewer)
    period = ledger.period_figures(facts, start=start, end=end)
    spans = last_quarters(today)
    periods = [(span, ledger.period_figures(facts, start=span.start, end=span.end)) for span in spans]
    ids = period.at_start | {account for account, _ in period.due}
    accounts = {a.pk: a for a in account_list(viewer=viewer).filter(pk__in=ids)}

    scored = [c for c in customers if c[4] and c[4] != Band.UNKNOWN]
    green = sum(1 for c in scored if c[4] == Band.GREEN)
    green_share = kpi.share_percent(part=green, whole=len(scored))
    nps_values = [c[5] for c in customers if c[5] is not None]
    nps = _mean(nps_values)
    adoption_values = [c[7] for c in customers if c[7] is not None]
    adoption = _mean(adoption_values)
    ttv_values = [c[6] for c in customers if c[6] is not None]
    ttv_median, ttv_p75 = _median_p75(ttv_values)
    ttv_by_tier = []
    for tier in Tier:
        values = [c[6] for c in customers if c[6] is not None and c[3] == tier]
        median, p75 = _median_p75(values)
        ttv_by_tier.append((str(tier.label), len(values), kpi.format_ttv(median), kpi.format_ttv(p75)))

    rows = [
        Row(
            "ttv",
            gettext("Time to value (median)"),
            kpi.format_ttv(ttv_median),
            gettext("as short as possible"),
            detail=ngettext(
                "p75 %(p75)s; %(count)s customer reached first value",
                "p75 %(p75)s; %(count)s customers reached first value",
                len(ttv_values),
            )
            % {"p75": kpi.format_ttv(ttv_p75), "count": len(ttv_values)}
            if ttv_values
            else gettext("no customer has reached first value yet"),
        ),
        Row(
            "adoption",
            gettext("Core-feature adoption"),
            kpi.format_adoption(adoption),
            "60–80 %",
            _status_at_least(None if adoption is None else adoption * 100, kpi.ADOPTION_TARGET[0]),
            ngettext(
                "mean over %(count)s customer with usage",
                "mean over %(count)s customers with usage",
                len(adoption_values),
            )
            % {"count": len(adoption_values)},
        ),
        Row(
            "green",
            gettext("Customers green"),
            kpi.format_share(green_share),
            "> 80 %",
            _status_at_least(green_share, kpi.GREEN_SHARE_TARGET),
            ngettext("%(green)s of %(count)s scored customer", "%(green)s of %(count)s scored customers", len(scored))
            % {"green": green, "count": len(scored)},
        ),
        Row(
            "logo_churn",
            gettext("Logo churn (annualised)"),
            kpi.format_rate(period.annualised_churn_rate),
            gettext("< 5–7 % a year"),
            period.churn_target_status,
            gettext("%(rate)s in the period: %(lost)s lost of %(active)s")
            % {"rate": kpi.format_rate(period.churn_rate), "lost": len(period.lost), "active": len(period.at_start)},
            _quarters(periods, lambda p: p.annualised_churn_rate, kpi.format_rate),
        ),
        Row(
            "grr",
            gettext("Gross revenue retention"),
            kpi.format_rate(period.grr),
            "—",
            detail=gettext("%(kept)s of %(start)s ARR kept")
            % {"kept": kpi.format_arr(period.retained_arr), "start": kpi.format_arr(period.start_arr)},
            quarters=_quarters(periods, lambda p: p.grr, kpi.format_rate),
        ),
        Row(
            "nrr",
            gettext("Net revenue retention"),
            kpi.format_rate(period.nrr),
            "—",
            detail=gettext("%(end)s of %(start)s ARR")
            % {"end": kpi.format_arr(period.end_arr), "start": kpi.format_arr(period.start_arr)},
            quarters=_quarters(periods, lambda p: p.nrr, kpi.format_rate),
        ),
        Row(
            "nps",
            "NPS",
            kpi.format_nps(nps),
            "> 50",
            "" if nps is None else ("met" if kpi.nps_round(nps) > kpi.NPS_TARGET else "missed"),  # type: ignore[operator]
            ngettext("mean of %(count)s customer's NPS", "mean of %(count)s customers' NPS", len(nps_values))
            % {"count": len(nps_values)},
        ),
        Row(
            "renewal",
            gettext("Renewal rate"),
            kpi.format_share(period.renewal_rate),
            "—",
            detail=gettext("%(renewed)s renewed of %(due)s due")
            % {"renewed": len(period.renewed), "due": len(period.due)},
            quarters=_quarters(periods, lambda p: p.renewal_rate, kpi.format_share),
        ),
    ]
    return Board(
        start=start,
        end=end,
        rows=rows,
        period=period,
        customers=customers,
        ttv_by_tier=ttv_by_tier,
        accounts=accounts,
        quarters=spans,
    )
