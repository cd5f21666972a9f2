"""account_facts_refresh: what the rules need, copied from a tenant's schema to public."""

from datetime import timedelta

import pytest
from django.utils import timezone

from metrics.cockpit.facts import account_facts_refresh
from metrics.cockpit.models import AccountFacts, Cta, Rule
from metrics.cockpit.services import cta_evaluate
from metrics.cockpit.tasks import account_facts_refresh_task
from onboarding.models import Checklist, Task, TaskStatus
from portal.tenancy.models import Tenant
from tests.support.factories import DailyUsageFactory, FeatureFactory, NpsResponseFactory, SeatCountFactory


def test_it_copies_seats_activity_adoption_detractors_and_overdue_milestones(tenant_a):
    today = timezone.localdate()
    with tenant_a:
        Checklist.objects.update(first_value_at=timezone.now() - timedelta(days=40))
        SeatCountFactory(day=today - timedelta(days=1), seats=50)
        edr = FeatureFactory(key="edr", name="EDR", is_core=True)
        FeatureFactory(key="extra", is_core=False)
        DailyUsageFactory(day=today, feature=edr, user_ref="u1")
        DailyUsageFactory(day=today - timedelta(days=20), feature=edr, user_ref="u2")
        NpsResponseFactory(score=3, comment="Too noisy")
        task = Task.objects.filter(status=TaskStatus.TODO).order_by("pk").first()
        Task.objects.filter(pk=task.pk).update(is_milestone=True, due_date=today - timedelta(days=3))
        facts = account_facts_refresh()
    assert facts.tenant_id == tenant_a.pk
    with tenant_a:
        assert (facts.onboarding_done, facts.onboarding_total) == (0, Task.objects.count())
    assert facts.go_live_on == today - timedelta(days=40)
    assert (facts.seats, facts.active_users_14d, facts.active_users_28d) == (50, 1, 2)
    assert facts.core_adoption == [{"key": "edr", "name": "EDR", "rate": 1.0}]
    assert (facts.detractor_score, facts.detractor_comment) == (3, "Too noisy")
    assert (facts.milestone_id, facts.milestone_due) == (task.pk, today - timedelta(days=3))


def test_rules_read_the_copied_facts(tenant_a):
    with tenant_a:
        NpsResponseFactory(score=2)
        account_facts_refresh()
    cta_evaluate(tenants=Tenant.objects.filter(pk=tenant_a.pk))
    assert Cta.objects.live().filter(tenant=tenant_a, rule=Rule.NPS_DETRACTOR).count() == 1


def test_the_task_runs_in_the_tenant_schema_only(tenant_a):
    with tenant_a:
        account_facts_refresh_task.apply().get()
    assert AccountFacts.objects.filter(tenant=tenant_a).exists()
    with pytest.raises(Exception, match="schema"):
        account_facts_refresh_task.apply().get()
