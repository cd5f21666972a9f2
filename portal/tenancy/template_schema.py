"""The template schema new tenants are copied from (django-tenants TENANT_BASE_SCHEMA).

Migrating a fresh schema renders every migration's model state, which costs about 1.5 s a
tenant. django-tenants' own clone (a PL/pgSQL ``clone_schema``) avoids that but reads
``information_schema`` views that scan every schema in the database: measured here it grows
from 0.3 s with 3 tenants to 1 s with 30 and keeps growing, so it fails the "under a second
with 1,000 tenants" bar long before 1,000.

Keel's copy (`tenant_schema_copy_template`) therefore replays the template's DDL instead:
``pg_dump --schema-only`` of the template, taken once per process and per template state
(the template's migration records are its fingerprint), then, under an advisory lock:

1. rename the template aside (``ALTER SCHEMA … RENAME``: a catalog update, O(1));
2. replay the DDL, which recreates the template's name with every table, identity, index
   and constraint, all with the names Django gave them (later migrations find them);
3. rename that fresh schema to the tenant's, and the template back;
4. copy the template's migration records, and check the copy has every relation and
   constraint the template has, by name; anything wrong raises and the transaction undoes it.

Every step is transactional DDL inside the provisioning transaction. When pg_dump is missing,
fails, or the template has just been migrated in this very transaction (pg_dump, another
session, could not see it), provisioning falls back to django-tenants' clone: slower, same
result.

The trap either way is a stale template: the copy records every migration the template
has, so a template one migration behind would yield tenants that record a migration they
never ran. Provisioning therefore checks the template first and migrates it when it is
behind (`tenant_schema_copy_template` does, before either way of copying).

Copies hold structure only (``Tenant.clone_mode = "NODATA"`` for the fallback): no row of the
template ever reaches a tenant, so a tenant-app data migration would not either. Per-tenant
starting rows belong in a ``KEEL_ON_TENANT_PROVISIONED`` action (as the onboarding checklist does),
not in a migration.
"""

import functools
import logging
import os
import shutil
import subprocess
import threading

import psycopg
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.db.migrations.loader import MigrationLoader
from django_tenants.utils import get_public_schema_name, quote_schema_name, schema_exists

from portal.tenancy.db import connection

logger = logging.getLogger(__name__)

# Any constant works: it only keeps two processes from changing the template at once.
_ADVISORY_LOCK_KEY = 0x4B45454C
# Where the template waits while its fresh copy is made (only ever inside one transaction).
_SWAP_SCHEMA = "keel_template_swap"
# pg_dump must not wait long for a lock this transaction itself might hold.
_DUMP_LOCK_WAIT = "5s"
_DUMP_TIMEOUT_SECONDS = 120


def template_schema_name() -> str:
    return settings.TENANT_BASE_SCHEMA


@functools.cache
def _leaf_migrations() -> frozenset[tuple[str, str]]:
    # Read from disk once per process: the code (and so its migrations) cannot change under it.
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes())


def tenant_template_missing_migrations() -> set[tuple[str, str]]:
    """Return the latest migrations of each app that the template has not recorded (all when absent)."""
    leaves = set(_leaf_migrations())
    table = f"{quote_schema_name(template_schema_name())}.django_migrations"
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s)", [table])
        if cursor.fetchone()[0] is None:
            return leaves
        cursor.execute(f"SELECT app, name FROM {table}")  # noqa: S608 (a quoted name from settings)
        return leaves - set(cursor.fetchall())


@transaction.atomic
def tenant_template_sync(*, verbosity: int = 0) -> None:
    """Create the template schema if it is missing and apply every tenant migration to it."""
    schema = template_schema_name()
    if schema == get_public_schema_name() or schema.startswith("t_"):
        # t_ is the tenants' prefix (services.schema_name_for): a template there could be a tenant.
        raise ValueError(f"TENANT_BASE_SCHEMA {schema!r} must not be public or look like a tenant's schema.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
        if not schema_exists(schema):
            cursor.execute(f"CREATE SCHEMA {quote_schema_name(schema)}")
    call_command("migrate_schemas", tenant=True, schema_name=schema, interactive=False, verbosity=verbosity)
    connection.set_schema_to_public()


class _DumpCache:
    """The template's DDL, kept per process with the migration fingerprint it was taken at."""

    def __init__(self):
        self.lock = threading.Lock()
        self.fingerprint: str | None = None
        self.ddl: str | None = None
        # The template's relation and constraint names at ``names_fingerprint``.
        self.names_fingerprint: str | None = None
        self.names: tuple[list[str], list[str]] = ([], [])


_dump_cache = _DumpCache()


def _template_fingerprint(cursor) -> str:
    table = f"{quote_schema_name(template_schema_name())}.django_migrations"
    cursor.execute(f"SELECT md5(string_agg(app || '.' || name, ',' ORDER BY app, name)) FROM {table}")  # noqa: S608
    return cursor.fetchone()[0] or ""


# Connection settings pg_dump must not show in its command line (ps): the password goes by PGPASSWORD;
# the others are left out, so a setup that needs them falls back to the clone (with a warning).
_SECRET_CONNINFO_KEYS = {"password", "sslpassword", "oauth_client_secret", "scram_client_key", "scram_server_key"}


def _pg_dump_conninfo() -> str:
    """Return the libpq connection string of Django's own connection: host, port, user and every
    libpq option in DATABASES' OPTIONS (sslmode, sslrootcert, target_session_attrs, …)."""
    keywords = {option.keyword.decode() for option in psycopg.pq.Conninfo.get_defaults()}
    params = connection.get_connection_params()
    libpq = {k: v for k, v in params.items() if k in keywords - _SECRET_CONNINFO_KEYS and v not in (None, "")}
    libpq.setdefault("host", "localhost")
    return psycopg.conninfo.make_conninfo(**libpq)


def _pg_dump_command() -> list[str] | None:
    executable = getattr(settings, "KEEL_PG_DUMP", "") or shutil.which("pg_dump")
    if not executable or not os.access(executable, os.X_OK):
        return None
    command = [executable, "--schema-only", "--no-owner", "--no-privileges", "--no-comments"]
    command += [f"--lock-wait-timeout={_DUMP_LOCK_WAIT}", f"--schema={template_schema_name()}"]
    return [*command, "--dbname", _pg_dump_conninfo()]


def _replayable(dump: str) -> str:
    """Drop what only psql or a fresh session should run: meta-commands, SETs, comments."""
    keep = []
    for line in dump.splitlines():
        if line.startswith(("\\", "--", "SET ", "SELECT pg_catalog.set_config(")):
            continue
        keep.append(line)
    return "\n".join(keep).strip()


def _template_ddl(fingerprint: str) -> str | None:
    """Return the template's DDL at ``fingerprint`` (dumping it when the cache is older); None if pg_dump fails."""
    with _dump_cache.lock:
        if _dump_cache.fingerprint == fingerprint and _dump_cache.ddl:
            return _dump_cache.ddl
        command = _pg_dump_command()
        if command is None:
            logger.warning("pg_dump not found (set KEEL_PG_DUMP): provisioning uses the slower clone.")
            return None
        env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
        if connection.settings_dict.get("PASSWORD"):
            env["PGPASSWORD"] = connection.settings_dict["PASSWORD"]
        try:
            result = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
                command, capture_output=True, text=True, env=env, timeout=_DUMP_TIMEOUT_SECONDS, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            logger.warning("pg_dump of the template failed (%s): provisioning uses the slower clone.", exc)
            return None
        if result.returncode != 0:
            logger.warning("pg_dump of the template failed: %s", result.stderr.strip()[:500])
            return None
        _dump_cache.fingerprint, _dump_cache.ddl = fingerprint, _replayable(result.stdout)
        return _dump_cache.ddl


def _object_counts(cursor, schema: str) -> tuple[int, int]:
    """Relations and constraints in ``schema`` (scans the catalogs: fine once, not per tenant)."""
    names = _object_names(cursor, schema)
    return len(names[0]), len(names[1])


def _object_names(cursor, schema: str) -> tuple[list[str], list[str]]:
    quoted = quote_schema_name(schema)
    cursor.execute("SELECT relname::text FROM pg_class WHERE relnamespace = %s::regnamespace", [quoted])
    relations = sorted(row[0] for row in cursor.fetchall())
    cursor.execute("SELECT conname::text FROM pg_constraint WHERE connamespace = %s::regnamespace", [quoted])
    return relations, sorted(row[0] for row in cursor.fetchall())


def _template_names(cursor, fingerprint: str) -> tuple[list[str], list[str]]:
    with _dump_cache.lock:
        if _dump_cache.names_fingerprint != fingerprint:
            _dump_cache.names = _object_names(cursor, template_schema_name())
            _dump_cache.names_fingerprint = fingerprint
        return _dump_cache.names


def _check_copy(cursor, schema: str, expected: tuple[list[str], list[str]]) -> None:
    """Raise unless ``schema`` holds every relation and constraint the template does.

    Looked up by name (index scans), so the check costs the same with 10 schemas or 10,000.
    """
    relations, constraints = expected
    quoted = quote_schema_name(schema)
    cursor.execute(
        "SELECT (SELECT count(*) FROM pg_class WHERE relnamespace = %s::regnamespace AND relname = ANY(%s)),"
        " (SELECT count(*) FROM pg_constraint WHERE connamespace = %s::regnamespace AND conname = ANY(%s))",
        [quoted, relations, quoted, constraints],
    )
    copied = tuple(cursor.fetchone())
    if copied != (len(relations), len(constraints)):
        raise RuntimeError(
            f"The copy of {template_schema_name()!r} into {schema!r} has {copied[0]} of its {len(relations)}"
            f" relations and {copied[1]} of its {len(constraints)} constraints; nothing was created."
        )


def tenant_schema_copy_template(schema_name: str) -> bool:
    """Create ``schema_name`` as a copy of the template (structure and migration records).

    Returns False, having created nothing, when the fast copy cannot be made here and the
    caller should clone instead (see the module docstring); the template is then current on
    migrations all the same, as the clone needs.
    """
    template = template_schema_name()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])
        if not schema_exists(template) or tenant_template_missing_migrations():
            tenant_template_sync()  # uncommitted until provisioning commits: pg_dump could not see it
            return False
        fingerprint = _template_fingerprint(cursor)
        ddl = _template_ddl(fingerprint)
        if ddl is None:
            return False
        expected = _template_names(cursor, fingerprint)
        target, swap, template_q = (
            quote_schema_name(schema_name),
            quote_schema_name(_SWAP_SCHEMA),
            quote_schema_name(template),
        )
        cursor.execute(f"ALTER SCHEMA {template_q} RENAME TO {swap}")
        cursor.execute(ddl)
        cursor.execute(f"ALTER SCHEMA {template_q} RENAME TO {target}")
        cursor.execute(f"ALTER SCHEMA {swap} RENAME TO {template_q}")
        cursor.execute(
            f"INSERT INTO {target}.django_migrations (app, name, applied)"  # noqa: S608 (quoted names)
            f" SELECT app, name, applied FROM {template_q}.django_migrations ORDER BY id"
        )
        _check_copy(cursor, schema_name, expected)
    connection.set_schema_to_public()
    return True
