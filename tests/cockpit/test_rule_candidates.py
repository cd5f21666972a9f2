"""Each rule's SQL filter (rules.CANDIDATES) lets through every customer its function fires on.

The functions are the rules' definition; evaluation only asks them about the customers a filter
lets through (selectors.rule_work_list). So a filter must never be narrower than its function:
checked here on customers whose facts crowd every boundary (drop, renewal window, two quarters,
QBR cadence, adoption target, seat shares, grace days), in several time zones and with other
thresholds. For a tenant on UTC the filter is also exact: a looser one would send customers to
Python on every run for nothing.
"""

import random
from datetime import UTC, date, datetime, time, timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.utils import timezone

from metrics.cockpit.models import AccountFacts, Rule
from metrics.cockpit.rules import THRESHOLDS, default_thresholds, rule_evaluate
from metrics.cockpit.selectors import facts_list, rule_scope, rule_work_list
from metrics.portfolio.models import HealthSnapshot
from onboarding.stalls.models import StallEpisode
from portal.tenancy.models import Tenant, Tier

ZONES = ["UTC", "", "Asia/Shanghai", "America/Los_Angeles", "Pacific/Kiritimati", "Etc/GMT+12", "Europe/Berlin"]
UTC_ZONES = {"UTC", ""}
RATES = [None, 0.0, 0.3, 0.5999, 0.6, 0.6001, 0.7999, 0.8, 0.8001, 0.95, 1]


def _customers(count: int, seed: int) -> None:
    """Create ``count`` customers (rows only: rules read public tables) with facts near every boundary."""
    rng = random.Random(seed)
    now = timezone.now()
    today = timezone.localdate(now)

    def ago(days_from: int, days_to: int) -> datetime:
        return now - timedelta(days=rng.randrange(days_from, days_to), seconds=rng.randrange(86_400))

    def around(day: date) -> datetime:
        """Return a moment of the UTC day before, of or after ``day``: another day in some zones."""
        return datetime.combine(day + timedelta(days=rng.randrange(-1, 2)), time(rng.randrange(24)), tzinfo=UTC)

    def reviewed(tier: str) -> datetime | None:
        two_quarters = today - relativedelta(months=6)  # renewal_at_risk's default
        due_in_30 = today + timedelta(days=30) - relativedelta(months=settings.KEEL_QBR_CADENCE_MONTHS[tier])
        return rng.choice([None, around(two_quarters), around(due_in_30), ago(0, 400)])

    tiers = [rng.choice(Tier.values) for _ in range(count)]
    tenants = Tenant.objects.bulk_create(
        Tenant(
            schema_name=f"t_cand{seed}_{n}",
            slug=f"cand{seed}-{n}",
            name=f"Candidate {n}",
            tier=tier,
            time_zone=rng.choice(ZONES),
            renewal_date=rng.choice([None, today + timedelta(days=rng.randrange(-3, 135))]),
            contract_start=rng.choice([None, None, today - timedelta(days=rng.randrange(0, 400))]),
            last_qbr_published_at=reviewed(tier),
            ready=True,
        )
        for n, tier in enumerate(tiers)
    )
    for tenant in tenants[::3]:  # the QBR cadence counts from the tenant's creation when nothing else is known
        due_in_30 = today + timedelta(days=30) - relativedelta(months=settings.KEEL_QBR_CADENCE_MONTHS[tenant.tier])
        Tenant.objects.filter(pk=tenant.pk).update(created_at=around(due_in_30))
    snapshots, facts, stalls = [], [], []
    for tenant in tenants:
        if rng.random() < 0.9:
            score = rng.randrange(101)
            week_ago = rng.choice([None, max(0, min(100, score + rng.randrange(-3, 17)))])
            band = rng.choice(["green", "green", "green", "yellow", "red", "unknown"])
            snapshots.append(HealthSnapshot(tenant=tenant, day=today, score=score, band=band, score_week_ago=week_ago))
        seats = rng.choice([None, 0, 5, 10, 20, 35, 50, 100])
        share = rng.choice([18, 19, 20, 21, 89, 90, 91, 100, 150])
        near = round((seats or 0) * share / 100)
        facts.append(
            AccountFacts(
                tenant=tenant,
                go_live_on=rng.choice([None, today - timedelta(days=rng.randrange(0, 45))]),
                seats=seats,
                active_users_14d=max(0, near + rng.randrange(-1, 2)),
                active_users_28d=max(0, near + rng.randrange(-1, 2)),
                core_adoption=[
                    {"key": f"f{i}", "name": f"Feature {i}", "rate": rng.choice(RATES)} for i in range(rng.randrange(4))
                ],
                detractor_id=rng.choice([None, rng.randrange(1, 1000)]),
                detractor_score=rng.choice([None, *range(11)]),
                detractor_on=today - timedelta(days=rng.randrange(5)),
                milestone_id=rng.choice([None, rng.randrange(1, 100)]),
                milestone_title="Go live",
                milestone_due=rng.choice([None, today - timedelta(days=rng.randrange(-3, 5))]),
            )
        )
        if rng.random() < 0.2:
            since = ago(1, 30)
            ended = rng.choice([None, None, now])
            stalls.append(
                StallEpisode(
                    tenant=tenant, checklist_id=1, checklist_name="Onboarding", stalled_since=since,
                    detected_at=since, last_progress_at=since, is_idle=True, ended_at=ended,
                )
            )  # fmt: skip
    HealthSnapshot.objects.bulk_create(snapshots)
    AccountFacts.objects.bulk_create(facts)
    StallEpisode.objects.bulk_create(stalls)


def _thresholds(rng: random.Random | None) -> dict[str, dict[str, int]]:
    """Return every rule's defaults, or (given ``rng``) values drawn within each threshold's bounds."""
    if rng is None:
        return {rule: default_thresholds(rule) for rule in Rule.values}
    return {
        rule: {key: rng.randint(limits.minimum, min(limits.maximum, 200)) for key, limits in spec.items()}
        for rule, spec in THRESHOLDS.items()
    }


@pytest.mark.parametrize("draw", [None, 1, 2, 3])
def test_every_filter_lets_through_whatever_its_rule_fires_on(db, draw):
    _customers(400, seed=16)
    scope = rule_scope(Tenant.objects.filter(slug__startswith="cand16-"))
    thresholds = _thresholds(None if draw is None else random.Random(draw))
    config = {rule: (True, values, 14, []) for rule, values in thresholds.items()}
    now = timezone.now()
    today = timezone.localdate(now)

    # With no CTA yet, the pairs to decide are exactly those whose filter holds.
    customers, work = rule_work_list(scope=scope, config=config, today=today, now=now)
    passed = {(w.facts.tenant_id, w.rule) for w in work}
    every = facts_list(scope)
    fired = {
        (f.tenant_id, rule) for f in every for rule in Rule.values if rule_evaluate(rule, f, thresholds[rule], today)
    }
    assert customers == len(every) == 400
    assert fired - passed == set(), "a filter is narrower than its rule"
    on_utc = {f.tenant_id for f in every if f.tenant_id in _utc_tenants()}
    assert {p for p in passed if p[0] in on_utc} == {p for p in fired if p[0] in on_utc}, "a filter is loose on UTC"
    if draw is None:  # the defaults: every rule fires for some customers and not for others
        for rule in Rule.values:
            assert 0 < sum(1 for _, r in fired if r == rule) < 400, rule


def _utc_tenants() -> set[int]:
    return set(Tenant.objects.filter(slug__startswith="cand16-", time_zone__in=UTC_ZONES).values_list("pk", flat=True))


def test_a_rule_turned_off_lets_nothing_through(db):
    _customers(60, seed=17)
    scope = rule_scope(Tenant.objects.filter(slug__startswith="cand17-"))
    config = {rule: (rule != Rule.QBR_DUE, default_thresholds(rule), 14, []) for rule in Rule.values}
    now = timezone.now()
    _, work = rule_work_list(scope=scope, config=config, today=timezone.localdate(now), now=now)
    assert work
    assert Rule.QBR_DUE not in {w.rule for w in work}
