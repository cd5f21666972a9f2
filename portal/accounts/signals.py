"""Bind each session to the host it was made on."""

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver

from portal.tenancy.db import connection
from portal.tenancy.middleware import SESSION_SCHEMA_KEY


@receiver(user_logged_in, dispatch_uid="keel_bind_session_to_schema")
def bind_session_to_schema(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_SCHEMA_KEY] = connection.schema_name
