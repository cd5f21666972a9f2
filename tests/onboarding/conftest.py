"""Onboarding fixtures: the session tenants got their checklist when they were provisioned."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.utils import timezone

from onboarding.choices import EvidenceKind, OwnerSide
from onboarding.models import Checklist, Phase, Task, TaskStatus
from portal.tenancy.models import Tenant


@pytest.fixture
def in_a(tenant_a):
    """Run the test body inside tenant A's schema (services need connection.tenant)."""
    with tenant_a:
        yield tenant_a


@pytest.fixture
def checklist_a(in_a) -> Checklist:
    return Checklist.objects.get()


def make_checklist(title="Test plan", n_tasks=0) -> Checklist:
    """Return a fresh checklist with one phase and ``n_tasks`` independent customer tasks."""
    checklist = Checklist.objects.create(name=title)
    phase = Phase.objects.create(checklist=checklist, title="Only phase")
    Task.objects.bulk_create(
        [Task(checklist=checklist, phase=phase, key=f"t{i}", title=f"Task {i}", position=i) for i in range(n_tasks)]
    )
    return checklist


def add_task(checklist, key, *, deps=(), side=OwnerSide.CUSTOMER, evidence=EvidenceKind.NONE, first_value=False, **kw):
    phase = checklist.phases.first()
    task = Task.objects.create(
        checklist=checklist,
        phase=phase,
        key=key,
        title=key.replace("-", " ").title(),
        owner_side=side,
        evidence=evidence,
        is_first_value=first_value,
        **kw,
    )
    task.depends_on.set(deps)
    return task


@pytest.fixture
def plan(tenant_a):
    """Replace tenant A's checklist with a small known one (rolled back after the test)."""
    with tenant_a:
        Checklist.objects.all().delete()
        checklist = make_checklist("Known plan")
        first = add_task(checklist, "first-step")
        second = add_task(checklist, "second-step", deps=[first])
        vendor = add_task(checklist, "vendor-step", side=OwnerSide.VENDOR)
        proof = add_task(checklist, "proof-step", evidence=EvidenceKind.FILE)
    return {"checklist": checklist, "first": first, "second": second, "vendor": vendor, "proof": proof}


# --- stalls --------------------------------------------------------------------------------
# A Monday morning; every stall test starts here and moves the clock itself.
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RULES = {
    "strategic": {"idle_days": 3, "overdue_days": 1, "escalate_after_hours": 24},
    "key": {"idle_days": 5, "overdue_days": 2, "escalate_after_hours": 48},
    "standard": {"idle_days": 7, "overdue_days": 3, "escalate_after_hours": 72},
}


@pytest.fixture
def clock():
    """Freeze time at T0; ``clock.shift(timedelta(...))`` moves it."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@pytest.fixture
def stall_a(in_a, clock, settings):
    """Tenant A's schema with no checklist left (each test builds its own) and pinned stall rules."""
    settings.KEEL_STALL_RULES = RULES
    settings.KEEL_STALL_TEAM_WEBHOOK_URL = ""
    Checklist.objects.all().delete()
    return in_a


def set_tier(tenant, tier: str) -> None:
    Tenant.objects.filter(pk=tenant.pk).update(tier=tier)
    tenant.refresh_from_db()


def complete(task, when=None) -> None:
    """Mark ``task`` done at ``when`` (now by default) without the service's access rules."""
    Task.objects.filter(pk=task.pk).update(status=TaskStatus.DONE, completed_at=when or timezone.now())
