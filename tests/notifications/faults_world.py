"""The world the fault-injection tests run in: built in their own database through ``manage.py shell``.

Two tenants with one CSM (who forwards alerts to a webhook). ``reset`` puts every tenant back
to a known state: the ones named stalled have had no progress for 30 days (the idle rule
only: no task has a due date), the others started today.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from onboarding.models import Activity, Checklist, Task, TaskStatus
from onboarding.stalls.models import StallEpisode
from portal.accounts.access import SYSTEM
from portal.accounts.models import StaffRole, User
from portal.audit.models import AuditEvent
from portal.notifications.models import Notification, NotificationPreference
from portal.tenancy.models import Tenant
from portal.tenancy.services import public_tenant_ensure, tenant_provision

SLUGS = ("faulta", "faultb")
CSM_EMAIL = "csm@faults.example"


def build() -> None:
    public_tenant_ensure()
    csm, _ = User.objects.get_or_create(
        email=CSM_EMAIL, defaults={"staff_role": StaffRole.CSM, "full_name": "Fay Fault"}
    )
    for slug in SLUGS:
        if not Tenant.objects.filter(slug=slug).exists():
            tenant_provision(actor=SYSTEM, name=f"{slug.title()} Ltd", slug=slug, csm=csm)


def reset(*, stalled: list[str], webhook_url: str) -> None:
    now = timezone.now()
    csm = User.objects.get(email=CSM_EMAIL)
    with transaction.atomic():
        Notification.objects.all().delete()
        StallEpisode.objects.all().delete()
        AuditEvent.objects.all().delete()
        NotificationPreference.objects.update_or_create(user=csm, defaults={"webhook_url": webhook_url})
    for tenant in Tenant.objects.filter(slug__in=SLUGS):
        with tenant, transaction.atomic():
            Activity.objects.filter(verb__in=["checklist.stalled", "checklist.unstalled"]).delete()
            Task.objects.update(
                status=TaskStatus.TODO, completed_at=None, completed_by=None, due_date=None, assignee=None
            )
            started = now - timedelta(days=30) if tenant.slug in stalled else now
            Checklist.objects.update(started_at=started, completed_at=None, first_value_at=None)
