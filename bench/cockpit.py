"""The cockpit with 1,000 customers: rule evaluation against one set-based SQL pass, and the book page.

    .venv/bin/python bench/cockpit.py [--tenants 1000] [--runs 5] [--keep-db]

Creates customer rows (no schemas: rules read public tables only) with a health snapshot,
account facts and, for some, an open stall episode; 20 CSMs, one of them owning 50.

1. Evaluation: ``cta_evaluate()`` over every customer on this one process: the first run
   (opens every CTA, writes audit rows and outbox notices) and then steady-state runs (nothing
   new: reads, decides, refreshes). The baseline is one set-based SQL statement that counts,
   per rule, the customers whose condition holds, over the same rows in the same run. The
   counts must equal the CTAs the first run opened (a check that both agree on every rule);
   ``ratio=<x>`` is the steady-state median over the SQL median, the two measured in turns.
   Goals: ratio <= 3, first run < 60 s.
2. The book (/console/book/) for the CSM with 50 customers and for one with 5: queries
   (must be equal) and the server time of the full request (median of --runs x 4).

Exits non-zero when a goal is missed.
"""

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta

from benchdb import bench_database
from harness import Goals

SQL_PASS = """
WITH base AS (
  SELECT t.tier, t.renewal_date, t.contract_start, t.created_at,
         (t.last_qbr_published_at AT TIME ZONE 'UTC')::date AS last_qbr,
         coalesce(s.band, 'unknown') AS band, s.score, s.score_week_ago,
         EXISTS (SELECT 1 FROM {stalls} e WHERE e.tenant_id = t.id AND e.ended_at IS NULL) AS stalled,
         f.go_live_on, f.seats, coalesce(f.active_users_14d, 0) AS active14,
         coalesce(f.active_users_28d, 0) AS active28, coalesce(f.core_adoption, '[]'::jsonb) AS core,
         f.detractor_id, f.detractor_score, f.milestone_id, f.milestone_due
  FROM {tenants} t
  LEFT JOIN {snapshots} s ON s.tenant_id = t.id
  LEFT JOIN {facts} f ON f.tenant_id = t.id
  WHERE t.ready AND t.schema_name <> 'public' AND t.lifecycle_stage <> 'churned'
)
SELECT
  count(*) FILTER (WHERE band = 'red' OR score - score_week_ago <= -%(drop)s),
  count(*) FILTER (WHERE stalled),
  count(*) FILTER (WHERE renewal_date BETWEEN %(today)s AND %(today)s + %(within)s
                   AND (band <> 'green' OR last_qbr IS NULL OR last_qbr < %(qbr_since)s)),
  count(*) FILTER (WHERE (coalesce(last_qbr, contract_start, (created_at AT TIME ZONE 'UTC')::date)
                          + make_interval(months => CASE tier WHEN 'strategic' THEN %(m_strategic)s
                                                   WHEN 'key' THEN %(m_key)s ELSE %(m_standard)s END))::date
                   - %(today)s <= %(lead)s),
  count(*) FILTER (WHERE detractor_id IS NOT NULL AND detractor_score <= %(max_score)s),
  count(*) FILTER (WHERE go_live_on <= %(today)s - %(adopt_after)s AND jsonb_array_length(core) > 0
                   AND EXISTS (SELECT 1 FROM jsonb_array_elements(core) c
                               WHERE c->>'rate' IS NULL OR (c->>'rate')::float < %(adopt_target)s)),
  count(*) FILTER (WHERE go_live_on <= %(today)s - %(zombie_after)s AND seats > 0
                   AND active14 * 100.0 / seats < %(zombie_pct)s),
  count(*) FILTER (WHERE milestone_id IS NOT NULL AND %(today)s - milestone_due > %(grace)s),
  count(*) FILTER (WHERE (seats > 0 AND active28 * 100.0 / seats >= %(seats_pct)s)
                   OR (jsonb_array_length(core) > 0
                       AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(core) c
                                       WHERE c->>'rate' IS NULL OR (c->>'rate')::float < %(expand_target)s)))
FROM base
"""
RULE_ORDER = (
    "health_drop",
    "onboarding_stall",
    "renewal_at_risk",
    "qbr_due",
    "nps_detractor",
    "adoption_low",
    "zombie",
    "milestone_overdue",
    "expansion",
)


def populate(count: int, csms: list, big_csm, small_csm) -> None:
    from django.utils import timezone

    from metrics.cockpit.models import AccountFacts
    from metrics.portfolio.models import HealthSnapshot
    from onboarding.stalls.models import StallEpisode
    from portal.tenancy.models import Tenant, Tier

    rng = random.Random(16)
    today = timezone.localdate()
    now = timezone.now()
    owners = [big_csm] * 50 + [small_csm] * 5
    owners += [rng.choice(csms) for _ in range(count - len(owners))]
    tenants = Tenant.objects.bulk_create(
        [
            Tenant(
                schema_name=f"t_c{n:05d}",
                slug=f"c{n:05d}",
                name=f"Customer {n:05d}",
                tier=rng.choice(Tier.values),
                renewal_date=today + timedelta(days=rng.randrange(-30, 400)),
                contract_start=today - timedelta(days=rng.randrange(30, 700)),
                last_qbr_published_at=now - timedelta(days=rng.randrange(10, 400)) if rng.random() < 0.7 else None,
                csm=owners[n],
                ready=True,
            )
            for n in range(count)
        ]
    )
    snapshots, facts, stalls = [], [], []
    for tenant in tenants:
        score = rng.randrange(101)
        components = [
            {"key": k, "label": k, "score": rng.randrange(101), "weight": 20, "detail": "bench"}
            for k in ("usage", "adoption", "support", "nps", "onboarding")
        ]
        snapshots.append(
            HealthSnapshot(
                tenant=tenant,
                day=today,
                score=score,
                band="green" if score >= 70 else "yellow" if score >= 40 else "red",
                score_week_ago=max(0, min(100, score + rng.randrange(-15, 16))),
                components=components,
            )
        )
        seats = rng.choice([None, 20, 50, 200])
        facts.append(
            AccountFacts(
                tenant=tenant,
                go_live_on=today - timedelta(days=rng.randrange(0, 300)) if rng.random() < 0.8 else None,
                seats=seats,
                active_users_14d=rng.randrange((seats or 10) + 1),
                active_users_28d=rng.randrange((seats or 10) + 1),
                core_adoption=[
                    {"key": f"f{i}", "name": f"Feature {i}", "rate": round(rng.random(), 4)}
                    for i in range(rng.randrange(4))
                ],
                detractor_id=rng.randrange(1, 10_000) if rng.random() < 0.15 else None,
                detractor_score=rng.randrange(7),
                detractor_on=today - timedelta(days=rng.randrange(20)),
                milestone_id=rng.randrange(1, 500) if rng.random() < 0.2 else None,
                milestone_title="Go live",
                milestone_due=today - timedelta(days=rng.randrange(0, 20)),
            )
        )
        if rng.random() < 0.1:
            since = now - timedelta(days=rng.randrange(3, 30))
            stalls.append(
                StallEpisode(
                    tenant=tenant, checklist_id=1, checklist_name="Onboarding", stalled_since=since,
                    detected_at=since, last_progress_at=since, is_idle=True,
                )
            )  # fmt: skip
    HealthSnapshot.objects.bulk_create(snapshots)
    AccountFacts.objects.bulk_create(facts)
    StallEpisode.objects.bulk_create(stalls)


def sql_pass() -> tuple[float, list[int]]:
    from dateutil.relativedelta import relativedelta
    from django.conf import settings
    from django.db import connection
    from django.utils import timezone

    from metrics.cockpit.models import AccountFacts
    from metrics.portfolio.models import HealthSnapshot
    from onboarding.stalls.models import StallEpisode
    from portal.tenancy.models import Tenant

    rules, months = settings.KEEL_CTA_RULES, settings.KEEL_QBR_CADENCE_MONTHS
    today = timezone.localdate()
    quote = connection.ops.quote_name
    statement = SQL_PASS.format(
        tenants=quote(Tenant._meta.db_table),
        snapshots=quote(HealthSnapshot._meta.db_table),
        stalls=quote(StallEpisode._meta.db_table),
        facts=quote(AccountFacts._meta.db_table),
    )
    params = {
        "today": today,
        "drop": rules["health_drop"]["drop_points"],
        "within": rules["renewal_at_risk"]["within_days"],
        "qbr_since": today - relativedelta(months=3 * rules["renewal_at_risk"]["qbr_quarters"]),
        "m_strategic": months["strategic"],
        "m_key": months["key"],
        "m_standard": months["standard"],
        "lead": rules["qbr_due"]["lead_days"],
        "max_score": rules["nps_detractor"]["max_score"],
        "adopt_after": rules["adoption_low"]["after_go_live_days"],
        "adopt_target": rules["adoption_low"]["target_percent"] / 100,
        "zombie_after": rules["zombie"]["after_go_live_days"],
        "zombie_pct": rules["zombie"]["active_percent"],
        "grace": rules["milestone_overdue"]["grace_days"],
        "seats_pct": rules["expansion"]["seats_percent"],
        "expand_target": rules["expansion"]["adoption_percent"] / 100,
    }
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        counts = list(cursor.fetchone())
    return time.perf_counter() - started, counts


def timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def book_queries(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/console/book/")
    assert response.status_code == 200, response.status_code
    return len(captured)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    goals = Goals()

    with bench_database(keep=args.keep_db) as db_name:
        from django.db.models import Count
        from django.test import Client

        from metrics.cockpit.models import Cta
        from metrics.cockpit.selectors import book_list, cta_queue_list
        from metrics.cockpit.services import cta_evaluate
        from portal.accounts.models import StaffRole, User

        csms = [User.objects.create_user(f"csm{n}@bench.example", staff_role=StaffRole.CSM) for n in range(20)]
        big, small = csms[0], csms[1]
        populate(args.tenants, csms[2:], big, small)

        first, result = timed(cta_evaluate)
        opened = dict(Cta.objects.values_list("rule").annotate(n=Count("pk")))
        # Interleaved, so a burst of load from a neighbour on the machine falls on both sides.
        steady, passes = [], []
        for _ in range(args.runs):
            took, again = timed(cta_evaluate)
            assert not again.opened, "a steady-state run opened CTAs"
            steady.append(took)
            passes.append(sql_pass())
        sql_counts = passes[0][1]
        sql_median = statistics.median(p[0] for p in passes)
        steady_median = statistics.median(steady)
        ratio = steady_median / sql_median

        clients = {}
        for csm in (big, small):
            clients[csm] = Client(HTTP_HOST="localhost")
            clients[csm].force_login(csm)
        queries = {csm: book_queries(clients[csm]) for csm in (big, small)}
        times = []
        for _ in range(args.runs * 4):
            started = time.perf_counter()
            response = clients[big].get("/console/book/")
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        accounts = len(book_list(viewer=big, csm=big))
        queue = cta_queue_list(viewer=big, owner=big).count()

    print(f"database {db_name}: {result.customers:,} customers, {sum(opened.values()):,} CTAs opened")
    print(f"  first evaluation (opens every CTA, audit rows, outbox): {first:.2f} s")
    print(f"  steady-state evaluation: median {steady_median * 1000:.1f} ms over {args.runs} runs")
    print(f"  set-based SQL pass (baseline): median {sql_median * 1000:.1f} ms over {args.runs} runs")
    print("  per rule (CTAs opened / SQL count): " + ", ".join(
        f"{rule} {opened.get(rule, 0)}/{sql}" for rule, sql in zip(RULE_ORDER, sql_counts, strict=True)
    ))  # fmt: skip
    print(f"ratio={ratio:.2f}")
    print(f"  book of a CSM with {accounts} customers ({queue} CTAs): {queries[big]} queries; with 5: {queries[small]}")
    print(f"  book server time: median {statistics.median(times):.1f} ms, worst {max(times):.1f} ms")
    agree = all(opened.get(rule, 0) == sql for rule, sql in zip(RULE_ORDER, sql_counts, strict=True))
    goals.check(agree, "evaluation and SQL pass agree on every rule's count")
    goals.check(ratio <= 3, f"ratio={ratio:.2f} steady-state evaluation / SQL pass (goal <= 3)")
    goals.check(first < 60, f"first evaluation {first:.2f} s (goal < 60 s)")
    goals.check(queries[big] == queries[small], f"book queries: {queries[big]} with 50, {queries[small]} with 5")
    return goals.exit_code


if __name__ == "__main__":
    sys.exit(main())
