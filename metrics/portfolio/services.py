"""Writes to public health tables: the latest snapshot and the daily score history (churn is in the ledger)."""

from datetime import date
from typing import Any

from django.utils import timezone

from .models import HealthScoreDay, HealthSnapshot


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


def health_history_upsert(*, account_id: int, rows: list[tuple[date, int | None, str]]) -> int:
    """Insert or replace the account's (day, score, band) rows in the public history; return how many.

    Called by the scoring service with the day it scored (same transaction as the snapshot) and by
    ``health_history_backfill`` with a tenant's whole history; re-running either changes nothing.
    """
    written = HealthScoreDay.objects.bulk_create(
        [HealthScoreDay(account_id=account_id, day=day, score=score, band=band) for day, score, band in rows],
        update_conflicts=True,
        unique_fields=["account", "day"],
        update_fields=["score", "band"],
        batch_size=1000,
    )
    return len(written)
