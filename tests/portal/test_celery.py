"""Tasks run in the schema they were sent from; tenant tasks refuse to run without one."""

from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from portal.celery import app
from portal.tasks import TenantRequiredError
from portal.tenancy.models import Tenant
from portal.tenancy.tasks import fan_out, tenant_storage_measure_all_task, tenant_storage_measure_task


def test_a_task_runs_in_the_schema_it_was_sent_from(tenant_a, tenant_b):
    with schema_context(tenant_b.schema_name):
        result = tenant_storage_measure_task.delay()
    assert result.get()["schema"] == "t_beta"
    assert connection.schema_name == "public"  # restored after the task
    tenant_b.refresh_from_db()
    assert tenant_b.storage_bytes is not None
    assert tenant_b.storage_measured_at is not None
    tenant_a.refresh_from_db()
    assert tenant_a.storage_measured_at is None


def test_the_schema_travels_in_the_message_headers(tenant_a):
    with schema_context(tenant_a.schema_name):
        result = tenant_storage_measure_task.apply()
    assert result.get()["schema"] == "t_alpha"


@pytest.mark.pure
def test_a_tenant_task_refuses_to_run_from_public():
    with pytest.raises(TenantRequiredError, match="must be sent from a tenant schema"):
        tenant_storage_measure_task.delay()


def test_the_fan_out_sends_one_task_per_ready_active_tenant(tenant_a, tenant_b, monkeypatch):
    Tenant.objects.filter(pk=tenant_b.pk).update(status="suspended")
    seen = []
    monkeypatch.setattr(tenant_storage_measure_task, "delay", lambda: seen.append(connection.schema_name))
    assert fan_out(tenant_storage_measure_task) == 1
    assert seen == ["t_alpha"]


def test_the_nightly_fan_out_measures_every_ready_tenant(tenant_a, tenant_b):
    assert tenant_storage_measure_all_task.delay().get() >= 2
    assert Tenant.objects.filter(slug__in=["alpha", "beta"], storage_measured_at__isnull=False).count() == 2


@pytest.mark.pure
def test_the_worker_settings_favour_never_losing_a_task():
    conf = app.conf
    assert conf.task_acks_late
    assert conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    assert conf.task_soft_time_limit < conf.task_time_limit < conf.broker_transport_options["visibility_timeout"]


@pytest.mark.pure
def test_every_beat_entry_names_a_registered_task():
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]


@pytest.mark.pure
def test_every_task_goes_to_a_queue_the_shipped_worker_consumes():
    routes = settings.CELERY_TASK_ROUTES
    tasks = {name for name in app.tasks if not name.startswith("celery.")}
    assert set(routes) <= tasks, set(routes) - tasks  # no route names a task that does not exist
    queues = {routes.get(name, {}).get("queue", settings.CELERY_TASK_DEFAULT_QUEUE) for name in tasks}
    assert queues == set(settings.KEEL_CELERY_QUEUES)
    assert {"ingest", "scoring", "notify"} <= queues
    procfile = (Path(settings.BASE_DIR) / "Procfile").read_text()
    worker = next(line for line in procfile.splitlines() if line.startswith("worker:"))
    consumed = set(worker.split("--queues ", 1)[1].split()[0].split(","))
    assert consumed == set(settings.KEEL_CELERY_QUEUES)


@pytest.mark.pure
def test_tasks_are_sent_to_their_queue():
    router = app.amqp.router
    assert router.route({}, "notifications.notification_deliver_task")["queue"].name == "notify"
    assert router.route({}, "metrics.health_score_task")["queue"].name == "scoring"
    assert router.route({}, "metrics.usage_rollup_task")["queue"].name == "ingest"
    assert router.route({}, "stalls.stall_detect_task")["queue"].name == "default"
