"""Start the tier's onboarding when a tenant is provisioned."""

from django.dispatch import receiver

from portal.tenancy.signals import tenant_provisioned

from .services import checklist_instantiate, playbook_for_tier


@receiver(tenant_provisioned, dispatch_uid="onboarding_start_on_provision")
def start_onboarding(sender, tenant, actor, **kwargs):
    playbook = playbook_for_tier(tenant.tier)
    if playbook is not None:
        with tenant:
            checklist_instantiate(playbook=playbook, actor=actor)
