"""Health-score math: component scores 0-100, per-tier weights, bands, drivers. Pure functions.

The missing-data rule (DESIGN.md): a component without data is reported as missing, not as
zero, and the remaining weights are re-normalised so they still add up to 1.
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext_lazy, override
from django_stubs_ext import StrOrPromise

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
            "detail": self.detail,
        }


def _english(label: StrOrPromise) -> str:
    with override("en"):
        return str(label)


def _capped(value: float) -> float:
    return max(0.0, min(100.0, value))


def usage_score(facts: Facts, *, target: float) -> tuple[float | None, str]:
    """Score average daily actives against seats (or monthly actives): target ratio → 100."""
    if not facts.has_usage:
        return None, "No usage events received yet."
    daily = kpi.average_daily_active(active_user_days=facts.active_user_days, window_days=facts.window_days)
    base = max(facts.active_users, facts.seats or 0)
    if base == 0:
        return 0.0, f"No active users in the last {facts.window_days} days."
    ratio = daily / base
    of = "seats" if facts.seats and facts.seats >= facts.active_users else "monthly active users"
    return _capped(ratio / target * 100), (
        f"{daily:.1f} daily active users on average = {ratio:.0%} of {base} {of} (target {target:.0%})."
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
        return None, "No core features are flagged in the feature catalog."
    if not facts.has_usage:
        return None, "No usage events received yet."
    if facts.active_users == 0:
        return 0.0, f"No active users in the last {facts.window_days} days."
    rates = [kpi.adoption_rate(feature_users=n, active_users=facts.active_users) for _, n in facts.core_feature_users]
    mean = sum(rates) / len(rates)  # type: ignore[arg-type]  # active_users > 0: every rate is a number
    return _capped(mean / target * 100), (
        f"Core features used by {kpi.format_adoption(mean)} of active users on average "
        f"across {len(rates)} core feature{'s' if len(rates) != 1 else ''} (target {target:.0%})."
    )


def support_score(facts: Facts, *, penalty: Mapping[str, float]) -> tuple[float | None, str]:
    """Start at 100 and take points off for open criticals/highs and recent ticket volume."""
    if not facts.has_tickets:
        return None, "No support-ticket data received yet."
    lost = (
        penalty["open_critical"] * facts.open_critical
        + penalty["open_high"] * facts.open_high
        + penalty["opened_in_window"] * facts.opened_in_window
    )
    return _capped(100 - lost), (
        f"{facts.open_critical} open critical, {facts.open_high} open high, "
        f"{facts.opened_in_window} opened in the last {facts.window_days} days."
    )


def nps_score(facts: Facts) -> tuple[float | None, str]:
    """Map NPS −100…100 onto 0…100."""
    if facts.nps is None:
        return None, "No NPS answers in the survey window."
    return _capped((facts.nps + 100) / 2), f"NPS {kpi.format_nps(facts.nps)} from {facts.nps_answers} answers."


def onboarding_score(facts: Facts) -> tuple[float | None, str]:
    """Score onboarding against its plan: the share of the tasks due so far that are done."""
    if facts.onboarding is None or facts.onboarding[1] == 0:
        return None, "No onboarding task due yet."
    done, due = facts.onboarding
    return _capped(done / due * 100), f"{done} of {due} onboarding tasks due so far are done."


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
