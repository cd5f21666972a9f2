"""Writes to public health tables: the latest health snapshot (churn is in the retention ledger)."""

from datetime import date
from typing import Any

from django.utils import timezone

from .models import HealthSnapshot


def health_snapshot_upsert(
    *,
    tenant_id: int,
    day: date,
    score: int | None,
    band: str,
    score_week_ago: int | None,
    components: list[dict[str, Any]],
    drivers: list[dict[str, Any]],
    nps: int | None,
    ttv_days: float | None,
    active_users: int,
    core_adoption: float | None = None,
) -> None:
    """Insert or replace the tenant's latest snapshot (one statement; safe to re-run).

    An older day never overwrites a newer one, so a late recompute of a past day leaves the
    portfolio showing the newest score.
    """
    fields = {
        "day": day,
        "score": score,
        "band": band,
        "score_week_ago": score_week_ago,
        "components": components,
        "drivers": drivers,
        "nps": nps,
        "ttv_days": ttv_days,
        "active_users": active_users,
        "core_adoption": core_adoption,
        "computed_at": timezone.now(),
    }
    updated = HealthSnapshot.objects.filter(tenant_id=tenant_id, day__lte=day).update(**fields)
    if not updated:
        HealthSnapshot.objects.bulk_create([HealthSnapshot(tenant_id=tenant_id, **fields)], ignore_conflicts=True)
