"""Give each demo tenant ~90 days of usage, tickets, seats and NPS answers, then score it daily.

Deterministic (seeded by the tenant's slug) and idempotent: a tenant with a feature catalog
is left alone. Goes through the product's own services (COPY ingest, rollups, scoring).
"""

import random
from datetime import UTC, datetime, time, timedelta

from django.utils import timezone

from metrics.models import Feature, NpsResponse
from metrics.services.health import health_score_compute
from metrics.services.ingest import usage_events_ingest
from metrics.services.records import seat_counts_upsert, support_tickets_upsert
from metrics.services.rollups import usage_rollup_days

FEATURES = [
    ("alerts.triage", "Alert triage", True),
    ("detections.custom", "Custom detections", True),
    ("response.containment", "Automated containment", True),
    ("hunt.queries", "Threat hunting", False),
    ("reports.executive", "Executive reports", False),
]
DAYS = 90
# slug -> (users, daily activity probability, adoption per feature, seats, tickets, NPS scores)
PROFILES = {
    "acme": (40, 0.55, [0.9, 0.6, 0.3, 0.4, 0.1], 45, 6, [9, 10, 8, 9, 7, 10]),
    "globex": (25, 0.65, [0.95, 0.8, 0.7, 0.5, 0.4], 25, 3, [10, 9, 9, 8, 10]),
    "initech": (12, 0.2, [0.5, 0.1, 0.0, 0.0, 0.0], 20, 9, [5, 6, 8, 3]),
}


def seed_metrics(*, tenant) -> None:
    profile = PROFILES.get(tenant.slug)
    if profile is None:
        return
    with tenant:
        if Feature.objects.exists():
            return
        users, active_p, adoption, seats, tickets, nps = profile
        rng = random.Random(tenant.slug)  # noqa: S311 (repeatable demo data, not security)
        for key, name, core in FEATURES:
            Feature.objects.create(key=key, name=name, is_core=core)
        today = timezone.localdate()
        days = [today - timedelta(days=n) for n in range(DAYS, 0, -1)]
        # Each user adopts a feature or not, once: adoption rates then read true over any window.
        adopted = {
            u: [key for (key, _, _), share in zip(FEATURES, adoption, strict=True) if rng.random() < share]
            for u in range(users)
        }
        events = []
        for day in days:
            for u in range(users):
                if rng.random() > active_p:
                    continue
                for key in adopted[u]:
                    if rng.random() < 0.7:
                        stamp = datetime.combine(day, time(9 + rng.randrange(9)), tzinfo=UTC)
                        events.append({"feature": key, "user": f"user{u}", "timestamp": stamp.isoformat()})
        usage_events_ingest(items=events)
        usage_rollup_days(days=days)
        now = timezone.now()
        support_tickets_upsert(
            items=[
                {
                    "external_id": f"{tenant.slug.upper()}-{n}",
                    "severity": rng.choice(["low", "medium", "high", "critical"]),
                    "status": "open" if n % 3 == 0 else "closed",
                    "opened_at": (now - timedelta(days=rng.randrange(1, DAYS))).isoformat(),
                }
                for n in range(tickets)
            ]
        )
        seat_counts_upsert(items=[{"day": today.isoformat(), "seats": seats}])
        for n, score in enumerate(nps):
            NpsResponse.objects.create(
                respondent_id=-(n + 1),
                period="demo",
                score=score,
                comment=["Fast onboarding", "", "Too many alerts at first", "", "Great CSM", ""][n % 6],
                created_at=now - timedelta(days=rng.randrange(1, 60)),
            )
        for day in days[-60:]:
            health_score_compute(tenant=tenant, day=day)
