"""migrate_schemas hands django-tenants only the tenant schemas that are missing a migration."""

import pytest
from django.core.management import call_command
from django.db import connection
from django_tenants.migration_executors import standard
from django_tenants.utils import quote_schema_name

from portal.tenancy import migration_executor
from portal.tenancy.migration_executor import schemas_behind

pytestmark = pytest.mark.django_db


@pytest.fixture
def migrated(monkeypatch):
    """The schemas django-tenants was asked to migrate (nothing is migrated for real)."""
    seen = []
    monkeypatch.setattr(standard, "run_migrations", lambda args, options, codename, schema, **kw: seen.append(schema))
    return seen


def _forget_a_migration(schema: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {quote_schema_name(schema)}.django_migrations"  # noqa: S608
            " WHERE id = (SELECT max(id) FROM {0}.django_migrations WHERE app = 'onboarding')".format(
                quote_schema_name(schema)
            )
        )


def test_schemas_with_every_migration_are_not_behind(tenant_a, tenant_b):
    assert schemas_behind([tenant_a.schema_name, tenant_b.schema_name]) == []


def test_a_schema_missing_one_migration_is_behind(tenant_a, tenant_b):
    _forget_a_migration(tenant_b.schema_name)
    assert schemas_behind([tenant_a.schema_name, tenant_b.schema_name]) == [tenant_b.schema_name]


def test_a_schema_without_a_migration_table_is_behind():
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA t_empty")
    assert schemas_behind(["t_empty"]) == ["t_empty"]


def test_a_plain_run_migrates_public_and_only_the_schemas_behind(tenant_a, tenant_b, migrated, capsys):
    _forget_a_migration(tenant_a.schema_name)
    call_command("migrate_schemas", verbosity=1)
    assert migrated[0] == "public"
    assert tenant_a.schema_name in migrated
    assert tenant_b.schema_name not in migrated
    assert "tenant schemas have every migration applied: skipped." in capsys.readouterr().out


@pytest.mark.parametrize("options", [{"fake": True}, {"plan": True}, {"check_unapplied": True}])
def test_options_that_concern_every_schema_skip_nothing(tenant_a, tenant_b, migrated, options):
    call_command("migrate_schemas", tenant=True, **options)
    assert {tenant_a.schema_name, tenant_b.schema_name} <= set(migrated)


def test_a_target_migration_skips_nothing(tenant_a, tenant_b, migrated):
    call_command("migrate_schemas", "onboarding", tenant=True)
    assert {tenant_a.schema_name, tenant_b.schema_name} <= set(migrated)


def test_squashed_migrations_turn_the_skip_off(tenant_a, monkeypatch):
    monkeypatch.setattr(migration_executor, "_every_migration", lambda: None)
    assert schemas_behind([tenant_a.schema_name]) == [tenant_a.schema_name]
