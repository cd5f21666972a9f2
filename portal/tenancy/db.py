"""``django.db.connection`` as django-tenants makes it, for the type checker.

django-tenants' database backend adds ``schema_name``, ``tenant`` and ``set_schema_to_public()``
to the connection; django-stubs types ``connection`` as a plain ``BaseDatabaseWrapper``. This
module hands out the same object under a type that names them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from django.db import connection as _connection

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper

    class TenantConnection(BaseDatabaseWrapper):
        schema_name: str

        def set_schema_to_public(self) -> None: ...


connection = cast("TenantConnection", _connection)
