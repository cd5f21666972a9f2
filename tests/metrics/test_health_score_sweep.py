"""The scoring sweep: every ready tenant ends with exactly one score for the due day."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django_tenants.utils import schema_context

from metrics.models import HealthScore
from metrics.portfolio.models import HealthSnapshot
from metrics.tasks import health_score_due_day, health_score_sweep_task, health_score_task
from portal.tenancy.models import Tenant

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def scores(tenant, day) -> int:
    with schema_context(tenant.schema_name):
        return HealthScore.objects.filter(day=day).count()


def test_yesterday_is_due_once_the_nightly_run_has_started():
    # The nightly run scores the last complete day (yesterday): due from 03:00, the day before until then.
    assert health_score_due_day(datetime(2026, 11, 23, 2, 59, tzinfo=UTC)).isoformat() == "2026-11-21"
    assert health_score_due_day(datetime(2026, 11, 23, 3, 0, tzinfo=UTC)).isoformat() == "2026-11-22"


@time_machine.travel(NOON, tick=False)
def test_the_sweep_scores_the_tenants_the_nightly_run_missed_and_only_those(tenant_a, tenant_b, monkeypatch):
    day = NOON.date() - timedelta(days=1)  # the last complete day
    with schema_context(tenant_a.schema_name):
        health_score_task.delay(day=day.isoformat()).get()  # the nightly run reached alpha only
    sent = []
    real_delay = health_score_task.delay
    monkeypatch.setattr(
        health_score_task, "delay", lambda **kw: sent.append(connection.schema_name) or real_delay(**kw)
    )
    assert health_score_sweep_task() == 1
    assert sent == ["t_beta"]
    assert (scores(tenant_a, day), scores(tenant_b, day)) == (1, 1)
    assert HealthSnapshot.objects.get(tenant=tenant_b).day == day
    assert health_score_sweep_task() == 0  # nothing left to catch up


@time_machine.travel(NOON, tick=False)
def test_a_lost_message_is_sent_again_after_two_sweep_periods_not_before(tenant_a, tenant_b, monkeypatch):
    Tenant.objects.filter(pk=tenant_b.pk).update(status="suspended")  # only alpha is swept
    lost = []
    monkeypatch.setattr(health_score_task, "delay", lambda **kw: lost.append(kw))  # the broker drops it
    assert health_score_sweep_task() == 1
    assert health_score_sweep_task() == 0  # still perhaps queued: not flooded
    cache.clear()  # two sweep periods later the hold has expired
    monkeypatch.undo()
    assert health_score_sweep_task() == 1
    assert scores(tenant_a, NOON.date() - timedelta(days=1)) == 1
    assert lost == [{"day": "2026-11-22"}]


def test_a_message_delivered_twice_leaves_one_score(tenant_a):
    with schema_context(tenant_a.schema_name):
        health_score_task.delay(day="2026-11-23").get()
        health_score_task.delay(day="2026-11-23").get()
    assert scores(tenant_a, "2026-11-23") == 1


def test_the_beat_runs_the_sweep_often_on_the_scoring_queue():
    entry = settings.CELERY_BEAT_SCHEDULE["health-score-sweep"]
    assert entry["task"] == "metrics.health_score_sweep_task"
    assert entry["schedule"].total_seconds() == settings.KEEL_HEALTH_SWEEP_SECONDS == 900
    assert settings.CELERY_TASK_ROUTES["metrics.health_score_sweep_task"] == {"queue": "scoring"}


def test_the_swept_run_also_brings_bound_outcomes_up_to_date_once(tenant_a, tenant_b, csm_a, features_a):
    from metrics.models import DailyUsage
    from metrics.qbr.services import outcome_create

    yesterday = timezone.localdate() - timedelta(days=1)
    with tenant_a:
        for user in ("u1", "u2"):
            DailyUsage.objects.create(
                day=yesterday, feature=features_a["alerts.triage"], user_ref=user, events=1, quantity=1
            )
        outcome = outcome_create(
            actor=csm_a, title="Active users", direction="up", baseline=0, target=10, metric="active_users"
        )
    Tenant.objects.filter(pk=tenant_b.pk).update(status="suspended")
    assert health_score_sweep_task() == 1  # the nightly run never reached alpha
    cache.clear()
    HealthSnapshot.objects.filter(tenant=tenant_a).delete()  # as if a second run died before its snapshot
    assert health_score_sweep_task() == 1
    with tenant_a:
        outcome.refresh_from_db()
        assert outcome.current_value == 2
        assert outcome.values.count() == 1  # synced by the first run; the second found nothing new
        assert HealthScore.objects.count() == 1
