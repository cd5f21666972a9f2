"""The keys a vendor's product sends data with, one tenant per key. Public schema.

Moved here from the portfolio app (label ``health``) with its table kept (``health_apikey``):
see migrations/0001_initial.py.
"""

import hashlib
import secrets
from typing import Self

from django.conf import settings
from django.db import models
from django.utils import timezone

KEY_PREFIX = "keel_"


def hash_api_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiKeyQuerySet(models.QuerySet["ApiKey"]):
    def active(self) -> Self:
        return self.filter(revoked_at__isnull=True)

    def by_raw(self, raw: str) -> Self:
        """Return the key a raw secret points at (only its hash is stored)."""
        return self.filter(key_hash=hash_api_key(raw))


class ApiKey(models.Model):
    """A secret a vendor's product uses to send usage, ticket and seat data for one tenant."""

    tenant = models.ForeignKey("tenancy.Tenant", on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=100)
    # The first characters of the raw key, so people can tell keys apart; not a secret.
    prefix = models.CharField(max_length=16)
    # Only the SHA-256 of the key is stored: a database leak gives no working keys.
    key_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        db_table = "health_apikey"  # kept from its first home, so the move rewrote no rows
        ordering = ["-created_at"]
        verbose_name = "API key"

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def new_secret() -> tuple[str, str]:
        """Return a fresh (raw key, hash) pair."""
        raw = KEY_PREFIX + secrets.token_urlsafe(32)
        return raw, hash_api_key(raw)

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
