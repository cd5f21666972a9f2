"""Writes to public health tables: the latest snapshot, the daily score history, the scorecard versions."""

from collections.abc import Mapping
from datetime import date
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from portal.accounts.access import SYSTEM, Actor, actor_user, require_staff
from portal.audit.services import audit_record
from portal.tenancy.models import Tier

from .models import DEFAULTS_NOTE, HealthScoreDay, HealthSnapshot, Scorecard, ScorecardTier
from .scorecard import WEIGHT_KEYS, Rules, problems, rules_from_settings


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
    scorecard_version: int | None = None,
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
        "scorecard_version": scorecard_version,
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


# --- the health scorecard (docs/kpis.md, "Health scorecard") --------------------------------------
def _tiers_create(card: Scorecard, rules: Mapping[str, Rules]) -> None:
    rows = []
    for tier in Tier.values:
        r = rules[tier]
        found = problems(
            weights=r.weights,
            stickiness_target=r.stickiness_target,
            adoption_target=r.adoption_target,
            green_from=r.green_from,
            yellow_from=r.yellow_from,
        )
        if found:
            raise ValidationError({tier: found})
        rows.append(
            ScorecardTier(
                scorecard=card,
                tier=tier,
                **{f"weight_{key}": r.weights[key] for key in WEIGHT_KEYS},
                stickiness_target=r.stickiness_target,
                adoption_target=r.adoption_target,
                green_from=r.green_from,
                yellow_from=r.yellow_from,
            )
        )
    ScorecardTier.objects.bulk_create(rows)


def _first_version_create() -> Scorecard:
    """Make version 1 from the KEEL_HEALTH settings (the caller holds the scorecard lock)."""
    card = Scorecard.objects.create(version=1, note=DEFAULTS_NOTE)
    _tiers_create(card, {tier: rules_from_settings(settings.KEEL_HEALTH, tier) for tier in Tier.values})
    audit_record(actor=SYSTEM, action="health.scorecard_created", target=card, version=1, source="settings")
    return card


def _lock() -> None:
    # One writer of versions at a time (the first may not exist yet, so no row to lock).
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('health.scorecard'))")


@transaction.atomic
def scorecard_ensure() -> Scorecard:
    """Return the current scorecard, making version 1 from the settings when there is none yet."""
    current = Scorecard.objects.order_by("-version").first()
    if current is not None:
        return current
    _lock()
    return Scorecard.objects.order_by("-version").first() or _first_version_create()


@transaction.atomic
def scorecard_publish(*, rules: Mapping[str, Rules], note: str, actor: Actor) -> Scorecard:
    """Save ``rules`` (tier → rules) as the next scorecard version; scores from the next run use it.

    Admins only. Version 1 (the settings) is made first if it does not exist, so the history
    always starts from the defaults.
    """
    require_staff(actor, admin_only=True, message="Only Keel admins may change the health scorecard.")
    missing = set(Tier.values) - set(rules)
    if missing:
        raise ValidationError(
            gettext("Give the rules of every tier (missing: %(tiers)s).") % {"tiers": ", ".join(sorted(missing))}
        )
    _lock()
    latest = Scorecard.objects.order_by("-version").first() or _first_version_create()
    card = Scorecard.objects.create(version=latest.version + 1, note=note, created_by=actor_user(actor))
    _tiers_create(card, rules)
    audit_record(
        actor=actor,
        action="health.scorecard_published",
        target=card,
        version=card.version,
        note=note,
        tiers={
            tier: {
                **r.weights,
                "stickiness_target": r.stickiness_target,
                "adoption_target": r.adoption_target,
                "green_from": r.green_from,
                "yellow_from": r.yellow_from,
            }
            for tier, r in rules.items()
        },
    )
    return card
