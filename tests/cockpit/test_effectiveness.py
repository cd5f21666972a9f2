"""CTA effectiveness: health 30 days after opening against health at opening, per rule and outcome."""

from datetime import timedelta

from django.utils import timezone

from metrics.cockpit.models import Cta, CtaStatus, Outcome, Rule
from metrics.cockpit.selectors import cta_effectiveness_list
from metrics.cockpit.services import cta_evaluate
from metrics.portfolio.models import HealthSnapshot
from portal.tenancy.models import Tenant
from tests.support.clients import client_for
from tests.support.factories import CtaFactory, HealthSnapshotFactory


def closed(tenant, rule, outcome, at_open, after, **extra):
    return CtaFactory(
        tenant=tenant,
        rule=rule,
        status=CtaStatus.CLOSED,
        outcome=outcome,
        closed_at=timezone.now(),
        health_at_open=at_open,
        health_after_30=after,
        **extra,
    )


def test_the_evaluation_records_the_score_30_days_after_opening_once(tenant_a):
    HealthSnapshotFactory(tenant=tenant_a, score=66, day=timezone.localdate())
    now = timezone.now()
    old = CtaFactory(tenant=tenant_a, rule=Rule.QBR_DUE, opened_at=now - timedelta(days=30), health_at_open=50)
    young = CtaFactory(tenant=tenant_a, rule=Rule.ZOMBIE, opened_at=now - timedelta(days=29), health_at_open=50)
    cta_evaluate(tenants=Tenant.objects.filter(pk=tenant_a.pk), now=now)
    old.refresh_from_db()
    young.refresh_from_db()
    assert (old.health_after_30, old.health_after_30_on) == (66, timezone.localdate())
    assert young.health_after_30 is None
    HealthSnapshot.objects.filter(tenant=tenant_a).update(score=90)
    cta_evaluate(tenants=Tenant.objects.filter(pk=tenant_a.pk), now=now)
    old.refresh_from_db()
    assert old.health_after_30 == 66  # kept: the first score 30 days on


def test_it_reports_change_per_rule_and_outcome_computed_by_hand(tenant_a, tenant_b, admin_user, csm_a):
    closed(tenant_a, Rule.HEALTH_DROP, Outcome.RESOLVED, 40, 55)  # +15
    closed(tenant_a, Rule.HEALTH_DROP, Outcome.RESOLVED, 60, 50)  # -10
    closed(tenant_a, Rule.HEALTH_DROP, Outcome.RESOLVED, None, 50)  # not measured
    closed(tenant_b, Rule.HEALTH_DROP, Outcome.RISK_ACCEPTED, 30, 20)  # -10
    CtaFactory(tenant=tenant_a, rule=Rule.QBR_DUE, health_at_open=10, health_after_30=90)  # open: left out
    rows = {(r.rule, r.outcome): r for r in cta_effectiveness_list(viewer=admin_user)}
    resolved = rows[(Rule.HEALTH_DROP, Outcome.RESOLVED)]
    assert (resolved.closed, resolved.measured, resolved.improved, resolved.mean_change) == (3, 2, 1, 2.5)
    assert rows[(Rule.HEALTH_DROP, Outcome.RISK_ACCEPTED)].mean_change == -10.0
    assert len(rows) == 2
    mine = cta_effectiveness_list(viewer=csm_a)
    assert [(r.outcome, r.closed) for r in mine] == [(Outcome.RESOLVED, 3)]
    page = client_for(csm_a).get("/console/cockpit/effectiveness/")
    assert page.status_code == 200
    assert "+2.5" in page.text
    assert Cta.objects.count() == 5
