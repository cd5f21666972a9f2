"""Bind each session to the host it was made on, and start it with the user's role there."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from portal.tenancy.db import connection
from portal.tenancy.middleware import SESSION_SCHEMA_KEY, remember_tenant_access
from portal.tenancy.models import Tenant


@receiver(user_logged_in, dispatch_uid="keel_bind_session_to_schema")
def bind_session_to_schema(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_SCHEMA_KEY] = connection.schema_name
        tenant = getattr(connection, "tenant", None)
        if not isinstance(tenant, Tenant):  # schema_context() (tests, scripts) sets a stand-in
            tenant = Tenant.objects.filter(schema_name=connection.schema_name).first()
        if tenant is not None and not tenant.is_public and not user.is_vendor_staff:
            # The version as stored now: the caller's user object may predate a membership change.
            version = type(user).objects.filter(pk=user.pk).values_list("access_version", flat=True).first()
            remember_tenant_access(request.session, user, tenant, version=version)
