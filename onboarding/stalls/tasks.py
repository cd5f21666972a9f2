"""Hourly stall detection: one task per ready tenant, pinned to its schema."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from portal.tasks import TenantScopedTask
from portal.tenancy.tasks import fan_out

from .reminders import task_reminders_enqueue
from .services import stall_detect


# A connection lost mid-run rolls the whole detection back (one transaction); the retry starts
# over, and the advisory lock plus unique keys make a run that did commit a no-op the second time.
@shared_task(
    base=TenantScopedTask,
    name="stalls.stall_detect_task",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=2,
    retry_backoff_max=60,
    max_retries=5,
)
def stall_detect_task() -> dict:
    result = stall_detect().as_dict()
    result["reminders"] = task_reminders_enqueue()
    return result


@shared_task(name="stalls.stall_detect_all_task")
def stall_detect_all_task() -> int:
    return fan_out(stall_detect_task)
