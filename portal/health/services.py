"""Writes to public health tables: API keys, the latest health snapshot, churn dates."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from portal.audit.services import audit_record
from portal.tenancy.models import Tenant

from .models import ApiKey, ChurnEvent, HealthSnapshot

# last_used_at is a hint for people, not an audit trail: write it at most this often.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _require_visible(*, actor, tenant: Tenant) -> None:
    if not Tenant.objects.visible_to(actor).filter(pk=tenant.pk).exists():
        raise PermissionDenied("Only an admin or the tenant's assigned CSM may manage its API keys.")


@dataclass(frozen=True)
class CreatedKey:
    key: ApiKey
    raw: str


@transaction.atomic
def api_key_create(*, tenant: Tenant, name: str, actor) -> CreatedKey:
    """Create an API key for ``tenant``; the raw key is returned once and never stored."""
    _require_visible(actor=actor, tenant=tenant)
    name = name.strip()
    if not name:
        raise ValidationError({"name": "Name the key after what will use it (e.g. 'product telemetry')."})
    raw, key_hash = ApiKey.new_secret()
    key = ApiKey.objects.create(tenant=tenant, name=name, prefix=raw[:12], key_hash=key_hash, created_by=actor)
    audit_record(actor=actor, action="api_key.created", tenant=tenant, target=key, name=name, prefix=key.prefix)
    return CreatedKey(key=key, raw=raw)


@transaction.atomic
def api_key_revoke(*, key: ApiKey, actor) -> ApiKey:
    """Revoke a key; requests made with it are refused from now on."""
    _require_visible(actor=actor, tenant=key.tenant)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_key.revoked", tenant=key.tenant, target=key, prefix=key.prefix)
    return key


def api_key_touch(*, key: ApiKey) -> None:
    """Record that ``key`` was used, at most once per LAST_USED_RESOLUTION."""
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
        key.last_used_at = now


def health_snapshot_upsert(
    *,
    tenant_id: int,
    day: date,
    score: int | None,
    band: str,
    score_week_ago: int | None,
    components: list,
    drivers: list,
    nps: int | None,
    ttv_days: float | None,
    active_users: int,
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
        "computed_at": timezone.now(),
    }
    updated = HealthSnapshot.objects.filter(tenant_id=tenant_id, day__lte=day).update(**fields)
    if not updated:
        HealthSnapshot.objects.bulk_create([HealthSnapshot(tenant_id=tenant_id, **fields)], ignore_conflicts=True)


def tenant_churn_record(*, tenant: Tenant, churned_on: date) -> ChurnEvent:
    """Record that ``tenant`` was lost on ``churned_on`` (idempotent per tenant and day)."""
    since = tenant.contract_start or timezone.localdate(tenant.created_at)
    event, _ = ChurnEvent.objects.get_or_create(
        tenant_slug=tenant.slug, churned_on=churned_on, defaults={"tenant": tenant, "customer_since": since}
    )
    return event
