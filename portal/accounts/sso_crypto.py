"""Encrypt OIDC client secrets at rest (Fernet: AES-128-CBC + HMAC-SHA256, from ``cryptography``).

Keys come from KEEL_SSO_SECRET_KEYS (comma-separated Fernet keys). The first encrypts; every key
decrypts. To rotate: put a new key first, keep the old one after it, run
``manage.py sso_secrets_rotate`` (re-encrypts every secret with the first key), then drop the old.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _keys() -> list[str]:
    keys = list(settings.KEEL_SSO_SECRET_KEYS)
    if not keys and settings.KEEL_SSO_DERIVE_KEY_FROM_SECRET_KEY:
        # Development and tests only (prod.py turns this off): a key derived from SECRET_KEY.
        keys = [base64.urlsafe_b64encode(hashlib.sha256(f"sso:{settings.SECRET_KEY}".encode()).digest()).decode()]
    if not keys:
        raise ImproperlyConfigured("Set KEEL_SSO_SECRET_KEYS (Fernet keys) to store single sign-on secrets.")
    return keys


def _box() -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in _keys()])
    except ValueError as exc:
        raise ImproperlyConfigured(f"KEEL_SSO_SECRET_KEYS holds a key that is not a Fernet key: {exc}") from None


def secret_encrypt(plain: str) -> str:
    return _box().encrypt(plain.encode()).decode()


def secret_decrypt(token: str) -> str:
    try:
        return _box().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "A single sign-on secret cannot be decrypted with KEEL_SSO_SECRET_KEYS: was a key dropped too early?"
        ) from None


def secret_rotate(token: str) -> str:
    """Return ``token`` re-encrypted with the first key."""
    return _box().rotate(token.encode()).decode()
