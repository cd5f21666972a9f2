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
    user = actor_user(actor)
    return AuditEvent.objects.create(
        actor=user,
        actor_email=user.email if user else "",
        tenant=tenant,
        tenant_slug=tenant.slug if tenant else "",
        action=action,
        target_type=target._meta.label if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data,
    )
