"""The ingest API documents exactly what its validators enforce: both come from metrics.rows' Columns."""

from datetime import UTC, datetime

import pytest
from drf_spectacular.generators import SchemaGenerator

from metrics.rows import EVENT_COLUMNS, SEAT_COLUMNS, TICKET_COLUMNS, parse_event, parse_seats, parse_ticket
from metrics.services.imports import KINDS, TEXT_COLUMNS

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
FEATURES = {"alerts.triage": 1}
VALID = {
    "UsageEventIn": {"feature": "alerts.triage", "user": "u1", "timestamp": "2026-11-30T09:00:00Z"},
    "SupportTicketIn": {
        "external_id": "T-1",
        "severity": "high",
        "status": "open",
        "opened_at": "2026-11-29T09:00:00Z",
    },
    "SeatCountIn": {"day": "2026-11-30", "seats": 10},
}
PARSERS = {
    "UsageEventIn": lambda row: parse_event(row, features=FEATURES, now=NOW),
    "SupportTicketIn": lambda row: parse_ticket(row, now=NOW),
    "SeatCountIn": lambda row: parse_seats(row, now=NOW),
}
COLUMNS = {"UsageEventIn": EVENT_COLUMNS, "SupportTicketIn": TICKET_COLUMNS, "SeatCountIn": SEAT_COLUMNS}


@pytest.fixture(scope="module")
def components() -> dict:
    from portal import urls_tenant

    schema = SchemaGenerator(urlconf=urls_tenant).get_schema(request=None, public=True)
    return schema["components"]["schemas"]


@pytest.mark.parametrize("component", sorted(COLUMNS))
def test_the_documented_fields_are_the_declared_columns(components, component):
    documented = components[component]
    columns = COLUMNS[component]
    assert list(documented["properties"]) == list(columns)
    assert set(documented.get("required", [])) == {name for name, column in columns.items() if column.required}


@pytest.mark.parametrize("component", sorted(COLUMNS))
def test_every_documented_limit_is_the_one_the_validator_enforces(components, component):
    parse = PARSERS[component]
    assert parse(VALID[component])[1] == {}
    checked = 0
    for name, prop in components[component]["properties"].items():
        if "maxLength" in prop:
            limit = prop["maxLength"]
            errors = parse({**VALID[component], name: "x" * (limit + 1)})[1]
            assert name in errors and f"At most {limit} characters" in errors[name][0], (name, errors)
            if name != "feature":  # a padded feature key is not in the catalog, whatever its length
                assert name not in parse({**VALID[component], name: "x" * limit})[1]
            checked += 1
        if "enum" in prop:
            for choice in prop["enum"]:
                assert name not in parse({**VALID[component], name: choice})[1]
            assert name in parse({**VALID[component], name: "nonsense"})[1]
            checked += 1
        if prop.get("type") == "integer" and "minimum" in prop:
            assert name in parse({**VALID[component], name: prop["minimum"] - 1})[1]
            assert name in parse({**VALID[component], name: prop["maximum"] + 1})[1]
            assert name not in parse({**VALID[component], name: prop["minimum"]})[1]
            checked += 1
    assert checked > 0


def test_the_csv_import_takes_its_columns_from_the_same_declarations():
    assert KINDS["events"] == (("feature", "user", "timestamp"), ("quantity", "idempotency_key"))
    assert KINDS["tickets"] == (("external_id", "severity", "status", "opened_at"), ("closed_at", "subject"))
    assert KINDS["seats"] == (("day", "seats"), ())
    assert {"feature", "user", "idempotency_key", "external_id", "subject"} == TEXT_COLUMNS
