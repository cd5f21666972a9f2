"""No checklist is ever stale: a change to a task, a comment or the date shows on the next load.

The page has no cache of its own; the per-session cache of the viewer's role
(portal/tenancy/middleware.py) must not make it one. Each test loads the page, changes one
thing, and loads it again with the same session.
"""

from datetime import date, timedelta

import pytest
import time_machine

from onboarding.models import Comment, Task
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


def test_a_completed_task_shows_at_once(tenant_a, member_a, plan):
    client = client_for(member_a, tenant_a)
    assert "0%</strong> done — 0 of 4 tasks" in client.get("/onboarding/").text
    assert client.post(f"/onboarding/tasks/{plan['first'].pk}/complete/").status_code == 302
    html = client.get("/onboarding/").text
    assert "25%</strong> done — 1 of 4 tasks" in html
    assert "Waiting for: First Step" not in html  # the next task unlocked too


def test_a_new_comment_shows_at_once(tenant_a, member_a, plan):
    client = client_for(member_a, tenant_a)
    assert "1 comment<" not in client.get("/onboarding/").text
    with tenant_a:
        Comment.objects.create(task=plan["first"], body="Done on our side?")
    assert "1 comment<" in client.get("/onboarding/").text


def test_a_task_becomes_overdue_when_the_date_passes(tenant_a, member_a, plan):
    with tenant_a:
        Task.objects.filter(pk=plan["first"].pk).update(due_date=date(2026, 3, 10))
    client = client_for(member_a, tenant_a)
    with time_machine.travel(date(2026, 3, 10), tick=False) as clock:
        assert "Overdue" not in client.get("/onboarding/").text
        clock.shift(timedelta(days=1))
        assert "Overdue" in client.get("/onboarding/").text
