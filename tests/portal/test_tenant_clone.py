"""Tenants are provisioned by cloning the template schema, and the clone is a tenant of its own.

Every test here provisions inside its own rolled-back transaction; PostgreSQL DDL is
transactional, so the schemas, and any damage done to the template, vanish afterwards.
"""

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_tenants.clone import CloneSchema
from django_tenants.signals import post_schema_sync, schema_migrated
from django_tenants.utils import quote_schema_name, schema_context, schema_exists

import onboarding.receivers
from onboarding.models import Activity, Checklist, Comment, Task
from portal.audit.models import AuditEvent
from portal.tenancy.models import Domain, Tenant
from portal.tenancy.services import tenant_provision
from portal.tenancy.template_schema import template_schema_name, tenant_template_missing_migrations

pytestmark = pytest.mark.django_db

TEMPLATE = settings.TENANT_BASE_SCHEMA


def _tables(schema: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema])
        return {row[0] for row in cursor.fetchall()}


def _row_counts(schema: str) -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(_tables(schema)):
            cursor.execute(f"SELECT count(*) FROM {quote_schema_name(schema)}.{connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def _tenant_app_tables() -> set[str]:
    configs = [c for c in apps.get_app_configs() if c.name in settings.TENANT_APPS]
    return {m._meta.db_table for c in configs for m in c.get_models(include_auto_created=True)}


@pytest.fixture
def clone_calls(monkeypatch):
    calls = []
    original = CloneSchema.clone_schema

    def spy(self, base, new, mode="DATA", *args, **kwargs):
        calls.append((base, new, mode))
        return original(self, base, new, mode, *args, **kwargs)

    monkeypatch.setattr(CloneSchema, "clone_schema", spy)
    return calls


def _provision(slug="gamma"):
    return tenant_provision(actor=None, name=slug.title(), slug=slug).tenant


def test_provisioning_clones_the_template_structure_only(clone_calls):
    _provision()
    assert clone_calls == [(TEMPLATE, "t_gamma", "NODATA")]


def test_a_clone_has_every_tenant_table():
    _provision()
    assert _tables("t_gamma") == _tenant_app_tables() | {"django_migrations"}


def test_no_template_row_reaches_a_clone(clone_calls):
    # Rows in the template, as if something had written there by mistake.
    with schema_context(TEMPLATE):
        checklist = Checklist.objects.create(name="Leaked from the template")
        Activity.objects.create(checklist=checklist, verb="leak", summary="template row")
    seen = {}

    def snapshot(sender, tenant, **kwargs):  # right after the clone, before the checklist is made
        seen.update(_row_counts(tenant.schema_name))

    post_schema_sync.connect(snapshot, dispatch_uid="test_snapshot")
    try:
        tenant = _provision()
    finally:
        post_schema_sync.disconnect(dispatch_uid="test_snapshot")
    migrations = seen.pop("django_migrations")
    assert migrations > 0
    assert set(seen.values()) == {0}, {t: n for t, n in seen.items() if n}
    with tenant:
        assert not Checklist.objects.filter(name="Leaked from the template").exists()
        assert not Activity.objects.filter(verb="leak").exists()


def test_a_clone_records_every_migration_as_applied():
    _provision()
    with schema_context("t_gamma"):
        executor = MigrationExecutor(connection)
        assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
        assert set(executor.loader.applied_migrations) >= set(executor.loader.graph.leaf_nodes())


def test_a_clone_gets_its_tiers_checklist():
    tenant = _provision()
    with tenant:
        checklist = Checklist.objects.get()
        assert checklist.tasks.exists()
        assert checklist.playbook_id is not None


def test_a_clone_owns_its_sequences_and_inserts_work():
    tenant = _provision()
    with tenant:
        task = Task.objects.first()
        comment = Comment.objects.create(task=task, body="first")
        assert Comment.objects.create(task=task, body="second").pk > comment.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.table_name, pg_get_serial_sequence(format('%%I.%%I', c.table_schema, c.table_name), 'id')"
            " FROM information_schema.columns c WHERE c.table_schema = %s AND c.column_name = 'id'",
            ["t_gamma"],
        )
        sequences = dict(cursor.fetchall())
    assert sequences
    # Every serial id is backed by the clone's own sequence (a table with a fixed id has none).
    serial = {table: seq for table, seq in sequences.items() if seq is not None}
    assert set(sequences) - set(serial) <= {"metrics_rollupstate"}
    assert all(seq.startswith("t_gamma.") for seq in serial.values()), serial
    with schema_context(TEMPLATE):
        assert not Comment.objects.exists()


def test_a_failure_after_the_clone_rolls_everything_back(monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("playbook broke")

    monkeypatch.setattr(onboarding.receivers, "checklist_instantiate", explode)
    audits = AuditEvent.objects.count()
    with pytest.raises(RuntimeError, match="playbook broke"):
        _provision()
    assert not schema_exists("t_gamma")
    assert not Tenant.objects.filter(slug="gamma").exists()
    assert not Domain.objects.filter(domain="gamma.localhost").exists()
    assert AuditEvent.objects.count() == audits
    assert connection.schema_name == "public"
    monkeypatch.undo()
    assert _provision().ready  # and the slug is free again


def test_a_failure_inside_the_clone_leaves_no_schema(monkeypatch):
    original = CloneSchema.clone_schema

    def clone_then_fail(self, *args, **kwargs):
        original(self, *args, **kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(CloneSchema, "clone_schema", clone_then_fail)
    with pytest.raises(RuntimeError, match="disk full"):
        _provision()
    assert not schema_exists("t_gamma")
    assert not Tenant.objects.filter(slug="gamma").exists()


def _drop_template():
    with connection.cursor() as cursor:
        cursor.execute(f"DROP SCHEMA {quote_schema_name(TEMPLATE)} CASCADE")


def test_a_missing_template_is_made_before_the_clone(clone_calls):
    _drop_template()
    _provision()
    assert clone_calls == [(TEMPLATE, "t_gamma", "NODATA")]
    assert _tables("t_gamma") == _tenant_app_tables() | {"django_migrations"}
    assert not tenant_template_missing_migrations()


def test_a_template_behind_on_migrations_is_caught_up_before_the_clone():
    # As after a deploy that added the qbr app without migrating the template.
    with connection.cursor() as cursor:
        for table in sorted(t for t in _tables(TEMPLATE) if t.startswith("qbr_")):
            cursor.execute(f"DROP TABLE {quote_schema_name(TEMPLATE)}.{table} CASCADE")
        cursor.execute(f"DELETE FROM {quote_schema_name(TEMPLATE)}.django_migrations WHERE app = 'qbr'")  # noqa: S608
    assert any(app == "qbr" for app, _ in tenant_template_missing_migrations())
    _provision()
    assert {"qbr_report", "qbr_outcome"} <= _tables("t_gamma")
    assert not tenant_template_missing_migrations()


def test_the_command_makes_and_reports_the_template(capsys):
    call_command("tenant_template_sync")
    assert f"Template schema '{template_schema_name()}' already current." in capsys.readouterr().out
    _drop_template()
    call_command("tenant_template_sync")
    assert "caught up on" in capsys.readouterr().out
    assert _tables(TEMPLATE) == _tenant_app_tables() | {"django_migrations"}


def test_migrating_the_public_schema_syncs_the_template():
    _drop_template()
    schema_migrated.send(sender=None, schema_name="public")
    assert not tenant_template_missing_migrations()
    schema_migrated.send(sender=None, schema_name="t_alpha")  # other schemas do not trigger it


def test_the_template_is_never_a_tenant():
    assert not Tenant.objects.filter(schema_name=TEMPLATE).exists()
    assert TEMPLATE not in Tenant.objects.values_list("schema_name", flat=True)
