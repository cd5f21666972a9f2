"""Start the tier's onboarding when a tenant is provisioned."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.dispatch import receiver

from portal.kb.signals import read_confirmed
from portal.tenancy.signals import tenant_provisioned

from .models import Task, TaskStatus
from .services import checklist_instantiate, playbook_for_tier, task_complete

log = logging.getLogger(__name__)


@receiver(tenant_provisioned, dispatch_uid="onboarding_start_on_provision")
def start_onboarding(sender, tenant, actor, **kwargs):
    playbook = playbook_for_tier(tenant.tier)
    if playbook is not None:
        with tenant:
            checklist_instantiate(playbook=playbook, actor=actor)


@receiver(read_confirmed, dispatch_uid="onboarding_complete_read_steps")
def complete_read_steps(sender, tenant, user, ref, **kwargs):
    """Confirming a page completes the open "read and confirm" tasks pointing at it."""
    with tenant:
        for task in Task.objects.filter(read_confirm_ref=ref, status=TaskStatus.TODO):
            try:
                task_complete(task=task, actor=user)
            except (ValidationError, PermissionDenied) as exc:
                # Locked, missing evidence, or a vendor task: it stays open and says why on its page.
                log.info("Read step %s not completed for task %s: %s", ref, task.pk, exc)
