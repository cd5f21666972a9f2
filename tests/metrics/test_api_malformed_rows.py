"""Malformed rows on the data-in API: each one is rejected by index with a reason, never a 500,
and the valid rows beside it are stored."""

import io
import json

import pytest
from django.test import override_settings
from django_tenants.utils import schema_context

from metrics.models import SeatCount, SupportTicket, UsageEvent
from tests.support.clients import host_of, key_client

pytestmark = pytest.mark.django_db
PROBLEM = "application/problem+json"


def event(**overrides) -> dict:
    base = {"feature": "alerts.triage", "user": "u1", "timestamp": "2026-11-20T09:30:00Z", "idempotency_key": "ok"}
    return {**base, **overrides}


def ticket(**overrides) -> dict:
    base = {"external_id": "T-ok", "severity": "low", "status": "open", "opened_at": "2026-11-20T09:30:00Z"}
    return {**base, **overrides}


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


BAD_EVENTS = [
    (event(timestamp="2026-11-30T10:00:00-18:51"), "timestamp", "between -15:59 and +15:59"),
    (event(timestamp="2026-11-30T10:00:00+16:00"), "timestamp", "between -15:59 and +15:59"),
    (event(timestamp="0001-01-01T00:00:00+14:00"), "timestamp", "out of range"),
    (event(timestamp="9999-12-31T23:59:59-14:00"), "timestamp", "out of range"),
    (event(feature={}), "feature", "Must be a string, not an object."),
    (event(feature=["alerts.triage"]), "feature", "Must be a string, not a list."),
    (event(user={"a": 1}), "user", "Must be a string, not an object."),
    (event(user="a\x00b"), "user", "NUL"),
    (event(idempotency_key="k\x00"), "idempotency_key", "NUL"),
    (event(user="a\ud800b"), "user", "surrogate"),
    (event(idempotency_key="\udfff"), "idempotency_key", "surrogate"),
    (event(timestamp="2026-11-20\x00"), "timestamp", "ISO 8601"),
    (event(quantity=1.5), "quantity", "whole number"),
    (event(quantity=2**70), "quantity", "between 0 and"),
]


@pytest.mark.parametrize(("bad", "field", "message"), BAD_EVENTS)
def test_a_malformed_event_is_rejected_by_index_beside_stored_valid_ones(
    tenant_a, features_a, key_a, bad, field, message
):
    body = [event(idempotency_key="first"), bad, event(idempotency_key="last")]
    response = post(key_client(tenant_a, key_a), "/api/v1/events", body)
    assert response.status_code == 207
    data = response.json()
    assert data["accepted"] == 2
    [rejection] = data["rejected"]
    assert rejection["index"] == 1 and message in rejection["errors"][field][0]
    with schema_context(tenant_a.schema_name):
        assert sorted(UsageEvent.objects.values_list("idempotency_key", flat=True)) == ["first", "last"]


def test_a_batch_of_only_malformed_events_is_a_problem_400_listing_each_row(tenant_a, features_a, key_a):
    response = post(key_client(tenant_a, key_a), "/api/v1/events", [bad for bad, _, _ in BAD_EVENTS])
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    data = response.json()
    assert (data["type"], data["title"], data["status"]) == ("about:blank", "Bad Request", 400)
    assert "nothing was stored" in data["detail"]
    assert [r["index"] for r in data["errors"]] == list(range(len(BAD_EVENTS)))
    assert data["rejected"] == data["errors"] and data["accepted"] == 0


def test_an_error_message_quotes_at_most_a_few_dozen_characters_of_a_huge_value(tenant_a, features_a, key_a):
    response = post(key_client(tenant_a, key_a), "/api/v1/events", [event(timestamp="x" * 1_000_000)])
    assert response.status_code == 400
    [message] = response.json()["errors"][0]["errors"]["timestamp"]
    assert "not an ISO 8601 date-time" in message and len(message) < 120


BAD_TICKETS = [
    (ticket(external_id="T\x00"), "external_id", "NUL"),
    (ticket(subject="Printer\x00fire"), "subject", "NUL"),
    (ticket(subject="\ud83d"), "subject", "surrogate"),
    (ticket(opened_at="2026-11-30T10:00:00-18:51"), "opened_at", "between -15:59 and +15:59"),
    (ticket(status="closed", closed_at="0001-01-01T00:00:00+14:00"), "closed_at", "out of range"),
    (ticket(external_id={}), "external_id", "Must be a string"),
    (ticket(severity=["high"]), "severity", "Must be a string"),
]


@pytest.mark.parametrize(("bad", "field", "message"), BAD_TICKETS)
def test_a_malformed_ticket_is_rejected_by_index_beside_stored_valid_ones(tenant_a, key_a, bad, field, message):
    response = post(key_client(tenant_a, key_a), "/api/v1/tickets", [ticket(), bad])
    assert response.status_code == 207
    [rejection] = response.json()["rejected"]
    assert rejection["index"] == 1 and message in rejection["errors"][field][0]
    with schema_context(tenant_a.schema_name):
        assert list(SupportTicket.objects.values_list("external_id", flat=True)) == ["T-ok"]


@pytest.mark.parametrize("day", [{}, [], 20261120, "2026-11-20\x00", "\ud800"])
def test_a_malformed_seat_day_is_rejected(tenant_a, key_a, day):
    response = post(key_client(tenant_a, key_a), "/api/v1/seats", [{"day": "2026-11-20", "seats": 3}, {"day": day}])
    assert response.status_code == 207
    [rejection] = response.json()["rejected"]
    assert "is not a date" in rejection["errors"]["day"][0]
    with schema_context(tenant_a.schema_name):
        assert SeatCount.objects.get().seats == 3


def test_json_nested_100000_deep_is_a_400_not_a_recursion_error(tenant_a, features_a, key_a):
    body = "[" * 100_000 + "]" * 100_000
    response = key_client(tenant_a, key_a).post("/api/v1/events", body, content_type="application/json")
    assert response.status_code == 400 and response["Content-Type"] == PROBLEM
    assert "nests arrays or objects too deeply" in response.json()["detail"]


def test_a_body_that_is_not_utf8_is_a_400(tenant_a, features_a, key_a):
    response = key_client(tenant_a, key_a).post("/api/v1/events", b"[\xff\xfe\xfa]", content_type="application/json")
    assert response.status_code == 400 and "not valid JSON" in response.json()["detail"]


def test_a_body_over_the_events_limit_is_a_json_413_not_an_html_400(tenant_a, features_a, key_a):
    # Over Django's DATA_UPLOAD_MAX_MEMORY_SIZE too: DRF's own JSON parser would read request.body.
    body = json.dumps([event(idempotency_key=str(i), user="u" * 150) for i in range(40_000)])
    response = key_client(tenant_a, key_a).post("/api/v1/events", body, content_type="application/json")
    assert response.status_code == 413 and response["Content-Type"] == PROBLEM
    assert "the limit is 5,242,880 bytes" in response.json()["detail"]


def chunked_post(tenant, raw_key: str, body: bytes):
    """POST ``body`` as a chunked request: no Content-Length (the WSGI server de-chunks it)."""
    client = key_client(tenant, raw_key)
    chunked = {"CONTENT_LENGTH": "", "HTTP_TRANSFER_ENCODING": "chunked", "wsgi.input": io.BytesIO(body)}
    return client.post("/api/v1/events", body, content_type="application/json", **chunked)


def test_a_chunked_body_within_the_limit_is_accepted(tenant_a, features_a, key_a):
    response = chunked_post(tenant_a, key_a, json.dumps([event()]).encode())
    assert response.status_code == 201 and response.json()["accepted"] == 1


@override_settings(KEEL_EVENTS_MAX_BODY_BYTES=500)
def test_a_chunked_body_over_the_limit_is_a_413(tenant_a, features_a, key_a):
    response = chunked_post(tenant_a, key_a, json.dumps([event(idempotency_key=str(i)) for i in range(20)]).encode())
    assert response.status_code == 413 and "over the limit of 500 bytes" in response.json()["detail"]
    with schema_context(tenant_a.schema_name):
        assert not UsageEvent.objects.exists()


def test_a_chunked_body_of_another_type_is_a_415(tenant_a, features_a, key_a):
    client = key_client(tenant_a, key_a)
    response = client.post(
        "/api/v1/events", b"a,b", content_type="text/csv", CONTENT_LENGTH="", HTTP_TRANSFER_ENCODING="chunked"
    )
    assert response.status_code == 415 and response["Content-Type"] == PROBLEM


def test_the_host_check_applies_before_the_body_is_read(tenant_a, tenant_b, features_a, key_a):
    response = key_client(tenant_b, key_a).post("/api/v1/events", "[", content_type="application/json")
    assert response.status_code == 401 and response["Content-Type"] == PROBLEM
    assert host_of(tenant_b) != host_of(tenant_a)


def test_every_valid_row_is_accounted_for_when_a_batch_repeats_a_ticket(tenant_a, key_a):
    closed = ticket(status="closed", closed_at="2026-11-21T09:30:00Z")
    response = post(key_client(tenant_a, key_a), "/api/v1/tickets", [ticket(), closed, ticket(external_id={})])
    assert response.status_code == 207
    data = response.json()
    assert data["accepted"] + data["duplicates"] + len(data["rejected"]) == 3
    with schema_context(tenant_a.schema_name):
        assert list(SupportTicket.objects.values_list("external_id", "status")) == [("T-ok", "closed")]
