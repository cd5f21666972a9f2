"""Start-up checks of the health-score settings: a typo must stop the process, not skew scores."""

from django.conf import settings
from django.core.checks import Error, register

from portal.tenancy.models import Tier

from .scoring import COMPONENTS


@register()
def health_settings_check(app_configs=None, **kwargs) -> list[Error]:
    config = settings.KEEL_HEALTH
    errors = []
    known = {key for key, _ in COMPONENTS}
    for tier in Tier.values:
        weights = config["weights"].get(tier)
        if weights is None:
            errors.append(Error(f"KEEL_HEALTH['weights'] has no entry for the {tier} tier.", id="metrics.E001"))
            continue
        unknown = set(weights) - known
        if unknown:
            errors.append(Error(f"Unknown health components for {tier}: {sorted(unknown)}.", id="metrics.E002"))
        if any(w < 0 for w in weights.values()) or not any(w > 0 for w in weights.values()):
            errors.append(Error(f"The {tier} weights must be ≥ 0 with at least one > 0.", id="metrics.E003"))
        elif not unknown and sum(weights.values()) != 100:
            # They become the first health scorecard version, whose weights are whole per cent.
            errors.append(Error(f"The {tier} weights must add up to 100.", id="metrics.E005"))
    bands = config["bands"]
    if not 0 < bands["yellow"] < bands["green"] <= 100:
        errors.append(Error("Health bands need 0 < yellow < green ≤ 100.", id="metrics.E004"))
    return errors
