"""A throwaway database for benchmarks: created fresh, migrated, dropped at the end.

Benchmarks never touch the development or test databases: the name defaults to
keel_bench_<script> (keel_bench_ingest, …; override with KEEL_DB_NAME), so two benchmarks can
run at once, and the server must be on this machine.
"""

import os
import sys
from contextlib import contextmanager
from pathlib import Path

from harness import db_drop, db_recreate

ROOT = Path(__file__).resolve().parent.parent
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


def configure() -> str:
    """Point Django at the bench database (test settings: no Redis, eager Celery); return its name."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("KEEL_DB_NAME", f"keel_bench_{Path(sys.argv[0]).stem}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")
    # The benchmarks measure pages, so staff sign in without the second factor (as harness.Keel);
    # it has its own tests (tests/accounts, tests/e2e/test_sign_in_browser.py).
    os.environ.setdefault("KEEL_MFA_REQUIRED_ROLES", "")
    host = os.environ.get("KEEL_DB_HOST", "127.0.0.1")
    if host not in LOCAL_HOSTS:
        raise SystemExit(f"Benchmarks run against a local PostgreSQL only, not {host}.")
    return os.environ["KEEL_DB_NAME"]


@contextmanager
def bench_database(*, keep: bool = False):
    """Create and migrate the bench database, set Django up, and drop it afterwards."""
    name = configure()
    if name in {"keel", "keel_test", "test_keel"}:
        raise SystemExit(f"Refusing to use {name!r} for a benchmark; pick a dedicated name.")
    db_recreate(name)
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
            db_drop(name)


def tenants_without_migrations(template, count: int, *, prefix: str = "b"):
    """Create ``count`` tenants whose schemas copy ``template``'s tables (no migrations: fast).

    Rows are bulk-created, so django-tenants does not build schemas one migration run at a
    time; each schema gets ``CREATE TABLE … (LIKE template.table INCLUDING ALL)`` instead.
    Foreign keys are not copied (LIKE does not), which the scoring path does not rely on.
    """
    import random

    from django.db import connection, transaction

    from portal.tenancy.models import Tenant, Tier

    rng = random.Random(7)
    tiers = [Tier.STRATEGIC, Tier.KEY, Tier.STANDARD, Tier.STANDARD]
    tenants = Tenant.objects.bulk_create(
        [
            Tenant(
                schema_name=f"t_{prefix}{n:05d}",
                name=f"Bench customer {n}",
                slug=f"{prefix}{n:05d}",
                tier=rng.choice(tiers),
                ready=True,
            )
            for n in range(count)
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s AND tablename <> 'django_migrations'",
            [template.schema_name],
        )
        tables = [row[0] for row in cursor.fetchall()]
    for tenant in tenants:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA "{tenant.schema_name}"')
            for table in tables:
                source = f'"{template.schema_name}"."{table}"'
                cursor.execute(f'CREATE TABLE "{tenant.schema_name}"."{table}" (LIKE {source} INCLUDING ALL)')
    return tenants
