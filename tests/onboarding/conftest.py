"""Onboarding fixtures: the session tenants got their checklist when they were provisioned."""

import pytest

from onboarding.choices import EvidenceKind, OwnerSide
from onboarding.models import Checklist, Phase, Task


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
