"""Write audit rows. Called inside the transaction of the change it records."""

from typing import Any

from django.db import models

from portal.accounts.access import Actor, actor_user
from portal.tenancy.models import Tenant

from .models import AuditEvent


def audit_record(
    *, actor: Actor, action: str, tenant: Tenant | None = None, target: models.Model | None = None, **data: Any
) -> AuditEvent:
    """Record that ``actor`` (a user, or SYSTEM for Keel itself) did ``action``."""
    event = _event(actor=actor, action=action, tenant=tenant, target=target, data=data)
    event.save(force_insert=True)
    return event


def audit_record_many(
    *, actor: Actor, action: str, targets: list[tuple[Tenant | None, models.Model, dict[str, Any]]]
) -> list[AuditEvent]:
    """Record one ``action`` by ``actor`` on many (tenant, target, data) at once, in one insert."""
    rows = [_event(actor=actor, action=action, tenant=t, target=target, data=data) for t, target, data in targets]
    return AuditEvent.objects.bulk_create(rows)


def _event(
    *, actor: Actor, action: str, tenant: Tenant | None, target: models.Model | None, data: dict[str, Any]
) -> AuditEvent:
    user = actor_user(actor)
    return AuditEvent(
        actor=user,
        actor_email=user.email if user else "",
        tenant=tenant,
        tenant_slug=tenant.slug if tenant else "",
        action=action,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data,
    )
