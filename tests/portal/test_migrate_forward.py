"""A database populated at the previous layout migrates forward with every row intact.

The API keys moved from the portfolio app (label ``health``, once ``portal.health``) to
``metrics.ingest`` with state-only migrations. This brings a real database to the migration
state before the move, writes rows through the historical models, runs
``migrate_schemas --shared`` to the end and reads the same rows through today's models.
It runs against its own throwaway database, in subprocesses, so nothing here touches the
session's test database.
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]

POPULATE_AT_OLD_LAYOUT = """
import json
from django.db import connection
from django.db.migrations.loader import MigrationLoader

state = MigrationLoader(connection).project_state(("health", "0001_initial")).apps
Tenant = state.get_model("tenancy", "Tenant")
ApiKey = state.get_model("health", "ApiKey")
Snapshot = state.get_model("health", "HealthSnapshot")
tenant = Tenant.objects.create(schema_name="t_old", name="Old Layout Ltd", slug="old")
key = ApiKey.objects.create(tenant=tenant, name="SIEM forwarder", prefix="keel_abc", key_hash="f" * 64)
Snapshot.objects.create(tenant=tenant, day="2026-11-30", score=71, band="green")
ContentType = state.get_model("contenttypes", "ContentType")
ct = ContentType.objects.get_or_create(app_label="health", model="apikey")[0]
print(json.dumps({"key": key.pk, "ct": ct.pk}))
"""

READ_AT_NEW_LAYOUT = """
import json
from django.contrib.contenttypes.models import ContentType
from metrics.ingest.models import ApiKey
from metrics.portfolio.models import HealthSnapshot

key = ApiKey.objects.select_related("tenant").get()
ct = ContentType.objects.get_for_model(ApiKey)
print(json.dumps({
    "key": key.pk, "name": key.name, "tenant": key.tenant.slug, "hash": key.key_hash,
    "table": ApiKey._meta.db_table, "ct": ct.pk, "ct_label": ct.app_label,
    "snapshot": HealthSnapshot.objects.get().score,
    "old_ct_left": ContentType.objects.filter(app_label="health", model="apikey").exists(),
}))
"""


def _run(args: list[str], env: dict) -> str:
    done = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)  # noqa: S603
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@pytest.fixture
def scratch_database():
    db = settings.DATABASES["default"]
    name = f"test_keel_migrate_{uuid.uuid4().hex[:8]}"
    dsn = f"host={db['HOST']} port={db['PORT']} user={db['USER']} dbname=postgres"
    if db["PASSWORD"]:
        dsn += f" password={db['PASSWORD']}"
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_rows_written_at_the_old_layout_survive_the_move(scratch_database):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test", "KEEL_DB_NAME": scratch_database}
    manage = [sys.executable, "manage.py"]
    # The previous layout: every shared app migrated, but the ingest app absent and the portfolio
    # app at its first migration, where the API keys still live (unapplying ingest takes health.0002
    # with it).
    _run([*manage, "migrate_schemas", "--shared", "--verbosity", "0"], env)
    _run([*manage, "migrate_schemas", "--shared", "ingest", "zero", "--verbosity", "0"], env)
    before = json.loads(_run([*manage, "shell", "-c", POPULATE_AT_OLD_LAYOUT], env).strip().splitlines()[-1])

    _run([*manage, "migrate_schemas", "--shared", "--verbosity", "0"], env)
    after = json.loads(_run([*manage, "shell", "-c", READ_AT_NEW_LAYOUT], env).strip().splitlines()[-1])

    assert after["key"] == before["key"]
    assert (after["name"], after["tenant"], after["hash"]) == ("SIEM forwarder", "old", "f" * 64)
    assert after["table"] == "health_apikey"
    assert after["snapshot"] == 71
    # The content type followed the model (admin log entries and permissions keep pointing at it).
    assert (after["ct"], after["ct_label"], after["old_ct_left"]) == (before["ct"], "ingest", False)
