"""Test clients on a tenant's host (or the console's), logged in or carrying an API key."""

from django.test import Client
from django_tenants.utils import schema_context

from portal.accounts.signin import SESSION_MFA_KEY
from portal.tenancy.models import Tenant


def host_of(tenant: Tenant | None) -> str:
    return tenant.primary_domain_name if tenant is not None else "localhost"


def client_for(user=None, tenant: Tenant | None = None) -> Client:
    """Return a client on ``tenant``'s host (public when None), logged in there as ``user``."""
    client = Client(HTTP_HOST=host_of(tenant))
    if user is not None:
        # Log in "on" that host: the session is bound to the schema active at login.
        with schema_context(tenant.schema_name if tenant else "public"):
            client.force_login(user)
        if user.is_vendor_staff:
            # Staff pages need a confirmed second factor (tests/accounts/test_mfa.py tests the real step).
            session = client.session
            session[SESSION_MFA_KEY] = "otp_totp.totpdevice/test"
            session.save()
    return client


def key_client(tenant: Tenant, raw: str, *, header: str = "bearer") -> Client:
    """Return a client on ``tenant``'s host that sends ``raw`` as its API key."""
    if header == "bearer":
        return Client(HTTP_HOST=host_of(tenant), HTTP_AUTHORIZATION=f"Bearer {raw}")
    return Client(HTTP_HOST=host_of(tenant), HTTP_X_API_KEY=raw)
