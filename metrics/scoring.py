"""Health-score math: component scores 0-100, per-tier weights, bands, drivers. Pure functions.

The missing-data rule (DESIGN.md): a component without data is reported as missing, not as
zero, and the remaining weights are re-normalised so they still add up to 1.
"""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext, gettext_lazy, ngettext, override
from django_stubs_ext import StrOrPromise

from portal.stored_text import in_english, in_reader_language

from . import kpi

# Stored snapshots keep the English label; pages show the key's label in their own language (kpi_component).
COMPONENTS: tuple[tuple[str, StrOrPromise], ...] = (
    ("usage", gettext_lazy("Usage frequency")),
    ("adoption", gettext_lazy("Feature adoption")),
    ("support", gettext_lazy("Support tickets")),
    ("nps", "NPS"),
    ("onboarding", gettext_lazy("Onboarding progress")),
)
LABELS = dict(COMPONENTS)


@dataclass(frozen=True)
class Facts:
    """What the scorer knows about one tenant on one day (gathered by the health service)."""

    window_days: int
    has_usage: bool = False
    active_users: int = 0
    active_user_days: int = 0
    seats: int | None = None
    core_feature_users: tuple[tuple[str, int], ...] = ()  # (feature key, users in window)
    has_tickets: bool = False
    open_critical: int = 0
    open_high: int = 0
    opened_in_window: int = 0
    nps: float | None = None
    nps_answers: int = 0
    onboarding: tuple[int, int] | None = None  # (done, due) over the tasks due by the scored day


@dataclass(frozen=True)
class Part:
    """One component of a score: its own 0-100 value and its share of the total."""

    key: str
    score: float | None
    weight: float
    share: float
    detail: str

    @property
    def missing(self) -> bool:
        return self.score is None

    @property
    def contribution(self) -> float:
        return 0.0 if self.score is None else self.share * self.score

    def as_dict(self) -> dict:
        return {
            "key": self.key,
            "label": _english(LABELS.get(self.key, self.key)),
            "score": None if self.score is None else round(self.score, 1),
            "weight": self.weight,
            "share": round(self.share, 4),
            "contribution": round(self.contribution, 2),
            "missing": self.missing,
            "detail": str(self.detail),
            **(
                {"detail_kind": self.detail.kind, "detail_params": self.detail.params}
                if isinstance(self.detail, Detail)
                else {}
            ),
        }


def _english(label: StrOrPromise) -> str:
    with override("en"):
        return str(label)


def _capped(value: float) -> float:
    return max(0.0, min(100.0, value))


# Each component's explanation, once: a page shows it in its own language from the kind and the
# figures stored with the snapshot (kpi_detail); the stored text is the English one.
DETAILS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "no_usage": lambda p: gettext("No usage events received yet."),
    "no_active_users": lambda p: (
        ngettext("No active users in the last %(days)s day.", "No active users in the last %(days)s days.", p["days"])
        % p
    ),
    "usage_of_seats": lambda p: (
        gettext("%(daily)s daily active users on average = %(ratio)s of %(base)s seats (target %(target)s).") % p
    ),
    "usage_of_monthly": lambda p: (
        gettext(
            "%(daily)s daily active users on average = %(ratio)s of %(base)s monthly active users (target %(target)s)."
        )
        % p
    ),
    "no_core_features": lambda p: gettext("No core features are flagged in the feature catalog."),
    "adoption": lambda p: (
        ngettext(
            "Core features used by %(share)s of active users on average across %(features)s core feature "
            "(target %(target)s).",
            "Core features used by %(share)s of active users on average across %(features)s core features "
            "(target %(target)s).",
            p["features"],
        )
        % p
    ),
    "no_tickets": lambda p: gettext("No support-ticket data received yet."),
    "tickets": lambda p: (
        ngettext(
            "%(critical)s open critical, %(high)s open high, %(opened)s opened in the last %(days)s day.",
            "%(critical)s open critical, %(high)s open high, %(opened)s opened in the last %(days)s days.",
            p["days"],
        )
        % p
    ),
    "no_nps": lambda p: gettext("No NPS answers in the survey window."),
    "nps": lambda p: (
        ngettext("NPS %(nps)s from %(answers)s answer.", "NPS %(nps)s from %(answers)s answers.", p["answers"]) % p
    ),
    "no_onboarding_due": lambda p: gettext("No onboarding task due yet."),
    "onboarding": lambda p: (
        ngettext(
            "%(done)s of %(due)s onboarding task due so far is done.",
            "%(done)s of %(due)s onboarding tasks due so far are done.",
            p["due"],
        )
        % p
    ),
}


class Detail(str):
    """A component's explanation: the English text, with its kind and figures to show it in any language."""

    kind: str
    params: dict[str, Any]

    def __new__(cls, kind: str, **params: Any) -> "Detail":
        detail = super().__new__(cls, in_english(DETAILS[kind], params))
        detail.kind, detail.params = kind, params
        return detail


def detail_text(component: Mapping[str, Any]) -> str:
    """A stored component's explanation in the active language (its English text for older snapshots)."""
    return in_reader_language(
        DETAILS,
        component.get("detail_kind") or "",
        component.get("detail_params") or {},
        str(component.get("detail", "")),
    )


def _percent(value: float) -> str:
    return f"{value:.0%}"


def usage_score(facts: Facts, *, target: float) -> tuple[float | None, str]:
    """Score average daily actives against seats (or monthly actives): target ratio → 100."""
    if not facts.has_usage:
        return None, Detail("no_usage")
    daily = kpi.average_daily_active(active_user_days=facts.active_user_days, window_days=facts.window_days)
    base = max(facts.active_users, facts.seats or 0)
    if base == 0:
        return 0.0, Detail("no_active_users", days=facts.window_days)
    ratio = daily / base
    kind = "usage_of_seats" if facts.seats and facts.seats >= facts.active_users else "usage_of_monthly"
    return _capped(ratio / target * 100), Detail(
        kind, daily=f"{daily:.1f}", ratio=_percent(ratio), base=base, target=_percent(target)
    )


def core_adoption(facts: Facts) -> float | None:
    """Return the mean adoption (0-1) of the core features over the window, or None without data."""
    if not facts.core_feature_users or not facts.has_usage or facts.active_users == 0:
        return None
    rates = [kpi.adoption_rate(feature_users=n, active_users=facts.active_users) for _, n in facts.core_feature_users]
    return sum(r for r in rates if r is not None) / len(rates)


def adoption_score(facts: Facts, *, target: float) -> tuple[float | None, str]:
    """Score mean core-feature adoption (users of feature / active users) against the target."""
    if not facts.core_feature_users:
        return None, Detail("no_core_features")
    if not facts.has_usage:
        return None, Detail("no_usage")
    if facts.active_users == 0:
        return 0.0, Detail("no_active_users", days=facts.window_days)
    rates = [kpi.adoption_rate(feature_users=n, active_users=facts.active_users) for _, n in facts.core_feature_users]
    mean = sum(rates) / len(rates)  # type: ignore[arg-type]  # active_users > 0: every rate is a number
    return _capped(mean / target * 100), Detail(
        "adoption", share=kpi.format_adoption(mean), features=len(rates), target=_percent(target)
    )


def support_score(facts: Facts, *, penalty: Mapping[str, float]) -> tuple[float | None, str]:
    """Start at 100 and take points off for open criticals/highs and recent ticket volume."""
    if not facts.has_tickets:
        return None, Detail("no_tickets")
    lost = (
        penalty["open_critical"] * facts.open_critical
        + penalty["open_high"] * facts.open_high
        + penalty["opened_in_window"] * facts.opened_in_window
    )
    return _capped(100 - lost), Detail(
        "tickets",
        critical=facts.open_critical,
        high=facts.open_high,
        opened=facts.opened_in_window,
        days=facts.window_days,
    )


def nps_score(facts: Facts) -> tuple[float | None, str]:
    """Map NPS −100…100 onto 0…100."""
    if facts.nps is None:
        return None, Detail("no_nps")
    return _capped((facts.nps + 100) / 2), Detail("nps", nps=kpi.format_nps(facts.nps), answers=facts.nps_answers)


def onboarding_score(facts: Facts) -> tuple[float | None, str]:
    """Score onboarding against its plan: the share of the tasks due so far that are done."""
    if facts.onboarding is None or facts.onboarding[1] == 0:
        return None, Detail("no_onboarding_due")
    done, due = facts.onboarding
    return _capped(done / due * 100), Detail("onboarding", done=done, due=due)


def component_scores(facts: Facts, config: Mapping) -> dict[str, tuple[float | None, str]]:
    """Return every component's (score or None, explanation) for ``facts``."""
    return {
        "usage": usage_score(facts, target=config["stickiness_target"]),
        "adoption": adoption_score(facts, target=config["adoption_target"]),
        "support": support_score(facts, penalty=config["ticket_penalty"]),
        "nps": nps_score(facts),
        "onboarding": onboarding_score(facts),
    }


def combine(scores: Mapping[str, tuple[float | None, str]], weights: Mapping[str, float]) -> list[Part]:
    """Weight the present components, re-normalising their weights to add up to 1."""
    for key, weight in weights.items():
        if weight < 0:
            raise ValueError(f"Weight of {key} is negative.")
    present = sum(weights.get(key, 0) for key, (score, _) in scores.items() if score is not None)
    parts = []
    for key, _label in COMPONENTS:
        if key not in scores:
            continue
        score, detail = scores[key]
        weight = float(weights.get(key, 0))
        share = weight / present if score is not None and present > 0 else 0.0
        parts.append(Part(key=key, score=score, weight=weight, share=share, detail=detail))
    return parts


def enough_data(facts: Facts) -> bool:
    """Return whether ``facts`` meet the documented minimum for a score (docs/kpis.md, "Health score").

    The minimum is product usage received for at least one complete day: without it a score
    would rest on tickets, an NPS answer or the onboarding plan alone, and a brand-new customer
    would be coloured by whatever arrived first. Below it the tenant is "not enough data yet"
    (grey), excluded from the share of customers green.
    """
    return facts.has_usage


def total(parts: list[Part]) -> int | None:
    """Return the 0-100 score of ``parts``, or None when no weighted component has data."""
    if not any(p.share > 0 for p in parts):
        return None
    # Half up (72.5 → 73), not Python's half-to-even: people check these by hand.
    # The sum is first rounded to 6 places so float noise (72.4999999) cannot flip the result.
    exact = round(sum(p.contribution for p in parts), 6)
    return math.floor(max(0.0, min(100.0, exact)) + 0.5)


def band_for(score: int | None, bands: Mapping[str, int]) -> str:
    """Return green (≥ green threshold), yellow (≥ yellow threshold), red, or unknown."""
    if score is None:
        return "unknown"
    if score >= bands["green"]:
        return "green"
    return "yellow" if score >= bands["yellow"] else "red"


def drivers(now: list[dict], before: list[dict] | None, *, limit: int = 3, threshold: float = 0.5) -> list[dict]:
    """Return the components whose weighted contribution changed most since ``before``.

    Contributions are in score points, so the drivers explain the score's change; a
    component that became missing counts as losing its whole contribution.
    """
    if before is None:
        return []
    previous = {c["key"]: c for c in before}
    changes = []
    for component in now:
        old = previous.get(component["key"], {})
        delta = component["contribution"] - old.get("contribution", 0.0)
        if abs(delta) >= threshold:
            changes.append(
                {
                    "key": component["key"],
                    "label": component["label"],
                    "delta": round(delta, 1),
                    "score": component["score"],
                    "previous_score": old.get("score"),
                }
            )
    changes.sort(key=lambda c: (-abs(c["delta"]), c["key"]))
    return changes[:limit]
