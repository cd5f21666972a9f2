"""Usage days and due dates are the tenant's days: a Shanghai day starts at 16:00 UTC."""

from datetime import UTC, date, datetime

from django_tenants.utils import schema_context

from metrics.models import DailyUsage
from metrics.services.ingest import usage_events_ingest
from metrics.services.rollups import usage_rollup_refresh
from portal.tenancy.clock import tenant_today
from portal.tenancy.db import connection
from tests.support.factories import FeatureFactory


def ev(stamp, key):
    return {"feature": "alerts.triage", "user": "u1", "timestamp": stamp, "idempotency_key": key, "quantity": 1}


def _ingest_across_the_boundary(tenant):
    with schema_context(tenant.schema_name):
        FeatureFactory(key="alerts.triage", name="Alert triage", is_core=True)
        usage_events_ingest(
            items=[
                ev("2026-02-28T15:59:59Z", "before"),  # 23:59:59 in Shanghai, the 28th
                ev("2026-02-28T16:00:00Z", "after"),  # 00:00 in Shanghai, 1 March
            ]
        )
        days = usage_rollup_refresh()
        rows = sorted(DailyUsage.objects.values_list("day", "events"))
    return days, rows


def test_a_shanghai_tenants_usage_day_starts_at_1600_utc(shanghai_a):
    days, rows = _ingest_across_the_boundary(shanghai_a)
    assert days == [date(2026, 2, 28), date(2026, 3, 1)]
    assert rows == [(date(2026, 2, 28), 1), (date(2026, 3, 1), 1)]


def test_a_utc_tenant_counts_both_events_on_one_day(tenant_a):
    days, rows = _ingest_across_the_boundary(tenant_a)
    assert days == [date(2026, 2, 28)]
    assert rows == [(date(2026, 2, 28), 2)]


def test_the_tenant_of_the_schema_gives_today_inside_schema_context(shanghai_a):
    with schema_context(shanghai_a.schema_name):
        assert not hasattr(connection.tenant, "time_zone") or connection.tenant.time_zone == "Asia/Shanghai"
        assert tenant_today(now=datetime(2026, 2, 28, 16, 0, tzinfo=UTC)) == date(2026, 3, 1)


def test_due_dates_count_from_the_tenants_day_whoever_starts_the_checklist(shanghai_a):
    from onboarding.services import checklist_instantiate
    from portal.accounts.access import SYSTEM
    from tests.support.factories import PlaybookTaskFactory

    task = PlaybookTaskFactory(due_offset_days=3)
    with schema_context(shanghai_a.schema_name):
        # 17:00 UTC on 28 February is already 1 March in Shanghai: due on the 4th, not the 3rd.
        checklist = checklist_instantiate(
            playbook=task.phase.playbook, actor=SYSTEM, started_at=datetime(2026, 2, 28, 17, 0, tzinfo=UTC)
        )
        assert [t.due_date for t in checklist.tasks.all()] == [date(2026, 3, 4)]
