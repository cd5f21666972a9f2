"""POST /api/v1/tickets and /api/v1/seats, GET /api/v1/features: same rules as events."""

import json
from datetime import UTC, date, datetime

import pytest
from django_tenants.utils import schema_context

from metrics.models import SeatCount, SupportTicket
from tests.support.clients import client_for, key_client

pytestmark = pytest.mark.django_db


def post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_tickets_are_upserted_by_external_id_with_per_index_errors(tenant_a, key_a):
    client = key_client(tenant_a, key_a)
    body = {
        "tickets": [
            {"external_id": "T1", "severity": "critical", "status": "open", "opened_at": "2026-11-01T10:00:00Z"},
            {"external_id": "T2", "severity": "urgent", "status": "open", "opened_at": "2026-11-01T10:00:00Z"},
            {"external_id": "T3", "severity": "low", "status": "closed", "opened_at": "2026-11-02T10:00:00Z"},
            {
                "external_id": "T4",
                "severity": "low",
                "status": "closed",
                "opened_at": "2026-11-02T10:00:00Z",
                "closed_at": "2026-11-01T10:00:00Z",
            },
        ]
    }
    response = post(client, "/api/v1/tickets", body)
    assert response.status_code == 207
    errors = {r["index"]: r["errors"] for r in response.json()["rejected"]}
    assert errors == {
        1: {"severity": ["Use one of: low, medium, high, critical."]},
        2: {"closed_at": ["A closed ticket needs closed_at."]},
        3: {"closed_at": ["Cannot be before opened_at."]},
    }
    update = [{**body["tickets"][0], "status": "closed", "closed_at": "2026-11-03T10:00:00Z"}]
    assert post(client, "/api/v1/tickets", update).status_code == 201
    with schema_context(tenant_a.schema_name):
        ticket = SupportTicket.objects.get()
    assert (ticket.external_id, ticket.status) == ("T1", "closed")
    assert ticket.closed_at == datetime(2026, 11, 3, 10, tzinfo=UTC)


def test_seats_are_recorded_per_day(tenant_a, key_a):
    client = key_client(tenant_a, key_a)
    response = post(client, "/api/v1/seats", [{"day": "2026-11-01", "seats": 40}, {"day": "01/11/2026", "seats": -1}])
    assert response.status_code == 207
    assert response.json()["rejected"] == [
        {
            "index": 1,
            "errors": {
                "day": ["'01/11/2026' is not a date (YYYY-MM-DD)."],
                "seats": ["Must be between 0 and 2147483647."],
            },
        }
    ]
    assert post(client, "/api/v1/seats", [{"day": "2026-11-01", "seats": 45}]).status_code == 201
    with schema_context(tenant_a.schema_name):
        assert list(SeatCount.objects.values_list("day", "seats")) == [(date(2026, 11, 1), 45)]


@pytest.mark.parametrize("url", ["/api/v1/tickets", "/api/v1/seats"])
def test_data_in_trio_and_foreign_keys(tenant_a, member_a, member_b, csm_a, key_b, url):
    body = [{"day": "2026-11-01", "seats": 1}] if "seats" in url else []
    assert post(client_for(member_b, tenant_a), url, body).status_code == 404
    assert post(client_for(member_a, tenant_a), url, body).status_code == 403
    assert post(key_client(tenant_a, key_b), url, body).status_code == 401
    assert post(client_for(csm_a, tenant_a), url, body).status_code in (201, 400)  # empty ticket batch: 400


def test_the_feature_catalog_is_readable_by_members_and_keys(tenant_a, features_a, member_a, member_b, key_a, key_b):
    response = client_for(member_a, tenant_a).get("/api/v1/features")
    assert response.status_code == 200
    assert {f["key"]: f["is_core"] for f in response.json()} == {
        "alerts.triage": True,
        "reports": True,
        "export": False,
    }
    assert key_client(tenant_a, key_a).get("/api/v1/features").status_code == 200
    assert client_for(member_b, tenant_a).get("/api/v1/features").status_code == 404
    assert key_client(tenant_a, key_b).get("/api/v1/features").status_code == 401
    assert client_for(None, tenant_a).get("/api/v1/features").status_code == 401
