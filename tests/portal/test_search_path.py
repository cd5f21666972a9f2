"""With TENANT_LIMIT_SET_CALLS, search_path is set once per schema switch: it must never go stale.

A session-level SET inside a transaction that rolls back is undone by PostgreSQL; a connection
that still believed it was set would run the next query in whichever schema came before.
"""

import pytest
from django.conf import settings
from django.db import connection, transaction
from django_tenants.utils import schema_context

from onboarding.models import Checklist

pytestmark = pytest.mark.django_db


def _current_schema() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        return cursor.fetchone()[0]


def _names() -> set[str]:
    return set(Checklist.objects.values_list("name", flat=True))


def _in_rolled_back_transaction(step) -> None:
    """Run ``step`` in a transaction (a savepoint here) that then rolls back."""

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            step()
            raise Rollback
    except Rollback:
        pass


def test_the_setting_is_on():
    assert settings.TENANT_LIMIT_SET_CALLS is True


def test_each_switch_sets_the_schema_once(tenant_a, tenant_b, django_assert_num_queries):
    with schema_context(tenant_a.schema_name), django_assert_num_queries(3):  # SET + two queries
        _current_schema()
        _current_schema()
    with schema_context(tenant_b.schema_name):
        assert _current_schema() == tenant_b.schema_name
    with schema_context(tenant_a.schema_name):
        assert _current_schema() == tenant_a.schema_name


def test_a_rolled_back_switch_is_set_again(tenant_a, tenant_b):
    with schema_context(tenant_a.schema_name):
        Checklist.objects.create(name="only in A")
        assert _current_schema() == tenant_a.schema_name
        seen = []
        # The rollback undoes the SET to B's schema in PostgreSQL.
        _in_rolled_back_transaction(lambda: (connection.set_tenant(tenant_b), seen.append(_current_schema())))
        assert seen == [tenant_b.schema_name]
        connection.set_tenant(tenant_a)
        assert _current_schema() == tenant_a.schema_name
        assert "only in A" in _names()
    with schema_context(tenant_b.schema_name):
        assert "only in A" not in _names()


def test_a_rollback_within_one_schema_does_not_leave_the_previous_one(tenant_a, tenant_b):
    with schema_context(tenant_b.schema_name):
        _current_schema()
    with schema_context(tenant_a.schema_name):
        seen = []
        _in_rolled_back_transaction(lambda: seen.append(_current_schema()))  # the SET happens inside
        assert seen == [tenant_a.schema_name]
        # PostgreSQL reverted that SET to B's schema; django-tenants must set A's again.
        assert _current_schema() == tenant_a.schema_name
