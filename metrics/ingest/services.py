"""API keys: created (shown once), revoked and touched. Every change is audited."""

from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from portal.accounts.access import Actor, actor_user, require_staff_on
from portal.audit.services import audit_record
from portal.tenancy.models import Tenant

from .models import ApiKey

# last_used_at is a hint for people, not an audit trail: write it at most this often.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@dataclass(frozen=True)
class CreatedKey:
    key: ApiKey
    raw: str


@transaction.atomic
def api_key_create(*, tenant: Tenant, name: str, actor: Actor) -> CreatedKey:
    """Create an API key for ``tenant``; the raw key is returned once and never stored."""
    require_staff_on(actor, tenant, message="Only an admin or the tenant's assigned CSM may manage its API keys.")
    name = name.strip()
    if not name:
        raise ValidationError({"name": gettext("Name the key after what will use it (e.g. 'product telemetry').")})
    raw, key_hash = ApiKey.new_secret()
    key = ApiKey.objects.create(
        tenant=tenant, name=name, prefix=raw[:12], key_hash=key_hash, created_by=actor_user(actor)
    )
    audit_record(actor=actor, action="api_key.created", tenant=tenant, target=key, name=name, prefix=key.prefix)
    return CreatedKey(key=key, raw=raw)


@transaction.atomic
def api_key_revoke(*, key: ApiKey, actor: Actor) -> ApiKey:
    """Revoke a key; requests made with it are refused from now on."""
    require_staff_on(actor, key.tenant, message="Only an admin or the tenant's assigned CSM may manage its API keys.")
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
