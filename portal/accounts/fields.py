"""A reference from a tenant-schema table to a user in the public schema."""

from django.conf import settings
from django.db import models


def user_ref(**kwargs) -> models.ForeignKey:
    """Return a foreign key to the user table that is safe to put in a tenant schema.

    Two traps with an ordinary foreign key there: PostgreSQL would tie every tenant
    schema to the public user row, and Django's delete collector, run in the public
    schema, would query tenant tables that do not exist there. So: no database
    constraint and DO_NOTHING. Users are deactivated, never deleted (the admin
    refuses deletion), so the reference stays valid.
    """
    kwargs.setdefault("null", True)
    kwargs.setdefault("blank", True)
    kwargs.setdefault("related_name", "+")
    return models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False, **kwargs)
