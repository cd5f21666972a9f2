"""Thin Celery adapters of the cockpit. Evaluation reads public tables only: one task, in public."""

from celery import shared_task

from portal.tasks import TenantScopedTask
from portal.tenancy.db import connection
from portal.tenancy.tasks import fan_out

from .facts import account_facts_refresh
from .services import cta_evaluate


@shared_task(base=TenantScopedTask, name="cockpit.account_facts_refresh_task")
def account_facts_refresh_task() -> dict:
    """Copy what the rules need from the current tenant's schema to public."""
    facts = account_facts_refresh()
    return {"schema": connection.schema_name, "computed_at": facts.computed_at.isoformat()}


@shared_task(name="cockpit.account_facts_refresh_all_task")
def account_facts_refresh_all_task() -> int:
    return fan_out(account_facts_refresh_task)


@shared_task(name="cockpit.cta_evaluate_task")
def cta_evaluate_task() -> dict:
    """Open, refresh, wake and close every customer's CTAs."""
    return cta_evaluate().as_dict()
