"""API-key authentication for machine callers (the vendor's product), one tenant per key.

A key is looked up by its SHA-256 and must belong to the tenant whose host the request
came to: a key of tenant A presented on B's host is refused as if it did not exist.
"""

from django.db import connection
from django.utils.translation import gettext
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed

from .models import ApiKey
from .services import api_key_touch


class ApiKeyPrincipal:
    """The caller behind an API key. Not a user: it holds no role and cannot log in."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_api_key = True
    is_keel_admin = False
    is_csm = False
    is_vendor_staff = False

    def __init__(self, key: ApiKey):
        self.key = key
        self.tenant_id = key.tenant_id
        self.pk = None

    def __str__(self):
        return f"API key {self.key.prefix}…"


class ApiKeyAuthentication(BaseAuthentication):
    """``Authorization: Bearer <key>`` or ``X-Api-Key: <key>``."""

    keyword = b"bearer"

    def authenticate(self, request):
        raw = self._raw_key(request)
        if raw is None:
            return None
        tenant = getattr(connection, "tenant", None)
        key = (
            ApiKey.objects.active()
            .by_raw(raw)
            .filter(tenant_id=getattr(tenant, "pk", None))  # type: ignore[misc]  # no tenant: no key matches
            .select_related("tenant")
            .first()
        )
        if key is None:
            raise AuthenticationFailed(gettext("Invalid or revoked API key for this account."))
        api_key_touch(key=key)
        return ApiKeyPrincipal(key), key

    def authenticate_header(self, request) -> str:
        return 'Bearer realm="api"'

    def _raw_key(self, request) -> str | None:
        header = request.META.get("HTTP_X_API_KEY")
        if header:
            return header.strip()
        parts = get_authorization_header(request).split()
        if len(parts) == 2 and parts[0].lower() == self.keyword:
            return parts[1].decode("latin-1")
        if parts and parts[0].lower() == self.keyword:
            raise AuthenticationFailed(gettext("Send the key as 'Authorization: Bearer <key>'."))
        return None


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """Describe API keys in the OpenAPI schema (Bearer; X-Api-Key is accepted too)."""

    target_class = ApiKeyAuthentication
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A per-tenant API key created in the console; also accepted as the X-Api-Key header.",
        }
