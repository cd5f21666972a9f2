"""The console portfolio with 1,000 tenants: queries issued and server time.

    .venv/bin/python bench/portfolio.py [--tenants 1000] [--runs 20] [--keep-db]

Creates tenant rows (no schemas: the page reads public tables only) with a health snapshot
each, logs an admin in and renders /console/portfolio/ in-process through Django's test
client. Counts the queries for 10 tenants and for --tenants (they must be equal) and times
the full request (middleware, session, query, template). Goal: constant queries and a
median under 100 ms. Exits non-zero when a goal is missed.
"""

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta

from benchdb import bench_database
from harness import Goals


def populate(count: int, *, start: int, csms: list) -> None:
    from metrics.portfolio.models import HealthSnapshot
    from portal.tenancy.models import Tenant, Tier

    rng = random.Random(start)
    tenants = Tenant.objects.bulk_create(
        [
            Tenant(
                schema_name=f"t_p{n:05d}",
                slug=f"p{n:05d}",
                name=f"Customer {n:05d}",
                tier=rng.choice(Tier.values),
                renewal_date=date(2027, 1, 1) + timedelta(days=rng.randrange(365)),
                csm=rng.choice(csms),
                ready=True,
            )
            for n in range(start, start + count)
        ]
    )
    snapshots = []
    for tenant in tenants:
        score = rng.randrange(101)
        components = [
            {"key": k, "label": k, "score": rng.randrange(101), "weight": 20, "share": 0.2, "contribution": 10.0,
             "missing": False, "detail": "bench"}
            for k in ("usage", "adoption", "support", "nps", "onboarding")
        ]  # fmt: skip
        snapshots.append(
            HealthSnapshot(
                tenant=tenant,
                day=date.today(),  # noqa: DTZ011 (a bench fixture date)
                score=score,
                band="green" if score >= 70 else "yellow" if score >= 40 else "red",
                score_week_ago=max(0, min(100, score + rng.randrange(-10, 11))),
                components=components,
                nps=rng.randrange(-100, 101),
                ttv_days=round(rng.uniform(1, 60), 1),
                active_users=rng.randrange(200),
            )
        )
    HealthSnapshot.objects.bulk_create(snapshots)


def count_queries(client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get("/console/portfolio/")
    assert response.status_code == 200, response.status_code
    return len(captured)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    with bench_database(keep=args.keep_db) as db_name:
        from django.test import Client

        from portal.accounts.models import StaffRole, User
        from portal.accounts.signin import SESSION_MFA_KEY

        admin = User.objects.create_user("admin@bench.example", staff_role=StaffRole.ADMIN)
        csms = [User.objects.create_user(f"csm{n}@bench.example", staff_role=StaffRole.CSM) for n in range(20)]
        client = Client(HTTP_HOST="localhost")
        client.force_login(admin)
        # Staff pages need a confirmed second factor; the bench measures the page, not that step.
        session = client.session
        session[SESSION_MFA_KEY] = "otp_totp.totpdevice/bench"
        session.save()

        populate(10, start=0, csms=csms)
        small = count_queries(client)
        populate(args.tenants - 10, start=10, csms=csms)
        large = count_queries(client)
        times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            response = client.get("/console/portfolio/")
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        rows = response.content.count(b'<tr><th scope="row">')

    median = statistics.median(times)
    print(f"database {db_name}: portfolio of {rows:,} tenants, {args.runs} requests")
    print(f"  server time: median {median:.1f} ms, best {min(times):.1f} ms, worst {max(times):.1f} ms (goal < 100 ms)")
    goals = Goals()
    goals.check(small == large, f"queries: {small} with 10 tenants, {large} with {args.tenants:,} (goal: equal)")
    goals.check(median < 100, f"median server time {median:.1f} ms (goal < 100 ms)")
    return goals.exit_code


if __name__ == "__main__":
    sys.exit(main())
