"""Write audit rows. Called inside the transaction of the change it records."""

from django.db import models

from .models import AuditEvent


def audit_record(*, actor, action: str, tenant=None, target: models.Model | None = None, **data) -> AuditEvent:
    """Record that ``actor`` (a user, or None for the system) did ``action``."""
    user = actor if getattr(actor, "is_authenticated", False) else None
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
