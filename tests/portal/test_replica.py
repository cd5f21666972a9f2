"""Read replicas against a real streaming replica (portal/db_routers.py, tests/support/replica.py).

The harness copies the test cluster with pg_basebackup and starts it as a hot standby on another
port; the ``replica`` alias points at it for this module only. Each test runs, as every test
does, in a transaction on the primary that is rolled back: rows a test makes are on the primary
and never reach the standby, which is what tells a replica read from a primary read below.
"""

import pytest
from django.conf import settings
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import tenant_context

from metrics.qbr.models import ReportStatus
from onboarding.models import Task
from portal.db_routers import PIN_COOKIE, REPLICA, read_alias, reads_from_replica, request_scope
from tests.support.clients import client_for
from tests.support.factories import HealthSnapshotFactory, ReportFactory
from tests.support.replica import ReplicaUnavailable, StreamingReplica

pytestmark = [pytest.mark.slow, pytest.mark.django_db(databases=["default", REPLICA])]


@pytest.fixture(scope="session")
def streaming_replica(django_db_setup):
    primary = connections["default"].settings_dict
    replica = StreamingReplica(
        {"host": primary["HOST"], "port": primary["PORT"], "user": primary["USER"], "password": primary["PASSWORD"]}
    )
    try:
        replica.start()
    except ReplicaUnavailable as exc:
        pytest.skip(f"No streaming replica can be started on this machine: {exc}")
    yield replica
    replica.stop()


@pytest.fixture(scope="module", autouse=True)
def replica_alias(streaming_replica):
    """Configure the ``replica`` alias on the standby for this module's tests, and remove it after."""
    primary = connections["default"].settings_dict
    streaming_replica.wait_replayed(primary["NAME"])  # the session's tenants and their schemas
    config = {**primary, "HOST": "127.0.0.1", "PORT": str(streaming_replica.port), "TEST": {"MIRROR": "default"}}
    settings.DATABASES[REPLICA] = config
    connections.settings[REPLICA] = config
    yield
    connections[REPLICA].close()
    del connections[REPLICA]
    connections.settings.pop(REPLICA, None)
    settings.DATABASES.pop(REPLICA, None)


def test_the_replica_alias_is_a_hot_standby_on_the_tenants_search_path(tenant_a):
    replica = connections[REPLICA]
    with tenant_context(tenant_a):  # sets the tenant on default; follow_tenant sets it on the replica
        assert replica.schema_name == tenant_a.schema_name
        with replica.cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery(), current_schemas(false)")
            recovering, schemas = cursor.fetchone()
        with reads_from_replica(), CaptureQueriesContext(replica) as on_replica:
            tasks = list(Task.objects.values_list("title", flat=True))
    assert recovering
    assert schemas == [tenant_a.schema_name, "public"]
    assert tasks  # the tenant's onboarding checklist, read from its schema on the standby
    assert any('"onboarding_task"' in q["sql"] for q in on_replica.captured_queries)


def test_the_portfolio_reads_from_the_replica(tenant_a, admin_user):
    # Made on the primary in this test's transaction: the standby does not have it.
    HealthSnapshotFactory(tenant=tenant_a, score=93)
    client = client_for(admin_user)
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        response = client.get("/console/portfolio/")
    assert response.status_code == 200
    assert on_replica.captured_queries
    assert "Alpha Corp" in response.text  # the tenants the standby replayed
    assert '<td class="num">93</td>' not in response.text  # not the primary's new row
    assert PIN_COOKIE not in response.cookies  # a read does not pin


def test_after_a_write_the_next_pages_read_from_the_primary(tenant_a, admin_user):
    HealthSnapshotFactory(tenant=tenant_a, score=93)
    client = client_for(admin_user)
    response = client.post("/console/notifications/read/")  # a write
    assert response.status_code == 302
    assert response.cookies[PIN_COOKIE]["max-age"] == settings.KEEL_DB_REPLICA_PIN_SECONDS
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        response = client.get("/console/portfolio/")
    assert response.status_code == 200
    assert not on_replica.captured_queries
    assert '<td class="num">93</td>' in response.text  # read your writes


def test_within_a_request_a_write_moves_the_reads_to_the_primary(tenant_a):
    with request_scope(), reads_from_replica():
        assert read_alias() == REPLICA
        snapshot = HealthSnapshotFactory(tenant=tenant_a, score=93)
        assert read_alias() == "default"
        assert type(snapshot).objects.filter(pk=snapshot.pk).exists()


def test_a_customer_reads_a_published_review_from_the_replica_or_the_primary_when_it_is_new(tenant_a, member_a):
    with tenant_context(tenant_a):
        report = ReportFactory(
            status=ReportStatus.PUBLISHED, snapshot={"figures": {}, "narrative_html": {}}, published_at=timezone.now()
        )
    client = client_for(member_a, tenant_a)
    with CaptureQueriesContext(connections[REPLICA]) as on_replica:
        response = client.get(f"/reviews/{report.pk}/")
    # Published a moment ago on the primary: the standby has no such row, the primary serves it.
    assert on_replica.captured_queries
    assert response.status_code == 200
