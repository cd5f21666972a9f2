"""Due dates cannot precede the checklist's start; a customer is not shown "Overdue" for a task
the vendor is holding up."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from onboarding import selectors, services
from onboarding.choices import OwnerSide
from onboarding.models import Checklist
from portal.accounts.access import Access
from tests.support.clients import client_for
from tests.support.factories import ChecklistFactory, TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def started(tenant_a):
    """Tenant A's only checklist, started ten days ago."""
    with tenant_a:
        Checklist.objects.all().delete()
        checklist = ChecklistFactory(name="Started plan")
        checklist.started_at = timezone.now() - timedelta(days=10)
        checklist.save(update_fields=["started_at"])
        first = TaskFactory(checklist=checklist, key="first-step")
    return {"checklist": checklist, "first": first, "start": timezone.localdate(checklist.started_at)}


def test_a_due_date_before_the_start_is_refused_and_the_start_day_accepted(tenant_a, csm_a, started):
    with tenant_a:
        message = re.escape(f"cannot be before the checklist started ({started['start']:%Y-%m-%d})")
        with pytest.raises(ValidationError, match=message):
            services.task_update(task=started["first"], actor=csm_a, due_date=started["start"] - timedelta(days=1))
        with pytest.raises(ValidationError, match=message):
            services.task_add(
                phase=started["checklist"].phases.first(),
                actor=csm_a,
                title="Early",
                due_date=started["start"] - timedelta(days=30),
            )
        task = services.task_update(task=started["first"], actor=csm_a, due_date=started["start"])
        assert task.due_date == started["start"]


def test_the_edit_page_and_the_api_say_what_was_wrong(tenant_a, csm_a, started):
    client = client_for(csm_a, tenant_a)
    early = (started["start"] - timedelta(days=1)).isoformat()
    response = client.post(
        f"/onboarding/tasks/{started['first'].pk}/edit/",
        {"title": "First step", "owner_side": "customer", "due_date": early},
    )
    assert response.status_code == 400 and "cannot be before the checklist started" in response.text
    response = client.patch(
        f"/api/v1/tasks/{started['first'].pk}", {"due_date": early}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "cannot be before the checklist started" in response.json()["errors"]["due_date"][0]


@pytest.fixture
def held_up(tenant_a, started):
    """A past-due customer task waiting on an open vendor task, and one waiting on a customer task."""
    with tenant_a:
        checklist = started["checklist"]
        vendor = TaskFactory(checklist=checklist, key="vendor-setup", owner_side=OwnerSide.VENDOR)
        past = timezone.localdate() - timedelta(days=2)
        behind_vendor = TaskFactory(checklist=checklist, key="behind-vendor", depends_on=[vendor], due_date=past)
        behind_customer = TaskFactory(
            checklist=checklist, key="behind-customer", depends_on=[started["first"]], due_date=past
        )
    return {"checklist": checklist, "behind_vendor": behind_vendor, "behind_customer": behind_customer}


def _overdue(board) -> dict[str, bool]:
    return {row.task.key: row.overdue for phase in board.phases for row in phase.tasks}


def test_a_task_held_up_by_the_vendor_is_not_overdue_for_the_customer_but_is_for_staff(tenant_a, held_up):
    with tenant_a:
        customer = _overdue(selectors.checklist_board_get(checklist=held_up["checklist"], access=Access.MEMBER))
        staff = _overdue(selectors.checklist_board_get(checklist=held_up["checklist"], access=Access.CSM))
        detail = selectors.task_detail_get(task=held_up["behind_vendor"], access=Access.MEMBER)
    assert customer["behind-vendor"] is False and staff["behind-vendor"] is True
    assert customer["behind-customer"] is True  # held up by the customer's own side: still overdue
    assert detail["overdue"] is False


def test_the_customer_pages_and_api_show_no_overdue_badge_for_it(tenant_a, member_a, held_up):
    client = client_for(member_a, tenant_a)
    page = client.get(f"/onboarding/tasks/{held_up['behind_vendor'].pk}/")
    assert page.status_code == 200 and "Overdue" not in page.text
    task = client.get(f"/api/v1/tasks/{held_up['behind_vendor'].pk}").json()
    assert task["locked"] is True and task["overdue"] is False
    assert client.get(f"/api/v1/tasks/{held_up['behind_customer'].pk}").json()["overdue"] is True
