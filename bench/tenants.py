"""Scale benchmark: provisioning, migrate_schemas and requests with --tenants schemas present.

    python bench/tenants.py --tenants 1000 [--migrate-sample 8] [--clone-sample 4]
                            [--sessions 40] [--duration 8] [--connections 16] [--keep-db]

In its own database (keel_bench_tenants):

1. Provisions --tenants tenants one after the other through the real service
   (`tenant_provision`: schema, domain, onboarding checklist, audit row), timing each. Most
   use Keel's way (replaying the template's pg_dump, portal/tenancy/template_schema.py);
   --migrate-sample of them, spread evenly, migrate a fresh schema instead (no template),
   and --clone-sample use django-tenants' clone: the two baselines, measured in the same
   run against the same growing number of schemas.
2. Runs `migrate_schemas` with nothing to apply, over every schema, and reports the time;
   then vacuums the grown catalogs and waits for autovacuum, so it does not run mid-load.
3. Serves the database with gunicorn (production settings), logs a customer in on
   --sessions tenants picked at random, and loads with wrk (--connections users) the
   checklist page on one tenant, then on a random one of those per request; and the login
   page on one tenant, then on a random one of all the tenants per request. Prints req/s and
   p50/p95/p99, and the random-tenant runs' p95 against the one-tenant runs'.

Goals (exit 1 when one is missed): Keel's provisioning under 1 s per tenant on average and at
the 95th percentile, with all the schemas present; 0 request errors; p95 under 50 ms on a
random tenant at --connections users.
"""

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from unittest import mock

from harness import DEMO_PASSWORD, ROOT, Goals, Keel, db_drop, db_exists, db_recreate, free_port, log, wrk

from portal.accounts.access import SYSTEM

DB = "keel_bench_tenants"
PROVISION_GOAL_SECONDS = 1.0
P95_GOAL_MS = 50
CHECKLIST = ("/onboarding/", 'id="progress-title"')
LOGIN = ("/login/", 'name="password"')


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    # Test settings for the in-process part: eager Celery, no Redis. Provisioning runs the
    # same code under any settings; the server below runs production settings.
    os.environ.update(KEEL_DB_NAME=DB, DJANGO_SETTINGS_MODULE="portal.settings.test", KEEL_BASE_DOMAIN="localhost")
    import django

    django.setup()


def _spread(count: int, sample: int) -> set[int]:
    """``sample`` indexes spread evenly over 1..count-1 (never the first, which pays for the dump)."""
    return {round((j + 1) * count / (sample + 1)) for j in range(sample)} - {0}


@contextmanager
def _way(name: str):
    from django.test import override_settings

    from portal.tenancy import template_schema

    if name == "migrate":  # django-tenants without a template: CREATE SCHEMA, then every migration
        with override_settings(TENANT_CREATION_FAKES_MIGRATIONS=False):
            yield
    elif name == "clone":  # django-tenants' clone_schema(), Keel's fallback
        with mock.patch.object(template_schema, "_template_ddl", return_value=None):
            yield
    else:
        yield


def _summary(seconds: list[float]) -> str:
    if not seconds:
        return "none"
    p95 = statistics.quantiles(seconds, n=20)[-1] if len(seconds) >= 20 else max(seconds)
    return (
        f"n={len(seconds)}  mean {statistics.fmean(seconds):.3f} s  median {statistics.median(seconds):.3f} s  "
        f"p95 {p95:.3f} s  max {max(seconds):.3f} s"
    )


def provision(count: int, migrate_sample: int, clone_sample: int) -> dict[str, list[tuple[int, float]]]:
    from portal.tenancy.services import tenant_provision

    migrate_at, clone_at = _spread(count, migrate_sample), set()
    for n in sorted(_spread(count, clone_sample)):  # beside the migrated ones, never on them
        while n in migrate_at or n in clone_at:
            n += 1
        clone_at.add(min(n, count - 1))
    times: dict[str, list[tuple[int, float]]] = {"copy": [], "clone": [], "migrate": []}
    started = time.perf_counter()
    for n in range(count):
        way = "migrate" if n in migrate_at else "clone" if n in clone_at else "copy"
        with _way(way):
            result = tenant_provision(actor=SYSTEM, name=f"Scale customer {n}", slug=f"scale{n:05d}")
        times[way].append((n, result.seconds))
        if way != "copy":
            log(f"  {way:<8} tenant {n + 1:>5} ({n} schemas before it): {result.seconds:.3f} s")
        if (n + 1) % 100 == 0 or n + 1 == count:
            recent = [s for i, s in times["copy"] if i > n - 100]
            log(
                f"  {n + 1:>5}/{count} provisioned in {time.perf_counter() - started:6.0f} s;"
                f" copy, last 100: mean {statistics.fmean(recent):.3f} s, max {max(recent):.3f} s"
            )
    return times


def migrate_noop() -> tuple[float, int]:
    from django.core.management import call_command
    from django.db import connection

    from portal.tenancy.models import Tenant

    schemas = Tenant.objects.count()  # public and every tenant; plus the template (synced after public)
    started = time.perf_counter()
    call_command("migrate_schemas", verbosity=0, interactive=False)
    elapsed = time.perf_counter() - started
    connection.close()
    return elapsed, schemas


CATALOGS = ("pg_class", "pg_attribute", "pg_type", "pg_depend", "pg_constraint", "pg_index", "pg_attrdef")


def settle(timeout: float = 180) -> float:
    """Vacuum the catalogs the provisioning grew and wait for autovacuum to finish in this database.

    Otherwise an autovacuum of a catalog with a thousand schemas' rows may take one of the two
    cores in the middle of the request runs, and the figures measure that instead.
    """
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) " + ", ".join(f"pg_catalog.{name}" for name in CATALOGS))
        cursor.execute("CHECKPOINT")
        while time.perf_counter() - started < timeout:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'autovacuum worker' AND datname = %s",
                [DB],
            )
            if cursor.fetchone()[0] == 0:
                break
            time.sleep(1)
    connection.close()
    return time.perf_counter() - started


def _customers(tenants, password: str) -> list[tuple[str, str]]:
    """A customer member on each of ``tenants``; return (host, e-mail) pairs."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
    from django.db import connection

    from portal.accounts.models import Membership, MembershipRole, User

    # Production's hasher (these settings hash with MD5 for speed): the server checks it at login.
    hashed = make_password(password, hasher=PBKDF2PasswordHasher())
    pairs = []
    for tenant in tenants:
        email = f"bench@{tenant.slug}.example.com"
        user, _ = User.objects.update_or_create(email=email, defaults={"password": hashed, "is_active": True})
        Membership.objects.get_or_create(user=user, tenant=tenant, defaults={"role": MembershipRole.CUSTOMER_MEMBER})
        pairs.append((tenant.primary_domain_name, email))
    connection.close()
    return pairs


def requests(opts, tmp: Path) -> dict[str, dict]:
    from portal.tenancy.models import Tenant

    tenants = list(Tenant.objects.exclude(schema_name="public").order_by("schema_name"))
    chosen = random.Random(7).sample(tenants, min(opts.sessions, len(tenants)))
    customers = _customers(chosen, DEMO_PASSWORD)
    keel = Keel(DB, free_port())
    keel.manage("collectstatic", "--noinput", "--verbosity", "0")
    results = {}
    try:
        with keel.gunicorn(workers=opts.workers):
            log(f"Logging a customer in on {len(customers)} tenants (PBKDF2, as in production) …")
            sessions = [(host, keel.login(host, email)) for host, email in customers]
            signed_in = tmp / "signed_in.tsv"
            signed_in.write_text("".join(f"{host}\t{cookie}\n" for host, cookie in sessions))
            everyone = tmp / "all_hosts.tsv"
            everyone.write_text("".join(f"{t.primary_domain_name}\t\n" for t in tenants))
            one_host, one_cookie = sessions[0]
            runs = [
                ("checklist, one tenant", CHECKLIST, one_cookie, None),
                (f"checklist, random of {len(sessions)} tenants", CHECKLIST, "", signed_in),
                ("login page, one tenant", LOGIN, "", None),
                (f"login page, random of all {len(tenants)}", LOGIN, "", everyone),
            ]
            log(f"\n{'run':<38}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}")
            for label, (path, marker), cookie, targets in runs:
                load = {"connections": opts.connections, "threads": 2, "targets": targets, "cookie": cookie}
                wrk(keel.port, one_host, path, marker, seconds=1, **load)  # warm-up
                r = results[label] = wrk(keel.port, one_host, path, marker, seconds=opts.duration, **load)
                log(
                    f"{label:<38}{r['rps']:>8.0f}{r['p50'] / 1000:>9.1f}{r['p95'] / 1000:>9.1f}"
                    f"{r['p99'] / 1000:>9.1f}{r['errors']:>8}"
                )
    finally:
        shutil.rmtree(keel.tmp, ignore_errors=True)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--migrate-sample", type=int, default=8, help="tenants provisioned by migrations")
    parser.add_argument("--clone-sample", type=int, default=4, help="tenants provisioned by django-tenants' clone")
    parser.add_argument("--sessions", type=int, default=40, help="tenants with a signed-in customer")
    parser.add_argument("--duration", type=int, default=8, help="seconds of measured load per run (4 runs)")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count(), help="gunicorn workers")
    parser.add_argument("--keep-db", action="store_true", help=f"keep the {DB} database afterwards")
    opts = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: `apt-get install wrk` (make bench does it when run as root).")
    if opts.tenants < 2 or opts.duration > 15:
        sys.exit("--tenants must be at least 2 and --duration at most 15 (s).")

    log(f"Database {DB}: creating and migrating …")
    db_recreate(DB)
    _setup_django()
    from django.core.management import call_command

    from portal.tenancy.services import public_tenant_ensure

    call_command("migrate_schemas", shared=True, verbosity=0)  # also makes the template
    public_tenant_ensure()
    tmp = Path(tempfile.mkdtemp(prefix=f"{DB}-"))
    try:
        log(f"Provisioning {opts.tenants} tenants, one after the other …")
        times = provision(opts.tenants, opts.migrate_sample, opts.clone_sample)
        log(f"Running migrate_schemas with nothing to apply over {opts.tenants + 2} schemas …")
        noop, schemas = migrate_noop()
        log(f"Catalog maintenance before the request runs (VACUUM ANALYZE, CHECKPOINT): {settle():.0f} s")
        results = requests(opts, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        if not opts.keep_db and db_exists(DB):
            db_drop(DB)
    return _judge(opts, times, noop, schemas, results)


def _judge(opts, times, noop: float, schemas: int, results: dict) -> int:
    copy = [s for _, s in times["copy"]]
    last = [s for i, s in times["copy"] if i >= opts.tenants - 100]
    log(f"\nProvisioning with up to {opts.tenants} schemas present (seconds per tenant, whole service):")
    log(f"  Keel (pg_dump replay)   {_summary(copy)}")
    log(f"    the last 100          {_summary(last)}")
    for way, label in (("clone", "django-tenants clone"), ("migrate", "migrations")):
        at = ", ".join(f"{s:.2f} s at {i}" for i, s in times[way])
        log(f"  {label:<23} {_summary([s for _, s in times[way]])}  ({at})")
    mean = statistics.fmean(copy)
    for way in ("migrate", "clone"):
        if times[way]:
            log(f"  Keel / {way}: {mean / statistics.fmean(s for _, s in times[way]):.2f}")
    log(
        f"\nmigrate_schemas, nothing to apply: {noop:.1f} s for {schemas} schemas ({noop / schemas * 1000:.0f} ms each)"
    )
    one, anywhere = list(results)[0::2], list(results)[1::2]
    for a, b in zip(one, anywhere, strict=True):
        log(f"p95 {b} / {a}: {results[b]['p95'] / max(results[a]['p95'], 1):.2f}")

    goals = Goals()
    p95 = statistics.quantiles(copy, n=20)[-1] if len(copy) >= 20 else max(copy)
    goals.check(mean < PROVISION_GOAL_SECONDS, f"provisioning mean {mean:.3f} s (goal < {PROVISION_GOAL_SECONDS})")
    goals.check(p95 < PROVISION_GOAL_SECONDS, f"provisioning p95 {p95:.3f} s (goal < {PROVISION_GOAL_SECONDS})")
    for label, r in results.items():
        goals.check(r["errors"] == 0, f"{label}: {r['errors']} errors in {r['requests']} requests (goal 0)")
    for label in anywhere:
        ms = results[label]["p95"] / 1000
        goals.check(ms < P95_GOAL_MS, f"{label}: p95 {ms:.1f} ms (goal < {P95_GOAL_MS})")
    return goals.exit_code


if __name__ == "__main__":
    sys.exit(main())
