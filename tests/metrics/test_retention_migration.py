"""retention.0002 moves every churn record into the ledger and keeps deleted customers as tombstones.

Like tests/portal/test_migrate_forward.py: a throwaway database at the layout before the ledger,
rows written through the historical models, then ``migrate_schemas --shared`` to the end.
"""

import json
import os
import sys

import pytest

from tests.portal.test_migrate_forward import _run, scratch_database  # noqa: F401  (a fixture)

pytestmark = pytest.mark.slow

POPULATE_BEFORE_THE_LEDGER = """
import json
from django.db import connection
from django.db.migrations.loader import MigrationLoader

state = MigrationLoader(connection).project_state(("health", "0002_apikey_moved_to_ingest")).apps
Tenant = state.get_model("tenancy", "Tenant")
ChurnEvent = state.get_model("health", "ChurnEvent")
live = Tenant.objects.create(schema_name="t_live", name="Live Ltd", slug="live", contract_start="2024-05-01", arr=5000)
lost = Tenant.objects.create(schema_name="t_lost", name="Lost Ltd", slug="lost", contract_start="2024-02-01", arr=7000)
ChurnEvent.objects.create(tenant=lost, tenant_slug="lost", customer_since="2024-02-01", churned_on="2025-08-01")
ChurnEvent.objects.create(tenant=None, tenant_slug="gone", customer_since="2023-01-01", churned_on="2025-03-01")
print(json.dumps({"ok": True}))
"""

READ_THE_LEDGER = """
import json
from metrics.retention.models import Account

def history(account):
    return [[e.kind, str(e.occurred_on), e.reason] for e in account.events.all()]

rows = {a.slug: [a.name, a.tenant.slug if a.tenant else None, history(a)] for a in Account.objects.all()}
print(json.dumps(rows))
"""


def test_churn_records_become_ledger_events(scratch_database):  # noqa: F811
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings.test", "KEEL_DB_NAME": scratch_database}
    manage = [sys.executable, "manage.py"]
    _run([*manage, "migrate_schemas", "--shared", "--verbosity", "0"], env)
    _run([*manage, "migrate_schemas", "--shared", "retention", "zero", "--verbosity", "0"], env)
    _run([*manage, "shell", "-c", POPULATE_BEFORE_THE_LEDGER], env)
    _run([*manage, "migrate_schemas", "--shared", "--verbosity", "0"], env)
    rows = json.loads(_run([*manage, "shell", "-c", READ_THE_LEDGER], env).strip().splitlines()[-1])
    assert rows["live"] == ["Live Ltd", "live", [["contract_start", "2024-05-01", ""]]]
    assert rows["lost"] == [
        "Lost Ltd",
        "lost",
        [["contract_start", "2024-02-01", ""], ["churn", "2025-08-01", "other"]],
    ]
    assert rows["gone"] == ["gone", None, [["contract_start", "2023-01-01", ""], ["churn", "2025-03-01", "other"]]]
