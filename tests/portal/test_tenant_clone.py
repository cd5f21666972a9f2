"""Tenants are provisioned as copies of the template schema, and a copy is a tenant of its own.

Two ways make the copy (portal/tenancy/template_schema.py): the replay of the template's
pg_dump (the usual one) and django-tenants' clone (the fallback); the tests about what a
tenant ends up with run against both. Every test here provisions inside its own rolled-back
transaction; PostgreSQL DDL is transactional, so the schemas, and any damage done to the
template, vanish afterwards.
"""

import psycopg
import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django_tenants.clone import CloneSchema
from django_tenants.signals import post_schema_sync, schema_migrated
from django_tenants.utils import quote_schema_name, schema_context, schema_exists

import onboarding.services
from onboarding.models import Activity, Checklist, Comment, Task
from portal.accounts.access import SYSTEM
from portal.audit.models import AuditEvent
from portal.tenancy import template_schema
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


@pytest.fixture
def fresh_dump_cache(monkeypatch):
    monkeypatch.setattr(template_schema, "_dump_cache", template_schema._DumpCache())


@pytest.fixture
def no_pg_dump(settings, fresh_dump_cache):
    settings.KEEL_PG_DUMP = "/nonexistent/pg_dump"


@pytest.fixture
def copy_path(request):
    """The pg_dump replay unless a test is parametrised (``both_paths``) to use the clone too."""
    path = getattr(request, "param", "dump")
    if path == "clone":
        request.getfixturevalue("no_pg_dump")
    return path


# What a tenant ends up with must not depend on the way its schema was copied.
both_paths = pytest.mark.parametrize("copy_path", ["dump", "clone"], indirect=True)


def _provision(slug="gamma"):
    return tenant_provision(actor=SYSTEM, name=slug.title(), slug=slug).tenant


def _template_state() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute("SELECT oid FROM pg_namespace WHERE nspname = %s", [TEMPLATE])
        oid = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s", [template_schema._SWAP_SCHEMA])
        swaps = cursor.fetchone()[0]
        return oid, swaps, _tables(TEMPLATE), template_schema._object_counts(cursor, TEMPLATE)


@both_paths
def test_provisioning_uses_the_fast_copy_and_falls_back_to_the_clone(copy_path, clone_calls):
    _provision()
    assert clone_calls == ([] if copy_path == "dump" else [(TEMPLATE, "t_gamma", "NODATA")])


def test_a_copy_leaves_the_template_as_it_was():
    before = _template_state()
    assert before[1] == 0
    _provision()
    _provision("delta")
    assert _template_state() == before


def test_a_copy_has_the_templates_objects_under_their_own_names():
    _provision()

    def objects(schema):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.relname::text, c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = %s UNION ALL SELECT conname::text, contype::text FROM pg_constraint co"
                " JOIN pg_namespace n ON n.oid = co.connamespace WHERE n.nspname = %s",
                [schema, schema],
            )
            return sorted(cursor.fetchall())

    # Same index and constraint names as the template: later migrations find what they alter.
    assert objects("t_gamma") == objects(TEMPLATE)
    with connection.cursor() as cursor:  # and the copy's foreign keys point into the copy
        cursor.execute(
            "SELECT DISTINCT confrelid::regclass::text FROM pg_constraint co"
            " JOIN pg_namespace n ON n.oid = co.connamespace WHERE n.nspname = 't_gamma' AND contype = 'f'",
        )
        targets = {row[0] for row in cursor.fetchall()}
    assert targets
    assert all(t.startswith(("t_gamma.", "public.")) or "." not in t for t in targets), targets


@both_paths
def test_a_clone_has_every_tenant_table(copy_path):
    _provision()
    assert _tables("t_gamma") == _tenant_app_tables() | {"django_migrations"}


@both_paths
def test_no_template_row_reaches_a_clone(clone_calls, copy_path):
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


@both_paths
def test_a_clone_records_every_migration_as_applied(copy_path):
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


@both_paths
def test_a_clone_owns_its_sequences_and_inserts_work(copy_path):
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

    monkeypatch.setattr(onboarding.services, "checklist_instantiate", explode)
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


@both_paths
def test_a_failure_inside_the_clone_leaves_no_schema(monkeypatch, copy_path):
    original_clone, original_ddl = CloneSchema.clone_schema, template_schema._template_ddl

    def clone_then_fail(self, *args, **kwargs):
        original_clone(self, *args, **kwargs)
        raise RuntimeError("disk full")

    def ddl_that_fails(fingerprint):  # fails half-way through the replay
        ddl = original_ddl(fingerprint)
        if ddl is None:  # the clone path
            return None
        middle = ddl.index("CREATE INDEX")
        return ddl[:middle] + "SELECT no_such_function();\n" + ddl[middle:]

    monkeypatch.setattr(CloneSchema, "clone_schema", clone_then_fail)
    monkeypatch.setattr(template_schema, "_template_ddl", ddl_that_fails)
    before = _template_state()
    with pytest.raises(Exception, match="disk full" if copy_path == "clone" else "no_such_function"):
        _provision()
    assert not schema_exists("t_gamma")
    assert not Tenant.objects.filter(slug="gamma").exists()
    assert _template_state() == before


def test_a_copy_missing_an_object_is_refused(monkeypatch):
    original_ddl = template_schema._template_ddl

    def ddl_without_an_index(fingerprint):
        statements = original_ddl(fingerprint).split(";\n")
        index = next(i for i, s in enumerate(statements) if s.lstrip().startswith("CREATE INDEX"))
        return ";\n".join(statements[:index] + statements[index + 1 :])

    monkeypatch.setattr(template_schema, "_template_ddl", ddl_without_an_index)
    with pytest.raises(RuntimeError, match="nothing was created"):
        _provision()
    assert not schema_exists("t_gamma")
    assert not Tenant.objects.filter(slug="gamma").exists()


def test_the_template_is_dumped_once_per_migration_state(monkeypatch, fresh_dump_cache):
    dumps = []
    original_run = template_schema.subprocess.run

    def counting_run(command, *args, **kwargs):
        dumps.append(command)
        return original_run(command, *args, **kwargs)

    monkeypatch.setattr(template_schema.subprocess, "run", counting_run)
    _provision("gamma")
    _provision("delta")
    assert len(dumps) == 1
    with connection.cursor() as cursor:  # the template records one more migration: a new state
        cursor.execute(
            f"INSERT INTO {quote_schema_name(TEMPLATE)}.django_migrations (app, name, applied)"  # noqa: S608
            " VALUES ('onboarding', '9999_later', now())"
        )
    _provision("epsilon")
    assert len(dumps) == 2
    with schema_context("t_epsilon"):
        assert ("onboarding", "9999_later") in MigrationExecutor(connection).loader.applied_migrations


def test_pg_dump_connects_as_django_does_without_the_password_in_its_arguments(
    monkeypatch, fresh_dump_cache, clone_calls
):
    options = connection.settings_dict["OPTIONS"]
    monkeypatch.setitem(options, "sslmode", "disable")  # what a production OPTIONS holds
    monkeypatch.setitem(options, "application_name", "keel-provisioning")
    monkeypatch.setitem(connection.settings_dict, "PASSWORD", "not-for-ps")
    runs = []
    original_run = template_schema.subprocess.run

    def spy(command, *args, **kwargs):
        runs.append((command, kwargs["env"]))
        return original_run(command, *args, **kwargs)

    monkeypatch.setattr(template_schema.subprocess, "run", spy)
    _provision("gamma")
    assert clone_calls == []  # the dump connected: no fallback
    [(command, env)] = runs
    conninfo = psycopg.conninfo.conninfo_to_dict(command[command.index("--dbname") + 1])
    assert conninfo["sslmode"] == "disable"
    assert conninfo["application_name"] == "keel-provisioning"
    assert conninfo["dbname"] == connection.settings_dict["NAME"]
    assert conninfo["user"] == connection.settings_dict["USER"]
    assert not any("not-for-ps" in argument for argument in command)
    assert env["PGPASSWORD"] == "not-for-ps"


def test_a_dump_is_replayed_without_psql_commands_or_session_settings():
    dump = "\n".join(
        [
            "\\restrict abc",
            "-- comment",
            "SET statement_timeout = 0;",
            "SELECT pg_catalog.set_config('search_path', '', false);",
            "CREATE SCHEMA tenant_template;",
            "CREATE TABLE tenant_template.t (",
            "    id bigint NOT NULL",
            ");",
            "\\unrestrict abc",
        ]
    )
    assert template_schema._replayable(dump) == (
        "CREATE SCHEMA tenant_template;\nCREATE TABLE tenant_template.t (\n    id bigint NOT NULL\n);"
    )


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
