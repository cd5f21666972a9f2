"""Support-ticket facts and seat counts (upserted by their natural keys), and the feature catalog."""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from portal.accounts.access import Actor, require_tenant_schema
from portal.audit.services import audit_record
from portal.tenancy.models import Tenant

from ..models import Feature, SeatCount, SupportTicket
from ..rows import BatchResult, parse_seats, parse_ticket


def _valid_rows(
    items: list[Any], parse: Callable[..., tuple[dict[str, Any] | None, dict[str, Any]]]
) -> tuple[dict[Any, dict[str, Any]], list[dict[str, Any]]]:
    """Return the valid rows keyed by natural key (the last one wins) and the rejections.

    Every valid row counts as accepted: an earlier row for the same key is applied and then
    replaced by the later one in the same upsert, not dropped unreported."""
    now = timezone.now()
    valid: dict[Any, dict[str, Any]] = {}
    rejected: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        row, errors = parse(item, now=now)
        if errors or row is None:  # a parser returns a row exactly when it found no errors
            rejected.append({"index": index, "errors": errors})
        else:
            valid[row.get("external_id", row.get("day"))] = row
    return valid, rejected


@transaction.atomic
def support_tickets_upsert(*, items: list[Any]) -> BatchResult:
    """Insert new tickets and update known ones (by external_id); report invalid rows."""
    valid, rejected = _valid_rows(items, parse_ticket)
    now = timezone.now()
    SupportTicket.objects.bulk_create(
        [SupportTicket(**row, updated_at=now) for row in valid.values()],
        update_conflicts=True,
        unique_fields=["external_id"],
        update_fields=["severity", "status", "opened_at", "closed_at", "subject", "updated_at"],
        batch_size=1000,
    )
    return BatchResult(accepted=len(items) - len(rejected), rejected=rejected)


@transaction.atomic
def seat_counts_upsert(*, items: list[Any]) -> BatchResult:
    """Record licensed seats per day (a later value for the same day replaces the earlier)."""
    valid, rejected = _valid_rows(items, parse_seats)
    now = timezone.now()
    SeatCount.objects.bulk_create(
        [SeatCount(**row, updated_at=now) for row in valid.values()],
        update_conflicts=True,
        unique_fields=["day"],
        update_fields=["seats", "updated_at"],
    )
    return BatchResult(accepted=len(items) - len(rejected), rejected=rejected)


@transaction.atomic
def feature_create(*, tenant: Tenant, key: str, name: str, is_core: bool, actor: Actor) -> Feature:
    """Add a feature to ``tenant``'s catalog (its schema active)."""
    require_tenant_schema(tenant)
    feature = Feature(key=key.strip().lower(), name=name.strip() or key.strip(), is_core=is_core)
    feature.full_clean()
    if Feature.objects.filter(key=feature.key).exists():
        raise ValidationError({"key": gettext("The catalog already has %(key)s.") % {"key": repr(feature.key)}})
    feature.save()
    audit_record(actor=actor, action="feature.created", tenant=tenant, target=feature, key=feature.key, core=is_core)
    return feature


@transaction.atomic
def feature_update(*, tenant: Tenant, feature: Feature, is_core: bool, actor: Actor) -> Feature:
    """Flag or unflag a feature as core (it then counts, or stops counting, for adoption)."""
    require_tenant_schema(tenant)
    if feature.is_core != is_core:
        feature.is_core = is_core
        feature.save(update_fields=["is_core"])
        audit_record(actor=actor, action="feature.updated", tenant=tenant, target=feature, core=is_core)
    return feature
