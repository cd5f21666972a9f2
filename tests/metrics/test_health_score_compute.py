"""health_score_compute: gathers the tenant's data, stores one row per day and the public snapshot."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django_tenants.utils import schema_context

from metrics.models import DailyUsage, HealthScore, NpsResponse, SeatCount, SupportTicket
from metrics.portfolio.models import HealthSnapshot
from metrics.services.health import health_score_compute

pytestmark = pytest.mark.django_db
DAY = date(2026, 11, 20)


@pytest.fixture
def onboarding(monkeypatch):
    """Inject onboarding.selectors values (the real ones arrive with the checklist work)."""
    values = {"progress": None, "ttv": None}
    monkeypatch.setattr("onboarding.selectors.checklist_plan_progress_get", lambda **_: values["progress"])
    started = datetime(2026, 10, 1, tzinfo=UTC)  # no kickoff or contract start: TTV counts from here
    monkeypatch.setattr(
        "onboarding.selectors.first_value_get",
        lambda: None if values["ttv"] is None else (started, started + values["ttv"]),
    )
    return values


def usage(features, *, users: int, days: int, feature_users: dict, end=DAY):
    """users active on each of the last ``days`` days; feature_users[key] of them use each feature."""
    rows = []
    for offset in range(days):
        day = end - timedelta(days=offset)
        for key, count in feature_users.items():
            rows += [
                DailyUsage(day=day, feature=features[key], user_ref=f"u{n}", events=1, quantity=1) for n in range(count)
            ]
        rows += [
            DailyUsage(day=day, feature=features["export"], user_ref=f"u{n}", events=1, quantity=1)
            for n in range(users)
        ]
    DailyUsage.objects.bulk_create(rows)


def compute(tenant, day=DAY):
    with schema_context(tenant.schema_name):
        from django.db import connection

        connection.set_tenant(tenant)
        return health_score_compute(tenant=tenant, day=day)


def test_a_tenant_with_no_data_has_every_component_missing(tenant_a, onboarding):
    history = compute(tenant_a)
    assert history.score is None
    assert history.band == "unknown"
    assert all(c["missing"] for c in history.components)
    snapshot = HealthSnapshot.objects.get(tenant=tenant_a)
    assert (snapshot.score, snapshot.band, snapshot.day) == (None, "unknown", DAY)


def test_it_scores_from_rollups_tickets_nps_and_onboarding(tenant_a, features_a, onboarding):
    onboarding["progress"] = (3, 4)
    onboarding["ttv"] = timedelta(days=12, hours=12)
    with schema_context(tenant_a.schema_name):
        # 10 users every day for 28 days: 8 use alerts.triage, 4 use reports (both core).
        usage(features_a, users=10, days=28, feature_users={"alerts.triage": 8, "reports": 4})
        SeatCount.objects.create(day=DAY - timedelta(days=40), seats=20)
        opened = datetime(2026, 11, 10, tzinfo=UTC)
        SupportTicket.objects.create(external_id="T1", severity="critical", status="open", opened_at=opened)
        SupportTicket.objects.create(
            external_id="T2", severity="low", status="closed", opened_at=opened, closed_at=opened + timedelta(hours=1)
        )
        for n, score in enumerate([10, 9, 8, 3]):  # 2 promoters, 1 passive, 1 detractor: NPS 25
            NpsResponse.objects.create(respondent_id=n, period="2026-Q4", score=score, created_at=opened)
        NpsResponse.objects.create(respondent_id=99, period="2026-Q4", score=None, created_at=opened)  # dismissed
    history = compute(tenant_a)
    parts = {c["key"]: c for c in history.components}
    assert parts["usage"]["score"] == 100  # 10 a day / 20 seats = 50 % = the target
    assert parts["adoption"]["score"] == 75  # mean(8/10, 4/10) = 60 % of 80 %
    assert parts["support"]["score"] == 71  # 100 − 25 − 2 × 2 opened
    assert parts["nps"]["score"] == 62.5  # (25 + 100) / 2
    assert parts["onboarding"]["score"] == 75
    # standard: (35×100 + 30×75 + 10×71 + 10×62.5 + 15×75) / 100 = 82.1
    assert history.score == 82
    assert history.band == "green"
    snapshot = HealthSnapshot.objects.get(tenant=tenant_a)
    assert (snapshot.score, snapshot.nps, snapshot.ttv_days, snapshot.active_users) == (82, 25, 12.5, 10)
    assert snapshot.components == history.components


def test_the_weights_follow_the_tenant_tier(tenant_a, features_a, onboarding):
    onboarding["progress"] = (1, 4)
    with schema_context(tenant_a.schema_name):
        usage(features_a, users=10, days=28, feature_users={"alerts.triage": 8, "reports": 4})
    standard = compute(tenant_a)
    tenant_a.tier = "strategic"
    strategic = compute(tenant_a)
    # usage 100, adoption 75, onboarding 25 (support and NPS missing)
    assert standard.score == round((35 * 100 + 30 * 75 + 15 * 25) / 80)  # 76.6 → 77
    assert strategic.score == round((25 * 100 + 25 * 75 + 15 * 25) / 65)  # 73.1 → 73
    assert strategic.tier == "strategic"


def test_running_twice_for_the_same_day_keeps_one_row_and_one_snapshot(tenant_a, features_a, onboarding):
    with schema_context(tenant_a.schema_name):
        usage(features_a, users=5, days=10, feature_users={"alerts.triage": 5})
    first = compute(tenant_a)
    second = compute(tenant_a)
    with schema_context(tenant_a.schema_name):
        assert HealthScore.objects.count() == 1
        assert HealthScore.objects.get().score == first.score == second.score
    assert HealthSnapshot.objects.filter(tenant=tenant_a).count() == 1


def test_drivers_compare_with_the_score_a_week_earlier(tenant_a, features_a, onboarding):
    onboarding["progress"] = (4, 4)
    week_ago_day = DAY - timedelta(days=7)
    with schema_context(tenant_a.schema_name):
        SeatCount.objects.create(day=week_ago_day - timedelta(days=30), seats=40)
        usage(features_a, users=10, days=28, feature_users={"alerts.triage": 8, "reports": 8}, end=week_ago_day)
    week_ago = compute(tenant_a, week_ago_day)
    # usage 10/40 = 25 % → 50, adoption 80 % → 100, onboarding 100: (35×50 + 30×100 + 15×100) / 80
    assert week_ago.score == 78
    onboarding["progress"] = (1, 4)  # and nobody used the product in the last 7 days
    today = compute(tenant_a)
    # usage 7.5/40 → 37.5, adoption 100, onboarding 25: (35×37.5 + 30×100 + 15×25) / 80 = 58.6
    assert today.score == 59
    assert [(d["key"], d["delta"]) for d in today.drivers] == [("onboarding", -14.1), ("usage", -5.5)]
    assert today.drivers[0]["previous_score"] == 100
    snapshot = HealthSnapshot.objects.get(tenant=tenant_a)
    assert snapshot.score_week_ago == 78
    assert snapshot.change == -19


def test_an_older_day_never_replaces_a_newer_snapshot(tenant_a, features_a, onboarding):
    with schema_context(tenant_a.schema_name):  # the minimum for a score: usage data (docs/kpis.md)
        usage(features_a, users=10, days=40, feature_users={"alerts.triage": 10, "reports": 10})
    onboarding["progress"] = (4, 4)
    compute(tenant_a)
    onboarding["progress"] = (0, 4)
    compute(tenant_a, DAY - timedelta(days=3))
    snapshot = HealthSnapshot.objects.get(tenant=tenant_a)
    assert (snapshot.day, snapshot.score) == (DAY, 100)


def test_scoring_refuses_to_run_in_another_tenants_schema(tenant_a, tenant_b):
    with schema_context(tenant_b.schema_name), pytest.raises(RuntimeError, match="needs its schema active"):
        health_score_compute(tenant=tenant_a, day=DAY)


def test_without_usage_data_a_tenant_has_not_enough_data_yet(tenant_a, onboarding):
    # Day 0 of a new customer: only the onboarding plan says anything (1 of 4 due tasks done,
    # which alone would score 25, red). Below the minimum it is grey, not red.
    onboarding["progress"] = (1, 4)
    history = compute(tenant_a)
    assert (history.score, history.band) == (None, "unknown")
    assert {c["key"]: c["score"] for c in history.components}["onboarding"] == 25
    assert HealthSnapshot.objects.get(tenant=tenant_a).band == "unknown"
