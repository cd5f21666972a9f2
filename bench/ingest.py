"""Events/s through the real API path vs a raw COPY of the same rows into the same table.

    .venv/bin/python bench/ingest.py [--events 100000] [--orm-sample 3000] [--keep-db]

The API path is the whole server side of POST /api/v1/events, in-process through Django's
test client: middleware, API-key authentication, JSON parsing, per-row validation, COPY into
staging and INSERT … ON CONFLICT. The baseline is psycopg's binary COPY of the same
pre-validated rows straight into metrics_usageevent, in batches of the same size, each in
its own transaction. The two paths alternate for --rounds rounds; each path's best run counts.
Goals: API/COPY ≥ 0.5 and API ≥ 20× a per-row ORM save loop.
Exits non-zero when a goal is missed.
"""

import argparse
import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta

from benchdb import bench_database
from harness import Goals

from portal.accounts.access import SYSTEM

BATCH = 5_000
FEATURES = [f"feature.{n:02d}" for n in range(12)]


def make_events(count: int) -> list[dict]:
    rng = random.Random(5)
    start = datetime(2026, 9, 1, tzinfo=UTC)
    return [
        {
            "feature": rng.choice(FEATURES),
            "user": f"user-{rng.randrange(400)}@customer.example",
            "timestamp": (start + timedelta(seconds=rng.randrange(80 * 86_400))).isoformat().replace("+00:00", "Z"),
            "quantity": rng.randrange(1, 20),
            "idempotency_key": f"evt-{n:09d}",
        }
        for n in range(count)
    ]


def batches(items: list, size: int = BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def run_api(client, events: list[dict]) -> float:
    bodies = [json.dumps({"events": chunk}) for chunk in batches(events)]
    started = time.perf_counter()
    for body in bodies:
        response = client.post("/api/v1/events", body, content_type="application/json")
        if response.status_code != 201:
            raise SystemExit(f"API refused a batch: {response.status_code} {response.content[:300]!r}")
    return time.perf_counter() - started


def run_copy(rows: list[tuple]) -> float:
    from django.db import connection, transaction

    started = time.perf_counter()
    for chunk in batches(rows):
        with (
            transaction.atomic(),
            connection.cursor() as cursor,
            cursor.cursor.copy(
                "COPY metrics_usageevent (feature_id, user_ref, occurred_at, quantity, idempotency_key, received_at)"
                " FROM STDIN (FORMAT BINARY)"
            ) as copy,
        ):
            copy.set_types(["int8", "text", "timestamptz", "int4", "text", "timestamptz"])
            now = datetime.now(UTC)
            for row in chunk:
                copy.write_row((*row, now))
    return time.perf_counter() - started


def run_orm(rows: list[tuple]) -> float:
    from metrics.models import UsageEvent

    started = time.perf_counter()
    for feature_id, user_ref, occurred_at, quantity, key in rows:
        UsageEvent(
            feature_id=feature_id, user_ref=user_ref, occurred_at=occurred_at, quantity=quantity, idempotency_key=key
        ).save()
    return time.perf_counter() - started


def truncate() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE metrics_usageevent")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--orm-sample", type=int, default=3_000)
    parser.add_argument("--rounds", type=int, default=3, help="Runs of each path; the best counts.")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    with bench_database(keep=args.keep_db) as db_name:
        from django.db import connection
        from django.test import Client

        from metrics.ingest.models import ApiKey
        from metrics.models import Feature
        from portal.tenancy.services import tenant_provision

        tenant = tenant_provision(actor=SYSTEM, name="Bench Ltd", slug="bench").tenant
        connection.set_tenant(tenant)
        ids = {f.key: f.pk for f in Feature.objects.bulk_create([Feature(key=k, name=k) for k in FEATURES])}
        raw, key_hash = ApiKey.new_secret()
        ApiKey.objects.create(tenant=tenant, name="bench", prefix=raw[:12], key_hash=key_hash)
        client = Client(HTTP_HOST=tenant.primary_domain_name, HTTP_AUTHORIZATION=f"Bearer {raw}")

        events = make_events(args.events)
        rows = [
            (ids[e["feature"]], e["user"], datetime.fromisoformat(e["timestamp"]), e["quantity"], e["idempotency_key"])
            for e in events
        ]
        # Warm both paths (connections, caches, temp table); then alternate them, each run on
        # an empty table, and keep each path's best run so a noisy moment hurts neither.
        run_api(client, make_events(BATCH))
        truncate()
        run_copy(rows[:BATCH])
        api_runs, copy_runs = [], []
        for _ in range(args.rounds):
            truncate()
            api_runs.append(run_api(client, events))
            truncate()
            copy_runs.append(run_copy(rows))
        truncate()
        api_s, copy_s = min(api_runs), min(copy_runs)
        orm_rows = rows[: args.orm_sample]
        orm_s = run_orm(orm_rows)

    api_rate, copy_rate, orm_rate = len(events) / api_s, len(rows) / copy_s, len(orm_rows) / orm_s
    ratio, vs_orm = api_rate / copy_rate, api_rate / orm_rate
    print(f"database {db_name}: {len(events):,} events in batches of {BATCH:,}, best of {args.rounds} runs")
    runs = f"API {', '.join(f'{t:.2f}' for t in api_runs)} s; COPY {', '.join(f'{t:.2f}' for t in copy_runs)} s"
    print(f"  runs: {runs}")
    print(f"  API path (POST /api/v1/events)  {api_s:7.2f} s  {api_rate:10,.0f} events/s")
    print(f"  raw COPY into the same table     {copy_s:7.2f} s  {copy_rate:10,.0f} events/s")
    print(f"  per-row ORM save ({len(orm_rows):,} rows)     {orm_s:7.2f} s  {orm_rate:10,.0f} events/s")
    goals = Goals()
    goals.check(ratio >= 0.5, f"API / COPY {ratio:.2f} (goal ≥ 0.5)")
    goals.check(vs_orm >= 20, f"API / ORM loop {vs_orm:.1f}× (goal ≥ 20×)")
    return goals.exit_code


if __name__ == "__main__":
    sys.exit(main())
