"""Record the day a tenant is lost, whichever screen changed its stage (console, admin, shell).

The Tenant model keeps only the current stage; the churn rate needs the date it changed.
"""

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from portal.tenancy.models import LifecycleStage, Tenant

from .services import tenant_churn_record


@receiver(pre_save, sender=Tenant, dispatch_uid="health_remember_previous_stage")
def remember_previous_stage(sender, instance: Tenant, **kwargs):
    if instance.pk is None:
        instance._previous_stage = None
        return
    instance._previous_stage = Tenant.objects.filter(pk=instance.pk).values_list("lifecycle_stage", flat=True).first()


@receiver(post_save, sender=Tenant, dispatch_uid="health_record_churn")
def record_churn(sender, instance: Tenant, raw=False, **kwargs):
    if raw or instance.lifecycle_stage != LifecycleStage.CHURNED:
        return
    if getattr(instance, "_previous_stage", None) == LifecycleStage.CHURNED:
        return
    tenant_churn_record(tenant=instance, churned_on=timezone.localdate())
