"""Thin Celery adapters of the cockpit. Evaluation reads public tables only: one task, in public."""

from celery import shared_task

from .services import cta_evaluate


@shared_task(name="cockpit.cta_evaluate_task")
def cta_evaluate_task() -> dict:
    """Open, refresh, wake and close every customer's CTAs."""
    return cta_evaluate().as_dict()
