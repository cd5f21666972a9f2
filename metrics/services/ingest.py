"""Usage-event ingestion: validate in Python, COPY into a staging table, insert new keys only.

The unique index on idempotency_key is what makes a repeated key land once, even across
batches and concurrent requests: ``INSERT … ON CONFLICT DO NOTHING`` skips rows whose key
another transaction committed first (or holds, until it commits).
"""

from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from ..models import Feature, UsageEvent
from ..rows import BatchResult, parse_event
from ..sql import table

STAGING = "metrics_event_staging"
COLUMNS = "feature_id, user_ref, occurred_at, quantity, idempotency_key"


def usage_events_ingest(*, items: list[Any]) -> BatchResult:
    """Store the valid events of ``items`` in the current tenant's schema; report the rest."""
    features = dict(Feature.objects.values_list("key", "id"))
    now = timezone.now()
    rows: list[tuple[Any, ...]] = []
    rejected: list[dict[str, Any]] = []
    append = rows.append
    for index, item in enumerate(items):
        row, errors = parse_event(item, features=features, now=now)
        if errors or row is None:  # parse_event returns a row exactly when it found no errors
            rejected.append({"index": index, "errors": errors})
        else:
            append(row)
    accepted = _copy_new(rows) if rows else 0
    return BatchResult(accepted=accepted, duplicates=len(rows) - accepted, rejected=rejected)


@transaction.atomic
def _copy_new(rows: list[tuple[Any, ...]]) -> int:
    """COPY ``rows`` into the staging table and move the unseen keys to the events table."""
    with connection.cursor() as cursor:
        # One temp table per database session, emptied before use: cheaper than creating one
        # per request, and safe inside an outer transaction that has not committed yet.
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {STAGING} (feature_id bigint, user_ref text,"
            " occurred_at timestamptz, quantity integer, idempotency_key text) ON COMMIT DELETE ROWS"
        )
        cursor.execute(f"TRUNCATE {STAGING}")
        with cursor.cursor.copy(f"COPY {STAGING} ({COLUMNS}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(["int8", "text", "timestamptz", "int4", "text"])
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"INSERT INTO {table(UsageEvent)} ({COLUMNS}, received_at)"
            f" SELECT {COLUMNS}, now() FROM {STAGING} ON CONFLICT (idempotency_key) DO NOTHING"
        )
        inserted: int = cursor.rowcount
        return inserted
