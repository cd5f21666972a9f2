"""The Django admin: tenants go through provisioning; playbooks are editable; users are not deletable."""

import pytest
from django_tenants.utils import schema_exists

from onboarding.playbooks.models import Playbook, PlaybookPhase, PlaybookTask
from portal.tenancy.models import Tenant
from tests.support.clients import client_for
from tests.support.factories import AdminFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return AdminFactory(is_superuser=True)


def test_adding_a_tenant_in_the_admin_provisions_it(superuser):
    response = client_for(superuser).post(
        "/admin/tenancy/tenant/add/",
        {
            "name": "Sigma",
            "slug": "sigma",
            "tier": "standard",
            "arr": "1000",
            "lifecycle_stage": "onboarding",
            "status": "active",
            "created_at_0": "2026-11-23",
            "created_at_1": "10:00:00",
            "suspension_reason": "",
            "domains-TOTAL_FORMS": "0",
            "domains-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    tenant = Tenant.objects.get(slug="sigma")
    assert tenant.ready and schema_exists("t_sigma")
    assert tenant.domains.filter(domain="sigma.localhost").exists()


def test_admin_pages_load(superuser, tenant_a):
    client = client_for(superuser)
    for url in [
        "/admin/",
        "/admin/tenancy/tenant/",
        f"/admin/tenancy/tenant/{tenant_a.pk}/change/",
        "/admin/accounts/user/",
        "/admin/playbooks/playbook/",
        "/admin/audit/auditevent/",
    ]:
        assert client.get(url).status_code == 200, url


def test_users_cannot_be_deleted_only_deactivated(superuser):
    response = client_for(superuser).get(f"/admin/accounts/user/{superuser.pk}/delete/")
    assert response.status_code == 403


def test_a_playbook_keeps_one_first_value_milestone(superuser):
    playbook = Playbook.objects.get(default_for_tier="key")
    phase = PlaybookPhase.objects.get(playbook=playbook, title="Security checks")
    task = PlaybookTask.objects.filter(phase=phase).first()
    data = {
        "playbook": playbook.pk,
        "title": phase.title,
        "position": phase.position,
        "tasks-TOTAL_FORMS": "1",
        "tasks-INITIAL_FORMS": "1",
        "tasks-0-id": task.pk,
        "tasks-0-phase": phase.pk,
        "tasks-0-key": task.key,
        "tasks-0-title": task.title,
        "tasks-0-owner_side": task.owner_side,
        "tasks-0-assignee_role": task.assignee_role,
        "tasks-0-due_offset_days": task.due_offset_days,
        "tasks-0-kb_links": "[]",
        "tasks-0-evidence": task.evidence,
        "tasks-0-position": task.position,
        "tasks-0-is_first_value": "on",
    }
    response = client_for(superuser).post(f"/admin/playbooks/playbookphase/{phase.pk}/change/", data)
    assert response.status_code == 200
    assert "exactly one first-value milestone" in response.text
    assert not PlaybookTask.objects.get(pk=task.pk).is_first_value
