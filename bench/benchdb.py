"""A throwaway database for benchmarks: created fresh, migrated, dropped at the end.

Benchmarks never touch the development or test databases: the name defaults to
keel_bench (override with KEEL_DB_NAME) and the server must be on this machine.
"""

import os
import sys
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def configure() -> str:
    """Point Django at the bench database (test settings: no Redis, eager Celery); return its name."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("KEEL_DB_NAME", "keel_bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    host = os.environ.get("KEEL_DB_HOST", "127.0.0.1")
    if host not in LOCAL_HOSTS:
        raise SystemExit(f"Benchmarks run against a local PostgreSQL only, not {host}.")
    return os.environ["KEEL_DB_NAME"]


def _admin_connection():
    import psycopg

    params = {
        "host": os.environ.get("KEEL_DB_HOST", "127.0.0.1"),
        "port": os.environ.get("KEEL_DB_PORT", "5432"),
        "user": os.environ.get("KEEL_DB_USER", "postgres"),
        "dbname": "postgres",
        "autocommit": True,
    }
    if os.environ.get("KEEL_DB_PASSWORD"):
        params["password"] = os.environ["KEEL_DB_PASSWORD"]
    return psycopg.connect(**params)


def _recreate(name: str, *, drop_only: bool = False) -> None:
    from psycopg import sql

    with _admin_connection() as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if not drop_only:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


@contextmanager
def bench_database(*, keep: bool = False):
    """Create and migrate the bench database, set Django up, and drop it afterwards."""
    name = configure()
    if name in {"keel", "keel_test", "test_keel"}:
        raise SystemExit(f"Refusing to use {name!r} for a benchmark; pick a dedicated name.")
    _recreate(name)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from portal.tenancy.services import public_tenant_ensure

    call_command("migrate_schemas", shared=True, verbosity=0)
    public_tenant_ensure()
    try:
        yield name
    finally:
        connection.close()
        if not keep:
            _recreate(name, drop_only=True)
