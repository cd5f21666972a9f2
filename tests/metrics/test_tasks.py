"""Metrics tasks: run in the schema they were sent from, refuse public, fan out per ready tenant."""

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from metrics.models import DailyUsage, HealthScore
from metrics.portfolio.models import HealthSnapshot
from metrics.services.ingest import usage_events_ingest
from metrics.tasks import health_score_all_task, health_score_task, usage_rollup_all_task, usage_rollup_task
from portal.tasks import TenantRequiredError
from portal.tenancy.models import Tenant


def test_the_health_task_scores_the_tenant_it_was_sent_from(tenant_a, tenant_b, features_a):
    with schema_context(tenant_a.schema_name):
        now = timezone.now().isoformat()
        usage_events_ingest(items=[{"feature": "alerts.triage", "user": "u1", "timestamp": now}])
        result = health_score_task.delay(day=timezone.localdate().isoformat()).get()
    assert result["schema"] == "t_alpha"
    assert connection.schema_name == "public"
    with schema_context(tenant_a.schema_name):
        assert HealthScore.objects.count() == 1
        assert DailyUsage.objects.count() == 1  # the task brought the rollup up to date first
    with schema_context(tenant_b.schema_name):
        assert HealthScore.objects.count() == 0
    assert HealthSnapshot.objects.filter(tenant=tenant_a).exists()
    assert not HealthSnapshot.objects.filter(tenant=tenant_b).exists()


def test_the_health_task_is_idempotent_per_day(tenant_a):
    with schema_context(tenant_a.schema_name):
        health_score_task.apply()
        health_score_task.apply()
        assert HealthScore.objects.count() == 1


@pytest.mark.pure
@pytest.mark.parametrize("task", [health_score_task, usage_rollup_task])
def test_tenant_tasks_refuse_to_run_from_public(task):
    with pytest.raises(TenantRequiredError, match="must be sent from a tenant schema"):
        task.delay()


def test_the_nightly_fan_out_scores_every_ready_active_tenant_once(tenant_a, tenant_b, monkeypatch):
    Tenant.objects.filter(pk=tenant_b.pk).update(status="suspended")
    seen = []
    monkeypatch.setattr(health_score_task, "delay", lambda: seen.append(connection.schema_name))
    assert health_score_all_task() == 1
    assert seen == ["t_alpha"]


def test_the_fan_outs_run_end_to_end(tenant_a, tenant_b):
    assert usage_rollup_all_task.delay().get() >= 2
    assert health_score_all_task.delay().get() >= 2
    assert HealthSnapshot.objects.filter(tenant__in=[tenant_a, tenant_b]).count() == 2


@pytest.mark.pure
def test_the_beat_schedule_has_the_rollup_and_nightly_scoring():
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"metrics.usage_rollup_all_task", "metrics.health_score_all_task"} <= tasks
