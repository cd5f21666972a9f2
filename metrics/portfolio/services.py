"""Writes to public health tables: the latest health snapshot, churn dates."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from portal.accounts.access import Actor, require_staff_on
from portal.audit.services import audit_record
from portal.tenancy.clock import tenant_today, tenant_zone
from portal.tenancy.models import LifecycleStage, Tenant

from .models import ChurnEvent, HealthSnapshot


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


@transaction.atomic
def tenant_churn_record(*, tenant: Tenant, churned_on: date, actor: Actor) -> ChurnEvent:
    """Record that ``tenant`` was lost on ``churned_on`` and move it to the churned stage.

    The one way a customer becomes churned: the stage and the dated record change together, so
    the churn rate never misses a loss. Idempotent per tenant and day; audited.
    """
    require_staff_on(actor, tenant, message="Only an admin or the tenant's assigned CSM may record its churn.")
    if churned_on > tenant_today(tenant):
        raise ValidationError({"churned_on": gettext("A churn date cannot be in the future.")})
    since = tenant.contract_start or timezone.localdate(tenant.created_at, tenant_zone(tenant))
    event, created = ChurnEvent.objects.get_or_create(
        tenant_slug=tenant.slug, churned_on=churned_on, defaults={"tenant": tenant, "customer_since": since}
    )
    if tenant.lifecycle_stage != LifecycleStage.CHURNED:
        tenant.lifecycle_stage = LifecycleStage.CHURNED
        tenant.save(update_fields=["lifecycle_stage"])
    if created:
        audit_record(actor=actor, action="tenant.churned", tenant=tenant, target=event, churned_on=str(churned_on))
    return event
