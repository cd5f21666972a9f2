"""Stall detection tasks and command: wiring, schema pinning, refusing public."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command

from onboarding.models import Checklist
from onboarding.stalls.models import StallEpisode
from onboarding.stalls.tasks import stall_detect_all_task, stall_detect_task
from portal.tasks import TenantRequiredError
from tests.support.factories import ChecklistFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def both_stalled(stall_a, csm_a, tenant_b, clock):
    ChecklistFactory(n_tasks=1)
    with tenant_b:
        Checklist.objects.all().delete()
        ChecklistFactory(n_tasks=1)
    clock.shift(timedelta(days=30))


def test_the_task_detects_in_the_schema_it_was_sent_from(both_stalled, tenant_a):
    with tenant_a:
        result = stall_detect_task.delay().get()
    assert result["schema"] == "t_alpha"
    assert len(result["started"]) == 1
    assert result["reminders"] == 0
    assert list(StallEpisode.objects.values_list("tenant__slug", flat=True)) == ["alpha"]


def test_the_task_refuses_to_run_from_public(db):
    with pytest.raises(TenantRequiredError):
        stall_detect_task.delay()


def test_the_hourly_fan_out_covers_every_ready_tenant(both_stalled):
    assert stall_detect_all_task.delay().get() >= 2
    assert sorted(StallEpisode.objects.values_list("tenant__slug", flat=True)) == ["alpha", "beta"]


def test_the_command_detects_now_and_reports(both_stalled, capsys):
    call_command("stall_detect", "--tenant", "beta")
    assert "beta: 1 started, 0 ended, 0 escalated" in capsys.readouterr().out
    assert list(StallEpisode.objects.values_list("tenant__slug", flat=True)) == ["beta"]


def test_the_command_refuses_an_unknown_tenant(db):
    with pytest.raises(CommandError, match="No ready, active tenant .nope."):
        call_command("stall_detect", "--tenant", "nope")
