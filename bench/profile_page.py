"""Serve one page many times in this process, for a sampling profiler (py-spy) to watch.

    .venv/bin/python bench/load.py --keep-db          # once: keeps keel_bench_load, seeded
    .venv/bin/py-spy record -o docs/profile.svg -- .venv/bin/python bench/profile_page.py --path /onboarding/

The requests go through the whole Django stack (every middleware, the session, the user, the
membership check, the view, the templates) with Django's test client, under production settings,
against the load benchmark's database (keel_bench_load, kept with ``--keep-db``), as the demo's
customer on acme.localhost. No network and no gunicorn: what the profile shows is the page's own
Python and its queries.
"""

import argparse
import os
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--path", default="/onboarding/")
    parser.add_argument("--host", default="acme.localhost")
    parser.add_argument("--email", default="ciso@acme.example.com")
    parser.add_argument("--requests", type=int, default=1000)
    opts = parser.parse_args()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="portal.settings.prod",
        KEEL_SECRET_KEY=secrets.token_urlsafe(64),
        KEEL_DB_NAME="keel_bench_load",
        KEEL_BASE_DOMAIN="localhost",
        KEEL_SSL_REDIRECT="0",
        KEEL_LOG_LEVEL="WARNING",
        KEEL_ALLOWED_HOSTS=".localhost,localhost,testserver",
        KEEL_MFA_REQUIRED_ROLES="",  # as bench/harness.py: staff pages are profiled, not the second factor
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    # Plain static URLs: the manifest storage would need a collectstatic run (seconds of brotli in
    # the profile); resolving a manifest name is one dict lookup a {% static %}.
    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()
    from django.test import Client
    from django_tenants.utils import schema_context

    from portal.accounts.models import User
    from portal.tenancy.models import Domain

    schema = Domain.objects.select_related("tenant").get(domain=opts.host).tenant.schema_name
    client = Client(HTTP_HOST=opts.host)
    with schema_context(schema):
        client.force_login(User.objects.get(email=opts.email))
    for _ in range(10):  # first-use costs are not what is profiled
        assert client.get(opts.path).status_code == 200
    started = time.perf_counter()
    for _ in range(opts.requests):
        client.get(opts.path)
    elapsed = time.perf_counter() - started
    print(f"{opts.path}: {opts.requests} requests, {elapsed / opts.requests * 1000:.2f} ms each (in process)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
