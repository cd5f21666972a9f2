"""POST /api/v1/events: API key or CSM session, per-index errors, idempotency, size limits."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import override_settings
from django_tenants.utils import schema_context

from metrics.ingest.models import ApiKey
from metrics.models import UsageEvent
from tests.support.clients import client_for, key_client

pytestmark = pytest.mark.django_db
URL = "/api/v1/events"


def event(**overrides) -> dict:
    base = {"feature": "alerts.triage", "user": "u1", "timestamp": "2026-11-20T09:30:00Z", "idempotency_key": "k1"}
    return {**base, **overrides}


def post(client, body, **extra):
    return client.post(URL, json.dumps(body), content_type="application/json", **extra)


def stored(tenant) -> list[UsageEvent]:
    with schema_context(tenant.schema_name):
        return list(UsageEvent.objects.order_by("idempotency_key"))


def test_a_key_stores_a_batch_in_its_tenant_schema(tenant_a, tenant_b, features_a, key_a):
    body = {"events": [event(), event(user="u2", idempotency_key="k2", quantity=5)]}
    response = post(key_client(tenant_a, key_a), body)
    assert response.status_code == 201
    assert response.json() == {"accepted": 2, "duplicates": 0, "rejected": []}
    rows = stored(tenant_a)
    assert [(r.user_ref, r.quantity, r.feature_id) for r in rows] == [
        ("u1", 1, features_a["alerts.triage"].pk),
        ("u2", 5, features_a["alerts.triage"].pk),
    ]
    assert rows[0].occurred_at == datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    assert stored(tenant_b) == []


def test_the_x_api_key_header_works_too_and_a_bare_list_is_accepted(tenant_a, features_a, key_a):
    response = post(key_client(tenant_a, key_a, header="x-api-key"), [event()])
    assert response.status_code == 201
    assert len(stored(tenant_a)) == 1


def test_it_rejects_invalid_events_by_index_and_stores_the_valid_ones(tenant_a, features_a, key_a):
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    body = [
        event(),
        event(feature="nope", idempotency_key="k2"),
        event(user="", timestamp="yesterday", idempotency_key="k3"),
        event(timestamp="2026-11-20T09:30:00", quantity=-1, idempotency_key="k4"),
        event(timestamp=future, idempotency_key="k5"),
        "not an object",
        event(user="u9", idempotency_key="k6"),
    ]
    response = post(key_client(tenant_a, key_a), body)
    assert response.status_code == 207
    data = response.json()
    assert data["accepted"] == 2
    assert [r["index"] for r in data["rejected"]] == [1, 2, 3, 4, 5]
    errors = {r["index"]: r["errors"] for r in data["rejected"]}
    assert "Unknown feature 'nope'" in errors[1]["feature"][0]
    assert errors[2]["user"] == ["This field is required."]
    assert "ISO 8601" in errors[2]["timestamp"][0]
    assert "time zone" in errors[3]["timestamp"][0]
    assert "between 0 and" in errors[3]["quantity"][0]
    assert errors[4]["timestamp"] == ["Is in the future."]
    assert errors[5] == {"non_field_errors": ["Each event must be a JSON object."]}
    assert [r.idempotency_key for r in stored(tenant_a)] == ["k1", "k6"]


def test_a_batch_with_no_valid_event_is_a_400_and_stores_nothing(tenant_a, features_a, key_a):
    response = post(key_client(tenant_a, key_a), [event(feature="nope"), event(user=None)])
    assert response.status_code == 400
    assert response.json()["accepted"] == 0
    assert len(response.json()["rejected"]) == 2
    assert stored(tenant_a) == []


def test_a_repeated_idempotency_key_is_stored_once_within_and_across_batches(tenant_a, features_a, key_a):
    client = key_client(tenant_a, key_a)
    first = post(client, [event(), event(user="other-user")])  # same key twice in one batch
    assert first.json() == {"accepted": 1, "duplicates": 1, "rejected": []}
    again = post(client, [event(), event(idempotency_key="k2")])
    assert again.status_code == 201
    assert again.json() == {"accepted": 1, "duplicates": 1, "rejected": []}
    assert [r.idempotency_key for r in stored(tenant_a)] == ["k1", "k2"]


def test_events_without_a_key_dedupe_on_their_content(tenant_a, features_a, key_a):
    client = key_client(tenant_a, key_a)
    same_instant_other_offset = event(idempotency_key=None, timestamp="2026-11-20T10:30:00+01:00")
    body = [event(idempotency_key=None), same_instant_other_offset, event(idempotency_key=None, quantity=2)]
    assert post(client, body).json() == {"accepted": 2, "duplicates": 1, "rejected": []}
    assert post(client, body).json() == {"accepted": 0, "duplicates": 3, "rejected": []}


@override_settings(KEEL_EVENTS_MAX_BATCH=3)
def test_it_refuses_more_events_than_a_batch_holds_with_413(tenant_a, features_a, key_a):
    response = post(key_client(tenant_a, key_a), [event(idempotency_key=str(i)) for i in range(4)])
    assert response.status_code == 413
    assert "at most 3 events; this one has 4" in response.json()["detail"]
    assert stored(tenant_a) == []


@override_settings(KEEL_EVENTS_MAX_BODY_BYTES=500)
def test_it_refuses_an_oversize_body_with_413_before_reading_it(tenant_a, features_a, key_a):
    response = post(key_client(tenant_a, key_a), [event(idempotency_key=str(i)) for i in range(10)])
    assert response.status_code == 413
    assert "the limit is 500 bytes" in response.json()["detail"]
    assert stored(tenant_a) == []


def test_malformed_json_and_wrong_shapes_say_what_was_wrong(tenant_a, features_a, key_a):
    client = key_client(tenant_a, key_a)
    response = client.post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["detail"]
    response = post(client, {"evnts": []})
    assert response.status_code == 400
    assert 'Send a JSON list, or an object {"events": [...]}' in response.json()["detail"]
    assert post(client, []).status_code == 400


def test_a_key_of_another_tenant_is_refused(tenant_a, tenant_b, features_a, key_b):
    response = post(key_client(tenant_a, key_b), [event()])
    assert response.status_code == 401
    assert stored(tenant_a) == []


def test_a_revoked_or_made_up_key_is_refused(tenant_a, features_a, key_a):
    ApiKey.objects.update(revoked_at=datetime.now(UTC))
    assert post(key_client(tenant_a, key_a), [event()]).status_code == 401
    assert post(key_client(tenant_a, "keel_made-up"), [event()]).status_code == 401


def test_anonymous_callers_are_told_to_authenticate(tenant_a, features_a):
    response = post(client_for(None, tenant_a), [event()])
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_session_trio_csm_posts_other_tenant_404_member_403(tenant_a, features_a, csm_a, member_a, member_b):
    assert post(client_for(csm_a, tenant_a), [event()]).status_code == 201
    assert post(client_for(member_b, tenant_a), [event(idempotency_key="x")]).status_code == 404
    assert post(client_for(member_a, tenant_a), [event(idempotency_key="y")]).status_code == 403
    assert [r.idempotency_key for r in stored(tenant_a)] == ["k1"]


def test_a_key_cannot_call_endpoints_that_did_not_opt_in(tenant_a, key_a):
    response = key_client(tenant_a, key_a).get("/api/v1/me")
    assert response.status_code == 403
    response = key_client(tenant_a, key_a).post(
        "/api/v1/invitations", {"email": "x@a.example", "role": "customer_member"}, content_type="application/json"
    )
    assert response.status_code == 403


def test_a_key_records_when_it_was_last_used(tenant_a, features_a, key_a):
    post(key_client(tenant_a, key_a), [event()])
    assert ApiKey.objects.get().last_used_at is not None


def test_a_suspended_tenant_refuses_key_writes(tenant_a, features_a, key_a):
    tenant_a.status = "suspended"
    tenant_a.save(update_fields=["status"])
    response = post(key_client(tenant_a, key_a), [event()])
    assert response.status_code == 403
    assert "suspended" in response.json()["detail"]
