"""A key another request committed first is not stored twice (the unique index decides)."""

import psycopg
import pytest
from django.db import connection
from django_tenants.utils import schema_context

from metrics.models import UsageEvent
from metrics.services.ingest import usage_events_ingest

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_session(tenant_a):
    """A second database session (another web worker), committing on its own."""
    db = connection.settings_dict
    other = psycopg.connect(
        host=db["HOST"], port=db["PORT"], user=db["USER"], password=db["PASSWORD"] or None, dbname=db["NAME"]
    )
    other.execute(f"SET search_path = {tenant_a.schema_name}")
    yield other
    other.rollback()
    other.execute("DELETE FROM metrics_usageevent WHERE idempotency_key LIKE 'race-%'")
    other.execute("DELETE FROM metrics_feature WHERE key = 'race.feature'")
    other.commit()
    other.close()


def test_a_key_committed_by_another_session_counts_as_a_duplicate(tenant_a, other_session):
    feature_id = other_session.execute(
        "INSERT INTO metrics_feature (key, name, is_core, created_at) VALUES ('race.feature', 'Race', false, now())"
        " RETURNING id"
    ).fetchone()[0]
    other_session.execute(
        "INSERT INTO metrics_usageevent (feature_id, user_ref, occurred_at, quantity, idempotency_key, received_at)"
        " VALUES (%s, 'other', now(), 1, 'race-1', now())",
        [feature_id],
    )
    other_session.commit()
    event = {"feature": "race.feature", "user": "me", "timestamp": "2026-11-20T09:00:00Z"}
    with schema_context(tenant_a.schema_name):
        result = usage_events_ingest(
            items=[{**event, "idempotency_key": "race-1"}, {**event, "idempotency_key": "race-2"}]
        )
        assert (result.accepted, result.duplicates) == (1, 1)
        assert sorted(UsageEvent.objects.values_list("idempotency_key", "user_ref")) == [
            ("race-1", "other"),
            ("race-2", "me"),
        ]
        # The other session deletes its feature afterwards; drop our row pointing at it first.
        UsageEvent.objects.filter(idempotency_key="race-2").delete()
