"""The health scorecard's rules for one tier, and re-scoring a stored score under other rules. Pure.

docs/kpis.md, "Health scorecard": weights in whole per cent adding up to 100, targets in whole
per cent, band thresholds 0 < yellow < green ≤ 100.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from metrics import scoring

WEIGHT_KEYS = tuple(key for key, _ in scoring.COMPONENTS)


@dataclass(frozen=True)
class Rules:
    """One tier's rules of one scorecard version (None: the settings, before any version existed)."""

    version: int | None
    weights: Mapping[str, int]
    stickiness_target: int  # per cent
    adoption_target: int  # per cent
    green_from: int
    yellow_from: int

    @property
    def bands(self) -> dict[str, int]:
        return {"green": self.green_from, "yellow": self.yellow_from}

    def config(self, base: Mapping[str, Any]) -> dict[str, Any]:
        """Return the scorer's config: ``base`` (KEEL_HEALTH: windows, ticket penalties) with these rules."""
        return {
            **base,
            "stickiness_target": self.stickiness_target / 100,
            "adoption_target": self.adoption_target / 100,
            "bands": self.bands,
        }


def problems(
    *, weights: Mapping[str, int], stickiness_target: int, adoption_target: int, green_from: int, yellow_from: int
) -> list[str]:
    """Return what is wrong with one tier's rules, in words (empty when they are valid)."""
    found = []
    total = sum(weights.get(key, 0) for key in WEIGHT_KEYS)
    if total != 100:
        found.append(f"The weights add up to {total}; they must add up to 100.")
    if any(weights.get(key, 0) < 0 for key in WEIGHT_KEYS):
        found.append("A weight cannot be negative.")
    if not 0 < yellow_from < green_from <= 100:
        found.append("Green must start above yellow, and both between 1 and 100 (yellow ≥ 1, green ≤ 100).")
    if not (0 < stickiness_target <= 100 and 0 < adoption_target <= 100):
        found.append("Targets are between 1 % and 100 %.")
    return found


def rules_from_settings(config: Mapping[str, Any], tier: str) -> Rules:
    """Return ``tier``'s rules as the KEEL_HEALTH settings give them (the defaults, version None)."""
    return Rules(
        version=None,
        weights={key: int(config["weights"][tier].get(key, 0)) for key in WEIGHT_KEYS},
        stickiness_target=round(config["stickiness_target"] * 100),
        adoption_target=round(config["adoption_target"] * 100),
        green_from=config["bands"]["green"],
        yellow_from=config["bands"]["yellow"],
    )


def _retarget(score: float, *, old: int, new: int) -> float:
    # score = min(100, ratio / target × 100): the same ratio against another target. A score at
    # the cap (ratio ≥ old target) is taken as exactly at it: a lower bound when the target rises.
    return max(0.0, min(100.0, score * old / new))


def rescore(
    components: Sequence[Mapping[str, Any]], *, core_adoption: float | None, old: Rules, new: Rules
) -> int | None:
    """Return the score a stored snapshot would have under ``new``, from its stored components.

    Components keep their 0-100 scores except usage and adoption, which depend on the targets:
    adoption is recomputed from the stored core adoption when there is one, usage is rescaled by
    old target ÷ new target. The weights are re-normalised over the present components as the
    scorer does. None when no component has data.
    """
    scores: dict[str, tuple[float | None, str]] = {}
    for component in components:
        key, score = component["key"], component.get("score")
        if score is not None and key == "adoption":
            if core_adoption is not None:
                score = max(0.0, min(100.0, core_adoption * 100 / new.adoption_target * 100))
            else:
                score = _retarget(score, old=old.adoption_target, new=new.adoption_target)
        elif score is not None and key == "usage":
            score = _retarget(score, old=old.stickiness_target, new=new.stickiness_target)
        scores[key] = (score, "")
    return scoring.total(scoring.combine(scores, new.weights))
