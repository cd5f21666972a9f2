"""Onboarding fixtures: the session tenants got their checklist when they were provisioned.

Checklists and tasks are made with tests.support.factories (ChecklistFactory, TaskFactory),
inside the tenant's schema; the stall clock and rules are in tests.support.onboarding.
"""

import pytest
import time_machine

from onboarding.models import Checklist
from tests.support.onboarding import RULES, T0


@pytest.fixture
def in_a(tenant_a):
    """Run the test body inside tenant A's schema (services need connection.tenant)."""
    with tenant_a:
        yield tenant_a


@pytest.fixture
def checklist_a(in_a) -> Checklist:
    return Checklist.objects.get()


# --- stalls --------------------------------------------------------------------------------
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
