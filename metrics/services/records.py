"""Support-ticket facts and seat counts (upserted by their natural keys), and the feature catalog."""

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from portal.audit.services import audit_record

from ..models import Feature, SeatCount, SupportTicket
from ..rows import BatchResult, parse_seats, parse_ticket


def _valid_rows(items: list, parse) -> tuple[dict, list[dict]]:
    """Return the valid rows keyed by natural key (the last one wins) and the rejections.

    Every valid row counts as accepted: an earlier row for the same key is applied and then
    replaced by the later one in the same upsert, not dropped unreported."""
    now = timezone.now()
    valid, rejected = {}, []
    for index, item in enumerate(items):
        row, errors = parse(item, now=now)
        if errors:
            rejected.append({"index": index, "errors": errors})
        else:
            valid[row.get("external_id", row.get("day"))] = row
    return valid, rejected


@transaction.atomic
def support_tickets_upsert(*, items: list) -> BatchResult:
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
def seat_counts_upsert(*, items: list) -> BatchResult:
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


def require_schema(tenant) -> None:
    """Refuse to write ``tenant``'s data while another schema is active."""
    if connection.schema_name != tenant.schema_name:
        raise RuntimeError(f"{tenant.slug}'s schema must be active, not {connection.schema_name}.")


@transaction.atomic
def feature_create(*, tenant, key: str, name: str, is_core: bool, actor) -> Feature:
    """Add a feature to ``tenant``'s catalog (its schema active)."""
    require_schema(tenant)
    feature = Feature(key=key.strip().lower(), name=name.strip() or key.strip(), is_core=is_core)
    feature.full_clean()
    if Feature.objects.filter(key=feature.key).exists():
        raise ValidationError({"key": f"The catalog already has {feature.key!r}."})
    feature.save()
    audit_record(actor=actor, action="feature.created", tenant=tenant, target=feature, key=feature.key, core=is_core)
    return feature


@transaction.atomic
def feature_update(*, tenant, feature: Feature, is_core: bool, actor) -> Feature:
    """Flag or unflag a feature as core (it then counts, or stops counting, for adoption)."""
    require_schema(tenant)
    if feature.is_core != is_core:
        feature.is_core = is_core
        feature.save(update_fields=["is_core"])
        audit_record(actor=actor, action="feature.updated", tenant=tenant, target=feature, core=is_core)
    return feature
