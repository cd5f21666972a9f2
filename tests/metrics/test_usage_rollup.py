"""Daily rollups: rebuilt from events per UTC day; re-runs and late events give the same rows."""

from datetime import date, timedelta

import pytest
from django.db.models import F
from django_tenants.utils import schema_context

from metrics.models import DailyUsage, RollupState, UsageEvent
from metrics.services.ingest import usage_events_ingest
from metrics.services.rollups import usage_rollup_days, usage_rollup_refresh

pytestmark = pytest.mark.django_db


def ev(user, stamp, key, feature="alerts.triage", quantity=1):
    return {"feature": feature, "user": user, "timestamp": stamp, "idempotency_key": key, "quantity": quantity}


def age_events(*, hours: int) -> None:
    """Pretend the stored events were received ``hours`` ago (the test shares one transaction)."""
    UsageEvent.objects.update(received_at=F("received_at") - timedelta(hours=hours))


def rollup_rows():
    return sorted(DailyUsage.objects.values_list("day", "feature__key", "user_ref", "events", "quantity"))


def test_it_rolls_events_up_per_utc_day_feature_and_user(tenant_a, features_a):
    with schema_context(tenant_a.schema_name):
        usage_events_ingest(
            items=[
                ev("u1", "2026-11-20T08:00:00Z", "a", quantity=2),
                ev("u1", "2026-11-20T23:30:00Z", "b", quantity=3),
                ev("u1", "2026-11-21T00:30:00+01:00", "c"),  # 23:30 UTC on the 20th
                ev("u2", "2026-11-21T09:00:00Z", "d", feature="reports"),
            ]
        )
        assert usage_rollup_refresh() == [date(2026, 11, 20), date(2026, 11, 21)]
        assert rollup_rows() == [
            (date(2026, 11, 20), "alerts.triage", "u1", 3, 6),
            (date(2026, 11, 21), "reports", "u2", 1, 1),
        ]


def test_running_it_again_changes_nothing(tenant_a, features_a):
    with schema_context(tenant_a.schema_name):
        usage_events_ingest(items=[ev("u1", "2026-11-20T08:00:00Z", "a"), ev("u2", "2026-11-20T09:00:00Z", "b")])
        usage_rollup_refresh()
        first = rollup_rows()
        usage_rollup_days(days=[date(2026, 11, 20)])
        assert rollup_rows() == first
        # Events from the last few minutes are redone (their transactions may commit late).
        assert usage_rollup_refresh() == [date(2026, 11, 20)]
        assert rollup_rows() == first
        age_events(hours=1)
        assert usage_rollup_refresh() == []  # nothing received since
        assert rollup_rows() == first


def test_late_events_for_an_old_day_are_folded_in_on_the_next_refresh(tenant_a, features_a):
    with schema_context(tenant_a.schema_name):
        usage_events_ingest(items=[ev("u1", "2026-11-01T08:00:00Z", "a")])
        usage_rollup_refresh()
        age_events(hours=1)
        usage_events_ingest(items=[ev("u2", "2026-11-01T10:00:00Z", "late")])
        assert usage_rollup_refresh() == [date(2026, 11, 1)]
        assert [r[2] for r in rollup_rows()] == ["u1", "u2"]
        assert RollupState.objects.get().covered_until is not None
