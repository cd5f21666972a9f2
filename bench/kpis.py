"""The leadership KPI page over 1,000 customers with three years of ledger: queries and server time.

    .venv/bin/python bench/kpis.py [--customers 1000] [--runs 20] [--keep-db]

Creates customers (tenant rows without schemas: the page reads public tables only), each with its
latest health snapshot and three years of retention-ledger events (contract starts, yearly renewals,
expansions, contractions, churns with some win-backs, a few reversed entries). Renders
/console/kpis/ in-process for an admin and times the whole request (middleware, session, queries,
Python arithmetic, template), and, in the same run, one hand-written SQL statement computing the same
figures (the period and the last four quarters: customers active at the start, lost, start, end and
kept ARR, renewals due and renewed; the green share, mean NPS and adoption, TTV median and p75).
The two must agree. Prints ``ratio=<page / SQL>`` on one line.

Goals: the same number of queries for 10 customers and for --customers; ratio <= 3. The snapshot
history (HealthScore) lives in each tenant's schema and is not read by the page: only the latest
snapshot per customer is, as on the portfolio.
"""

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal

from benchdb import bench_database
from harness import Goals

TODAY = date(2026, 12, 1)
PERIOD = (date(2025, 12, 2), TODAY)  # the page's default: the last 12 months

SQL = """
WITH eff AS MATERIALIZED (
    SELECT e.id, e.account_id, e.kind, e.occurred_on, e.arr, e.term_end, e.recorded_at
      FROM {event} e LEFT JOIN {event} r ON r.reverses_id = e.id
     WHERE e.reverses_id IS NULL AND r.id IS NULL
),
periods (p, s, t) AS (SELECT * FROM unnest(%(ps)s::int[], %(ss)s::date[], %(ts)s::date[])),
per_account AS (  -- each account's state at each period's start and after its end, in one pass
    SELECT p.p, x.account_id,
           (array_agg(x.kind ORDER BY x.occurred_on DESC, x.recorded_at DESC, x.id DESC)
              FILTER (WHERE x.occurred_on < p.s AND x.kind IN ('contract_start', 'win_back', 'churn')))[1] AS status,
           coalesce((array_agg(CASE WHEN x.kind = 'churn' THEN 0 ELSE x.arr END
                               ORDER BY x.occurred_on DESC, x.recorded_at DESC, x.id DESC)
              FILTER (WHERE x.occurred_on < p.s AND (x.arr IS NOT NULL OR x.kind = 'churn')))[1], 0) AS arr_start,
           coalesce((array_agg(CASE WHEN x.kind = 'churn' THEN 0 ELSE x.arr END
                               ORDER BY x.occurred_on DESC, x.recorded_at DESC, x.id DESC)
              FILTER (WHERE x.occurred_on <= p.t AND (x.arr IS NOT NULL OR x.kind = 'churn')))[1], 0) AS arr_end,
           bool_or(x.kind = 'churn' AND x.occurred_on BETWEEN p.s AND p.t) AS churned
      FROM periods p CROSS JOIN eff x
     GROUP BY p.p, x.account_id
),
churn AS (
    SELECT p, count(*) AS at_start, count(*) FILTER (WHERE churned) AS lost, sum(arr_start) AS start_arr,
           sum(arr_end) AS end_arr, sum(least(arr_start, arr_end)) AS kept
      FROM per_account WHERE status IN ('contract_start', 'win_back') GROUP BY p
),
renewal AS (  -- per term due: the first renewal or churn after its event decides
    SELECT p.p, count(DISTINCT (e.account_id, e.term_end)) AS due,
           count(DISTINCT (e.account_id, e.term_end)) FILTER (WHERE n.kind = 'renewal' AND n.occurred_on <= p.t)
             AS renewed
      FROM eff e JOIN periods p ON e.term_end BETWEEN p.s AND p.t
      LEFT JOIN LATERAL (
          SELECT y.kind, y.occurred_on FROM {event} y
           WHERE y.account_id = e.account_id AND y.id <> e.id AND y.occurred_on >= e.occurred_on
             AND y.kind IN ('renewal', 'churn') AND y.reverses_id IS NULL
             AND NOT EXISTS (SELECT 1 FROM {event} r WHERE r.reverses_id = y.id)
           ORDER BY y.occurred_on, y.recorded_at, y.id LIMIT 1
      ) n ON true
     GROUP BY p.p
),
health AS (
    SELECT count(*) FILTER (WHERE s.band = 'green') AS green,
           count(*) FILTER (WHERE s.band IS NOT NULL AND s.band <> 'unknown') AS scored,
           avg(s.nps) AS nps, avg(s.core_adoption) AS adoption,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY s.ttv_days) AS ttv_median,
           percentile_cont(0.75) WITHIN GROUP (ORDER BY s.ttv_days) AS ttv_p75
      FROM {tenant} t LEFT JOIN {snapshot} s ON s.tenant_id = t.id
     WHERE t.schema_name <> 'public' AND t.lifecycle_stage <> 'churned'
)
SELECT periods.p, churn.at_start, churn.lost, churn.start_arr, churn.end_arr, churn.kept,
       renewal.due, renewal.renewed, health.*
  FROM periods LEFT JOIN churn USING (p) LEFT JOIN renewal USING (p) CROSS JOIN health
 ORDER BY periods.p
"""


def populate(count: int, *, start: int) -> None:
    from metrics.portfolio.models import HealthSnapshot
    from metrics.retention.models import Account, Event
    from portal.tenancy.models import Tenant, Tier

    rng = random.Random(start)
    tenants = Tenant.objects.bulk_create(
        [
            Tenant(schema_name=f"t_k{n:05d}", slug=f"k{n:05d}", name=f"Customer {n:05d}", tier=rng.choice(Tier.values))
            for n in range(start, start + count)
        ]
    )
    snapshots, accounts = [], []
    for tenant in tenants:
        score = rng.randrange(101)
        snapshots.append(
            HealthSnapshot(
                tenant=tenant,
                day=TODAY - timedelta(days=1),
                score=score,
                band="green" if score >= 70 else "yellow" if score >= 40 else "red",
                nps=rng.randrange(-100, 101),
                ttv_days=round(rng.uniform(1, 90), 1),
                core_adoption=rng.random(),
            )
        )
        accounts.append(Account(tenant=tenant, slug=tenant.slug, name=tenant.name))
    HealthSnapshot.objects.bulk_create(snapshots)
    accounts = Account.objects.bulk_create(accounts)
    events, reversible = [], []
    for account in accounts:
        day = date(2023, 12, 1) + timedelta(days=rng.randrange(700))
        arr = Decimal(rng.randrange(5, 200) * 1000)
        events.append(
            Event(account=account, kind="contract_start", occurred_on=day, arr=arr, term_end=day + timedelta(days=365))
        )
        active = True
        while True:
            day += timedelta(days=rng.randrange(60, 200))
            if day >= TODAY:
                break
            roll = rng.random()
            if active and roll < 0.06:
                events.append(Event(account=account, kind="churn", occurred_on=day, reason="price"))
                active = False
            elif not active:
                if roll < 0.3:
                    arr = Decimal(rng.randrange(5, 100) * 1000)
                    events.append(
                        Event(
                            account=account,
                            kind="win_back",
                            occurred_on=day,
                            arr=arr,
                            term_end=day + timedelta(days=365),
                        )
                    )
                    active = True
            elif roll < 0.5:
                events.append(
                    Event(account=account, kind="renewal", occurred_on=day, arr=arr, term_end=day + timedelta(days=365))
                )
            elif roll < 0.7:
                arr += Decimal(5000)
                events.append(Event(account=account, kind="expansion", occurred_on=day, arr=arr))
            elif roll < 0.8 and arr > 10000:
                arr -= Decimal(5000)
                events.append(Event(account=account, kind="contraction", occurred_on=day, arr=arr))
        if rng.random() < 0.05:
            reversible.append(events[-1])
    Event.objects.bulk_create(events)
    reversals = [
        Event(account_id=e.account_id, kind=e.kind, occurred_on=e.occurred_on, arr=e.arr, reason=e.reason, reverses=e)
        for e in reversible
        if e.kind != "contract_start"
    ]
    Event.objects.bulk_create(reversals)


def page(client, *, queries: bool = False):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/console/kpis/?start={PERIOD[0]}&end={PERIOD[1]}")
    assert response.status_code == 200, response.status_code
    return len(captured) if queries else response


def hand_sql():
    from django.db import connection

    from metrics.portfolio.models import HealthSnapshot
    from metrics.retention.models import Event
    from metrics.retention.periods import last_quarters
    from metrics.sql import table
    from portal.tenancy.models import Tenant

    spans = [PERIOD, *[(q.start, q.end) for q in last_quarters(TODAY)]]
    sql = SQL.format(event=table(Event), tenant=table(Tenant), snapshot=table(HealthSnapshot))
    with connection.cursor() as cursor:
        cursor.execute(sql, {"ps": list(range(len(spans))), "ss": [s for s, _ in spans], "ts": [t for _, t in spans]})
        return cursor.fetchall()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    import time_machine

    with bench_database(keep=args.keep_db) as db_name, time_machine.travel(f"{TODAY} 12:00Z", tick=True):
        from django.test import Client

        from portal.accounts.models import StaffRole, User

        admin = User.objects.create_user("admin@bench.example", staff_role=StaffRole.ADMIN)
        client = Client(HTTP_HOST="localhost")
        client.force_login(admin)

        populate(10, start=0)
        small = page(client, queries=True)
        populate(args.customers - 10, start=10)
        from django.db import connection

        with connection.cursor() as cursor:  # fresh statistics after the bulk load, for both sides
            cursor.execute("ANALYZE")
        large = page(client, queries=True)
        from metrics.retention.models import Event

        events = Event.objects.count()

        page_times, sql_times = [], []
        for _ in range(args.runs):  # interleaved, so both see the same machine load
            started = time.perf_counter()
            response = page(client)
            page_times.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            rows = hand_sql()
            sql_times.append((time.perf_counter() - started) * 1000)

        from metrics.portfolio.kpis import kpi_board_get

        assert b"Logo churn (annualised)" in response.content
        board = kpi_board_get(viewer=admin, start=PERIOD[0], end=PERIOD[1], today=TODAY)
        from metrics.retention.ledger import period_figures
        from metrics.retention.periods import last_quarters
        from metrics.retention.selectors import retention_facts_get

        facts = retention_facts_get(viewer=admin)
        spans = [PERIOD, *[(q.start, q.end) for q in last_quarters(TODAY)]]
        periods = [board.period, *[period_figures(facts, start=a, end=b) for a, b in spans[1:]]]
        agree = all(
            (row[1] or 0, row[2] or 0, Decimal(row[3] or 0), Decimal(row[4] or 0), Decimal(row[5] or 0))
            == (len(p.at_start), len(p.lost), p.start_arr, p.end_arr, p.retained_arr)
            and (row[6] or 0, row[7] or 0) == (len(p.due), len(p.renewed))
            for row, p in zip(rows, periods, strict=True)
        )

    page_ms, sql_ms = statistics.median(page_times), statistics.median(sql_times)
    ratio = page_ms / sql_ms
    print(f"database {db_name}: {args.customers:,} customers, {events:,} ledger events, {args.runs} runs each")
    print(f"  page: median {page_ms:.1f} ms (best {min(page_times):.1f}); hand-written SQL: median {sql_ms:.1f} ms")
    print(f"ratio={ratio:.2f}")
    goals = Goals()
    goals.check(small == large, f"queries: {small} with 10 customers, {large} with {args.customers:,} (goal: equal)")
    goals.check(agree, "the page's ledger figures equal the hand-written SQL's")
    goals.check(ratio <= 3, f"page / hand-written SQL = {ratio:.2f} (goal <= 3)")
    return goals.exit_code


if __name__ == "__main__":
    sys.exit(main())
